//! Mutations on pods (see the module docs of `apply`).

use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;

use super::delete_params;
use crate::cluster::{ApiError, Cluster, Op};

/// Force-deletes pod `namespace/name` (gracePeriodSeconds 0: removed from the API without waiting
/// for its kubelet) only while it is still the pod with `uid`: a replacement of the same name
/// makes the API server answer 409 and nothing is deleted. 404: it is already gone.
pub async fn force_delete(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
    uid: &str,
    dry_run: bool,
) -> Result<(), ApiError> {
    let api: Api<Pod> = Api::namespaced(cluster.client.clone(), namespace);
    let op = Op::of::<Pod>("delete").ns(namespace.to_string()).name(name);
    cluster.call(op, api.delete(name, &delete_params(uid, None, Some(0), dry_run))).await.map(|_| ())
}
