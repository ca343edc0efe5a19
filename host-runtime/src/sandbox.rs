//! The per-call store data: a WASI context that grants nothing, the memory limiter and the
//! embedder's [`HostServices`].

use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder, Trap};
use wasmtime_wasi::{
    Deterministic, HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView,
    WasiView,
};

use crate::bindings::planton::helm;
use crate::{Datetime, HostServices};

/// Everything one call's [`wasmtime::Store`] owns.
pub(crate) struct State {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limiter: Limiter,
    host: Box<dyn HostServices>,
    /// When the call's deadline passes: host work the guest asks for (key generation, signing)
    /// stops there too, since epoch interruption only reaches wasm code.
    deadline: Instant,
}

impl State {
    pub(crate) fn new(max_memory: usize, host: Box<dyn HostServices>, deadline: Instant) -> Self {
        State {
            wasi: empty_wasi(),
            table: ResourceTable::new(),
            limiter: Limiter::new(max_memory),
            host,
            deadline,
        }
    }
}

/// WASI for a guest that must see nothing: Rust's std links against WASI p2, so the interfaces
/// exist, but every one of them answers as if the world were empty. No preopened directories,
/// environment or arguments; stdin closed and stdout/stderr discarded; sockets and name lookups
/// denied. Clocks read the Unix epoch and randomness is a fixed sequence, so the guest's only
/// time and entropy are what the `host` interface gives it and the same input renders the same.
fn empty_wasi() -> WasiCtx {
    WasiCtxBuilder::new()
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .wall_clock(Epoch)
        .monotonic_clock(Epoch)
        .secure_random(Deterministic::new(vec![0x5a]))
        .insecure_random(Deterministic::new(vec![0xa5]))
        .insecure_random_seed(0)
        .build()
}

/// A clock stopped at its origin.
struct Epoch;

impl HostWallClock for Epoch {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl HostMonotonicClock for Epoch {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl helm::types::Host for State {}

impl helm::host::Host for State {
    fn lookup(
        &mut self,
        api_version: String,
        kind: String,
        namespace: Option<String>,
        name: Option<String>,
    ) -> Option<String> {
        self.host
            .lookup(&api_version, &kind, namespace.as_deref(), name.as_deref())
    }

    fn random_seed(&mut self) -> u64 {
        self.host.random_seed()
    }

    fn now(&mut self) -> Datetime {
        self.host.now()
    }

    fn generate_rsa_key(
        &mut self,
        bits: u32,
        seed: Vec<u8>,
    ) -> wasmtime::Result<Result<Vec<u8>, String>> {
        native_result(keygen::rsa_pkcs1_der(bits, &seed, Some(self.deadline)))
    }

    fn generate_dsa_key(&mut self, seed: Vec<u8>) -> wasmtime::Result<Result<Vec<u8>, String>> {
        native_result(keygen::dsa_der(&seed, Some(self.deadline)))
    }

    fn sign_rsa(
        &mut self,
        key: Vec<u8>,
        digest: Vec<u8>,
    ) -> wasmtime::Result<Result<Vec<u8>, String>> {
        native_result(keygen::rsa_sign_sha256(&key, &digest, Some(self.deadline)))
    }
}

/// A key or signature for the guest, an error for its template, or the deadline's trap: the time
/// spent here counts against the call's deadline as the guest's own would.
fn native_result(
    answer: Result<Vec<u8>, keygen::Error>,
) -> wasmtime::Result<Result<Vec<u8>, String>> {
    match answer {
        Ok(der) => Ok(Ok(der)),
        Err(keygen::Error::Request(message)) => Ok(Err(message)),
        Err(keygen::Error::Deadline) => Err(Trap::Interrupt.into()),
    }
}

/// [`StoreLimits`] plus a record of whether the memory cap refused a growth, so that the trap the
/// guest raises when its allocator fails can be reported as what it is.
pub(crate) struct Limiter {
    inner: StoreLimits,
    max_memory: usize,
    pub(crate) refused_memory: bool,
}

impl Limiter {
    fn new(max_memory: usize) -> Self {
        Limiter {
            // The core is one component of a handful of core instances, each with at most one
            // memory and table; the generous counts only stop a malformed guest. Table elements
            // live in host memory that the memory cap does not see, so they get their own bound
            // (1M entries is ~16 MiB and far above any Rust program's function table).
            inner: StoreLimitsBuilder::new()
                .memory_size(max_memory)
                .table_elements(1 << 20)
                .instances(64)
                .tables(64)
                .memories(64)
                .build(),
            max_memory,
            refused_memory: false,
        }
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_memory {
            self.refused_memory = true;
        }
        self.inner.memory_growing(current, desired, maximum)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.inner.instances()
    }

    fn tables(&self) -> usize {
        self.inner.tables()
    }

    fn memories(&self) -> usize {
        self.inner.memories()
    }
}
