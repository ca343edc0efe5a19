//! The core pre-initialised for validation: its `prepare` export run once with a policy pack,
//! then the instance's memory and globals written back into a new component (wasmtime's Wizer),
//! so that every `validate` made from it starts with the JSON Schemas, the built-in pack and that
//! extra pack already compiled.
//!
//! Why: a call is a fresh instance by design (nothing survives between calls), so without this
//! every `validate` compiles the pack and both schemas again, about 6 ms of CPU per admission
//! review (docs/benchmarks.md). A snapshot keeps the fresh instance per call: each instantiation
//! maps the initialised memory copy-on-write, as it maps the plain component's data.
//!
//! Guarantees: the snapshot is a function of the component and the pack alone (`prepare` asks
//! nothing of the host, and WASI answers fixed values), and holds nothing of any call.
//! Caveats: making one costs a Cranelift compile of the whole component (seconds of CPU), plus
//! one of the instrumented component for the first snapshot of a runtime.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use wasmtime::component::{Component, Instance, Lift, Linker, WasmList};
use wasmtime::{Engine, Store};
use wasmtime_wizer::{ComponentInstanceState, Wizer};

use crate::bindings::Core;
use crate::sandbox::State;
use crate::{CORE_COMPONENT, CoreError, OfflineHost, PolicyFile};

/// The component export that compiles the pack (`prepare` in wit/core.wit).
const INIT: &str = "prepare";

/// How long `prepare` may run: it compiles a few kilobytes of rules, in milliseconds.
const PREPARE_DEADLINE: Duration = Duration::from_secs(60);

/// The Wizer settings: the world declares `prepare`, so the snapshot keeps it to still match the
/// bindings.
fn wizer() -> Wizer {
    let mut wizer = Wizer::new();
    wizer.init_func(INIT).keep_init_func(true);
    wizer
}

/// The core instrumented for snapshots (Wizer's accessor exports added), to compile once per
/// runtime: [`preinitialize`] runs `prepare` in an instance of it.
pub(crate) fn instrumented() -> wasmtime::Result<Vec<u8>> {
    Ok(wizer().instrument_component(CORE_COMPONENT)?.1)
}

/// Why a snapshot could not be made.
pub(crate) enum Failure {
    /// The pack does not load (`prepare`'s error, worded as `validate` words it).
    Pack(CoreError),
    /// wasmtime or Wizer failed.
    Wasm(wasmtime::Error),
}

impl From<wasmtime::Error> for Failure {
    fn from(e: wasmtime::Error) -> Self {
        Failure::Wasm(e)
    }
}

/// The core's wasm with `prepare(policies)` already run, from `instrumented` (compiled from
/// [`instrumented`]'s bytes by `engine`).
pub(crate) fn preinitialize(
    engine: &Engine,
    linker: &Linker<State>,
    instrumented: &Component,
    policies: &[PolicyFile],
    max_memory: usize,
) -> Result<Vec<u8>, Failure> {
    let wizer = wizer();
    // Instrumenting is a parse and a rewrite (milliseconds); its context, which the snapshot
    // needs, borrows the wasm, so it is made again rather than kept.
    let (cx, _) = wizer.instrument_component(CORE_COMPONENT)?;
    let deadline = Instant::now() + PREPARE_DEADLINE;
    let mut store = Store::new(
        engine,
        State::new(max_memory, Box::new(OfflineHost::default()), deadline),
    );
    store.limiter(|state| &mut state.limiter);
    store.epoch_deadline_trap();
    // The runtime's ticker advances the epoch every tick (10 ms by default): a deadline far
    // beyond any `prepare`, which takes milliseconds.
    store.set_epoch_deadline(u64::from(u32::MAX));
    let instance = linker.instantiate(&mut store, instrumented)?;
    Core::new(&mut store, &instance)?
        .call_prepare(&mut store, policies)?
        .map_err(Failure::Pack)?;
    let mut access = Access {
        store: &mut store,
        instance,
        error: None,
    };
    let snapshot = now(wizer.snapshot_component(&cx, &mut access))??;
    match access.error {
        Some(e) => Err(Failure::Wasm(e)),
        None => Ok(snapshot),
    }
}

/// Polls a future that never waits: the snapshot's calls into the instance are synchronous,
/// and only the trait Wizer defines them by is async.
fn now<F: Future>(future: F) -> wasmtime::Result<F::Output> {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => Ok(out),
        Poll::Pending => Err(wasmtime::format_err!(
            "the component snapshot waited on something; it never should"
        )),
    }
}

/// What Wizer reads the instance's state through: the accessor functions its instrumentation
/// exported. The trait's methods cannot fail, so the first error is kept and reported after.
struct Access<'a> {
    store: &'a mut Store<State>,
    instance: Instance,
    error: Option<wasmtime::Error>,
}

impl Access<'_> {
    fn call<R: Lift + 'static, T: Default>(
        &mut self,
        instance: &str,
        func: &str,
        read: impl FnOnce(&mut Store<State>, R) -> T,
    ) -> T {
        if self.error.is_some() {
            return T::default();
        }
        let result = (|| {
            let (_, exported) = self
                .instance
                .get_export(&mut *self.store, None, instance)
                .ok_or_else(|| wasmtime::format_err!("no export {instance}"))?;
            let (_, index) = self
                .instance
                .get_export(&mut *self.store, Some(&exported), func)
                .ok_or_else(|| wasmtime::format_err!("no export {instance}#{func}"))?;
            let f = self
                .instance
                .get_typed_func::<(), (R,)>(&mut *self.store, index)?;
            let (r,) = f.call(&mut *self.store, ())?;
            Ok::<_, wasmtime::Error>(read(self.store, r))
        })();
        result.unwrap_or_else(|e| {
            self.error = Some(e);
            T::default()
        })
    }
}

impl ComponentInstanceState for Access<'_> {
    async fn call_func_ret_list_u8(
        &mut self,
        instance: &str,
        func: &str,
        contents: impl FnOnce(&[u8]) + Send,
    ) {
        let mut contents = Some(contents);
        self.call(instance, func, |store, list: WasmList<u8>| {
            if let Some(f) = contents.take() {
                f(list.as_le_slice(&*store));
            }
        });
        if let Some(f) = contents {
            // The call failed (and is reported); Wizer still expects its callback.
            f(&[]);
        }
    }

    async fn call_func_ret_s32(&mut self, instance: &str, func: &str) -> i32 {
        self.call(instance, func, |_, r: i32| r)
    }

    async fn call_func_ret_s64(&mut self, instance: &str, func: &str) -> i64 {
        self.call(instance, func, |_, r: i64| r)
    }

    async fn call_func_ret_f32(&mut self, instance: &str, func: &str) -> u32 {
        self.call(instance, func, |_, r: f32| r.to_bits())
    }

    async fn call_func_ret_f64(&mut self, instance: &str, func: &str) -> u64 {
        self.call(instance, func, |_, r: f64| r.to_bits())
    }
}
