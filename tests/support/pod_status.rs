//! Pod status as a kubelet coming back writes it: the times in it (container startedAt, Ready's
//! lastTransitionTime) and the `time` of the pod's managedFields entry of the manager `kubelet`
//! are what force-delete's `status-silent` check compares with the moment the node went silent
//! (which `Kubelet::lose_node` dates every earlier write before, see `kubelet/history.rs`).

use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Patch, PatchParams};
use serde_json::json;

use super::Env;
use super::kubelet::{now_minus, ts};

/// How a kubelet writes pod status: as field manager `kubelet` (a real one is named so by its
/// user agent), which the API server records, with the time, in the pod's managedFields.
pub fn as_kubelet() -> PatchParams {
    PatchParams { field_manager: Some("kubelet".into()), ..Default::default() }
}

impl Env {
    /// What a kubelet coming back writes for pod `name` (as field manager `kubelet`): Running,
    /// Ready since now, its containers (restarted) running since now.
    pub async fn report_running_now(&self, name: &str) {
        let pods = self.api::<Pod>();
        let pod = pods.get(name).await.expect("get pod");
        let now = ts(Timestamp::now());
        let containers = super::kubelet::container_statuses(&pod, |c| {
            json!({ "name": c.name, "image": c.image, "imageID": "", "ready": true, "started": true,
                    "restartCount": 1, "state": { "running": { "startedAt": now } } })
        });
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
        let old = ts(now_minus(since));
        let patch = json!({ "status": { "conditions": [
            { "type": "Ready", "status": "True", "lastTransitionTime": old },
            { "type": "ContainersReady", "status": "True", "lastTransitionTime": old }
        ] } });
        self.api::<Pod>().patch_status(name, &as_kubelet(), &Patch::Merge(&patch)).await.expect("patch pod status");
    }
}
