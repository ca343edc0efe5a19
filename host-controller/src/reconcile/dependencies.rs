//! `spec.dependsOn`: a release is installed or upgraded only when every HelmRelease it depends on
//! is Ready for its current generation. A dependency chain that leads back to the release is a
//! cycle, which no wait resolves: it is reported (`a -> b -> a`) and the release stalled.
//!
//! Only the order of installs and upgrades is kept; uninstalls are not ordered.

use std::collections::{BTreeMap, BTreeSet};

use kube::{Api, Client, ResourceExt};

use crate::crd::HelmRelease;

use super::condition::{ConditionStatus, ConditionType};

/// How many HelmReleases the cycle check reads at most: a dependency graph larger than this is
/// not walked further (its cycles beyond are found from the releases in them).
const MAX_WALK: usize = 256;

/// A HelmRelease: `(namespace, name)`.
pub type Key = (String, String);

/// The HelmReleases `hr` depends on, each in its namespace (the HelmRelease's by default).
pub fn dependencies(hr: &HelmRelease) -> Vec<Key> {
    let own = hr.namespace().unwrap_or_default();
    hr.spec
        .depends_on
        .iter()
        .map(|d| {
            (
                d.namespace.clone().unwrap_or_else(|| own.clone()),
                d.name.clone(),
            )
        })
        .collect()
}

/// Refuses a dependency in another namespace unless `cross_namespace_refs` allows it. Pure.
pub fn check_namespaces(hr: &HelmRelease, cross_namespace_refs: bool) -> Result<(), String> {
    if cross_namespace_refs {
        return Ok(());
    }
    let own = hr.namespace().unwrap_or_default();
    match dependencies(hr).into_iter().find(|(ns, _)| *ns != own) {
        Some((ns, name)) => Err(format!(
            "spec.dependsOn names HelmRelease {ns}/{name}, in another namespace than the \
             HelmRelease's ({own}); this controller allows references only within the \
             HelmRelease's namespace (--no-cross-namespace-refs): depend on releases in {own}"
        )),
        None => Ok(()),
    }
}

/// Why a release may not proceed yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// `spec.dependsOn` leads back to the release: `a -> b -> a`.
    Cycle(String),
    /// Dependencies that are not Ready, and why.
    NotReady(String),
}

/// Why the dependency `dep` (`None`: it does not exist) is not Ready; `None` when it is.
pub fn not_ready(dep: Option<&HelmRelease>) -> Option<String> {
    let Some(dep) = dep else {
        return Some("not found".to_string());
    };
    if dep.metadata.deletion_timestamp.is_some() {
        return Some("being deleted".to_string());
    }
    let Some(status) = dep.status.as_ref() else {
        return Some("not reconciled yet".to_string());
    };
    let ready = status
        .conditions
        .iter()
        .find(|c| c.type_ == ConditionType::Ready.as_str());
    match ready {
        _ if status.observed_generation != dep.metadata.generation => {
            Some("its current generation is not reconciled yet".to_string())
        }
        Some(c) if c.status == ConditionStatus::True.as_str() => None,
        // A suspended release keeps its Ready (as Flux): one that was not Ready stays so.
        Some(_) if dep.spec.suspend => Some("suspended".to_string()),
        Some(c) => Some(format!("Ready={} {}", c.status, c.reason)),
        None => Some("not reconciled yet".to_string()),
    }
}

/// The decision for `start` over the dependency graph that `graph` holds (the HelmReleases read,
/// `None` for those that do not exist). Pure. A cycle through `start` wins over waiting.
pub fn decide(start: &Key, graph: &BTreeMap<Key, Option<HelmRelease>>) -> Option<Blocked> {
    let edges = |key: &Key| -> Vec<Key> {
        graph
            .get(key)
            .and_then(Option::as_ref)
            .map(dependencies)
            .unwrap_or_default()
    };
    if let Some(cycle) = cycle_through(start, edges) {
        let label = |(ns, name): &Key| {
            if *ns == start.0 {
                name.clone()
            } else {
                format!("{ns}/{name}")
            }
        };
        let path: Vec<String> = cycle.iter().map(label).collect();
        return Some(Blocked::Cycle(path.join(" -> ")));
    }
    let own = graph.get(start).and_then(Option::as_ref)?;
    let waiting: Vec<String> = dependencies(own)
        .iter()
        .filter_map(|key| {
            let why = not_ready(graph.get(key).and_then(Option::as_ref))?;
            let (ns, name) = key;
            let name = if *ns == start.0 {
                name.clone()
            } else {
                format!("{ns}/{name}")
            };
            Some(format!("{name} ({why})"))
        })
        .collect();
    (!waiting.is_empty()).then(|| {
        Blocked::NotReady(format!(
            "waiting for the HelmRelease(s) of spec.dependsOn to be Ready: {}",
            waiting.join(", ")
        ))
    })
}

/// The first cycle from `start` back to it, as the path `start, ..., start`. Depth-first, in
/// the order of `spec.dependsOn`.
fn cycle_through(start: &Key, edges: impl Fn(&Key) -> Vec<Key>) -> Option<Vec<Key>> {
    let mut seen = BTreeSet::new();
    let mut path = vec![start.clone()];
    // Each frame: the node's dependencies not visited yet.
    let mut stack = vec![edges(start)];
    while let Some(next) = stack.last_mut() {
        let Some(key) = (!next.is_empty()).then(|| next.remove(0)) else {
            stack.pop();
            path.pop();
            continue;
        };
        if key == *start {
            path.push(key);
            return Some(path);
        }
        if seen.insert(key.clone()) {
            stack.push(edges(&key));
            path.push(key);
        }
    }
    None
}

/// Reads the dependency graph from `hr` through the API (at most [`MAX_WALK`] HelmReleases, with
/// the controller's identity) and [`decide`]s. `hr` itself is taken as given.
pub async fn check(client: &Client, hr: &HelmRelease) -> Result<Option<Blocked>, kube::Error> {
    if hr.spec.depends_on.is_empty() {
        return Ok(None);
    }
    let start: Key = (hr.namespace().unwrap_or_default(), hr.name_any());
    let mut graph: BTreeMap<Key, Option<HelmRelease>> = BTreeMap::new();
    graph.insert(start.clone(), Some(hr.clone()));
    let mut queue = dependencies(hr);
    while let Some(key) = queue.pop() {
        if graph.contains_key(&key) || graph.len() >= MAX_WALK {
            continue;
        }
        let api: Api<HelmRelease> = Api::namespaced(client.clone(), &key.0);
        let dep = api.get_opt(&key.1).await?;
        if let Some(d) = &dep {
            queue.extend(dependencies(d));
        }
        graph.insert(key, dep);
    }
    Ok(decide(&start, &graph))
}

/// The HelmReleases among `all` that depend on `namespace`/`name` (for the watch that
/// reconciles a waiting release when its dependency changes).
pub fn dependents<'a>(
    all: impl IntoIterator<Item = &'a HelmRelease>,
    namespace: &str,
    name: &str,
) -> Vec<&'a HelmRelease> {
    all.into_iter()
        .filter(|hr| {
            dependencies(hr)
                .iter()
                .any(|(ns, n)| ns == namespace && n == name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::{Condition, DependencyReference, HelmReleaseSpec, HelmReleaseStatus};

    /// HelmRelease `ns/name` depending on `deps` (`name` or `ns/name`), Ready as `ready` says
    /// (`None`: never reconciled).
    fn hr(key: &str, deps: &[&str], ready: Option<bool>) -> HelmRelease {
        let (ns, name) = key.split_once('/').unwrap();
        let mut hr = HelmRelease::new(
            name,
            HelmReleaseSpec {
                depends_on: deps
                    .iter()
                    .map(|d| match d.split_once('/') {
                        Some((ns, name)) => DependencyReference {
                            name: name.into(),
                            namespace: Some(ns.into()),
                        },
                        None => DependencyReference {
                            name: d.to_string(),
                            namespace: None,
                        },
                    })
                    .collect(),
                ..HelmReleaseSpec::default()
            },
        );
        hr.metadata.namespace = Some(ns.into());
        hr.metadata.generation = Some(1);
        hr.status = ready.map(|r| HelmReleaseStatus {
            observed_generation: Some(1),
            conditions: vec![Condition {
                type_: "Ready".into(),
                status: if r { "True" } else { "False" }.into(),
                reason: if r {
                    "InstallSucceeded"
                } else {
                    "InstallFailed"
                }
                .into(),
                ..Condition::default()
            }],
            ..HelmReleaseStatus::default()
        });
        hr
    }

    /// A case: its name, the releases (the first one decides), the releases that do not exist,
    /// the decision.
    type Case = (
        &'static str,
        Vec<HelmRelease>,
        &'static [&'static str],
        Option<Blocked>,
    );

    fn key(s: &str) -> Key {
        let (ns, name) = s.split_once('/').unwrap();
        (ns.into(), name.into())
    }

    #[test]
    fn dependencies_are_waited_for_and_cycles_named() {
        let stale = {
            let mut b = hr("apps/b", &[], Some(true));
            b.metadata.generation = Some(2);
            b
        };
        #[rustfmt::skip]
        let cases: Vec<Case> = vec![
            ("no dependencies", vec![hr("apps/a", &[], None)], &[], None),
            ("a Ready dependency", vec![hr("apps/a", &["b"], None), hr("apps/b", &[], Some(true))], &[], None),
            ("a dependency not Ready", vec![hr("apps/a", &["b"], None), hr("apps/b", &[], Some(false))], &[], Some(Blocked::NotReady("waiting for the HelmRelease(s) of spec.dependsOn to be Ready: b (Ready=False InstallFailed)".into()))),
            ("a dependency never reconciled, another missing", vec![hr("apps/a", &["b", "infra/c"], None), hr("apps/b", &[], None)], &["infra/c"], Some(Blocked::NotReady("waiting for the HelmRelease(s) of spec.dependsOn to be Ready: b (not reconciled yet), infra/c (not found)".into()))),
            ("a dependency whose new generation is not reconciled", vec![hr("apps/a", &["b"], None), stale], &[], Some(Blocked::NotReady("waiting for the HelmRelease(s) of spec.dependsOn to be Ready: b (its current generation is not reconciled yet)".into()))),
            ("a two-release cycle", vec![hr("apps/c", &["d"], None), hr("apps/d", &["c"], None)], &[], Some(Blocked::Cycle("c -> d -> c".into()))),
            ("a release depending on itself", vec![hr("apps/a", &["a"], None)], &[], Some(Blocked::Cycle("a -> a".into()))),
            ("a longer cycle across namespaces, found past a Ready branch", vec![hr("apps/a", &["x", "b"], None), hr("apps/x", &[], Some(true)), hr("apps/b", &["infra/c"], Some(true)), hr("infra/c", &["apps/a"], Some(true))], &[], Some(Blocked::Cycle("a -> b -> infra/c -> a".into()))),
            ("a cycle elsewhere is a dependency not Ready", vec![hr("apps/a", &["b"], None), hr("apps/b", &["c"], Some(false)), hr("apps/c", &["b"], Some(false))], &[], Some(Blocked::NotReady("waiting for the HelmRelease(s) of spec.dependsOn to be Ready: b (Ready=False InstallFailed)".into()))),
            ("a diamond is no cycle", vec![hr("apps/a", &["b", "c"], None), hr("apps/b", &["d"], Some(true)), hr("apps/c", &["d"], Some(true)), hr("apps/d", &[], Some(true))], &[], None),
        ];
        for (name, releases, missing, want) in cases {
            let start = key(&format!(
                "{}/{}",
                releases[0].namespace().unwrap(),
                releases[0].name_any()
            ));
            let mut graph: BTreeMap<Key, Option<HelmRelease>> = releases
                .into_iter()
                .map(|r| ((r.namespace().unwrap(), r.name_any()), Some(r)))
                .collect();
            for m in missing {
                graph.insert(key(m), None);
            }
            assert_eq!(decide(&start, &graph), want, "{name}");
        }
    }

    #[test]
    fn cross_namespace_dependencies_obey_the_tenancy_flag() {
        let a = hr("apps/a", &["b", "infra/c"], None);
        assert!(check_namespaces(&a, true).is_ok());
        let err = check_namespaces(&a, false).unwrap_err();
        assert!(
            err.starts_with("spec.dependsOn names HelmRelease infra/c, in another namespace"),
            "{err}"
        );
        assert!(check_namespaces(&hr("apps/a", &["b", "apps/c"], None), false).is_ok());
    }

    #[test]
    fn dependents_are_found_by_namespace_and_name() {
        let all = [
            hr("apps/a", &["b"], None),
            hr("apps/x", &["infra/b"], None),
            hr("infra/y", &["b"], None),
        ];
        let names = |ns: &str, name: &str| -> Vec<String> {
            dependents(&all, ns, name)
                .iter()
                .map(|h| h.name_any())
                .collect()
        };
        assert_eq!(names("apps", "b"), ["a"]);
        assert_eq!(names("infra", "b"), ["x", "y"]);
        assert!(names("apps", "a").is_empty());
    }
}
