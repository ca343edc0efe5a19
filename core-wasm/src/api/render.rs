//! The native mirror of `wit/core.wit`'s `render` types, and the render's output limit.

/// One file of a chart or of the user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub data: Vec<u8>,
}

/// A chart as an archive or as files.
#[derive(Debug, Clone)]
pub enum ChartSource {
    Archive(Vec<u8>),
    Files(Vec<SourceFile>),
}

/// One layer of user values, in the order given.
#[derive(Debug, Clone)]
pub enum ValuesLayer {
    YamlFile(SourceFile),
    SetJson(String),
    Set(String),
    SetString(String),
    SetFile(String, String),
    SetLiteral(String),
}

/// `.Release`.
#[derive(Debug, Clone)]
pub struct ReleaseInfo {
    pub name: String,
    pub namespace: String,
    pub revision: u32,
    pub is_install: bool,
    pub is_upgrade: bool,
}

/// `.Capabilities` inputs; an empty `kube_version` means the reference Helm's default.
#[derive(Debug, Clone, Default)]
pub struct Capabilities {
    pub kube_version: String,
    pub api_versions: Vec<String>,
    /// `api_versions` is a live cluster's discovery, replacing the default set.
    pub live: bool,
}

/// `helm template` switches.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub include_crds: bool,
    pub skip_tests: bool,
    pub no_hooks: bool,
    pub show_only: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RenderRequest {
    pub chart: ChartSource,
    pub values: Vec<ValuesLayer>,
    pub release: ReleaseInfo,
    pub capabilities: Capabilities,
    pub options: RenderOptions,
}

/// One rendered document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub source: String,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub hook_events: Vec<String>,
    pub hook_weight: i32,
    pub hook_delete_policies: Vec<String>,
    pub body: String,
}

#[derive(Debug, Clone, Default)]
pub struct RenderOutput {
    pub text: String,
    pub manifests: Vec<Manifest>,
    pub hooks: Vec<Manifest>,
    pub notes: String,
    /// Helm's log lines for stderr, in its slog text format.
    pub logs: Vec<String>,
}

/// Helm's error text, without the CLI's `Error: ` prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    pub message: String,
    /// The error arose while rendering the templates (kubeVersion check onward), after Helm has
    /// made a release object: `helm template` then adds a hint about `--debug`.
    pub during_render: bool,
    /// Helm's log lines printed before the error.
    pub logs: Vec<String>,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RenderError {}

/// The most a render may print, in bytes: far above any real chart, low enough that a runaway
/// template fails with an error instead of exhausting the sandbox memory.
pub const MAX_OUTPUT: usize = 256 << 20;
