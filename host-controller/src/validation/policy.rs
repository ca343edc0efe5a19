//! The organisation's policy rules, from a ConfigMap kept up to date by a watch: the webhook and
//! the reconciler read the same store (`--policy-configmap`).
//!
//! Every `*.yaml`/`*.yml` key of the ConfigMap is a policy file in the format of
//! `policies/*.yaml` (docs/validation.md, *Writing rules*), evaluated after the built-in pack in
//! key order; the key `disabled` lists rule codes to switch off (separated by spaces, commas or
//! line breaks). A missing ConfigMap means no extra rules.

use std::sync::{Arc, RwLock};

use futures::StreamExt;
use host_runtime::PolicyFile;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use tokio::sync::watch;

/// The extra rules and disabled codes in force.
#[derive(Clone, Debug, Default)]
pub struct Policies {
    /// Rule files, evaluated after the built-in pack.
    pub files: Vec<PolicyFile>,
    /// Codes switched off.
    pub disabled: Vec<String>,
}

/// Where the rules come from and whether they have been read yet.
#[derive(Debug)]
enum State {
    /// The first list of the ConfigMap has not completed; the string is the last watch error.
    Pending(String),
    Loaded(Policies),
}

/// The rules, shared between the watch that updates them and the validations that read them.
///
/// Guarantees: until the first complete read of the ConfigMap, [`PolicyStore::current`] is an
/// error, so that nothing is admitted or installed without the organisation's rules (fail
/// closed). Every change is announced on [`PolicyStore::changes`].
#[derive(Debug)]
pub struct PolicyStore {
    source: String,
    state: RwLock<State>,
    /// Counts the changes of the rules.
    changes: watch::Sender<u64>,
}

impl PolicyStore {
    /// A store with fixed rules (no ConfigMap): ready at once.
    pub fn fixed(policies: Policies) -> Arc<PolicyStore> {
        Arc::new(PolicyStore {
            source: "built-in".into(),
            state: RwLock::new(State::Loaded(policies)),
            changes: watch::Sender::new(0),
        })
    }

    /// A store filled from ConfigMap `namespace/name` by [`PolicyStore::watch`]; pending until
    /// then.
    pub fn configmap(namespace: &str, name: &str) -> Arc<PolicyStore> {
        Arc::new(PolicyStore {
            source: format!("ConfigMap {namespace}/{name}"),
            state: RwLock::new(State::Pending(String::new())),
            changes: watch::Sender::new(0),
        })
    }

    /// Where the rules come from, for messages: `ConfigMap NS/NAME` or `built-in`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The rules in force, or why there are none yet.
    pub fn current(&self) -> Result<Policies, String> {
        match &*self.state.read().expect("not poisoned") {
            State::Loaded(p) => Ok(p.clone()),
            State::Pending(why) => Err(format!(
                "the policy rules of {} have not been read yet{}{why}",
                self.source,
                if why.is_empty() { "" } else { ": " }
            )),
        }
    }

    /// Replaces the rules.
    pub fn set(&self, policies: Policies) {
        *self.state.write().expect("not poisoned") = State::Loaded(policies);
        self.changes.send_modify(|n| *n += 1);
    }

    /// Whether the rules have been read.
    pub fn is_read(&self) -> bool {
        matches!(*self.state.read().expect("not poisoned"), State::Loaded(_))
    }

    /// Completes once the rules have been read (at once for fixed rules).
    pub async fn read(&self) {
        let mut changes = self.changes.subscribe();
        let _ = changes.wait_for(|_| self.is_read()).await;
    }

    /// A receiver that sees every change of the rules (the first read included).
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn note_error(&self, error: String) {
        let mut state = self.state.write().expect("not poisoned");
        if let State::Pending(why) = &mut *state {
            *why = error;
        }
    }

    /// Watches ConfigMap `namespace/name` and keeps the store up to date; runs until the task is
    /// dropped. Watch errors are retried with backoff; the rules last read stay in force meanwhile.
    pub async fn watch(self: Arc<Self>, client: Client, namespace: String, name: String) {
        let api: Api<ConfigMap> = Api::namespaced(client, &namespace);
        let config = watcher::Config::default().fields(&format!("metadata.name={name}"));
        let mut stream = watcher(api, config).default_backoff().boxed();
        let mut listed: Option<Policies> = None;
        while let Some(event) = stream.next().await {
            match event {
                Ok(watcher::Event::Init) => listed = Some(Policies::default()),
                Ok(watcher::Event::InitApply(cm)) => listed = Some(from_configmap(&cm)),
                Ok(watcher::Event::InitDone) => {
                    let policies = listed.take().unwrap_or_default();
                    self.publish(policies);
                }
                Ok(watcher::Event::Apply(cm)) => self.publish(from_configmap(&cm)),
                Ok(watcher::Event::Delete(_)) => self.publish(Policies::default()),
                Err(e) => {
                    tracing::warn!(source = %self.source, error = %e, "watching the policy ConfigMap");
                    self.note_error(e.to_string());
                }
            }
        }
    }

    fn publish(&self, policies: Policies) {
        tracing::info!(
            source = %self.source,
            files = policies.files.len(),
            disabled = ?policies.disabled,
            "policy rules updated"
        );
        self.set(policies);
    }
}

/// `NAMESPACE/NAME` of `--policy-configmap`, or what to write instead.
pub fn configmap_ref(value: &str) -> Result<(String, String), String> {
    value
        .split_once('/')
        .filter(|(ns, name)| !ns.is_empty() && !name.is_empty() && !name.contains('/'))
        .map(|(ns, name)| (ns.to_string(), name.to_string()))
        .ok_or_else(|| {
            format!(
                "--policy-configmap {value:?}: write NAMESPACE/NAME, for example \
                 planton-helm-system/planton-helm-policies"
            )
        })
}

/// The rules of a ConfigMap: its `*.yaml`/`*.yml` keys in key order, named
/// `configmap/NS/NAME/KEY` (so a rule that does not load is reported there), and the codes of
/// its `disabled` key.
pub fn from_configmap(cm: &ConfigMap) -> Policies {
    let ns = cm.metadata.namespace.as_deref().unwrap_or_default();
    let name = cm.metadata.name.as_deref().unwrap_or_default();
    let mut out = Policies::default();
    // `data` is a BTreeMap, so keys come in order.
    for (key, content) in cm.data.iter().flatten() {
        if key == "disabled" {
            out.disabled = content
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
        } else if key.ends_with(".yaml") || key.ends_with(".yml") {
            out.files.push(PolicyFile {
                name: format!("configmap/{ns}/{name}/{key}"),
                content: content.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configmap_keys_become_files_and_disabled_codes() {
        let cm: ConfigMap = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "rules", "namespace": "ops"},
            "data": {
                "b.yaml": "rules: []\n",
                "a.yml": "rules: []\n",
                "README": "ignored",
                "disabled": "PH050, PH063\nPH025",
            }
        }))
        .unwrap();
        let p = from_configmap(&cm);
        let names: Vec<&str> = p.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["configmap/ops/rules/a.yml", "configmap/ops/rules/b.yaml"]
        );
        assert_eq!(p.disabled, ["PH050", "PH063", "PH025"]);
    }

    #[test]
    fn a_configmap_store_is_closed_until_read() {
        let store = PolicyStore::configmap("ops", "rules");
        store.note_error("forbidden".into());
        let err = store.current().unwrap_err();
        assert!(
            err.contains("ConfigMap ops/rules have not been read yet: forbidden"),
            "{err}"
        );
        store.set(Policies {
            files: Vec::new(),
            disabled: vec!["PH050".into()],
        });
        assert_eq!(store.current().unwrap().disabled, ["PH050"]);
    }

    #[tokio::test]
    async fn readers_wait_for_the_first_read_and_see_every_change() {
        let store = PolicyStore::configmap("ops", "rules");
        let mut changes = store.changes();
        let waiting = tokio::spawn({
            let store = store.clone();
            async move { store.read().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "not read yet");
        store.set(Policies::default());
        waiting.await.expect("the reader wakes up");
        assert!(changes.has_changed().unwrap());
        changes.mark_unchanged();
        store.set(Policies::default());
        assert!(changes.has_changed().unwrap());
        PolicyStore::fixed(Policies::default()).read().await;
    }
}
