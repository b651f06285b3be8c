//! The CSI external-provisioner's part: a PV of the simulator's driver pre-bound to each pending
//! claim, once; the real PV controller completes the binding.

use std::sync::Mutex;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use kube::Client;
use kube::api::{Api, PostParams};
use serde_json::json;

use super::{Kubelet, State};

impl Kubelet {
    /// Reclaim policy of PVs provisioned from now on.
    pub fn reclaim_policy(&self, policy: &str) {
        self.state.lock().unwrap().reclaim_policy = policy.into();
    }

    /// Stops provisioning PVs (claims stay Pending).
    pub fn stop_provisioning(&self) {
        self.state.lock().unwrap().provision = false;
    }
}

/// Creates a PV pre-bound to each pending claim; the real PV controller completes the binding.
pub(super) async fn provision(client: &Client, ns: &str, state: &Mutex<State>, claims: Vec<PersistentVolumeClaim>) {
    let (enabled, policy) = {
        let st = state.lock().unwrap();
        (st.provision, st.reclaim_policy.clone())
    };
    if !enabled {
        return;
    }
    let volumes: Api<PersistentVolume> = Api::all(client.clone());
    let mut new_volumes = Vec::new();
    for claim in claims {
        let uid = claim.metadata.uid.clone().unwrap_or_default();
        let spec = claim.spec.clone().unwrap_or_default();
        let pending = claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Pending");
        if !pending || spec.volume_name.is_some() || claim.metadata.deletion_timestamp.is_some() {
            continue;
        }
        if !state.lock().unwrap().provisioned.insert(uid.clone()) {
            continue;
        }
        let size = spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .map(|q| q.0.clone())
            .unwrap_or_else(|| "1Gi".into());
        let pv: PersistentVolume = serde_json::from_value(json!({
            "metadata": { "name": format!("pv-{uid}") },
            "spec": {
                "capacity": { "storage": size },
                "accessModes": spec.access_modes.clone().unwrap_or_else(|| vec!["ReadWriteOnce".into()]),
                "persistentVolumeReclaimPolicy": policy,
                "storageClassName": spec.storage_class_name.clone().unwrap_or_default(),
                "csi": { "driver": super::attacher::DRIVER, "volumeHandle": format!("pv-{uid}"), "fsType": "ext4" },
                "claimRef": {
                    "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "namespace": ns, "name": claim.metadata.name, "uid": uid
                }
            }
        }))
        .unwrap();
        new_volumes.push(pv);
    }
    futures::stream::iter(new_volumes)
        .for_each_concurrent(32, |pv| {
            let volumes = volumes.clone();
            async move {
                let _ = volumes.create(&PostParams::default(), &pv).await;
            }
        })
        .await;
}
