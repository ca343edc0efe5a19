//! The component's glue: WIT types in and out, the host imports behind [`Host`].
#![allow(unsafe_code)] // wit-bindgen's generated bindings

// The world's `use` of `core-error` puts the bindings' `CoreError` at this module's root.
use crate::api::error as native;
use crate::api::host::Host;
use crate::{render, validate};

wit_bindgen::generate!({
    world: "core",
    path: "../wit",
});

use planton::helm::host as imports;
use planton::helm::types as wit;

struct Component;

/// The real host, reached through the WIT imports.
struct WitHost;

impl Host for WitHost {
    fn lookup(
        &mut self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Option<String> {
        imports::lookup(api_version, kind, namespace, name)
    }
    fn random_seed(&mut self) -> u64 {
        imports::random_seed()
    }
    fn now(&mut self) -> (i64, u32) {
        let t = imports::now();
        (t.seconds, t.nanoseconds)
    }
    fn generate_rsa_key(&mut self, bits: u32, seed: &[u8; 32]) -> Result<Vec<u8>, String> {
        imports::generate_rsa_key(bits, seed)
    }
    fn generate_dsa_key(&mut self, seed: &[u8; 32]) -> Result<Vec<u8>, String> {
        imports::generate_dsa_key(seed)
    }
    fn sign_rsa(&mut self, key: &[u8], digest: &[u8]) -> Result<Vec<u8>, String> {
        imports::sign_rsa(key, digest)
    }
}

fn file(f: wit::SourceFile) -> render::SourceFile {
    render::SourceFile {
        path: f.path,
        data: f.data,
    }
}

fn manifest(m: render::Manifest) -> wit::Manifest {
    wit::Manifest {
        source: m.source,
        api_version: m.api_version,
        kind: m.kind,
        name: m.name,
        namespace: m.namespace,
        hook_events: m.hook_events,
        hook_weight: m.hook_weight,
        hook_delete_policies: m.hook_delete_policies,
        body: m.body,
    }
}

fn severity(s: validate::Severity) -> wit::Severity {
    match s {
        validate::Severity::Error => wit::Severity::Error,
        validate::Severity::Warning => wit::Severity::Warning,
        validate::Severity::Info => wit::Severity::Info,
    }
}

fn policy_files(files: Vec<wit::PolicyFile>) -> Vec<validate::PolicyFile> {
    files
        .into_iter()
        .map(|f| validate::PolicyFile {
            name: f.name,
            content: f.content,
        })
        .collect()
}

fn error(e: native::CoreError) -> wit::CoreError {
    wit::CoreError {
        kind: match e.kind {
            native::ErrorKind::InvalidRequest => wit::ErrorKind::InvalidRequest,
            native::ErrorKind::Rendering => wit::ErrorKind::Rendering,
        },
        message: e.message,
        logs: e.logs,
    }
}

/// The validator's errors are all of the request: a policy file that does not load, an unknown
/// code to disable.
fn invalid(message: String) -> wit::CoreError {
    error(native::CoreError::invalid_request(message))
}

impl Guest for Component {
    fn validate(req: wit::ValidateRequest) -> Result<Vec<wit::Diagnostic>, wit::CoreError> {
        let request = validate::Request {
            documents: req
                .documents
                .into_iter()
                .map(|f| validate::Input {
                    path: f.path,
                    data: f.data,
                })
                .collect(),
            policies: policy_files(req.policies),
            disabled: req.disabled,
        };
        let diags = validate::validate(&request).map_err(invalid)?;
        Ok(diags
            .into_iter()
            .map(|d| wit::Diagnostic {
                code: d.code,
                severity: severity(d.severity),
                path: d.path,
                message: d.message,
                hint: d.hint,
                file: d.file,
                line: d.line,
                column: d.column,
            })
            .collect())
    }

    fn list_rules(
        policies: Vec<wit::PolicyFile>,
        disabled: Vec<String>,
    ) -> Result<Vec<wit::RuleInfo>, wit::CoreError> {
        let rules = validate::rules(&policy_files(policies), &disabled).map_err(invalid)?;
        Ok(rules
            .into_iter()
            .map(|r| wit::RuleInfo {
                code: r.code,
                severity: severity(r.severity),
                doc: r.doc,
                source: r.source,
                enabled: r.enabled,
                definition: r.definition,
            })
            .collect())
    }

    fn prepare(policies: Vec<wit::PolicyFile>) -> Result<(), wit::CoreError> {
        validate::prepare(&policy_files(policies)).map_err(invalid)
    }

    fn template_name(template: String) -> Result<String, wit::CoreError> {
        render::template_name(&template, &mut WitHost).map_err(error)
    }

    fn render(req: wit::RenderRequest) -> Result<wit::RenderOutput, wit::CoreError> {
        let chart = match req.chart {
            wit::ChartSource::Archive(bytes) => render::ChartSource::Archive(bytes),
            wit::ChartSource::Files(files) => {
                render::ChartSource::Files(files.into_iter().map(file).collect())
            }
        };
        let values = req
            .values
            .into_iter()
            .map(|l| match l {
                wit::ValuesLayer::YamlFile(f) => render::ValuesLayer::YamlFile(file(f)),
                wit::ValuesLayer::SetJson(s) => render::ValuesLayer::SetJson(s),
                wit::ValuesLayer::Set(s) => render::ValuesLayer::Set(s),
                wit::ValuesLayer::SetString(s) => render::ValuesLayer::SetString(s),
                wit::ValuesLayer::SetFile(f) => render::ValuesLayer::SetFile(render::FileValue {
                    key: f.key,
                    contents: f.contents,
                }),
                wit::ValuesLayer::SetLiteral(s) => render::ValuesLayer::SetLiteral(s),
            })
            .collect();
        let request = render::RenderRequest {
            chart,
            values,
            release: render::ReleaseInfo {
                name: req.release.name,
                namespace: req.release.namespace,
                revision: req.release.revision,
                is_install: req.release.is_install,
                is_upgrade: req.release.is_upgrade,
            },
            capabilities: render::Capabilities {
                kube_version: req.capabilities.kube_version,
                api_versions: req.capabilities.api_versions,
                live: req.capabilities.live,
            },
            options: render::RenderOptions {
                include_crds: req.options.include_crds,
                skip_tests: req.options.skip_tests,
                no_hooks: req.options.no_hooks,
                show_only: req.options.show_only,
            },
        };
        match render::render(&request, &mut WitHost) {
            Ok(out) => Ok(wit::RenderOutput {
                text: out.text,
                manifests: out.manifests.into_iter().map(manifest).collect(),
                hooks: out.hooks.into_iter().map(manifest).collect(),
                notes: out.notes,
                logs: out.logs,
            }),
            Err(e) => Err(error(e)),
        }
    }
}

export!(Component);
