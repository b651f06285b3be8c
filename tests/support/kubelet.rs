//! A simulated kubelet + scheduler + volume provisioner for one test namespace: the handle a test
//! holds, the state it shares with the simulator, and the simulator's loop.
//!
//! What the simulator does, by responsibility:
//! - [`nodes`]: fake Nodes, their Ready condition, taints and Leases (and their renewal);
//! - [`scheduler`]: which node a pending pod is bound to, and when;
//! - [`pods`]: what a node's kubelet reports for its pods, and confirming their deletion;
//! - [`provisioner`]: a PV for each pending claim.

mod history;
mod nodes;
mod pods;
mod provisioner;
mod scheduler;

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
}

impl Drop for Kubelet {
    fn drop(&mut self) {
        self.task.abort();
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
    let bound = scheduler::bound_claims(&claims);
    // Concurrently: benchmarks run thousands of pods through here.
    let list = pods.list(&ListParams::default()).await?.items;
    futures::stream::iter(list)
        .for_each_concurrent(32, |pod| {
            let (pods, bound) = (pods.clone(), &bound);
            async move { pods::sync_pod(&pods, &pod, state, bound).await }
        })
        .await;
    provisioner::provision(client, ns, state, claims).await;
    if renew {
        nodes::renew_leases(client, state).await;
    }
    Ok(())
}
