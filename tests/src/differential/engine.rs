//! Renders a case with our engine, natively, as the CLI host would call the core.

use std::sync::mpsc;
use std::time::Duration;

use core_wasm::funcs::FixedHost;
use core_wasm::render::{
    Capabilities, ChartSource, ReleaseInfo, RenderOptions, RenderRequest, SourceFile, ValuesLayer,
    render,
};

use super::case::{Case, LayerKind};
use super::chart;

/// Long enough for any sane snippet, short enough that a hung engine does not stall the suite.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Deep recursion (include, tpl, nested data) must fail with helm's error, not overflow our
/// stack first; a large stack keeps the harness from being the limit.
const STACK_BYTES: usize = 256 * 1024 * 1024;

/// The request that mirrors `helm template <release> c <flags>` for this case.
pub fn request(case: &Case) -> RenderRequest {
    let files = chart::files(case)
        .into_iter()
        .map(|(path, data)| SourceFile {
            path,
            data: data.into_bytes(),
        })
        .collect();
    // Helm applies --set-json, --set, --set-string, --set-literal in that order whatever the
    // order on the command line; the sort is stable, so each kind keeps its own order.
    let mut layers = case.flags.layers.clone();
    layers.sort_by_key(|(kind, _)| *kind);
    let values = layers
        .into_iter()
        .map(|(kind, v)| match kind {
            LayerKind::SetJson => ValuesLayer::SetJson(v),
            LayerKind::Set => ValuesLayer::Set(v),
            LayerKind::SetString => ValuesLayer::SetString(v),
            LayerKind::SetLiteral => ValuesLayer::SetLiteral(v),
        })
        .collect();
    RenderRequest {
        chart: ChartSource::Files(files),
        values,
        release: ReleaseInfo {
            name: case.release.clone(),
            namespace: case
                .flags
                .namespace
                .clone()
                .unwrap_or_else(|| "default".to_string()),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        },
        capabilities: Capabilities {
            // Helm parses only a non-empty `--kube-version`.
            kube_version: case.flags.kube_version.clone().filter(|v| !v.is_empty()),
            api_versions: case.flags.api_versions.clone(),
            live: false,
        },
        options: RenderOptions {
            include_crds: case.flags.include_crds,
            skip_tests: case.flags.skip_tests,
            no_hooks: case.flags.no_hooks,
            show_only: case.flags.show_only.clone(),
        },
    }
}

/// Our render of the case: stdout text or error message. A panic or a hang becomes an error
/// message that cannot match helm's, so it fails this case only.
pub fn run(case: &Case) -> Result<String, String> {
    let req = request(case);
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(format!("render {}", case.name))
        .stack_size(STACK_BYTES)
        .spawn(move || {
            let outcome = std::panic::catch_unwind(|| {
                let mut host = FixedHost::default();
                render(&req, &mut host)
            });
            // The receiver is gone only after a timeout; nobody is left to tell.
            let _ = tx.send(outcome);
        });
    if let Err(e) = spawned {
        return Err(format!("harness: cannot start a render thread: {e}"));
    }
    match rx.recv_timeout(TIMEOUT) {
        Ok(Ok(Ok(out))) => Ok(out.text),
        Ok(Ok(Err(e))) => Err(e.message),
        Ok(Err(panic)) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("engine panicked: {msg}"))
        }
        Err(_) => Err(format!(
            "engine did not finish within {}s",
            TIMEOUT.as_secs()
        )),
    }
}
