//! A simulated kubelet + scheduler + volume provisioner for one test namespace.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, Preconditions};
use serde_json::{Value, json};

/// Simulated behaviour of one fake node.
#[derive(Debug, Clone)]
struct NodeState {
    /// Binds, readies and finishes deleting its pods.
    acts: bool,
    /// Renews its Lease.
    renews_lease: bool,
    /// New pods may be scheduled here.
    schedulable: bool,
}

#[derive(Debug, Default)]
struct State {
    nodes: BTreeMap<String, NodeState>,
    /// Pod name -> node it must go to.
    pinned: BTreeMap<String, String>,
    /// Images whose containers crash-loop instead of becoming ready.
    broken_images: BTreeSet<String>,
    /// Pods left Pending (not bound).
    hold: BTreeSet<String>,
    /// Claims already given a PV.
    provisioned: BTreeSet<String>,
    reclaim_policy: String,
    provision: bool,
}

pub struct Kubelet {
    client: Client,
    ns: String,
    state: Arc<Mutex<State>>,
    /// Held by the simulator for each step: a node lost (or a Lease stopped) waits for the step
    /// in flight, so no renewal or Ready report read before the change lands after it.
    step: Arc<tokio::sync::Mutex<()>>,
    task: tokio::task::JoinHandle<()>,
}

fn now_minus(ago: Duration) -> Timestamp {
    Timestamp::now() - SignedDuration::try_from(ago).expect("duration")
}

fn ts(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn micro(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string()
}

impl Kubelet {
    pub async fn start(client: Client, ns: &str, nodes: &[&str]) -> Kubelet {
        let state =
            Arc::new(Mutex::new(State { reclaim_policy: "Delete".into(), provision: true, ..Default::default() }));
        let step = Arc::new(tokio::sync::Mutex::new(()));
        let kubelet = Kubelet {
            client: client.clone(),
            ns: ns.to_string(),
            state: state.clone(),
            step: step.clone(),
            task: tokio::spawn(run(client, ns.to_string(), state, step)),
        };
        for node in nodes {
            kubelet.add_node(node).await;
        }
        kubelet
    }

    /// The cluster-wide name of this test's node `short` (node names are unique per test).
    pub fn node(&self, short: &str) -> String {
        format!("{}-{short}", self.ns)
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
        let leases: Api<Lease> = Api::namespaced(self.client.clone(), "kube-node-lease");
        let lease: Lease = serde_json::from_value(json!({
            "metadata": { "name": name },
            "spec": { "holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": micro(Timestamp::now()) }
        }))
        .unwrap();
        leases.create(&PostParams::default(), &lease).await.expect("create lease");
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
        let name = self.node(short);
        if let Some(n) = self.state.lock().unwrap().nodes.get_mut(&name) {
            n.renews_lease = false;
        }
        let leases: Api<Lease> = Api::namespaced(self.client.clone(), "kube-node-lease");
        let patch = json!({ "spec": { "renewTime": micro(now_minus(ago)) } });
        leases.patch(&name, &PatchParams::default(), &Patch::Merge(&patch)).await.expect("patch lease");
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

    /// A node that stopped `ago`: it no longer acts or renews its Lease; Ready is Unknown since
    /// then, unreachable taints are set (as the node lifecycle controller would), its pods are
    /// marked not Ready.
    pub async fn lose_node(&self, short: &str, ago: Duration) {
        let _quiet = self.step.lock().await;
        let name = self.node(short);
        if let Some(n) = self.state.lock().unwrap().nodes.get_mut(&name) {
            n.acts = false;
            n.schedulable = false;
        }
        self.write_ready(short, "Unknown", "NodeStatusUnknown", ago).await;
        self.write_stale_lease(short, ago).await;
        self.taint(short, "node.kubernetes.io/unreachable", "NoSchedule", ago).await;
        self.taint(short, "node.kubernetes.io/unreachable", "NoExecute", ago).await;
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.ns);
        for pod in pods.list(&ListParams::default()).await.expect("list pods").items {
            if pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name.as_str()) {
                let patch = json!({ "status": { "conditions": [
                    { "type": "Ready", "status": "False", "reason": "NodeLost", "lastTransitionTime": ts(now_minus(ago)) }
                ] } });
                let _ = pods
                    .patch_status(pod.metadata.name.as_deref().unwrap(), &PatchParams::default(), &Patch::Merge(&patch))
                    .await;
            }
        }
    }

    /// Node Ready is Unknown since `ago` but its kubelet still renews the Lease (a flapping
    /// or status-only partition).
    pub async fn flap_node(&self, short: &str, ago: Duration) {
        let _quiet = self.step.lock().await;
        let name = self.node(short);
        if let Some(n) = self.state.lock().unwrap().nodes.get_mut(&name) {
            n.acts = false;
            n.schedulable = false;
        }
        self.write_ready(short, "Unknown", "NodeStatusUnknown", ago).await;
    }

    /// Deletes the Node object (as a cloud provider does for a terminated VM).
    pub async fn delete_node(&self, short: &str) {
        let _quiet = self.step.lock().await;
        let name = self.node(short);
        if let Some(n) = self.state.lock().unwrap().nodes.get_mut(&name) {
            n.acts = false;
            n.renews_lease = false;
            n.schedulable = false;
        }
        let nodes: Api<Node> = Api::all(self.client.clone());
        nodes.delete(&name, &DeleteParams::default()).await.expect("delete node");
    }

    /// Stops scheduling new pods on the node (cordon) without changing anything else.
    pub fn cordon(&self, short: &str) {
        if let Some(n) = self.state.lock().unwrap().nodes.get_mut(&self.node(short)) {
            n.schedulable = false;
        }
    }

    /// Stops the node from acting at all (no Ready, no finishing deletions) but leaves its status.
    pub fn freeze(&self, short: &str) {
        if let Some(n) = self.state.lock().unwrap().nodes.get_mut(&self.node(short)) {
            n.acts = false;
        }
    }

    /// Pods named `pod` go to node `short`.
    pub fn pin(&self, pod: &str, short: &str) {
        let node = self.node(short);
        self.state.lock().unwrap().pinned.insert(pod.into(), node);
    }

    /// Containers with this image crash-loop.
    pub fn break_image(&self, image: &str) {
        self.state.lock().unwrap().broken_images.insert(image.into());
    }

    /// Leaves the pod Pending (unscheduled) until released.
    pub fn hold(&self, pod: &str) {
        self.state.lock().unwrap().hold.insert(pod.into());
    }

    pub fn release(&self, pod: &str) {
        self.state.lock().unwrap().hold.remove(pod);
    }

    /// Reclaim policy of PVs provisioned from now on.
    pub fn reclaim_policy(&self, policy: &str) {
        self.state.lock().unwrap().reclaim_policy = policy.into();
    }

    /// Stops provisioning PVs (claims stay Pending).
    pub fn stop_provisioning(&self) {
        self.state.lock().unwrap().provision = false;
    }
}

impl Drop for Kubelet {
    fn drop(&mut self) {
        self.task.abort();
        let names: Vec<String> = self.state.lock().unwrap().nodes.keys().cloned().collect();
        let client = self.client.clone();
        let cleanup = async move {
            let nodes: Api<Node> = Api::all(client.clone());
            let leases: Api<Lease> = Api::namespaced(client, "kube-node-lease");
            for n in names {
                let _ = nodes.delete(&n, &DeleteParams::default()).await;
                let _ = leases.delete(&n, &DeleteParams::default()).await;
            }
        };
        // Synchronously, as in `Env`'s drop: a spawned task would die with the runtime.
        if let Ok(handle) = tokio::runtime::Handle::try_current()
            && handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
        {
            tokio::task::block_in_place(|| handle.block_on(cleanup));
        }
    }
}

async fn run(client: Client, ns: String, state: Arc<Mutex<State>>, step_lock: Arc<tokio::sync::Mutex<()>>) {
    let mut tick: u64 = 0;
    loop {
        let quiet = step_lock.lock().await;
        if let Err(e) = step(&client, &ns, &state, tick.is_multiple_of(10)).await {
            eprintln!("kubelet simulator ({ns}): {e}");
        }
        drop(quiet);
        tick += 1;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn step(client: &Client, ns: &str, state: &Mutex<State>, renew: bool) -> kube::Result<()> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), ns);
    // Claims first: a pod is scheduled only once its claims were seen Bound (below).
    let claims = claims.list(&ListParams::default()).await?.items;
    let bound: BTreeSet<String> = claims
        .iter()
        .filter(|c| c.metadata.deletion_timestamp.is_none())
        .filter(|c| c.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound"))
        .filter_map(|c| c.metadata.name.clone())
        .collect();
    // Concurrently: benchmarks run thousands of pods through here.
    let list = pods.list(&ListParams::default()).await?.items;
    futures::stream::iter(list)
        .for_each_concurrent(32, |pod| {
            let (pods, bound) = (pods.clone(), &bound);
            async move { sync_pod(&pods, &pod, state, bound).await }
        })
        .await;
    provision(client, ns, state, claims).await;
    if renew {
        let renewing: Vec<String> =
            state.lock().unwrap().nodes.iter().filter(|(_, s)| s.renews_lease).map(|(n, _)| n.clone()).collect();
        let leases: Api<Lease> = Api::namespaced(client.clone(), "kube-node-lease");
        for node in renewing {
            let patch = json!({ "spec": { "renewTime": micro(Timestamp::now()) } });
            let _ = leases.patch(&node, &PatchParams::default(), &Patch::Merge(&patch)).await;
        }
    }
    Ok(())
}

async fn sync_pod(pods: &Api<Pod>, pod: &Pod, state: &Mutex<State>, bound: &BTreeSet<String>) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let uid = pod.metadata.uid.clone();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    let (acts, broken, target) = {
        let st = state.lock().unwrap();
        let acts = node.as_ref().and_then(|n| st.nodes.get(n)).is_some_and(|n| n.acts);
        let image = pod.spec.as_ref().and_then(|s| s.containers.first()).and_then(|c| c.image.clone());
        let broken = image.is_some_and(|i| st.broken_images.contains(&i));
        let schedulable = node.is_none() && !st.hold.contains(&name) && claims_bound(pod, bound);
        let target = if schedulable { pick_node(&st, &name) } else { None };
        (acts, broken, target)
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
        let binding = json!({
            "apiVersion": "v1", "kind": "Binding",
            "metadata": { "name": name },
            "target": { "apiVersion": "v1", "kind": "Node", "name": target }
        });
        let _ = pods.create_subresource::<Value, Value>("binding", &name, &PostParams::default(), &binding).await;
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
    let patch = json!({ "status": {
        "phase": "Running", "startTime": now, "podIP": "10.1.0.1", "hostIP": "10.0.0.1",
        "conditions": [
            { "type": "Initialized", "status": "True", "lastTransitionTime": now },
            { "type": "Ready", "status": flag, "lastTransitionTime": now },
            { "type": "ContainersReady", "status": flag, "lastTransitionTime": now },
            { "type": "PodScheduled", "status": "True", "lastTransitionTime": now }
        ],
        "containerStatuses": containers
    } });
    let _ = pods.patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch)).await;
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

/// Creates a PV pre-bound to each pending claim; the real PV controller completes the binding.
async fn provision(client: &Client, ns: &str, state: &Mutex<State>, claims: Vec<PersistentVolumeClaim>) {
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
                "hostPath": { "path": format!("/tmp/sts-doctor-pv/{uid}") },
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
