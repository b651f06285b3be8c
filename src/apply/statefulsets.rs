//! Mutations on statefulsets (see the module docs of `apply`), and the one pod deletion `rollout
//! --fix` makes to get a StatefulSet out of the forced-rollback trap.

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::core::v1 as core;
use kube::api::{Api, Patch};
use serde_json::json;

use super::{delete_params, patch_params};
use crate::cluster::{ApiError, Cluster, Op};
use crate::model;

/// The merge patch that sets the partition, failing with 409 if the StatefulSet is no longer at
/// `resource_version` (someone or something changed it since it was read).
pub fn partition_patch(resource_version: &str, partition: i32) -> serde_json::Value {
    json!({
        "metadata": { "resourceVersion": resource_version },
        "spec": { "updateStrategy": { "rollingUpdate": { "partition": partition } } }
    })
}

/// Sets `spec.updateStrategy.rollingUpdate.partition`; returns the StatefulSet as the server
/// stored it (or would have, with `dry_run`).
pub async fn set_partition(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
    resource_version: &str,
    partition: i32,
    dry_run: bool,
) -> Result<model::StatefulSet, ApiError> {
    let api: Api<apps::StatefulSet> = Api::namespaced(cluster.client.clone(), namespace);
    let op = Op::of::<apps::StatefulSet>("patch").ns(namespace.to_string()).name(name);
    let patch = partition_patch(resource_version, partition);
    let sts = cluster.call(op, api.patch(name, &patch_params(dry_run), &Patch::Merge(&patch))).await?;
    Ok(model::StatefulSet::from(&sts))
}

/// Restores a revision's pod template as `kubectl rollout undo` does: `patch` is the
/// ControllerRevision's data (`{"spec":{"template":{..., "$patch":"replace"}}}`) with the
/// StatefulSet's `metadata.resourceVersion` added, sent as a strategic-merge patch, so a
/// StatefulSet changed since the plan is a 409 and stays as it is.
pub async fn restore_template(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
    patch: &serde_json::Value,
    dry_run: bool,
) -> Result<model::StatefulSet, ApiError> {
    let api: Api<apps::StatefulSet> = Api::namespaced(cluster.client.clone(), namespace);
    let op = Op::of::<apps::StatefulSet>("patch").ns(namespace.to_string()).name(name);
    let sts = cluster.call(op, api.patch(name, &patch_params(dry_run), &Patch::Strategic(patch))).await?;
    Ok(model::StatefulSet::from(&sts))
}

/// Deletes the pod that holds a rollout in the forced-rollback trap, only if it is still the same
/// pod in the same state it was judged in (UID and resourceVersion preconditions: a pod that got
/// Ready, or changed at all, since is a 409): the controller recreates it from the update revision.
pub async fn delete_trapped_pod(
    cluster: &Cluster,
    namespace: &str,
    pod: &str,
    uid: &str,
    resource_version: &str,
    dry_run: bool,
) -> Result<(), ApiError> {
    let api: Api<core::Pod> = Api::namespaced(cluster.client.clone(), namespace);
    let op = Op::of::<core::Pod>("delete").ns(namespace.to_string()).name(pod);
    cluster.call(op, api.delete(pod, &delete_params(uid, Some(resource_version), None, dry_run))).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_partition_patch_carries_the_resource_version() {
        assert_eq!(
            partition_patch("42", 1),
            json!({ "metadata": { "resourceVersion": "42" },
                    "spec": { "updateStrategy": { "rollingUpdate": { "partition": 1 } } } })
        );
    }
}
