//! Mutations on nodes (see the module docs of `apply`).

use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, Patch};
use serde_json::{Value, json};

use super::patch_params;
use crate::cluster::{ApiError, Cluster, Op};
use crate::model::Taint;

/// Sets node `name`'s taints to `keep` plus `add`. `keep` must be the taints the node had at
/// `resource_version`: the merge patch carries that resourceVersion, so if the Node changed
/// meanwhile (another taint added or removed) the API server answers 409 and nothing changes.
/// (Node taints have no merge key: a merge patch replaces the whole list.)
pub async fn add_taint(
    cluster: &Cluster,
    name: &str,
    resource_version: &str,
    keep: &[Taint],
    add: &Taint,
    dry_run: bool,
) -> Result<(), ApiError> {
    let api: Api<Node> = Api::all(cluster.client.clone());
    let taints: Vec<Value> = keep.iter().chain(std::iter::once(add)).map(taint_json).collect();
    let patch = json!({ "metadata": { "resourceVersion": resource_version }, "spec": { "taints": taints } });
    let op = Op::of::<Node>("patch").name(name);
    cluster.call(op, api.patch(name, &patch_params(dry_run), &Patch::Merge(&patch))).await.map(|_| ())
}

fn taint_json(t: &Taint) -> Value {
    let mut v = json!({ "key": t.key, "effect": t.effect });
    if let Some(value) = &t.value {
        v["value"] = json!(value);
    }
    if let Some(added) = t.added {
        // metav1.Time: RFC 3339 with whole seconds.
        v["timeAdded"] = json!(added.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taints_round_trip_as_the_api_writes_them() {
        let t = Taint {
            key: "node.kubernetes.io/out-of-service".into(),
            value: Some("nodeshutdown".into()),
            effect: "NoExecute".into(),
            added: Some("2026-03-01T12:00:00.5Z".parse().unwrap()),
        };
        assert_eq!(
            taint_json(&t),
            json!({ "key": "node.kubernetes.io/out-of-service", "value": "nodeshutdown", "effect": "NoExecute",
                    "timeAdded": "2026-03-01T12:00:00Z" })
        );
        let bare = Taint { key: "k".into(), value: None, effect: "NoSchedule".into(), added: None };
        assert_eq!(taint_json(&bare), json!({ "key": "k", "effect": "NoSchedule" }));
    }
}
