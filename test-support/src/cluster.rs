//! Setting up a test's control plane (`testenv`).

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::PostParams;

use crate::eventually_within;

/// Creates `crd` and waits (up to `timeout`) until the API server reports it `Established`, so
/// that objects of its kind can be created.
pub async fn install_crd(client: &kube::Client, crd: &CustomResourceDefinition, timeout: Duration) {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(&PostParams::default(), crd)
        .await
        .expect("CRD created");
    let name = crd.metadata.name.as_deref().expect("a CRD has a name");
    eventually_within(
        "the CRD to be established",
        timeout,
        Duration::from_millis(200),
        || async {
            crds.get(name)
                .await
                .ok()?
                .status?
                .conditions?
                .iter()
                .any(|c| c.type_ == "Established" && c.status == "True")
                .then_some(())
        },
    )
    .await;
}
