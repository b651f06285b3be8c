//! What a real node's pods show when it is lost: their containers started, their True conditions
//! turned True, and the kubelet last wrote them (the `time` of its managedFields entry, on the API
//! server's clock), all before the node went silent. The simulator starts containers "now" but
//! dates a loss in the past, so losing a node rewrites that history; force-delete's
//! `status-silent` check compares exactly these times with the moment the node went silent.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Value, json};

use super::{Kubelet, now_minus, ts};

impl Kubelet {
    /// Rewrites every pod on `node` (short name) as started a minute before `ago`: running
    /// containers' startedAt, True conditions' lastTransitionTime and the kubelet's managedFields
    /// time; the rest of the status is left. This is history, not a kubelet write: it is written
    /// as the test's own field manager.
    pub async fn started_before(&self, node: &str, ago: Duration) {
        let started = ts(now_minus(ago + Duration::from_secs(60)));
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.ns);
        for pod in self.pods_on(node).await {
            let statuses = pod.status.as_ref().and_then(|s| s.container_statuses.clone()).unwrap_or_default();
            let containers: Vec<Value> = statuses
                .iter()
                .map(|c| {
                    let mut c = serde_json::to_value(c).unwrap();
                    if c["state"]["running"].is_object() {
                        c["state"]["running"]["startedAt"] = json!(started);
                    }
                    c
                })
                .collect();
            let conditions: Vec<Value> = pod
                .status
                .as_ref()
                .and_then(|s| s.conditions.clone())
                .unwrap_or_default()
                .iter()
                .map(|c| {
                    let mut c = serde_json::to_value(c).unwrap();
                    if c["status"] == "True" {
                        c["lastTransitionTime"] = json!(started);
                    }
                    c
                })
                .collect();
            let patch = json!({ "status": {
                "startTime": started, "conditions": conditions, "containerStatuses": containers
            } });
            let name = pod.metadata.name.as_deref().unwrap();
            pods.patch_status(name, &PatchParams::default(), &Patch::Merge(&patch)).await.expect("patch pod status");
            kubelet_last_wrote(&pods, name, &started).await;
        }
    }
}

/// Dates the kubelet's managedFields entries of pod `name` at `at` (the API server keeps a
/// client's managedFields as sent when nothing else changes).
async fn kubelet_last_wrote(pods: &Api<Pod>, name: &str, at: &str) {
    let pod = pods.get(name).await.expect("get pod");
    let fields: Vec<Value> = pod
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .map(|m| {
            let mut v = serde_json::to_value(m).unwrap();
            if m.manager.as_deref() == Some("kubelet") {
                v["time"] = json!(at);
            }
            v
        })
        .collect();
    let patch = json!({ "metadata": { "managedFields": fields } });
    pods.patch(name, &PatchParams::default(), &Patch::Merge(&patch)).await.expect("patch managedFields");
}
