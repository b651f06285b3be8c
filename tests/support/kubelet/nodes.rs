//! Fake nodes: their Node objects, what they report (the Ready condition, taints), their Leases in
//! `kube-node-lease`, and how a test makes one look healthy, partitioned, lost or gone.

use std::sync::Mutex;
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::{Kubelet, NodeState, State, micro, now_minus, ts};

/// Node Leases, where the node controller and `sts-doctor` read a kubelet's heartbeats.
pub(super) fn leases(client: Client) -> Api<Lease> {
    Api::namespaced(client, "kube-node-lease")
}

/// Renews the Lease of every node that still renews it.
pub(super) async fn renew_leases(client: &Client, state: &Mutex<State>) {
    let renewing: Vec<String> =
        state.lock().unwrap().nodes.iter().filter(|(_, s)| s.renews_lease).map(|(n, _)| n.clone()).collect();
    let leases = leases(client.clone());
    for node in renewing {
        let patch = json!({ "spec": { "renewTime": micro(Timestamp::now()) } });
        let _ = leases.patch(&node, &PatchParams::default(), &Patch::Merge(&patch)).await;
    }
}

impl Kubelet {
    /// Changes what the simulator does for node `short` (a node it does not know is left alone).
    fn update_node(&self, short: &str, change: impl FnOnce(&mut NodeState)) {
        if let Some(n) = self.state.lock().unwrap().nodes.get_mut(&self.node(short)) {
            change(n);
        }
    }

    /// Creates a healthy, Ready, schedulable Node with a fresh Lease.
    pub async fn add_node(&self, short: &str) {
        let name = self.node(short);
        let nodes: Api<Node> = Api::all(self.client.clone());
        let node: Node = serde_json::from_value(json!({
            "metadata": { "name": name, "labels": { "kubernetes.io/hostname": name } }
        }))
        .unwrap();
        nodes.create(&PostParams::default(), &node).await.expect("create node");
        // The API server adds node.kubernetes.io/not-ready on create; a kubelet reporting Ready clears it.
        nodes
            .patch(&name, &PatchParams::default(), &Patch::Merge(json!({ "spec": { "taints": null } })))
            .await
            .expect("untaint node");
        self.set_ready(short, "True", "KubeletReady", Duration::ZERO).await;
        let lease: Lease = serde_json::from_value(json!({
            "metadata": { "name": name },
            "spec": { "holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": micro(Timestamp::now()) }
        }))
        .unwrap();
        leases(self.client.clone()).create(&PostParams::default(), &lease).await.expect("create lease");
        self.state.lock().unwrap().nodes.insert(name, NodeState { acts: true, renews_lease: true, schedulable: true });
    }

    /// Sets the node's Ready condition, as if it changed `ago`.
    pub async fn set_ready(&self, short: &str, status: &str, reason: &str, ago: Duration) {
        let _quiet = self.step.lock().await;
        self.write_ready(short, status, reason, ago).await;
    }

    async fn write_ready(&self, short: &str, status: &str, reason: &str, ago: Duration) {
        let at = ts(now_minus(ago));
        let nodes: Api<Node> = Api::all(self.client.clone());
        let patch = json!({ "status": { "conditions": [{
            "type": "Ready", "status": status, "reason": reason, "message": format!("simulated: {reason}"),
            "lastHeartbeatTime": at, "lastTransitionTime": at
        }] } });
        nodes
            .patch_status(&self.node(short), &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .expect("patch node status");
    }

    /// Sets the Lease's renewTime to `ago` and stops renewing it.
    pub async fn stale_lease(&self, short: &str, ago: Duration) {
        let _quiet = self.step.lock().await;
        self.write_stale_lease(short, ago).await;
    }

    async fn write_stale_lease(&self, short: &str, ago: Duration) {
        self.update_node(short, |n| n.renews_lease = false);
        let patch = json!({ "spec": { "renewTime": micro(now_minus(ago)) } });
        leases(self.client.clone())
            .patch(&self.node(short), &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .expect("patch lease");
    }

    /// Adds a taint, as if added `ago`.
    pub async fn taint(&self, short: &str, key: &str, effect: &str, ago: Duration) {
        let nodes: Api<Node> = Api::all(self.client.clone());
        let name = self.node(short);
        let node = nodes.get(&name).await.expect("get node");
        let mut taints: Vec<Value> = node
            .spec
            .and_then(|s| s.taints)
            .unwrap_or_default()
            .into_iter()
            .map(|t| serde_json::to_value(t).unwrap())
            .collect();
        taints.push(json!({ "key": key, "effect": effect, "timeAdded": ts(now_minus(ago)) }));
        nodes
            .patch(&name, &PatchParams::default(), &Patch::Merge(json!({ "spec": { "taints": taints } })))
            .await
            .expect("taint node");
    }

    /// The node stops acting and taking new pods, and its Ready condition is Unknown since `ago`
    /// (as the node lifecycle controller marks a node it no longer hears from).
    async fn write_unreachable(&self, short: &str, ago: Duration) {
        self.update_node(short, |n| {
            n.acts = false;
            n.schedulable = false;
        });
        self.write_ready(short, "Unknown", "NodeStatusUnknown", ago).await;
    }

    /// A node that stopped `ago`: it no longer acts or renews its Lease; Ready is Unknown since
    /// then, unreachable taints are set (as the node lifecycle controller would), its pods are
    /// marked not Ready, and they started (and the kubelet last wrote them) before then.
    pub async fn lose_node(&self, short: &str, ago: Duration) {
        let _quiet = self.step.lock().await;
        self.write_unreachable(short, ago).await;
        self.write_stale_lease(short, ago).await;
        self.taint(short, "node.kubernetes.io/unreachable", "NoSchedule", ago).await;
        self.taint(short, "node.kubernetes.io/unreachable", "NoExecute", ago).await;
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.ns);
        // As the node lifecycle controller marks them (never as the kubelet, which is gone).
        let controller = PatchParams { field_manager: Some("kube-controller-manager".into()), ..Default::default() };
        for pod in self.pods_on(short).await {
            let patch = json!({ "status": { "conditions": [
                { "type": "Ready", "status": "False", "reason": "NodeLost", "lastTransitionTime": ts(now_minus(ago)) }
            ] } });
            let _ = pods.patch_status(pod.metadata.name.as_deref().unwrap(), &controller, &Patch::Merge(&patch)).await;
        }
        // Last: the kubelet's managedFields time must be the one dated here.
        self.started_before(short, ago).await;
    }

    /// The pods of this namespace bound to `node` (short name).
    pub(super) async fn pods_on(&self, node: &str) -> Vec<Pod> {
        let name = self.node(node);
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.ns);
        let mut all = pods.list(&ListParams::default()).await.expect("list pods").items;
        all.retain(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name.as_str()));
        all
    }

    /// Node Ready is Unknown since `ago` but its kubelet still renews the Lease (a flapping
    /// or status-only partition).
    pub async fn flap_node(&self, short: &str, ago: Duration) {
        let _quiet = self.step.lock().await;
        self.write_unreachable(short, ago).await;
    }

    /// Deletes the Node object (as a cloud provider does for a terminated VM).
    pub async fn delete_node(&self, short: &str) {
        let _quiet = self.step.lock().await;
        self.update_node(short, |n| {
            n.acts = false;
            n.renews_lease = false;
            n.schedulable = false;
        });
        let nodes: Api<Node> = Api::all(self.client.clone());
        nodes.delete(&self.node(short), &DeleteParams::default()).await.expect("delete node");
    }

    /// Stops scheduling new pods on the node (cordon) without changing anything else.
    pub fn cordon(&self, short: &str) {
        self.update_node(short, |n| n.schedulable = false);
    }

    /// Stops the node from acting at all (no Ready, no finishing deletions) but leaves its status.
    pub fn freeze(&self, short: &str) {
        self.update_node(short, |n| n.acts = false);
    }
}
