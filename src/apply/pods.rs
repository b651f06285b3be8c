//! Mutations on pods (see the module docs of `apply`).

use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;

use super::delete_params;
use crate::cluster::{ApiError, Cluster, Op};

/// Force-deletes pod `namespace/name` (gracePeriodSeconds 0: removed from the API without waiting
/// for its kubelet) only while it is still the pod with `uid` at `resource_version`, as judged: a
/// replacement of the same name, or any change to the pod (a kubelet that came back reports
/// status), makes the API server answer 409 and nothing is deleted. 404: it is already gone.
pub async fn force_delete(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
    uid: &str,
    resource_version: &str,
    dry_run: bool,
) -> Result<(), ApiError> {
    let api: Api<Pod> = Api::namespaced(cluster.client.clone(), namespace);
    let op = Op::of::<Pod>("delete").ns(namespace.to_string()).name(name);
    let params = delete_params(uid, Some(resource_version), Some(0), dry_run);
    cluster.call(op, api.delete(name, &params)).await.map(|_| ())
}
