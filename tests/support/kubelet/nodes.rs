//! Fake nodes: their Node objects as a kubelet registers them, their Leases in `kube-node-lease`
//! (renewed every second), and how a test makes one stop, vanish or look partitioned.
//!
//! A node is lost in real time: its kubelet stops renewing the Lease and acting for its pods; the
//! real node lifecycle controller marks it Unknown and taints it `node.kubernetes.io/unreachable`
//! once the Lease is older than its grace period (start.sh: 10s), and taint eviction marks its pods
//! Terminating after their default tolerations (start.sh: 2s).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::{Kubelet, NodeState, State, micro, now_minus, ts};
use crate::support::eventually;

/// The Lease duration the simulated kubelets announce (a real kubelet's is 40s by default; the
/// test cluster's node-monitor grace period is shortened to match).
pub const LEASE_SECONDS: i32 = 10;

/// How long a node loss takes to show, at most: the grace period, the controller's period, and
/// the time a loaded API server takes.
const LOSS_SHOWS_WITHIN: Duration = Duration::from_secs(60);

/// Node Leases, where the node controller and `sts-doctor` read a kubelet's heartbeats.
pub(super) fn leases(client: Client) -> Api<Lease> {
    Api::namespaced(client, "kube-node-lease")
}

/// Renews, every second, the Lease of every node that still renews it (a real kubelet renews at a
/// quarter of the duration).
pub(super) async fn renew_leases(client: Client, state: Arc<Mutex<State>>) {
    let leases = leases(client);
    loop {
        let renewing: Vec<String> =
            state.lock().unwrap().nodes.iter().filter(|(_, s)| s.renews_lease).map(|(n, _)| n.clone()).collect();
        // All at once: one after another, 50 nodes on a loaded API server took longer than the
        // grace period, and healthy nodes went Unknown.
        futures::stream::iter(renewing)
            .for_each_concurrent(16, |node| {
                let leases = leases.clone();
                async move {
                    let patch = json!({ "spec": { "renewTime": micro(Timestamp::now()) } });
                    let _ = leases.patch(&node, &PatchParams::default(), &Patch::Merge(&patch)).await;
                }
            })
            .await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

impl Kubelet {
    /// Changes what the simulator does for node `short` (a node it does not know is left alone).
    pub(super) fn update_node(&self, short: &str, change: impl FnOnce(&mut NodeState)) {
        if let Some(n) = self.state.lock().unwrap().nodes.get_mut(&self.node(short)) {
            change(n);
        }
    }

    /// Registers a node as a kubelet does: the Node with its capacity and Ready, and its Lease.
    pub async fn add_node(&self, short: &str) {
        let name = self.node(short);
        let nodes: Api<Node> = Api::all(self.client.clone());
        let node: Node = serde_json::from_value(json!({
            "metadata": {
                "name": name,
                "labels": {
                    "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                    crate::support::NODE_LABEL: self.ns
                },
                // As a kubelet registers: the attach/detach controller attaches its volumes.
                "annotations": { "volumes.kubernetes.io/controller-managed-attach-detach": "true" }
            }
        }))
        .unwrap();
        nodes.create(&PostParams::default(), &node).await.expect("create node");
        let lease: Lease = serde_json::from_value(json!({
            "metadata": { "name": name },
            "spec": { "holderIdentity": name, "leaseDurationSeconds": LEASE_SECONDS, "renewTime": micro(Timestamp::now()) }
        }))
        .unwrap();
        leases(self.client.clone()).create(&PostParams::default(), &lease).await.expect("create lease");
        self.state.lock().unwrap().nodes.insert(name.clone(), NodeState { acts: true, renews_lease: true });
        let now = ts(Timestamp::now());
        let resources = json!({ "cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "100Gi" });
        let status = json!({ "status": {
            "capacity": resources, "allocatable": resources,
            "addresses": [{ "type": "InternalIP", "address": "127.0.0.1" }, { "type": "Hostname", "address": name }],
            "nodeInfo": {
                "kubeletVersion": "v1.0.0-sts-doctor-sim", "kubeProxyVersion": "", "containerRuntimeVersion": "sim://1",
                "operatingSystem": "linux", "architecture": "amd64", "kernelVersion": "", "osImage": "",
                "machineID": "", "systemUUID": "", "bootID": ""
            },
            "conditions": [{
                "type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                "lastHeartbeatTime": now, "lastTransitionTime": now
            }]
        } });
        nodes.patch_status(&name, &PatchParams::default(), &Patch::Merge(&status)).await.expect("node status");
        // The node lifecycle controller takes node.kubernetes.io/not-ready off once it sees Ready:
        // wait for that, so the scheduler takes the node from the start.
        eventually(&format!("node {name} untainted by the node lifecycle controller"), LOSS_SHOWS_WITHIN, || {
            let nodes = nodes.clone();
            let name = name.clone();
            async move {
                let node = nodes.get(&name).await.ok()?;
                let taints = node.spec.and_then(|s| s.taints).unwrap_or_default();
                taints.iter().all(|t| !t.key.starts_with("node.kubernetes.io/not-ready")).then_some(())
            }
        })
        .await;
    }

    /// Sets the node's Ready condition, as if it changed `ago` (a back-dated write: for what real
    /// time cannot reach, e.g. a status-only partition).
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

    /// Sets the Lease's renewTime to `ago` and stops renewing it (back-dated: the node lifecycle
    /// controller sees it as silent at once).
    pub async fn stale_lease(&self, short: &str, ago: Duration) {
        let _quiet = self.step.lock().await;
        self.update_node(short, |n| n.renews_lease = false);
        let patch = json!({ "spec": { "renewTime": micro(now_minus(ago)) } });
        leases(self.client.clone())
            .patch(&self.node(short), &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .expect("patch lease");
    }

    /// Adds a taint, as if added `ago` (an operator's or a cloud provider's taint).
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

    /// The node goes silent now, for real: its kubelet stops renewing the Lease and acting for its
    /// pods. Returns once the node lifecycle controller has marked it Unknown and tainted it
    /// unreachable (NoExecute), the Lease is past its duration, and taint eviction has marked
    /// Terminating every pod on it that tolerates the taint only for a while (the API server's
    /// default tolerations).
    pub async fn lose_node(&self, short: &str) {
        {
            let _quiet = self.step.lock().await;
            self.update_node(short, |n| {
                n.acts = false;
                n.renews_lease = false;
            });
        }
        self.wait_lost(short).await;
    }

    /// Waits until the node lifecycle controller shows node `short` lost (see [`Kubelet::lose_node`]).
    pub async fn wait_lost(&self, short: &str) {
        let name = self.node(short);
        let nodes: Api<Node> = Api::all(self.client.clone());
        eventually(&format!("node {name} Unknown and tainted unreachable:NoExecute"), LOSS_SHOWS_WITHIN, || {
            let (nodes, name) = (nodes.clone(), name.clone());
            async move {
                let node = nodes.get(&name).await.ok()?;
                let unknown = node
                    .status
                    .as_ref()?
                    .conditions
                    .as_ref()?
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status == "Unknown");
                let tainted = node
                    .spec
                    .as_ref()?
                    .taints
                    .as_ref()?
                    .iter()
                    .any(|t| t.key == "node.kubernetes.io/unreachable" && t.effect == "NoExecute");
                (unknown && tainted).then_some(())
            }
        })
        .await;
        // Past the Lease's own duration too (renewTime + duration, the rule sts-doctor reads).
        tokio::time::sleep(Duration::from_secs(1)).await;
        eventually(&format!("pods on {name} evicted by taint eviction"), LOSS_SHOWS_WITHIN, || async {
            let pods = self.pods_on(short).await;
            pods.iter().all(|p| p.metadata.deletion_timestamp.is_some() || !evicted_soon(p)).then_some(())
        })
        .await;
    }

    /// The pods of this namespace bound to `node` (short name).
    pub async fn pods_on(&self, node: &str) -> Vec<Pod> {
        let name = self.node(node);
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.ns);
        let mut all = pods.list(&ListParams::default()).await.expect("list pods").items;
        all.retain(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name.as_str()));
        all
    }

    /// Node Ready is Unknown since `ago` but its kubelet still renews the Lease (a status-only
    /// partition; back-dated, as the node lifecycle controller never leaves a node so).
    pub async fn flap_node(&self, short: &str, ago: Duration) {
        let _quiet = self.step.lock().await;
        self.update_node(short, |n| n.acts = false);
        self.write_ready(short, "Unknown", "NodeStatusUnknown", ago).await;
    }

    /// Deletes the Node object (as a cloud provider does for a terminated VM).
    pub async fn delete_node(&self, short: &str) {
        let _quiet = self.step.lock().await;
        self.update_node(short, |n| {
            n.acts = false;
            n.renews_lease = false;
        });
        let nodes: Api<Node> = Api::all(self.client.clone());
        nodes.delete(&self.node(short), &DeleteParams::default()).await.expect("delete node");
    }

    /// Stops the node from acting at all (no Ready, no finishing deletions) but leaves its status
    /// and keeps renewing its Lease (a kubelet whose container runtime hangs).
    pub fn freeze(&self, short: &str) {
        self.update_node(short, |n| n.acts = false);
    }
}

/// Whether taint eviction marks this pod soon on an unreachable node: it tolerates
/// `node.kubernetes.io/unreachable:NoExecute` for a limited time only, or not at all.
fn evicted_soon(pod: &Pod) -> bool {
    let tolerations = pod.spec.as_ref().and_then(|s| s.tolerations.as_ref());
    let forever_or_long = tolerations.into_iter().flatten().any(|t| {
        let key = t.key.as_deref().is_none_or(|k| k == "node.kubernetes.io/unreachable");
        let effect = t.effect.as_deref().is_none_or(|e| e == "NoExecute");
        key && effect && t.toleration_seconds.is_none_or(|s| s > 30)
    });
    !forever_or_long
}
