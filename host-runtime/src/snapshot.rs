//! The core pre-initialised: its `prepare` export run once, then the instance's memory and
//! globals written back into a new component (wasmtime's Wizer), so that every call starts with
//! the built-in policy pack and the JSON Schemas already compiled.
//!
//! Why: a call is a fresh instance by design (nothing survives between calls), so without this
//! every `validate` compiled the pack and both schemas again, about 6.5 ms of CPU per
//! admission review (docs/benchmarks.md). The snapshot keeps the fresh instance per call: each
//! instantiation maps the initialised memory copy-on-write, which costs about what mapping the
//! plain component's data did.
//!
//! Guarantees: the snapshot is a pure function of the component (no host answers reach
//! `prepare`: it asks nothing of the host, and WASI answers fixed values), so it is cached
//! beside the plain artifact under its own key.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use wasmtime::component::{Component, Instance, Lift, Linker, WasmList};
use wasmtime::{Engine, Store};
use wasmtime_wizer::{ComponentInstanceState, Wizer};

use crate::OfflineHost;
use crate::sandbox::State;

/// The component export that warms the caches (`prepare` in wit/core.wit).
const INIT: &str = "prepare";

/// How long `prepare` may run: it compiles a few kilobytes of rules, in milliseconds.
const PREPARE_DEADLINE: Duration = Duration::from_secs(60);

/// `wasm` with `prepare` already run.
pub(crate) fn preinitialize(
    engine: &Engine,
    linker: &Linker<State>,
    wasm: &[u8],
    max_memory: usize,
) -> wasmtime::Result<Vec<u8>> {
    let mut wizer = Wizer::new();
    // The world declares `prepare`, so the snapshot keeps it to still match the bindings.
    wizer.init_func(INIT).keep_init_func(true);
    let (cx, instrumented) = wizer.instrument_component(wasm)?;
    let component = Component::new(engine, &instrumented)?;
    let deadline = Instant::now() + PREPARE_DEADLINE;
    let mut store = Store::new(
        engine,
        State::new(max_memory, Box::new(OfflineHost::default()), deadline),
    );
    store.limiter(|state| &mut state.limiter);
    // No ticker runs yet (the runtime starts it after loading), so the epoch stays put; the
    // engine still requires a deadline on every store.
    store.set_epoch_deadline(u64::from(u32::MAX));
    let instance = linker.instantiate(&mut store, &component)?;
    instance
        .get_typed_func::<(), ()>(&mut store, INIT)?
        .call(&mut store, ())?;
    let mut access = Access {
        store: &mut store,
        instance,
        error: None,
    };
    let snapshot = now(wizer.snapshot_component(&cx, &mut access))??;
    match access.error {
        Some(e) => Err(e),
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
