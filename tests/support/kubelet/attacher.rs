//! Volumes, as the CSI external-attacher and the kubelet see them. The real attach/detach
//! controller creates a VolumeAttachment when a pod with a claim is bound to a node (and deletes
//! it to detach); the attacher's part is marking it attached. The kubelet's part: it starts a pod
//! only once the pod's volumes are attached to its node, and reports the volumes its pods mount in
//! the Node's `status.volumesInUse` — which the controller waits on before it detaches, up to 6
//! minutes for a node that went silent, at once once the node is tainted out-of-service.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use k8s_openapi::api::core::v1::{Node, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::VolumeAttachment;
use kube::Client;
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde_json::json;

use super::State;

/// The CSI driver of every volume the simulator provisions.
pub const DRIVER: &str = "sts-doctor.test.csi";

/// (PV name, node name) of every volume attached to one of this simulator's nodes.
pub(super) type Attached = BTreeSet<(String, String)>;

/// Marks attached each VolumeAttachment of our driver to one of our nodes, and returns what is.
pub(super) async fn attach(client: &Client, state: &Mutex<State>) -> kube::Result<Attached> {
    let api: Api<VolumeAttachment> = Api::all(client.clone());
    let ours: BTreeSet<String> = state.lock().unwrap().nodes.keys().cloned().collect();
    let mut attached = Attached::new();
    for va in api.list(&ListParams::default()).await?.items {
        let (spec, name) = (&va.spec, va.metadata.name.clone().unwrap_or_default());
        if spec.attacher != DRIVER || !ours.contains(&spec.node_name) || va.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let Some(pv) = spec.source.persistent_volume_name.clone() else { continue };
        if !va.status.as_ref().is_some_and(|s| s.attached) {
            let patch = json!({ "status": { "attached": true } });
            if api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch)).await.is_err() {
                continue;
            }
        }
        attached.insert((pv, spec.node_name.clone()));
    }
    Ok(attached)
}

/// The PV names of the claims pod `pod` mounts, or None while one is not bound.
pub(super) fn volumes_of(pod: &Pod, claims: &[PersistentVolumeClaim]) -> Option<Vec<String>> {
    let by_name: BTreeMap<&str, &PersistentVolumeClaim> =
        claims.iter().filter_map(|c| Some((c.metadata.name.as_deref()?, c))).collect();
    let volumes = pod.spec.iter().flat_map(|s| s.volumes.iter().flatten());
    volumes
        .filter_map(|v| v.persistent_volume_claim.as_ref())
        .map(|c| by_name.get(c.claim_name.as_str())?.spec.as_ref()?.volume_name.clone())
        .collect()
}

/// How a kubelet names a CSI volume in `status.volumesInUse`.
fn unique_name(pv: &str) -> String {
    format!("kubernetes.io/csi/{DRIVER}^{pv}")
}

/// Reports, for each node that acts, the volumes of the pods it runs (not finished, not deleted)
/// in `status.volumesInUse`, when that changed. A node that stopped keeps what it last reported.
pub(super) async fn report_volumes_in_use(
    client: &Client,
    state: &Mutex<State>,
    pods: &[Pod],
    claims: &[PersistentVolumeClaim],
) {
    let acting: Vec<String> =
        state.lock().unwrap().nodes.iter().filter(|(_, n)| n.acts).map(|(name, _)| name.clone()).collect();
    let nodes: Api<Node> = Api::all(client.clone());
    for node in acting {
        let mut in_use: Vec<String> = pods
            .iter()
            .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node.as_str()))
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .filter(|p| !matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed")))
            .flat_map(|p| volumes_of(p, claims).unwrap_or_default())
            .map(|pv| unique_name(&pv))
            .collect();
        in_use.sort();
        in_use.dedup();
        let changed = state.lock().unwrap().volumes_in_use.get(&node) != Some(&in_use);
        if !changed {
            continue;
        }
        let patch = json!({ "status": { "volumesInUse": in_use } });
        if nodes.patch_status(&node, &PatchParams::default(), &Patch::Merge(&patch)).await.is_ok() {
            state.lock().unwrap().volumes_in_use.insert(node, in_use);
        }
    }
}
