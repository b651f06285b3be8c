//! Pod status as a real kubelet leaves it, or writes it when it comes back: the times in it
//! (container startedAt, Ready's lastTransitionTime) and the `time` of the pod's managedFields
//! entry of the manager `kubelet` are what force-delete's `status-silent` check compares with the
//! moment the node went silent.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{ListParams, Patch, PatchParams};
use serde_json::{Value, json};

use super::{Env, Kubelet};

fn ts(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn ago(d: Duration) -> Timestamp {
    Timestamp::now() - SignedDuration::try_from(d).expect("duration")
}

/// How a kubelet writes pod status: as field manager `kubelet` (a real one is named so by its
/// user agent), which the API server records, with the time, in the pod's managedFields.
pub fn as_kubelet() -> PatchParams {
    PatchParams { field_manager: Some("kubelet".into()), ..Default::default() }
}

impl Env {
    /// The simulator starts a pod's containers "now" but loses a node "`ago` in the past": on a
    /// real node they started, and the pod turned Ready, before it went silent. Rewrites every pod
    /// on `node` (short name) that way: running containers started, and conditions that are True
    /// turned True, a minute before `ago`, and the kubelet's managedFields entry dated then too
    /// (its last write, by the API server's clock); the rest of the status is left. This is
    /// history, not a kubelet write: it is written as the test's own field manager.
    pub async fn started_before_loss(&self, kubelet: &Kubelet, node: &str, ago_: Duration) {
        let node = kubelet.node(node);
        let started = ts(ago(ago_ + Duration::from_secs(60)));
        let pods = self.api::<Pod>();
        for pod in pods.list(&ListParams::default()).await.expect("list pods").items {
            if pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) != Some(node.as_str()) {
                continue;
            }
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
            self.kubelet_last_wrote(name, &started).await;
        }
    }

    /// Dates the kubelet's managedFields entries of pod `name` at `at` (the API server keeps a
    /// client's managedFields as sent when nothing else changes).
    async fn kubelet_last_wrote(&self, name: &str, at: &str) {
        let pods = self.api::<Pod>();
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

    /// What a kubelet coming back writes for pod `name` (as field manager `kubelet`): Running,
    /// Ready since now, its containers (restarted) running since now.
    pub async fn report_running_now(&self, name: &str) {
        let pods = self.api::<Pod>();
        let pod = pods.get(name).await.expect("get pod");
        let now = ts(Timestamp::now());
        let containers: Vec<Value> = pod
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .map(|c| {
                json!({ "name": c.name, "image": c.image, "imageID": "", "ready": true, "started": true,
                        "restartCount": 1, "state": { "running": { "startedAt": now } } })
            })
            .collect();
        let patch = json!({ "status": {
            "phase": "Running",
            "conditions": [
                { "type": "Ready", "status": "True", "lastTransitionTime": now },
                { "type": "ContainersReady", "status": "True", "lastTransitionTime": now }
            ],
            "containerStatuses": containers
        } });
        pods.patch_status(name, &as_kubelet(), &Patch::Merge(&patch)).await.expect("patch pod status");
    }

    /// The most common write of a kubelet coming back for pod `name` (as field manager `kubelet`):
    /// Ready=True again with its cached lastTransitionTime (`since`, old), nothing restarted, so
    /// no time in the status is new; only the API server's managedFields time is.
    pub async fn report_ready_again(&self, name: &str, since: Duration) {
        let old = ts(ago(since));
        let patch = json!({ "status": { "conditions": [
            { "type": "Ready", "status": "True", "lastTransitionTime": old },
            { "type": "ContainersReady", "status": "True", "lastTransitionTime": old }
        ] } });
        self.api::<Pod>().patch_status(name, &as_kubelet(), &Patch::Merge(&patch)).await.expect("patch pod status");
    }

    /// Lose `node` (short name) `ago`, as [`Kubelet::lose_node`] does (its kubelet writes no pod
    /// from then on), with its pods' containers started, and the kubelet's last write, before
    /// then, as on a real node.
    pub async fn lose_node(&self, kubelet: &Kubelet, node: &str, ago_: Duration) {
        kubelet.lose_node(node, ago_).await;
        self.started_before_loss(kubelet, node, ago_).await;
    }
}
