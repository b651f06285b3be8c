//! The scheduler's part: which node a pending pod is bound to, and when (not while held, not
//! before its claims are Bound).

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::api::{Api, PostParams};
use serde_json::{Value, json};

use super::{Kubelet, State};

impl Kubelet {
    /// Pods named `pod` go to node `short`.
    pub fn pin(&self, pod: &str, short: &str) {
        let node = self.node(short);
        self.state.lock().unwrap().pinned.insert(pod.into(), node);
    }

    /// Leaves the pod Pending (unscheduled) until released.
    pub fn hold(&self, pod: &str) {
        self.state.lock().unwrap().hold.insert(pod.into());
    }

    pub fn release(&self, pod: &str) {
        self.state.lock().unwrap().hold.remove(pod);
    }
}

/// The names of the claims that are Bound and not being deleted.
pub(super) fn bound_claims(claims: &[PersistentVolumeClaim]) -> BTreeSet<String> {
    claims
        .iter()
        .filter(|c| c.metadata.deletion_timestamp.is_none())
        .filter(|c| c.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound"))
        .filter_map(|c| c.metadata.name.clone())
        .collect()
}

/// The node to bind `pod` to now, if it is unscheduled, not held, its claims are Bound and a node
/// takes it.
pub(super) fn target(st: &State, pod: &Pod, bound: &BTreeSet<String>) -> Option<String> {
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let unscheduled = pod.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_none();
    let schedulable = unscheduled && !st.hold.contains(name) && claims_bound(pod, bound);
    if schedulable { pick_node(st, name) } else { None }
}

/// Binds the pod to `node`, as the scheduler does (a Binding, not a spec update).
pub(super) async fn bind(pods: &Api<Pod>, name: &str, node: &str) {
    let binding = json!({
        "apiVersion": "v1", "kind": "Binding",
        "metadata": { "name": name },
        "target": { "apiVersion": "v1", "kind": "Node", "name": node }
    });
    let _ = pods.create_subresource::<Value, Value>("binding", name, &PostParams::default(), &binding).await;
}

/// Whether every claim the pod mounts exists and is Bound. The real scheduler's VolumeBinding
/// plugin keeps a pod with an unbound (or missing) claim of an Immediate class Pending ("pod has
/// unbound immediate PersistentVolumeClaims"): a pod is never Running on a claim still Pending.
fn claims_bound(pod: &Pod, bound: &BTreeSet<String>) -> bool {
    let volumes = pod.spec.iter().flat_map(|s| s.volumes.iter().flatten());
    volumes.filter_map(|v| v.persistent_volume_claim.as_ref()).all(|c| bound.contains(&c.claim_name))
}

/// Pinned node, else spread by the pod's trailing ordinal over schedulable nodes (deterministic).
fn pick_node(st: &State, pod: &str) -> Option<String> {
    if let Some(node) = st.pinned.get(pod) {
        return Some(node.clone());
    }
    let candidates: Vec<&String> = st.nodes.iter().filter(|(_, s)| s.schedulable && s.acts).map(|(n, _)| n).collect();
    if candidates.is_empty() {
        return None;
    }
    let ordinal: usize = pod.rsplit('-').next().and_then(|s| s.parse().ok()).unwrap_or(0);
    Some(candidates[ordinal % candidates.len()].clone())
}
