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
    SetFile(FileValue),
    SetLiteral(String),
}

/// A `--set-file` value: the key as written and the file's contents.
#[derive(Debug, Clone)]
pub struct FileValue {
    pub key: String,
    pub contents: String,
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

/// `.Capabilities` inputs.
#[derive(Debug, Clone, Default)]
pub struct Capabilities {
    /// The cluster's version; `None` means the reference Helm's default.
    pub kube_version: Option<String>,
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
    /// The root chart's rendered NOTES.txt; `None` when it has none.
    pub notes: Option<String>,
    /// Helm's log lines for stderr, in its slog text format.
    pub logs: Vec<String>,
}

/// The most a render may print, in bytes: far above any real chart, low enough that a runaway
/// template fails with an error instead of exhausting the sandbox memory.
pub const MAX_OUTPUT: usize = 256 << 20;
