//! The kubelet's part for each pod: once the scheduler has bound it to a node that acts, it is
//! reported Running and Ready (or crash-looping, for a broken image; or left Pending while held),
//! and a graceful deletion is confirmed.

use std::sync::Mutex;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::api::{Api, DeleteParams, Patch, Preconditions};
use serde_json::{Value, json};

use super::attacher::{Attached, volumes_of};
use super::{Kubelet, State, ts};

impl Kubelet {
    /// Containers with this image crash-loop.
    pub fn break_image(&self, image: &str) {
        self.state.lock().unwrap().broken_images.insert(image.into());
    }

    /// The kubelet does not start pod `pod` (it stays Pending, ContainerCreating, on its node)
    /// until released.
    pub fn hold(&self, pod: &str) {
        self.state.lock().unwrap().hold.insert(pod.into());
    }

    /// Waits until held pod `pod` is bound and its kubelet has reported it ContainerCreating, so
    /// that what a command shows of it next does not depend on the simulator's timing.
    pub async fn wait_held(&self, pod: &str) {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.ns);
        crate::support::eventually(
            &format!("{pod} held in ContainerCreating"),
            std::time::Duration::from_secs(60),
            || {
                let pods = pods.clone();
                async move {
                    let p = pods.get_opt(pod).await.ok()??;
                    let statuses = p.status?.container_statuses?;
                    let creating = statuses.iter().any(|c| {
                        c.state.as_ref().and_then(|s| s.waiting.as_ref()).and_then(|w| w.reason.as_deref())
                            == Some("ContainerCreating")
                    });
                    (creating && p.metadata.deletion_timestamp.is_none()).then_some(())
                }
            },
        )
        .await;
    }

    pub fn release(&self, pod: &str) {
        self.state.lock().unwrap().hold.remove(pod);
    }
}

/// One simulator step for one pod: confirm its deletion, or report its status.
pub(super) async fn sync_pod(
    pods: &Api<Pod>,
    pod: &Pod,
    state: &Mutex<State>,
    claims: &[PersistentVolumeClaim],
    attached: &Attached,
) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let uid = pod.metadata.uid.clone();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    let (acts, broken, held) = {
        let st = state.lock().unwrap();
        let acts = node.as_ref().and_then(|n| st.nodes.get(n)).is_some_and(|n| n.acts);
        let image = pod.spec.as_ref().and_then(|s| s.containers.first()).and_then(|c| c.image.clone());
        let broken = image.is_some_and(|i| st.broken_images.contains(&i));
        (acts, broken, st.hold.contains(&name))
    };
    // Containers start only once every volume is attached to this node (else ContainerCreating,
    // as the kubelet waits for the attach/detach controller).
    let volumes_ready = node.as_ref().is_some_and(|n| {
        let st = state.lock().unwrap();
        let attachable = |pv: &String| st.provisioned.contains(pv.strip_prefix("pv-").unwrap_or(pv));
        volumes_of(pod, claims)
            .is_some_and(|pvs| pvs.into_iter().all(|pv| !attachable(&pv) || attached.contains(&(pv, n.clone()))))
    });
    let held = held || !volumes_ready;
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
    if !acts {
        return;
    }
    let status = pod.status.clone().unwrap_or_default();
    // Succeeded and Failed are final: a kubelet never runs such a pod again.
    if matches!(status.phase.as_deref(), Some("Succeeded" | "Failed")) {
        return;
    }
    if held {
        if status.container_statuses.is_none() {
            let patch = creating_status(pod);
            let _ = pods.patch_status(&name, &crate::support::pod_status::as_kubelet(), &Patch::Merge(&patch)).await;
        }
        return;
    }
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

/// One status per container of the pod's spec, made by `status`.
pub(crate) fn container_statuses(
    pod: &Pod,
    status: impl Fn(&k8s_openapi::api::core::v1::Container) -> Value,
) -> Vec<Value> {
    pod.spec.iter().flat_map(|s| s.containers.iter()).map(status).collect()
}

/// The status a kubelet reports for a pod whose containers it has not started yet.
fn creating_status(pod: &Pod) -> Value {
    let now = ts(Timestamp::now());
    let containers = container_statuses(pod, |c| {
        json!({ "name": c.name, "image": c.image, "imageID": "", "ready": false, "started": false,
                "restartCount": 0, "state": { "waiting": { "reason": "ContainerCreating" } } })
    });
    json!({ "status": {
        "phase": "Pending", "startTime": now, "hostIP": "127.0.0.1",
        "conditions": [
            { "type": "Initialized", "status": "True", "lastTransitionTime": now },
            { "type": "Ready", "status": "False", "reason": "ContainersNotReady", "lastTransitionTime": now },
            { "type": "ContainersReady", "status": "False", "reason": "ContainersNotReady", "lastTransitionTime": now },
            { "type": "PodScheduled", "status": "True", "lastTransitionTime": now }
        ],
        "containerStatuses": containers
    } })
}

/// The status a kubelet reports for a pod it started now: Running, and Ready unless its containers
/// crash-loop (`broken`).
fn running_status(pod: &Pod, broken: bool) -> Value {
    let now = ts(Timestamp::now());
    let containers = container_statuses(pod, |c| {
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
    });
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
