//! The facade: one engine, one compiled component, one pre-linked instance; a store per call.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{
    Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ProfilingStrategy, Store,
    Trap,
};

use crate::bindings::{Core, CorePre};
use crate::sandbox::State;
use crate::snapshot::{self, Failure};
use crate::{
    CORE_COMPONENT, CORE_COMPONENT_SHA256, Config, Diagnostic, Error, HostServices, PolicyFile,
    RenderOutput, RenderRequest, RuleInfo, ValidateRequest, cache,
};

/// Whether a trap is the guest's shadow stack running out. rustc places that stack first in
/// linear memory and it grows down, so overflowing it wraps below address 0 and faults at the
/// top of the 32-bit address space, far above any memory the guest has. The faulting address is
/// the wrapped stack pointer plus the access's static offset, so it can also lie just past 4 GiB
/// (wasm32 adds base and offset without wrapping): seen as `0x100000028` when a frame's field
/// sat 0x38 bytes above a stack pointer just below 4 GiB.
fn shadow_stack_overflow(e: &wasmtime::Error) -> bool {
    const MARK: &str = "memory fault at wasm address 0x";
    let text = format!("{e:?}");
    text.find(MARK)
        .and_then(|at| {
            let hex = &text[at + MARK.len()..];
            let end = hex
                .find(|c: char| !c.is_ascii_hexdigit())
                .unwrap_or(hex.len());
            u64::from_str_radix(&hex[..end], 16).ok()
        })
        .is_some_and(|address| (0xFFF0_0000..0x1_0010_0000).contains(&address))
}

/// Native stack kept free beyond the guest's limit for host code (imports, trap handling).
const HOST_STACK_MARGIN: usize = 8 << 20;

/// How the compiled component was obtained, for diagnostics and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompileSource {
    /// Loaded from [`Config::precompiled_dir`] (the artifact baked into the container image).
    Precompiled,
    /// Loaded from the precompiled artifact cache.
    Cache,
    /// Compiled with Cranelift in this process (and written to the cache when one is configured).
    Compiled,
}

/// The sandboxed core, ready to serve calls from any number of threads.
pub struct Runtime {
    engine: Engine,
    component: Component,
    linker: Linker<State>,
    pre: CorePre<State>,
    /// The snapshot of [`Runtime::prepare_validation`], for validations with its pack.
    prepared: RwLock<Option<Arc<Prepared>>>,
    /// The core instrumented for snapshots, compiled at the first preparation.
    instrumented: OnceLock<Component>,
    config: Config,
    deadline_ticks: u64,
    compile_source: CompileSource,
    compile_time: Duration,
    /// The long-lived threads calls run on ([`Config::call_threads`]); `None`: a thread per call.
    call_threads: Option<rayon::ThreadPool>,
    ticker: Option<Ticker>,
}

impl Runtime {
    /// Sets up the engine, loads or compiles the embedded core component and starts the epoch
    /// ticker thread that enforces deadlines.
    pub fn new(config: Config) -> Result<Self, Error> {
        let setup = |e: wasmtime::Error| Error::Setup(format!("{e:#}"));
        let engine = Engine::new(&engine_config(&config)).map_err(setup)?;

        let mut linker = Linker::<State>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(setup)?;
        Core::add_to_linker::<State, HasSelf<State>>(&mut linker, |state| state).map_err(setup)?;

        let started = Instant::now();
        let (component, compile_source) = load_component(&engine, &config).map_err(setup)?;
        let compile_time = started.elapsed();

        let pre =
            CorePre::new(linker.instantiate_pre(&component).map_err(setup)?).map_err(setup)?;

        let tick = config.epoch_tick.max(Duration::from_millis(1));
        let deadline_ticks = config.deadline.as_nanos().div_ceil(tick.as_nanos()).max(1);
        let ticker = Ticker::start(engine.clone(), tick).map_err(|e| {
            Error::Setup(format!("could not start the deadline ticker thread: {e}"))
        })?;
        let call_threads = match config.call_threads {
            None => None,
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .stack_size(config.max_wasm_stack.saturating_add(HOST_STACK_MARGIN))
                    .thread_name(|i| format!("planton-helm-call-{i}"))
                    .build()
                    .map_err(|e| {
                        Error::Setup(format!("could not start the sandbox's call threads: {e}"))
                    })?,
            ),
        };
        Ok(Runtime {
            engine,
            component,
            linker,
            pre,
            prepared: RwLock::new(None),
            instrumented: OnceLock::new(),
            config,
            deadline_ticks: u64::try_from(deadline_ticks).unwrap_or(u64::MAX),
            compile_source,
            compile_time,
            call_threads,
            ticker: Some(ticker),
        })
    }

    /// Renders a chart as `helm template` does. `host` answers the core's `lookup`, `random-seed`
    /// and `now` for this call.
    ///
    /// Guarantees: the call runs in a store of its own, under the configured memory cap and
    /// deadline; whatever it returns, the runtime serves the next call unchanged.
    /// Caveats: the deadline is wall time and includes the time `host` takes to answer.
    pub fn render(
        &self,
        request: &RenderRequest,
        host: impl HostServices + 'static,
    ) -> Result<RenderOutput, Error> {
        self.call("render", &self.pre, Box::new(host), |core, store| {
            core.call_render(store, request)
        })?
        .map_err(Error::Core)
    }

    /// Validates HelmRelease documents against the schema and the policy pack, with the same
    /// guarantees as [`Runtime::render`].
    ///
    /// When the request's `policies` are those of the last [`Runtime::prepare_validation`], the
    /// call starts from that snapshot, with the schemas and every rule already compiled; else it
    /// compiles them itself (a few milliseconds). Either way it runs in a fresh instance.
    pub fn validate(
        &self,
        request: &ValidateRequest,
        host: impl HostServices + 'static,
    ) -> Result<Vec<Diagnostic>, Error> {
        let prepared = self.prepared_for(&request.policies);
        let pre = prepared.as_ref().map_or(&self.pre, |p| &p.pre);
        self.call("validate", pre, Box::new(host), |core, store| {
            core.call_validate(store, request)
        })?
        .map_err(Error::Core)
    }

    /// Makes (or loads from [`Config::cache_dir`]) a snapshot of the core with the JSON Schemas,
    /// the built-in rules and the extra rule files `policies` compiled, and serves every later
    /// [`Runtime::validate`] whose `policies` are exactly these from it, until the next
    /// preparation. Returns at once when `policies` are already the prepared ones.
    ///
    /// Guarantees: every call still runs in a fresh instance made from the snapshot, which holds
    /// the compiled rules and nothing of any call; validations with other `policies` keep
    /// working meanwhile, compiling their rules themselves. Fails with [`Error::Core`] when a
    /// policy file does not load (the calls then report the same), [`Error::Setup`] otherwise;
    /// either way the previous snapshot stays in force.
    /// Caveats: blocking and slow the first time for a pack: a Cranelift compile of the whole
    /// component (seconds of CPU), two for the runtime's first snapshot; run it off the paths
    /// that serve requests.
    pub fn prepare_validation(&self, policies: &[PolicyFile]) -> Result<(), Error> {
        let key = pack_key(policies);
        if self
            .prepared
            .read()
            .expect("not poisoned")
            .as_ref()
            .is_some_and(|p| p.key == key)
        {
            return Ok(());
        }
        let setup = |e: wasmtime::Error| Error::Setup(format!("{e:#}"));
        let path = self
            .config
            .cache_dir
            .as_ref()
            .map(|dir| snapshot_path(dir, &self.engine, CORE_COMPONENT_SHA256, &key));
        let cached = path
            .as_ref()
            .and_then(|p| cache::load(&self.engine, p, self.config.map_artifact));
        let component = match cached {
            Some(c) => c,
            None => {
                let instrumented = match self.instrumented.get() {
                    Some(c) => c,
                    None => {
                        let wasm = snapshot::instrumented().map_err(setup)?;
                        let c = Component::new(&self.engine, &wasm).map_err(setup)?;
                        self.instrumented.get_or_init(|| c)
                    }
                };
                let stack = self.config.max_wasm_stack.saturating_add(HOST_STACK_MARGIN);
                let wasm = std::thread::scope(|scope| {
                    std::thread::Builder::new()
                        .name("planton-helm-prepare".into())
                        .stack_size(stack)
                        .spawn_scoped(scope, || {
                            snapshot::preinitialize(
                                &self.engine,
                                &self.linker,
                                instrumented,
                                policies,
                                self.config.max_memory,
                            )
                        })
                        .map_err(|e| {
                            Error::Setup(format!("could not start a thread for the call: {e}"))
                        })?
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                        .map_err(|f| match f {
                            Failure::Pack(e) => Error::Core(e),
                            Failure::Wasm(e) => setup(e),
                        })
                })?;
                let component = Component::new(&self.engine, &wasm).map_err(setup)?;
                if let (Some(path), Ok(artifact)) = (&path, component.serialize()) {
                    // The cache is only a shortcut (see `load_component`).
                    let _ = cache::store(path, &artifact);
                }
                component
            }
        };
        let pre =
            CorePre::new(self.linker.instantiate_pre(&component).map_err(setup)?).map_err(setup)?;
        *self.prepared.write().expect("not poisoned") = Some(Arc::new(Prepared { key, pre }));
        Ok(())
    }

    /// Whether validations with `policies` start from a snapshot.
    pub fn is_prepared_for(&self, policies: &[PolicyFile]) -> bool {
        self.prepared_for(policies).is_some()
    }

    fn prepared_for(&self, policies: &[PolicyFile]) -> Option<Arc<Prepared>> {
        let prepared = self.prepared.read().expect("not poisoned").clone()?;
        (prepared.key == pack_key(policies)).then_some(prepared)
    }

    /// The core checks and policy rules in force for `policies` (extra rule files) and
    /// `disabled` codes, with the same guarantees as [`Runtime::render`]. Fails with
    /// [`Error::Core`] when a policy file does not load or a disabled code is unknown.
    pub fn list_rules(
        &self,
        policies: &[PolicyFile],
        disabled: &[String],
        host: impl HostServices + 'static,
    ) -> Result<Vec<RuleInfo>, Error> {
        self.call("list-rules", &self.pre, Box::new(host), |core, store| {
            core.call_list_rules(store, policies, disabled)
        })?
        .map_err(Error::Core)
    }

    /// Helm's `--name-template`: the release name `template` gives (Sprig functions, no data),
    /// with the same guarantees as [`Runtime::render`]. Fails with [`Error::Core`] carrying Go's
    /// text when the template does not parse or run.
    pub fn template_name(
        &self,
        template: &str,
        host: impl HostServices + 'static,
    ) -> Result<String, Error> {
        self.call("template-name", &self.pre, Box::new(host), |core, store| {
            core.call_template_name(store, template)
        })?
        .map_err(Error::Core)
    }

    /// The engine, for embedders that inspect the component's types.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The compiled core component.
    pub fn component(&self) -> &Component {
        &self.component
    }

    /// The configuration this runtime was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether the component came from the artifact cache or was compiled by this process.
    pub fn compile_source(&self) -> CompileSource {
        self.compile_source
    }

    /// How long loading or compiling the component took.
    pub fn compile_time(&self) -> Duration {
        self.compile_time
    }

    /// One call in a fresh store: its own memory, limits, WASI context and deadline, all dropped
    /// at the end whatever happened, so a stopped call cannot affect the next.
    ///
    /// The call runs on a thread of its own whose stack holds `max_wasm_stack` plus a margin for
    /// the host functions the guest calls: the caller's thread (a tokio worker has 2 MiB) could not
    /// hold a deep render, and wasmtime's stack check needs real stack behind its limit. With
    /// [`Config::call_threads`] that thread is one of the runtime's, reused: the stack is the
    /// host's, never visible to the guest, and the store is new all the same.
    fn call<R: Send>(
        &self,
        name: &'static str,
        pre: &CorePre<State>,
        host: Box<dyn HostServices>,
        f: impl FnOnce(&Core, &mut Store<State>) -> wasmtime::Result<R> + Send,
    ) -> Result<R, Error> {
        if let Some(threads) = &self.call_threads {
            return threads.install(|| self.call_here(name, pre, host, f));
        }
        let stack = self.config.max_wasm_stack.saturating_add(HOST_STACK_MARGIN);
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name(format!("planton-helm-{name}"))
                .stack_size(stack)
                .spawn_scoped(scope, || self.call_here(name, pre, host, f))
                .map_err(|e| Error::Setup(format!("could not start a thread for the call: {e}")))?
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    fn call_here<R>(
        &self,
        name: &'static str,
        pre: &CorePre<State>,
        host: Box<dyn HostServices>,
        f: impl FnOnce(&Core, &mut Store<State>) -> wasmtime::Result<R>,
    ) -> Result<R, Error> {
        let deadline = Instant::now() + self.config.deadline;
        let mut store = Store::new(
            &self.engine,
            State::new(self.config.max_memory, host, deadline),
        );
        store.limiter(|state| &mut state.limiter);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(self.deadline_ticks);
        let result = pre
            .instantiate(&mut store)
            .and_then(|core| f(&core, &mut store));
        result.map_err(|e| self.classify(name, &store, e))
    }

    fn classify(&self, call: &'static str, store: &Store<State>, e: wasmtime::Error) -> Error {
        if e.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
            Error::Deadline {
                call,
                deadline: self.config.deadline,
            }
        } else if e.downcast_ref::<Trap>() == Some(&Trap::StackOverflow)
            || shadow_stack_overflow(&e)
        {
            Error::StackOverflow { call }
        } else if store.data().limiter.refused_memory {
            // The guest's allocator turns a refused `memory.grow` into an abort, and the host's
            // copy of a large argument into guest memory fails the same way: either way the cap
            // is the cause, whatever the trap says.
            Error::MemoryLimit {
                call,
                limit: self.config.max_memory,
            }
        } else {
            Error::Trap {
                call,
                message: format!("{e:?}"),
            }
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.stop();
        }
    }
}

/// A snapshot of the core prepared for one policy pack.
struct Prepared {
    key: [u8; 32],
    pre: CorePre<State>,
}

/// SHA-256 of a policy pack: names and contents, in order, each length-prefixed.
fn pack_key(policies: &[PolicyFile]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for f in policies {
        for part in [f.name.as_bytes(), f.content.as_bytes()] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
    }
    hash.finalize().into()
}

/// Where the snapshot of the core whose wasm has the SHA-256 `core_sha256`, prepared for the
/// pack whose [`pack_key`] is `pack`, lives in `dir`.
///
/// Guarantees: a snapshot is the core's memory after `prepare`, laid out by that core's code for
/// that core's WIT types, so the key holds the core's digest besides the pack's: a snapshot made
/// by another core (other code, another contract, another built-in pack), for instance by an
/// older binary sharing the cache directory, is never loaded, however equal the pack. The
/// engine's settings and wasmtime's version are added by [`cache::artifact_path`].
fn snapshot_path(dir: &Path, engine: &Engine, core_sha256: &str, pack: &[u8; 32]) -> PathBuf {
    let hex: String = pack.iter().map(|b| format!("{b:02x}")).collect();
    cache::artifact_path(dir, engine, &format!("{core_sha256}+prepared-{hex}"))
}

/// The engine settings of a runtime for `config`, shared by [`Runtime::new`] and [`precompile`]
/// so that a precompiled artifact matches the engines that load it.
fn engine_config(config: &Config) -> wasmtime::Config {
    let mut wasm_config = wasmtime::Config::new();
    wasm_config.epoch_interruption(true);
    wasm_config.max_wasm_stack(config.max_wasm_stack);
    // Unused (calls are synchronous) but wasmtime requires it to exceed the wasm stack.
    wasm_config.async_stack_size(config.max_wasm_stack.saturating_add(HOST_STACK_MARGIN));
    if let Some(pooling) = config.pooling {
        // One call is one component instance made of a handful of core instances (the
        // core module and WASI adapter shims), each with at most one memory and one table;
        // the factors leave room for that with margin.
        let n = pooling.max_instances;
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(n)
            .total_core_instances(n.saturating_mul(16))
            .total_memories(n.saturating_mul(4))
            .total_tables(n.saturating_mul(16))
            .max_memory_size(config.max_memory)
            // A slot's memory and tables stay mapped up to these bounds and are reset by
            // rewriting what the last call changed, found with Linux's PAGEMAP_SCAN (`Auto`:
            // where the kernel has it, 6.7 and later; else the low bytes are reset whole). The
            // next call, often of the same snapshot, then starts without page faults; the
            // guest sees the pristine image either way.
            .linear_memory_keep_resident(pooling.keep_resident.min(config.max_memory))
            .table_keep_resident(pooling.keep_resident.min(TABLE_KEEP_RESIDENT))
            .pagemap_scan(Enabled::Auto);
        wasm_config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    if std::env::var_os(PERF_MAP_ENV).is_some_and(|v| !v.is_empty()) {
        // For profiling only: `perf report` then names the guest's functions.
        wasm_config.profiler(ProfilingStrategy::PerfMap);
    }
    wasm_config
}

/// Whether this kernel tells which pages of a memory a call changed (Linux's `PAGEMAP_SCAN`,
/// 6.7 and later), so that a pooled slot can keep much of its memory resident cheaply (see
/// [`Pooling::keep_resident`](crate::Pooling::keep_resident)).
pub fn pagemap_scan_available() -> bool {
    PoolingAllocationConfig::is_pagemap_scan_available()
}

/// Bytes of a pooled slot's tables kept mapped between calls: the core's function tables are a
/// few tens of KiB.
const TABLE_KEEP_RESIDENT: usize = 1 << 20;

/// When set (not empty), the engine writes `/tmp/perf-PID.map` so that `perf report` names the
/// guest's compiled functions (docs/benchmarks.md).
pub const PERF_MAP_ENV: &str = "PLANTON_HELM_PERF_MAP";

/// CPU features a portable artifact may use: x86-64-v2 (SSE3 to SSE4.2, POPCNT, CMPXCHG16B),
/// which every x86-64 server CPU since 2009 has; with SSE4.1 float rounding is inline code
/// rather than calls into the host. Other architectures get their baseline.
#[cfg(target_arch = "x86_64")]
const PORTABLE_ISA_FLAGS: &[&str] = &[
    "has_sse3",
    "has_ssse3",
    "has_sse41",
    "has_sse42",
    "has_popcnt",
    "has_cmpxchg16b",
];
#[cfg(not(target_arch = "x86_64"))]
const PORTABLE_ISA_FLAGS: &[&str] = &[];

/// The core component compiled ahead of time for a portable CPU baseline rather than this
/// machine's CPU, so that an artifact made on a build machine loads on any node: write it as
/// [`precompiled_file_name`] in the directory that [`Config::precompiled_dir`] names.
///
/// The artifact's cache key (see `cache.rs`) cannot be used for this: it covers the engine's
/// detected CPU features, which differ from machine to machine. Loading instead relies on
/// wasmtime's own check of the artifact (its version, engine settings, and that the host has
/// every CPU feature the code uses; a mismatch falls back to compiling), plus the file name,
/// which names the wasm it was compiled from.
pub fn precompile(config: &Config) -> Result<Vec<u8>, Error> {
    let setup = |e: wasmtime::Error| Error::Setup(format!("{e:#}"));
    let mut wasm_config = engine_config(config);
    // An explicit target turns off wasmtime's detection of the build machine's CPU features.
    wasm_config
        .target(env!("HOST_RUNTIME_TARGET"))
        .map_err(setup)?;
    for flag in PORTABLE_ISA_FLAGS {
        // SAFETY: these flags only tell Cranelift which instructions it may emit. The code is
        // never run by this engine; an engine that loads the artifact checks that its CPU has
        // every enabled feature and refuses the artifact otherwise.
        #[allow(unsafe_code)]
        unsafe {
            wasm_config.cranelift_flag_enable(flag);
        }
    }
    let engine = Engine::new(&wasm_config).map_err(setup)?;
    engine.precompile_component(CORE_COMPONENT).map_err(setup)
}

/// The file name [`precompile`]'s artifact must have in [`Config::precompiled_dir`]: the
/// embedded component's SHA-256, so that a binary never loads code compiled from other wasm.
pub fn precompiled_file_name() -> String {
    format!("{CORE_COMPONENT_SHA256}.cwasm")
}

/// The compiled component: the baked artifact when there is a usable one, else from the cache,
/// else compiled (and cached).
fn load_component(
    engine: &Engine,
    config: &Config,
) -> wasmtime::Result<(Component, CompileSource)> {
    // The baked artifact is mapped rather than read: it sits in the image's read-only layer,
    // where no one can truncate it under the mapping.
    if let Some(dir) = &config.precompiled_dir
        && let Some(component) = cache::load(engine, &dir.join(precompiled_file_name()), true)
    {
        return Ok((component, CompileSource::Precompiled));
    }
    let Some(dir) = &config.cache_dir else {
        return Ok((
            Component::new(engine, CORE_COMPONENT)?,
            CompileSource::Compiled,
        ));
    };
    let path = cache::artifact_path(dir, engine, CORE_COMPONENT_SHA256);
    if let Some(component) = cache::load(engine, &path, config.map_artifact) {
        return Ok((component, CompileSource::Cache));
    }
    let component = Component::new(engine, CORE_COMPONENT)?;
    // A read-only or full cache must not stop the CLI: the artifact is only a shortcut.
    if let Ok(artifact) = component.serialize() {
        let _ = cache::store(&path, &artifact);
    }
    Ok((component, CompileSource::Compiled))
}

/// The background thread that advances the engine's epoch every tick; a store whose deadline
/// (a number of ticks) has passed traps at its next epoch check.
struct Ticker {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Ticker {
    fn start(engine: Engine, tick: Duration) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("planton-helm-epoch".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(tick) {
                    engine.increment_epoch();
                }
            })?;
        Ok(Ticker { stop, thread })
    }

    fn stop(self) {
        drop(self.stop);
        let _ = self.thread.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_is_keyed_by_the_core_the_pack_and_the_engine() {
        let engine = Engine::default();
        let dir = Path::new("cache");
        let pack = |content: &str| {
            pack_key(&[PolicyFile {
                name: "org/rules.yaml".into(),
                content: content.into(),
            }])
        };
        let ours = snapshot_path(dir, &engine, CORE_COMPONENT_SHA256, &pack("rules: []"));
        assert_eq!(
            ours,
            snapshot_path(dir, &engine, CORE_COMPONENT_SHA256, &pack("rules: []"))
        );
        // What another core (an older binary sharing the directory) made of the same pack.
        assert_ne!(
            ours,
            snapshot_path(dir, &engine, &"0".repeat(64), &pack("rules: []"))
        );
        assert_ne!(
            ours,
            snapshot_path(dir, &engine, CORE_COMPONENT_SHA256, &pack("rules: [ ]"))
        );
        assert_ne!(
            ours,
            cache::artifact_path(dir, &engine, CORE_COMPONENT_SHA256)
        );
        let other = Engine::new(wasmtime::Config::new().epoch_interruption(true)).expect("engine");
        assert_ne!(
            ours,
            snapshot_path(dir, &other, CORE_COMPONENT_SHA256, &pack("rules: []"))
        );
    }
}
