//! `planton-helm template`: what `helm template` does, with the rendering in the sandbox.
//!
//! The host only gathers input (chart files, values files, `--set-file` contents) and passes
//! everything else through untouched: parsing `--set` strings, `.helmignore`, values coalescing
//! and every error about the chart belong to the core, so that they match Helm's.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use clap::Args;
use host_runtime::{
    Capabilities, ChartSource, Config, Datetime, Error, ErrorKind, FileValue, OfflineHost,
    ReleaseInfo, RenderOptions, RenderOutput, RenderRequest, Runtime, SourceFile, ValuesLayer,
};

use crate::units;

/// `helm template [NAME] CHART` flags, spelled as Helm v4 spells them.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// The release name (default "release-name") and the chart: a directory or a .tgz archive
    #[arg(value_name = "[NAME] CHART", required = true, num_args = 1..=2)]
    args: Vec<String>,

    /// Namespace of the release
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,

    /// Generate the name (and omit the NAME parameter); as helm template, the name is then
    /// "release-name"
    #[arg(short = 'g', long)]
    generate_name: bool,

    /// Specify template used to name the release (Sprig functions, no data; `env` sees an
    /// empty environment inside the sandbox)
    #[arg(long, value_name = "TEMPLATE")]
    name_template: Option<String>,

    /// Values from a YAML file, `-` for stdin (can specify multiple, or separate with commas)
    #[arg(
        short = 'f',
        long = "values",
        value_name = "FILE",
        value_delimiter = ','
    )]
    values: Vec<String>,

    /// Set values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,

    /// Set STRING values on the command line (can specify multiple or separate values with commas)
    #[arg(long, value_name = "KEY=VALUE")]
    set_string: Vec<String>,

    /// Set JSON values on the command line (can specify multiple or separate values with commas)
    #[arg(long, value_name = "KEY=JSON")]
    set_json: Vec<String>,

    /// Set values from files (can specify multiple or separate values with commas: key1=path1,key2=path2)
    #[arg(long, value_name = "KEY=PATH")]
    set_file: Vec<String>,

    /// Set a literal STRING value on the command line
    #[arg(long, value_name = "KEY=VALUE")]
    set_literal: Vec<String>,

    /// Include CRDs in the templated output
    #[arg(long)]
    include_crds: bool,

    #[command(flatten)]
    capabilities: CapabilityArgs,

    /// Only show manifests rendered from the given templates
    #[arg(short = 's', long = "show-only", value_name = "PATH")]
    show_only: Vec<String>,

    /// Prevent hooks from running during install (leave them out of the output)
    #[arg(long)]
    no_hooks: bool,

    /// Skip tests from templated output
    #[arg(long)]
    skip_tests: bool,

    /// Accepted as helm's flag: a render error then comes without helm's hint to use --debug
    /// (helm also prints the partial manifest; planton-helm does not)
    #[arg(long)]
    debug: bool,

    /// Set .Release.IsUpgrade instead of .Release.IsInstall
    #[arg(long)]
    is_upgrade: bool,

    /// Seed of the random functions (randAlphaNum, uuidv4, genPrivateKey, genCA, ...) for
    /// reproducible output (certificates also need --now: they are valid from now)
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    /// The time `now` returns, as RFC 3339 (2024-05-01T12:00:00Z), for reproducible output
    #[arg(long, value_name = "RFC3339", value_parser = units::parse_rfc3339)]
    now: Option<Datetime>,
}

/// `--kube-version` and `--api-versions`, as `helm template` spells them: shared by `template`,
/// `render` and `diff`.
#[derive(Debug, Args)]
pub struct CapabilityArgs {
    /// Kubernetes version used for Capabilities.KubeVersion
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,

    /// Kubernetes api versions used for Capabilities.APIVersions (can specify multiple)
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "VERSION",
        value_delimiter = ','
    )]
    pub api_versions: Vec<String>,
}

impl CapabilityArgs {
    /// The `.Capabilities` of an offline render with these flags. An empty `--kube-version` is
    /// no version, as in Helm (which only parses a non-empty flag).
    pub fn capabilities(&self) -> Capabilities {
        Capabilities {
            kube_version: self.kube_version.clone().filter(|v| !v.is_empty()),
            api_versions: self.api_versions.clone(),
            live: false,
        }
    }
}

/// Prints helm's log lines of a render (an unknown hook type skipped, ...) to stderr, as helm
/// prints them before its output or its error.
pub fn print_logs(result: &Result<RenderOutput, Error>) {
    let logs = match result {
        Ok(out) => out.logs.as_slice(),
        Err(Error::Core(e)) => e.logs.as_slice(),
        Err(_) => &[],
    };
    for line in logs {
        eprintln!("{line}");
    }
}

/// Renders the chart and returns exactly what `helm template` prints on stdout. Input errors
/// (a missing chart or values file) are reported before the core is loaded.
pub fn run(args: &TemplateArgs, config: Config) -> anyhow::Result<String> {
    let (name, chart) = name_and_chart(args)?;
    let mut request = request(args, chart)?;
    let runtime = Runtime::new(config)?;
    let mut host = OfflineHost::default();
    if let Some(seed) = args.seed {
        host = host.with_seed(seed);
    }
    if let Some(now) = args.now {
        host = host.with_now(now);
    }
    request.release.name = match name {
        ReleaseName::Given(name) => name.to_string(),
        ReleaseName::Template(template) => runtime.template_name(template, host)?,
    };
    let result = runtime.render(&request, host);
    print_logs(&result);
    match result {
        Ok(out) => Ok(out.text),
        // helm template's wording when the failure came after it made a release object.
        Err(Error::Core(e)) if e.kind == ErrorKind::Rendering && !args.debug => {
            Err(anyhow::anyhow!(
                "{}\n\nUse --debug flag to render out invalid YAML",
                e.message
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Where the release name comes from.
#[derive(Debug, PartialEq, Eq)]
enum ReleaseName<'a> {
    Given(&'a str),
    /// `--name-template`, executed in the sandbox.
    Template(&'a str),
}

/// Helm's `NameAndChart` for `helm template`, whose release name defaults to "release-name"
/// (so `--generate-name` changes nothing there): a NAME argument excludes both naming flags.
fn name_and_chart(args: &TemplateArgs) -> anyhow::Result<(ReleaseName<'_>, &str)> {
    let template = args.name_template.as_deref().filter(|t| !t.is_empty());
    match args.args.as_slice() {
        [name, chart] => {
            if args.generate_name {
                bail!("cannot set --generate-name and also specify a name");
            }
            if template.is_some() {
                bail!("cannot set --name-template and also specify a name");
            }
            Ok((ReleaseName::Given(name), chart))
        }
        [chart] => Ok((
            template.map_or(ReleaseName::Given("release-name"), ReleaseName::Template),
            chart,
        )),
        _ => bail!("expected [NAME] CHART"),
    }
}

fn request(args: &TemplateArgs, chart: &str) -> anyhow::Result<RenderRequest> {
    Ok(RenderRequest {
        chart: load_chart(Path::new(chart))?,
        values: values_layers(args)?,
        release: ReleaseInfo {
            name: String::new(),
            namespace: args.namespace.clone(),
            revision: 1,
            is_install: !args.is_upgrade,
            is_upgrade: args.is_upgrade,
        },
        capabilities: args.capabilities.capabilities(),
        options: RenderOptions {
            include_crds: args.include_crds,
            skip_tests: args.skip_tests,
            no_hooks: args.no_hooks,
            show_only: args.show_only.clone(),
        },
    })
}

/// Helm's order: every `-f` file in order, then `--set-json`, `--set`, `--set-string`,
/// `--set-file`, `--set-literal`, each in the order given.
fn values_layers(args: &TemplateArgs) -> anyhow::Result<Vec<ValuesLayer>> {
    let mut layers = Vec::new();
    for path in &args.values {
        let data = if path == "-" {
            let mut data = Vec::new();
            std::io::stdin()
                .read_to_end(&mut data)
                .context("read values from stdin")?;
            data
        } else {
            read(Path::new(path))?
        };
        layers.push(ValuesLayer::YamlFile(SourceFile {
            path: path.clone(),
            data,
        }));
    }
    layers.extend(args.set_json.iter().cloned().map(ValuesLayer::SetJson));
    layers.extend(args.set.iter().cloned().map(ValuesLayer::Set));
    layers.extend(args.set_string.iter().cloned().map(ValuesLayer::SetString));
    for spec in &args.set_file {
        for (key, path) in set_file_pairs(spec)? {
            let data = read(Path::new(&path))
                .map_err(|e| anyhow!("failed parsing --set-file data: {e:#}"))?;
            let text = String::from_utf8(data)
                .map_err(|_| anyhow!("failed parsing --set-file data: {path} is not UTF-8 text"))?;
            layers.push(ValuesLayer::SetFile(FileValue {
                key,
                contents: text,
            }));
        }
    }
    layers.extend(
        args.set_literal
            .iter()
            .cloned()
            .map(ValuesLayer::SetLiteral),
    );
    Ok(layers)
}

/// `key1=path1,key2=path2` as Helm's strvals splits it: a key runs to the first unescaped `=`
/// and keeps its backslash escapes (`pages.index\.html` names the key `index.html`, resolved
/// when the key is split), a path runs to the next unescaped comma and is unescaped.
fn set_file_pairs(spec: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    let mut chars = spec.chars();
    loop {
        let (mut key, mut shown) = (String::new(), String::new());
        let mut has_value = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    key.push('\\');
                    if let Some(n) = chars.next() {
                        key.push(n);
                        shown.push(n);
                    }
                }
                '=' => {
                    has_value = true;
                    break;
                }
                ',' => break,
                c => {
                    key.push(c);
                    shown.push(c);
                }
            }
        }
        if !has_value {
            bail!("failed parsing --set-file data: key {shown:?} has no value");
        }
        let mut path = String::new();
        let mut more = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' => path.extend(chars.next()),
                ',' => {
                    more = true;
                    break;
                }
                c => path.push(c),
            }
        }
        pairs.push((key, path));
        if !more {
            return Ok(pairs);
        }
    }
}

/// A chart directory becomes its files; anything else is sent as an archive for the core to
/// unpack with Helm's limits.
fn load_chart(path: &Path) -> anyhow::Result<ChartSource> {
    let meta = std::fs::metadata(path)
        .map_err(|_| anyhow!("path {:?} not found", path.display().to_string()))?;
    if meta.is_dir() {
        let mut files = Vec::new();
        let mut seen = BTreeSet::new();
        walk(path, "", &mut seen, &mut files)?;
        Ok(ChartSource::Files(files))
    } else {
        Ok(ChartSource::Archive(read(path)?))
    }
}

/// Every file under `dir`, in sorted order, with `/`-separated paths relative to the chart root.
/// Symbolic links are followed, as Helm does; `seen` holds the real directories on the current
/// path so that a link back up the tree ends the descent instead of looping.
fn walk(
    dir: &Path,
    prefix: &str,
    seen: &mut BTreeSet<PathBuf>,
    files: &mut Vec<SourceFile>,
) -> anyhow::Result<()> {
    let real = std::fs::canonicalize(dir).with_context(|| format!("read {}", dir.display()))?;
    if !seen.insert(real.clone()) {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("read {}", dir.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("read {}", dir.display()))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        let path = entry.path();
        let meta = std::fs::metadata(&path).with_context(|| format!("read {}", path.display()))?;
        if meta.is_dir() {
            walk(&path, &format!("{rel}/"), seen, files)?;
        } else if meta.is_file() {
            files.push(SourceFile {
                path: rel,
                data: read(&path)?,
            });
        }
    }
    seen.remove(&real);
    Ok(())
}

/// Reads a file, failing with Go's wording (`open x.yaml: no such file or directory`) as Helm does.
fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        anyhow!("open {}: {reason}", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct T {
        #[command(flatten)]
        args: TemplateArgs,
    }

    fn parse(args: &[&str]) -> TemplateArgs {
        T::try_parse_from(std::iter::once("template").chain(args.iter().copied()))
            .expect("parses")
            .args
    }

    #[test]
    fn set_flags_accumulate_and_layers_follow_helms_order() {
        let args = parse(&[
            "chart",
            "--set-literal",
            "l=1",
            "--set",
            "a=1,b=2",
            "--set-string",
            "s=x",
            "--set",
            "c=3",
            "--set-json",
            "j={}",
        ]);
        let layers = values_layers(&args).expect("layers");
        let got: Vec<String> = layers
            .iter()
            .map(|l| match l {
                ValuesLayer::SetJson(s) => format!("json {s}"),
                ValuesLayer::Set(s) => format!("set {s}"),
                ValuesLayer::SetString(s) => format!("string {s}"),
                ValuesLayer::SetLiteral(s) => format!("literal {s}"),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                "json j={}",
                "set a=1,b=2",
                "set c=3",
                "string s=x",
                "literal l=1"
            ]
        );
    }

    #[test]
    fn name_and_chart_positionals() {
        let args = parse(&["chart-dir"]);
        assert_eq!(args.args, ["chart-dir"]);
        let args = parse(&[
            "my-release",
            "chart-dir",
            "-n",
            "apps",
            "-a",
            "x/v1,y/v2",
            "-a",
            "z/v1",
        ]);
        assert_eq!(args.args, ["my-release", "chart-dir"]);
        assert_eq!(args.namespace, "apps");
        assert_eq!(args.capabilities.api_versions, ["x/v1", "y/v2", "z/v1"]);
        assert!(T::try_parse_from(["template", "a", "b", "c"]).is_err());
        assert!(T::try_parse_from(["template"]).is_err());
    }

    #[test]
    fn naming_flags_follow_helm_template() {
        let name = |argv: &[&str]| {
            let args = parse(argv);
            name_and_chart(&args)
                .map(|(n, c)| format!("{n:?} {c}"))
                .map_err(|e| e.to_string())
        };
        assert_eq!(name(&["c"]).unwrap(), r#"Given("release-name") c"#);
        assert_eq!(name(&["-g", "c"]).unwrap(), r#"Given("release-name") c"#);
        assert_eq!(
            name(&["c", "--name-template", "x-{{ 1 }}"]).unwrap(),
            r#"Template("x-{{ 1 }}") c"#
        );
        assert_eq!(
            name(&["c", "--name-template", "", "--generate-name"]).unwrap(),
            r#"Given("release-name") c"#
        );
        assert_eq!(
            name(&["n", "c", "--generate-name", "--name-template", "t"]).unwrap_err(),
            "cannot set --generate-name and also specify a name"
        );
        assert_eq!(
            name(&["n", "c", "--name-template", "t"]).unwrap_err(),
            "cannot set --name-template and also specify a name"
        );
        assert_eq!(
            name(&["n", "c", "--name-template", ""]).unwrap(),
            r#"Given("n") c"#
        );
    }

    #[test]
    fn values_files_split_on_commas_like_helm() {
        let args = parse(&["chart", "-f", "a.yaml,b.yaml", "--values", "c.yaml"]);
        assert_eq!(args.values, ["a.yaml", "b.yaml", "c.yaml"]);
    }

    #[test]
    fn set_file_pairs_split_at_unescaped_commas() {
        assert_eq!(
            set_file_pairs(r"a=x.txt,b.c=dir\,1/y.txt").expect("pairs"),
            [
                ("a".to_string(), "x.txt".to_string()),
                ("b.c".to_string(), "dir,1/y.txt".to_string())
            ]
        );
        // The key keeps its escapes for the key splitter: `index\.html` is one key.
        assert_eq!(
            set_file_pairs(r"pages.index\.html=site/index.html").expect("pairs"),
            [(
                r"pages.index\.html".to_string(),
                "site/index.html".to_string()
            )]
        );
        assert!(set_file_pairs("novalue").is_err());
    }

    #[test]
    fn a_chart_directory_is_read_recursively_with_relative_paths() {
        let dir = std::env::temp_dir().join(format!("planton-helm-walk-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("templates/sub")).expect("mkdir");
        std::fs::write(dir.join("Chart.yaml"), "name: x\n").expect("write");
        std::fs::write(dir.join("templates/sub/a.yaml"), "a").expect("write");
        std::fs::write(dir.join(".helmignore"), "*.bak\n").expect("write");
        let ChartSource::Files(files) = load_chart(&dir).expect("load") else {
            panic!("a directory loads as files");
        };
        std::fs::remove_dir_all(&dir).expect("cleanup");
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, [".helmignore", "Chart.yaml", "templates/sub/a.yaml"]);
        assert_eq!(files[2].data, b"a");
    }

    #[test]
    fn a_missing_chart_names_the_path() {
        let err = load_chart(Path::new("/no/such/chart")).expect_err("missing");
        assert_eq!(err.to_string(), r#"path "/no/such/chart" not found"#);
    }
}
