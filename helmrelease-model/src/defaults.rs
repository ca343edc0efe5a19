//! What a HelmRelease gets for a field it leaves out. The CLI (documents read from files) and
//! the controller (objects read from the cluster) both ask here.

use std::time::Duration;

/// The namespace of a release whose HelmRelease names none, as kubectl and Helm default.
pub const NAMESPACE: &str = "default";
/// `spec.timeout` when unset (Helm's `--timeout` default).
pub const TIMEOUT: Duration = Duration::from_secs(300);
/// `spec.interval` when unset.
pub const INTERVAL: Duration = Duration::from_secs(600);
/// `spec.historyLimit` when unset (Helm's `--history-max` default).
pub const HISTORY: u32 = 10;

/// The Helm release name: `spec.releaseName`, else `metadata.name`; `None` when neither is set.
pub fn release_name<'a>(
    spec_release_name: Option<&'a str>,
    metadata_name: Option<&'a str>,
) -> Option<&'a str> {
    spec_release_name.or(metadata_name)
}

/// Where the chart is installed and its release records live: `spec.targetNamespace`, else
/// Project Planton's `spec.namespace.value` when not empty, else the HelmRelease's own
/// namespace, else [`NAMESPACE`].
pub fn target_namespace<'a>(
    spec_target_namespace: Option<&'a str>,
    planton_namespace: Option<&'a str>,
    metadata_namespace: Option<&'a str>,
) -> &'a str {
    spec_target_namespace
        .or(planton_namespace.filter(|v| !v.is_empty()))
        .or(metadata_namespace)
        .unwrap_or(NAMESPACE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_wins_over_metadata() {
        assert_eq!(release_name(Some("a"), Some("b")), Some("a"));
        assert_eq!(release_name(None, Some("b")), Some("b"));
        assert_eq!(release_name(None, None), None);
        assert_eq!(target_namespace(Some("x"), Some("p"), Some("y")), "x");
        assert_eq!(target_namespace(None, Some("p"), Some("y")), "p");
        assert_eq!(target_namespace(None, Some(""), Some("y")), "y");
        assert_eq!(target_namespace(None, None, Some("y")), "y");
        assert_eq!(target_namespace(None, None, None), "default");
    }
}
