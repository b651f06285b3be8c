//! Helpers for force-delete tests: pod uids, waiting for a replacement, VolumeAttachments,
//! events about a pod, RBAC grants for the no-permission `viewer` user.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Event, Node, PersistentVolumeClaim, Pod};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::api::storage::v1::VolumeAttachment;
use kube::api::{Api, DeleteParams, PostParams};
use serde_json::json;

use super::{Env, eventually};

impl Env {
    /// The uid of pod `name`, if it exists.
    pub async fn pod_uid(&self, name: &str) -> Option<String> {
        self.api::<Pod>().get_opt(name).await.expect("get pod").and_then(|p| p.metadata.uid)
    }

    /// Pod `name` exists with `uid`: a refusal or a dry run left it alone. A deletion in progress
    /// is allowed only as taint eviction makes it on a lost node (graceful, the pod's own grace
    /// period); a force-delete would have removed the pod.
    pub async fn assert_untouched(&self, name: &str, uid: &str) {
        let pod = self.api::<Pod>().get_opt(name).await.expect("get pod");
        let pod = pod.unwrap_or_else(|| panic!("pod {name} is gone"));
        assert_eq!(pod.metadata.uid.as_deref(), Some(uid), "pod {name} was replaced");
        if pod.metadata.deletion_timestamp.is_some() {
            let grace = pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds);
            assert_eq!(
                pod.metadata.deletion_grace_period_seconds, grace,
                "pod {name} is being deleted with another grace"
            );
        }
    }

    /// Waits until pod `name` exists with a uid other than `old`, bound to a node and not being
    /// deleted; returns it. (Whether it can start depends on its volume: see [`Env::wait_ready`].)
    pub async fn wait_replaced(&self, name: &str, old: &str) -> Pod {
        let api = self.api::<Pod>();
        eventually(&format!("{name} replaced (uid other than {old}) and scheduled"), Duration::from_secs(90), || {
            let api = api.clone();
            async move {
                let p = api.get_opt(name).await.ok()??;
                let bound = p.spec.as_ref()?.node_name.is_some();
                (p.metadata.uid.as_deref() != Some(old) && bound && p.metadata.deletion_timestamp.is_none())
                    .then_some(p)
            }
        })
        .await
    }

    /// The node pod `name` is bound to.
    pub async fn pod_node(&self, name: &str) -> Option<String> {
        self.api::<Pod>().get_opt(name).await.expect("get pod")?.spec?.node_name
    }

    /// The PV bound to claim `name`.
    pub async fn claim_volume(&self, name: &str) -> String {
        let claim = self.api::<PersistentVolumeClaim>().get(name).await.expect("get claim");
        claim.spec.and_then(|s| s.volume_name).expect("claim is bound")
    }

    /// A VolumeAttachment of PV `volume` to `node` (as a CSI attacher would create); cluster-scoped,
    /// so the caller deletes it with [`Env::delete_volume_attachment`].
    pub async fn attach(&self, volume: &str, node: &str) -> String {
        let name = format!("{}-va", self.ns);
        let va: VolumeAttachment = serde_json::from_value(json!({
            "metadata": { "name": name },
            "spec": { "attacher": "csi.example.com", "nodeName": node, "source": { "persistentVolumeName": volume } }
        }))
        .unwrap();
        Api::<VolumeAttachment>::all(self.client.clone()).create(&PostParams::default(), &va).await.expect("create va");
        name
    }

    /// The nodes PV `volume` has a VolumeAttachment to (not being deleted), sorted.
    pub async fn attachments(&self, volume: &str) -> Vec<String> {
        let all = Api::<VolumeAttachment>::all(self.client.clone()).list(&Default::default()).await.expect("list vas");
        let mut nodes: Vec<String> = all
            .items
            .into_iter()
            .filter(|va| va.metadata.deletion_timestamp.is_none())
            .filter(|va| va.spec.source.persistent_volume_name.as_deref() == Some(volume))
            .map(|va| va.spec.node_name)
            .collect();
        nodes.sort();
        nodes
    }

    pub async fn delete_volume_attachment(&self, name: &str) {
        let _ = Api::<VolumeAttachment>::all(self.client.clone()).delete(name, &DeleteParams::default()).await;
    }

    /// A Warning event about pod `name` with `uid`, as the attach/detach controller records it.
    pub async fn pod_event(&self, name: &str, uid: &str, reason: &str, message: &str) {
        let now = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let event: Event = serde_json::from_value(json!({
            "metadata": { "name": format!("{name}.{}", &uid[..8]) },
            "involvedObject": { "kind": "Pod", "apiVersion": "v1", "namespace": self.ns, "name": name, "uid": uid },
            "reason": reason, "message": message, "type": "Warning", "count": 1,
            "firstTimestamp": now, "lastTimestamp": now, "source": { "component": "attachdetach-controller" }
        }))
        .unwrap();
        self.api::<Event>().create(&PostParams::default(), &event).await.expect("create event");
    }

    /// Lets the `viewer` user do `verbs` on core `resources` in this namespace only.
    pub async fn grant_viewer(&self, resources: &[&str], verbs: &[&str]) {
        let role: Role = serde_json::from_value(json!({
            "metadata": { "name": "viewer" },
            "rules": [{ "apiGroups": [""], "resources": resources, "verbs": verbs }]
        }))
        .unwrap();
        self.api::<Role>().create(&PostParams::default(), &role).await.expect("create role");
        let binding: RoleBinding = serde_json::from_value(json!({
            "metadata": { "name": "viewer" },
            "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "viewer" },
            "subjects": [{ "apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "viewer" }]
        }))
        .unwrap();
        self.api::<RoleBinding>().create(&PostParams::default(), &binding).await.expect("create rolebinding");
        self.wait_allowed("viewer", verbs[0], "", resources[0], true).await;
    }

    /// "key:effect" of every taint on `node`.
    pub async fn taints(&self, node: &str) -> Vec<String> {
        let node = Api::<Node>::all(self.client.clone()).get(node).await.expect("get node");
        node.spec
            .and_then(|s| s.taints)
            .unwrap_or_default()
            .into_iter()
            .map(|t| match t.value {
                Some(v) if !v.is_empty() => format!("{}={v}:{}", t.key, t.effect),
                _ => format!("{}:{}", t.key, t.effect),
            })
            .collect()
    }
}
