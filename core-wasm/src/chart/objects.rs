//! The Go structs Helm hands templates: `.Capabilities` and `.Files`.

use std::any::Any;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::value::{Elem, Map, Object, Sig, Ty, Value};

/// The reference Helm's identity, as `.Capabilities.HelmVersion` reports it.
pub const HELM_VERSION: [(&str, &str, &str); 5] = [
    ("Version", "version", "v4.3.1"),
    (
        "GitCommit",
        "git_commit",
        "c0d08d0d6d9424d4a14febb5e8a3e51b0dd00dff",
    ),
    ("GitTreeState", "git_tree_state", "clean"),
    ("GoVersion", "go_version", "go1.27.2"),
    ("KubeClientVersion", "kube_client_version", "v1.37"),
];

/// `helm template`'s Kubernetes version when none is given.
pub const DEFAULT_KUBE_VERSION: &str = "v1.37.0";

/// The group/versions `helm template` assumes, in its order.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "lifecycle.k8s.io/v1alpha1",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `common.KubeVersion`.
#[derive(Debug, Clone)]
pub struct KubeVersion {
    /// The normalized `vMAJOR.MINOR[.PATCH...]`, what `String` prints.
    pub version: String,
    /// The version as given, `v`-prefixed: `Version` and `GitVersion` keep suffixes such as
    /// `-eks-adc7111` or `+k3s1`, and Helm checks Chart.yaml's `kubeVersion` against it.
    pub git_version: String,
    pub major: String,
    pub minor: String,
}

impl KubeVersion {
    /// Parse `--kube-version` as Helm does (Kubernetes' generic version parser: at least two
    /// numeric components, anything after them ignored), with Helm's error texts.
    pub fn parse(s: &str) -> Result<KubeVersion, String> {
        let generic = |s: &str| -> Result<Vec<u64>, String> {
            let body = s.trim_start();
            let body = body.strip_prefix('v').unwrap_or(body);
            let digits_end = {
                let mut end = 0;
                let b = body.as_bytes();
                let mut i = 0;
                loop {
                    let start = i;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    if i == start {
                        break;
                    }
                    end = i;
                    if i < b.len() && b[i] == b'.' && i + 1 < b.len() && b[i + 1].is_ascii_digit() {
                        i += 1;
                    } else {
                        break;
                    }
                }
                end
            };
            if digits_end == 0 {
                return Err(format!(
                    "could not parse {} as version",
                    crate::go::quote(s)
                ));
            }
            let comps: Vec<&str> = body[..digits_end].split('.').collect();
            if comps.len() < 2 {
                return Err(format!("illegal version string {}", crate::go::quote(s)));
            }
            let mut out = Vec::new();
            for (i, c) in comps.iter().enumerate() {
                if i == 0 && c.starts_with('0') && *c != "0" {
                    return Err(format!(
                        "illegal zero-prefixed version component {} in {}",
                        crate::go::quote(c),
                        crate::go::quote(s)
                    ));
                }
                out.push(c.parse::<u64>().map_err(|_| {
                    format!(
                        "illegal non-numeric version component {} in {}: strconv.ParseUint: parsing {}: value out of range",
                        crate::go::quote(c),
                        crate::go::quote(s),
                        crate::go::quote(c)
                    )
                })?);
            }
            Ok(out)
        };
        let comps = generic(s).map_err(|e| format!("invalid kube version '{s}': {e}"))?;
        let version = comps
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(".");
        Ok(KubeVersion {
            version: format!("v{version}"),
            git_version: if s.starts_with('v') {
                s.to_string()
            } else {
                format!("v{s}")
            },
            major: comps[0].to_string(),
            minor: comps[1].to_string(),
        })
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &'static str {
        "common.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<Result<Value, String>> {
        Some(Ok(Value::from(match name {
            "Version" | "GitVersion" => self.git_version.clone(),
            "String" => self.version.clone(),
            "Major" => self.major.clone(),
            "Minor" => self.minor.clone(),
            _ => return None,
        })))
    }
    fn format_v(&self) -> String {
        self.version.clone()
    }
    fn stringer(&self) -> Option<String> {
        Some(self.version.clone())
    }
    fn to_data(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("Version".to_string(), Value::from(self.git_version.clone()));
        m.insert("Major".to_string(), Value::from(self.major.clone()));
        m.insert("Minor".to_string(), Value::from(self.minor.clone()));
        Value::map(m)
    }
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        Some(vec![
            ("Version".to_string(), Value::from(self.git_version.clone())),
            ("Major".to_string(), Value::from(self.major.clone())),
            ("Minor".to_string(), Value::from(self.minor.clone())),
        ])
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `common.VersionSet`: a `[]string` with `Has`.
#[derive(Debug, Clone)]
pub struct VersionSet(pub Vec<String>);

const HAS: Sig = Sig {
    params: &[Ty::String],
    variadic: None,
};

impl Object for VersionSet {
    fn type_name(&self) -> &'static str {
        "common.VersionSet"
    }
    fn kind_name(&self) -> &'static str {
        "slice"
    }
    fn field(&self, _: &str) -> Option<Result<Value, String>> {
        None
    }
    fn method(&self, name: &str) -> Option<Sig> {
        (name == "Has").then_some(HAS)
    }
    fn call_method(&self, _: &str, args: Vec<Value>) -> Result<Value, String> {
        let want = args[0].as_str().unwrap_or_default();
        Ok(Value::Bool(self.0.iter().any(|v| v == want)))
    }
    fn format_v(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
    fn collection_len(&self) -> Option<usize> {
        Some(self.0.len())
    }
    fn to_data(&self) -> Value {
        Value::string_list(self.0.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `version.BuildInfo` of `.Capabilities.HelmVersion`.
#[derive(Debug, Clone)]
pub struct BuildInfo;

impl Object for BuildInfo {
    fn type_name(&self) -> &'static str {
        "version.BuildInfo"
    }
    fn field(&self, name: &str) -> Option<Result<Value, String>> {
        HELM_VERSION
            .iter()
            .find(|(f, _, _)| *f == name)
            .map(|(_, _, v)| Ok(Value::str(v)))
    }
    fn format_v(&self) -> String {
        let vals: Vec<&str> = HELM_VERSION.iter().map(|(_, _, v)| *v).collect();
        format!("{{{}}}", vals.join(" "))
    }
    fn to_data(&self) -> Value {
        Value::map(
            HELM_VERSION
                .iter()
                .map(|(_, j, v)| (j.to_string(), Value::str(v)))
                .collect(),
        )
    }
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        Some(
            HELM_VERSION
                .iter()
                .map(|(_, j, v)| (j.to_string(), Value::str(v)))
                .collect(),
        )
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `*common.Capabilities`.
#[derive(Debug, Clone)]
pub struct Capabilities {
    pub kube: KubeVersion,
    pub apis: VersionSet,
}

impl Object for Capabilities {
    fn type_name(&self) -> &'static str {
        "*common.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Result<Value, String>> {
        Some(Ok(match name {
            "KubeVersion" => Value::Object(Rc::new(self.kube.clone())),
            "APIVersions" => Value::Object(Rc::new(self.apis.clone())),
            "HelmVersion" => Value::Object(Rc::new(BuildInfo)),
            _ => return None,
        }))
    }
    fn format_v(&self) -> String {
        format!(
            "&{{{} {} {}}}",
            self.kube.format_v(),
            self.apis.format_v(),
            BuildInfo.format_v()
        )
    }
    fn to_data(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("KubeVersion".to_string(), self.kube.to_data());
        m.insert("APIVersions".to_string(), self.apis.to_data());
        m.insert("HelmVersion".to_string(), BuildInfo.to_data());
        Value::map(m)
    }
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        Some(vec![
            (
                "KubeVersion".to_string(),
                Value::Object(Rc::new(self.kube.clone())),
            ),
            ("APIVersions".to_string(), self.apis.to_data()),
            ("HelmVersion".to_string(), Value::Object(Rc::new(BuildInfo))),
        ])
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `engine.files`: the chart's non-template files, by path.
#[derive(Debug, Clone, Default)]
pub struct Files(pub BTreeMap<String, Rc<[u8]>>);

const ONE_STRING: Sig = Sig {
    params: &[Ty::String],
    variadic: None,
};
const NONE: Sig = Sig {
    params: &[],
    variadic: None,
};

impl Files {
    fn as_map(&self, f: impl Fn(&[u8]) -> String) -> Value {
        // AsConfig/AsSecrets key by base name; a later path with the same base name wins, as
        // Go's map iteration would make it arbitrary anyway.
        let mut m = BTreeMap::new();
        for (k, v) in &self.0 {
            let base = k.rsplit('/').next().unwrap_or(k).to_string();
            m.insert(base, Value::from(f(v)));
        }
        Value::Map(Map::typed(m, Elem::String))
    }
}

impl Object for Files {
    fn type_name(&self) -> &'static str {
        "engine.files"
    }
    fn kind_name(&self) -> &'static str {
        "map"
    }
    fn field(&self, name: &str) -> Option<Result<Value, String>> {
        match name {
            "AsConfig" | "AsSecrets" => None,
            _ => Some(Ok(match self.0.get(name) {
                Some(b) => Value::Bytes(b.clone()),
                None => Value::Bytes(Rc::from(Vec::new())),
            })),
        }
    }
    fn method(&self, name: &str) -> Option<Sig> {
        match name {
            "Get" | "GetBytes" | "Glob" | "Lines" => Some(ONE_STRING),
            "AsConfig" | "AsSecrets" => Some(NONE),
            _ => None,
        }
    }
    fn call_method(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let arg = args.first().and_then(|a| a.as_str()).unwrap_or_default();
        Ok(match name {
            "Get" => Value::from(
                self.0
                    .get(arg)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default(),
            ),
            "GetBytes" => Value::Bytes(
                self.0
                    .get(arg)
                    .cloned()
                    .unwrap_or_else(|| Rc::from(Vec::new())),
            ),
            "Glob" => {
                let re = glob_regex(arg);
                let picked = self
                    .0
                    .iter()
                    .filter(|(k, _)| re.as_ref().map(|r| r.is_match(k)).unwrap_or(true))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Value::Object(Rc::new(Files(picked)))
            }
            "Lines" => match self.0.get(arg) {
                None => Value::string_list(vec![]),
                Some(b) => {
                    let mut s = String::from_utf8_lossy(b).into_owned();
                    if s.ends_with('\n') {
                        s.pop();
                    }
                    Value::string_list(s.split('\n').map(str::to_string).collect())
                }
            },
            // Helm returns "" only for a nil map, which templates never see (`.Files` and every
            // `Glob` result are made maps): an empty set prints `{}`.
            "AsConfig" => Value::from(crate::yaml::to_yaml(
                &self.as_map(|b| String::from_utf8_lossy(b).into_owned()),
            )?),
            "AsSecrets" => {
                Value::from(crate::yaml::to_yaml(&self.as_map(crate::json::base64_std))?)
            }
            _ => return Err(format!("{name} is not a method of engine.files")),
        })
    }
    fn format_v(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| {
                let bytes: Vec<String> = v.iter().map(|b| b.to_string()).collect();
                format!("{k}:[{}]", bytes.join(" "))
            })
            .collect();
        format!("map[{}]", parts.join(" "))
    }
    fn to_data(&self) -> Value {
        Value::map(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
                .collect(),
        )
    }
    fn collection_len(&self) -> Option<usize> {
        Some(self.0.len())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// gobwas/glob with `/` as separator: `*` stays within a segment, `**` crosses, `{a,b}`
/// alternatives, `?`, `[...]`. An invalid pattern matches everything, as in Helm.
fn glob_regex(pat: &str) -> Option<regex_lite::Regex> {
    let mut re = String::from("^");
    let cs: Vec<char> = pat.chars().collect();
    let mut i = 0;
    let mut depth = 0;
    while i < cs.len() {
        match cs[i] {
            '*' if cs.get(i + 1) == Some(&'*') => {
                re.push_str(".*");
                i += 1;
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '{' => {
                depth += 1;
                re.push_str("(?:");
            }
            '}' if depth > 0 => {
                depth -= 1;
                re.push(')');
            }
            ',' if depth > 0 => re.push('|'),
            '[' => {
                let end = cs[i..].iter().position(|&c| c == ']')? + i;
                let mut class: String = cs[i + 1..end].iter().collect();
                if let Some(rest) = class.strip_prefix('!') {
                    class = format!("^{rest}");
                }
                re.push('[');
                re.push_str(&class);
                re.push(']');
                i = end;
            }
            '\\' if i + 1 < cs.len() => {
                i += 1;
                re.push_str(&regex_lite::escape(&cs[i].to_string()));
            }
            c => re.push_str(&regex_lite::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push('$');
    regex_lite::Regex::new(&re).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_version_parses_like_helm() {
        let k = KubeVersion::parse("1.30").unwrap();
        assert_eq!(
            (k.version.as_str(), k.major.as_str(), k.minor.as_str()),
            ("v1.30", "1", "30")
        );
        // Version keeps a distribution's suffix; String is the normalized version.
        let k = KubeVersion::parse("1.29.3-eks-adc7111").unwrap();
        assert_eq!(
            (k.git_version.as_str(), k.version.as_str()),
            ("v1.29.3-eks-adc7111", "v1.29.3")
        );
        assert!(KubeVersion::parse("x").is_err());
    }

    #[test]
    fn glob_segments() {
        let r = glob_regex("conf/*.yaml").unwrap();
        assert!(r.is_match("conf/a.yaml") && !r.is_match("conf/d/a.yaml"));
        let r = glob_regex("conf/**").unwrap();
        assert!(r.is_match("conf/d/a.yaml"));
        let r = glob_regex("{a,b}.txt").unwrap();
        assert!(r.is_match("b.txt"));
    }
}
