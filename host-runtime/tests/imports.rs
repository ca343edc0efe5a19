//! The core component may import only the `planton:helm/host` interface and the WASI interfaces
//! Rust's std links against. The committed list `allowed-imports.txt` names every interface and
//! function the guest may import; one that is not listed fails here until the list (and the
//! review that comes with it) says so. An allowed import the guest does not use is no failure:
//! the linker drops imports the code never calls (the host interface, for one, while a stub
//! core does not reach it).

use host_runtime::{Config, Runtime};
use wasmtime::component::types::ComponentItem;

/// `interface` for each imported instance plus `interface#function` for each of its functions,
/// sorted.
fn imports(runtime: &Runtime) -> Vec<String> {
    let engine = runtime.engine();
    let ty = runtime.component().component_type();
    let mut out = Vec::new();
    for (name, item) in ty.imports(engine) {
        match item.ty {
            ComponentItem::ComponentInstance(instance) => {
                out.push(name.to_string());
                for (export, item) in instance.exports(engine) {
                    match item.ty {
                        ComponentItem::ComponentFunc(_) => out.push(format!("{name}#{export}")),
                        // Types and resources carry no capability by themselves; what can be
                        // done with a resource is a function and is listed.
                        ComponentItem::Type(_) | ComponentItem::Resource(_) => {}
                        other => out.push(format!("{name}#{export} (unexpected {other:?})")),
                    }
                }
            }
            other => out.push(format!("{name} (unexpected top-level import {other:?})")),
        }
    }
    out.sort();
    out
}

#[test]
fn imports_are_exactly_the_allowed_set() {
    let runtime = Runtime::new(Config {
        // Shared with the other tests: compiling the core unoptimised takes a while.
        cache_dir: Some(
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("planton-helm/component"),
        ),
        ..Config::default()
    })
    .expect("runtime");
    let actual = imports(&runtime);
    let allowed: Vec<String> = include_str!("allowed-imports.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    let unlisted: Vec<&String> = actual.iter().filter(|i| !allowed.contains(i)).collect();
    assert!(
        unlisted.is_empty(),
        "the core component imports what host-runtime/tests/allowed-imports.txt does not allow: \
         {unlisted:#?}\nGrant it only after review, by adding it to the list.\n\
         All current imports:\n{}",
        actual.join("\n")
    );
    assert!(
        actual.iter().any(|i| i.starts_with("wasi:cli/")),
        "no WASI imports found: the enumeration itself is broken"
    );
}
