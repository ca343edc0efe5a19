//! Remote clusters: a HelmRelease with `spec.kubeConfig.secretRef` is installed in the cluster
//! its kubeconfig names (Project Planton's `target_cluster`). The kubeconfig is read from a
//! Secret in the HelmRelease's namespace (key `spec.kubeConfig.secretRef.key`, else `value`,
//! else `value.yaml`, as Flux's), as the controller itself. The release's objects and its
//! records live in that cluster; its service account (`spec.serviceAccountName`,
//! `--default-service-account`) is impersonated there, by the kubeconfig's user.
//!
//! A kubeconfig is the tenant's input, read inside the controller: it may carry credentials
//! only inline (`token`, `client-certificate-data`, `client-key-data`, `username`/`password`,
//! `certificate-authority-data`). `exec` and `auth-provider` (which would run commands in the
//! controller's container) and file paths (`tokenFile`, `client-certificate`, `client-key`,
//! `certificate-authority`, which would read the controller's own files, its service account
//! token among them) are refused. Errors name the Secret and the key, never a value.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::core::v1::Secret;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Api, Client, ResourceExt};

use crate::cluster::Cluster;
use crate::crd::HelmRelease;
use crate::identity::Identities;

/// Why a release's remote cluster cannot be reached (the release stalls, reason
/// `KubeConfigInvalid`, and is tried again at its interval).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KubeConfigError(String);

/// A kubeconfig Secret's namespace, name and resourceVersion.
type SecretVersion = (String, String, String);

/// The remote clusters releases named, one client (and its identities) per kubeconfig Secret
/// version, made once and kept.
#[derive(Clone, Default)]
pub struct Remotes {
    clusters: Arc<Mutex<HashMap<SecretVersion, (Cluster, Identities)>>>,
}

impl Remotes {
    /// The cluster `hr`'s `spec.kubeConfig` names, as the kubeconfig's user and as the identities
    /// releases act as there (`default_service_account` as [`Identities::new`] says); `None`
    /// without `spec.kubeConfig`. The Secret is read through `local` (the controller's client).
    pub async fn resolve(
        &self,
        local: &Client,
        hr: &HelmRelease,
        default_service_account: Option<String>,
    ) -> Result<Option<(Cluster, Identities)>, KubeConfigError> {
        let Some(reference) = &hr.spec.kube_config else {
            return Ok(None);
        };
        let ns = hr.namespace().unwrap_or_default();
        let name = &reference.secret_ref.name;
        let label = format!("Secret {ns}/{name} (spec.kubeConfig.secretRef)");
        let secrets: Api<Secret> = Api::namespaced(local.clone(), &ns);
        let secret = secrets
            .get_opt(name)
            .await
            .map_err(|e| KubeConfigError(format!("reading {label}: {e}")))?
            .ok_or_else(|| KubeConfigError(format!("{label} does not exist")))?;
        let version = secret.resource_version().unwrap_or_default();
        let key = (ns.clone(), name.clone(), version);
        if let Some(found) = self.clusters.lock().expect("not poisoned").get(&key) {
            return Ok(Some(found.clone()));
        }
        let data = secret.data.unwrap_or_default();
        let keys: Vec<&str> = match &reference.secret_ref.key {
            Some(k) => vec![k.as_str()],
            None => vec!["value", "value.yaml"],
        };
        let (used, bytes) = keys
            .iter()
            .find_map(|k| data.get(*k).map(|v| (*k, v)))
            .ok_or_else(|| {
                KubeConfigError(format!(
                    "{label} has no key {}: put the kubeconfig there",
                    keys.join(" or ")
                ))
            })?;
        let text = std::str::from_utf8(&bytes.0)
            .map_err(|_| KubeConfigError(format!("key {used} of {label} is not UTF-8 text")))?;
        // The parser's message may quote the document; it is not shown.
        let kubeconfig = Kubeconfig::from_yaml(text).map_err(|_| {
            KubeConfigError(format!(
                "key {used} of {label} does not parse as a kubeconfig"
            ))
        })?;
        refuse_unsafe(&kubeconfig)
            .map_err(|what| KubeConfigError(format!("key {used} of {label}: {what}")))?;
        let config =
            kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
                .await
                .map_err(|e| KubeConfigError(format!("key {used} of {label}: {e}")))?;
        let client = Client::try_from(config.clone())
            .map_err(|e| KubeConfigError(format!("key {used} of {label}: {e}")))?;
        let cluster = Cluster::new(client);
        let identities = Identities::new(cluster.clone(), Some(config), default_service_account);
        let found = (cluster, identities);
        let mut clusters = self.clusters.lock().expect("not poisoned");
        // An older version of the same Secret is replaced.
        clusters.retain(|(n, s, _), _| (n, s) != (&key.0, &key.1));
        clusters.insert(key, found.clone());
        Ok(Some(found))
    }
}

/// Refuses what would make the controller run a command or read its own files.
fn refuse_unsafe(kubeconfig: &Kubeconfig) -> Result<(), String> {
    for named in &kubeconfig.auth_infos {
        let Some(user) = &named.auth_info else {
            continue;
        };
        let refused = [
            ("exec", user.exec.is_some()),
            ("auth-provider", user.auth_provider.is_some()),
            ("tokenFile", user.token_file.is_some()),
            ("client-certificate", user.client_certificate.is_some()),
            ("client-key", user.client_key.is_some()),
        ];
        if let Some((field, _)) = refused.iter().find(|(_, set)| *set) {
            return Err(format!(
                "user {} uses {field}, which the controller refuses in a HelmRelease's \
                 kubeconfig (it would run a command or read a file in the controller's \
                 container): give the credentials inline (token, client-certificate-data and \
                 client-key-data)",
                named.name
            ));
        }
    }
    for named in &kubeconfig.clusters {
        if named
            .cluster
            .as_ref()
            .is_some_and(|c| c.certificate_authority.is_some())
        {
            return Err(format!(
                "cluster {} uses certificate-authority (a file in the controller's container): \
                 give certificate-authority-data instead",
                named.name
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_files_in_a_kubeconfig_are_refused() {
        let kubeconfig = |user: &str, cluster: &str| {
            Kubeconfig::from_yaml(&format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: remote\n  cluster:\n    \
                 server: https://remote:6443\n{cluster}\nusers:\n- name: u\n  user:\n{user}\n"
            ))
            .unwrap()
        };
        assert!(refuse_unsafe(&kubeconfig("    token: t", "")).is_ok());
        let exec = kubeconfig(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: sh",
            "",
        );
        let message = refuse_unsafe(&exec).unwrap_err();
        assert!(message.starts_with("user u uses exec"), "{message}");
        let file = kubeconfig("    tokenFile: /var/run/secrets/token", "");
        assert!(refuse_unsafe(&file).unwrap_err().contains("tokenFile"));
        let ca = kubeconfig("    token: t", "    certificate-authority: /etc/ca.crt");
        assert!(
            refuse_unsafe(&ca)
                .unwrap_err()
                .contains("certificate-authority-data instead")
        );
    }
}
