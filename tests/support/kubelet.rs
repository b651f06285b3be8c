//! A simulated kubelet (and CSI provisioner) for one test namespace's nodes: the handle a test
//! holds, the state it shares with the simulator, and the simulator's loops.
//!
//! It does only what a kubelet and the CSI sidecars do; the real scheduler binds the pods, the
//! real node lifecycle controller marks a silent node Unknown and taints it, taint eviction and pod
//! GC act on that (tests/cluster/start.sh runs them all, their periods shortened). By
//! responsibility:
//! - [`nodes`]: fake Nodes (registered with capacity, Ready), their Leases (renewed every second
//!   by a loop of their own), and how a test makes one stop, vanish or look partitioned;
//! - [`placement`]: steering the real scheduler as an operator would (cordoning nodes);
//! - [`pods`]: what a node's kubelet reports for its pods, and confirming their deletion;
//! - [`provisioner`]: a CSI PV for each pending claim;
//! - [`attacher`]: VolumeAttachments marked attached, and the volumes a node reports in use.

mod attacher;
mod history;
mod nodes;
mod placement;
mod pods;

pub(crate) use pods::container_statuses;
mod provisioner;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, PersistentVolumeClaim, Pod};
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams};

/// Simulated behaviour of one fake node.
#[derive(Debug, Clone)]
struct NodeState {
    /// Binds, readies and finishes deleting its pods.
    acts: bool,
    /// Renews its Lease.
    renews_lease: bool,
}

#[derive(Debug, Default)]
struct State {
    nodes: BTreeMap<String, NodeState>,
    /// Images whose containers crash-loop instead of becoming ready.
    broken_images: BTreeSet<String>,
    /// Pods whose containers this kubelet does not start (left Pending, ContainerCreating).
    hold: BTreeSet<String>,
    /// What each node last reported in `status.volumesInUse`.
    volumes_in_use: BTreeMap<String, Vec<String>>,
    /// Claims already given a PV (by uid; the PV is `pv-<uid>`, a CSI volume of [`attacher::DRIVER`]:
    /// test-made PVs, e.g. local ones, need no attaching).
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
    /// Renews the Leases, apart from the pod loop so that a slow step never delays a heartbeat.
    renewer: tokio::task::JoinHandle<()>,
}

pub(super) fn now_minus(ago: Duration) -> Timestamp {
    Timestamp::now() - SignedDuration::try_from(ago).expect("duration")
}

pub(super) fn ts(t: Timestamp) -> String {
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
            task: tokio::spawn(run(client.clone(), ns.to_string(), state.clone(), step)),
            renewer: tokio::spawn(nodes::renew_leases(client, state)),
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
}

impl Drop for Kubelet {
    fn drop(&mut self) {
        self.task.abort();
        self.renewer.abort();
        let names: Vec<String> = self.state.lock().unwrap().nodes.keys().cloned().collect();
        let client = self.client.clone();
        let cleanup = async move {
            let nodes: Api<Node> = Api::all(client.clone());
            let leases: Api<Lease> = nodes::leases(client);
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
    loop {
        let quiet = step_lock.lock().await;
        if let Err(e) = step(&client, &ns, &state).await {
            eprintln!("kubelet simulator ({ns}): {e}");
        }
        drop(quiet);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn step(client: &Client, ns: &str, state: &Mutex<State>) -> kube::Result<()> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), ns);
    let claims = claims.list(&ListParams::default()).await?.items;
    let attached = attacher::attach(client, state).await?;
    // Concurrently: benchmarks run thousands of pods through here.
    let list = pods.list(&ListParams::default()).await?.items;
    futures::stream::iter(&list)
        .for_each_concurrent(32, |pod| {
            let (pods, claims, attached) = (pods.clone(), &claims, &attached);
            async move { pods::sync_pod(&pods, pod, state, claims, attached).await }
        })
        .await;
    attacher::report_volumes_in_use(client, state, &list, &claims).await;
    provisioner::provision(client, ns, state, claims).await;
    Ok(())
}
