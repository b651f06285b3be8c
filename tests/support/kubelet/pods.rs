//! The kubelet's part for each pod: once bound to a node that acts, it is reported Running and
//! Ready (or crash-looping, for a broken image), and a graceful deletion is confirmed.

use std::collections::BTreeSet;
use std::sync::Mutex;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, Patch, Preconditions};
use serde_json::{Value, json};

use super::{Kubelet, State, scheduler, ts};

impl Kubelet {
    /// Containers with this image crash-loop.
    pub fn break_image(&self, image: &str) {
        self.state.lock().unwrap().broken_images.insert(image.into());
    }
}

/// One simulator step for one pod: confirm its deletion, bind it, or report its status.
pub(super) async fn sync_pod(pods: &Api<Pod>, pod: &Pod, state: &Mutex<State>, bound: &BTreeSet<String>) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let uid = pod.metadata.uid.clone();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    let (acts, broken, target) = {
        let st = state.lock().unwrap();
        let acts = node.as_ref().and_then(|n| st.nodes.get(n)).is_some_and(|n| n.acts);
        let image = pod.spec.as_ref().and_then(|s| s.containers.first()).and_then(|c| c.image.clone());
        let broken = image.is_some_and(|i| st.broken_images.contains(&i));
        (acts, broken, scheduler::target(&st, pod, bound))
    };
    if pod.metadata.deletion_timestamp.is_some() {
        if acts {
            // The kubelet confirms the graceful deletion once containers stopped.
            let dp = DeleteParams {
                grace_period_seconds: Some(0),
                preconditions: Some(Preconditions { uid, resource_version: None }),
                ..Default::default()
            };
            let _ = pods.delete(&name, &dp).await;
        }
        return;
    }
    if let Some(target) = target {
        scheduler::bind(pods, &name, &target).await;
        return;
    }
    if !acts {
        return;
    }
    let status = pod.status.clone().unwrap_or_default();
    let ready = status.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True");
    let running = status.phase.as_deref() == Some("Running");
    let want_ready = !broken;
    if running && ready == want_ready && !(broken && status.container_statuses.is_none()) {
        return;
    }
    let patch = running_status(pod, broken);
    // As field manager `kubelet`, as a real kubelet: force-delete's status-silent check reads it.
    let _ = pods.patch_status(&name, &crate::support::pod_status::as_kubelet(), &Patch::Merge(&patch)).await;
}

/// The status a kubelet reports for a pod it started now: Running, and Ready unless its containers
/// crash-loop (`broken`).
fn running_status(pod: &Pod, broken: bool) -> Value {
    let now = ts(Timestamp::now());
    let containers: Vec<Value> = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| {
            let state = if broken {
                json!({ "waiting": { "reason": "CrashLoopBackOff", "message": "back-off restarting failed container" } })
            } else {
                json!({ "running": { "startedAt": now } })
            };
            json!({
                "name": c.name, "image": c.image, "imageID": "", "ready": !broken, "started": !broken,
                "restartCount": if broken { 3 } else { 0 }, "state": state,
                "lastState": if broken { json!({ "terminated": { "exitCode": 1, "reason": "Error" } }) } else { json!({}) }
            })
        })
        .collect();
    let flag = if broken { "False" } else { "True" };
    json!({ "status": {
        "phase": "Running", "startTime": now, "podIP": "10.1.0.1", "hostIP": "10.0.0.1",
        "conditions": [
            { "type": "Initialized", "status": "True", "lastTransitionTime": now },
            { "type": "Ready", "status": flag, "lastTransitionTime": now },
            { "type": "ContainersReady", "status": flag, "lastTransitionTime": now },
            { "type": "PodScheduled", "status": "True", "lastTransitionTime": now }
        ],
        "containerStatuses": containers
    } })
}
