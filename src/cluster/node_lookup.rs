//! Reading Nodes: the ones a snapshot references (by name, or by the hostname label a local PV is
//! pinned to), and the health of one node for `rollout` when a pod blocks it (GET the Node and GET
//! its Lease in kube-node-lease, two requests, not a snapshot of the StatefulSet again).

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use k8s_openapi::api::coordination::v1 as coordination;
use k8s_openapi::api::core::v1 as core;
use kube::api::{Api, ListParams};

use super::snapshot::GET_LIMIT;
use super::{ApiError, Cluster, Op, optional};
use crate::health::{NodeHealth, node_health};
use crate::model::{self, Snapshot};

const LEASE_NAMESPACE: &str = "kube-node-lease";

impl Cluster {
    /// The Nodes called `names`, plus those whose kubernetes.io/hostname label is one of
    /// `hostnames` (what a local PV's node affinity matches): GETs by name when few, and then one
    /// LIST by label for hostnames no node fetched carries; else one paged LIST of all nodes.
    pub(super) async fn nodes(
        &self,
        names: &BTreeSet<String>,
        hostnames: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, model::Node>, ApiError> {
        let api = Api::<core::Node>::all(self.client.clone());
        let labelled = |n: &model::Node| n.hostname.as_ref().is_some_and(|h| hostnames.contains(h));
        let mut out = BTreeMap::new();
        if names.len() > GET_LIMIT {
            self.list_each(&api, ListParams::default(), Op::of::<core::Node>("list"), |obj| {
                let node = model::Node::from(&obj);
                if names.contains(&node.name) || labelled(&node) {
                    out.insert(node.name.clone(), node);
                }
            })
            .await?;
            return Ok(out);
        }
        out = self.named::<_, model::Node>(api.clone(), names).await?;
        let unmatched: Vec<&str> = hostnames
            .iter()
            .map(String::as_str)
            .filter(|h| {
                let by_name = out.get(*h).is_some_and(|n| n.hostname.as_deref().is_none_or(|l| l == *h));
                !by_name && !out.values().any(|n| n.hostname.as_deref() == Some(*h))
            })
            // A value that is no valid label value is no node's label: nothing to ask for.
            .filter(|h| is_label_value(h))
            .collect();
        if !unmatched.is_empty() {
            let selector = format!("{} in ({})", model::infra::LABEL_HOSTNAME, unmatched.join(","));
            self.list_each(&api, ListParams::default().labels(&selector), Op::of::<core::Node>("list"), |obj| {
                let node = model::Node::from(&obj);
                out.insert(node.name.clone(), node);
            })
            .await?;
        }
        Ok(out)
    }

    /// Node `name`'s Ready condition, Lease age and taints at `now` (the API server's time). A
    /// missing Node reads as deleted; a 403 leaves that part unknown, as in a snapshot.
    pub async fn node_health_of(&self, name: &str, now: Timestamp) -> Result<NodeHealth, ApiError> {
        let nodes: Api<core::Node> = Api::all(self.client.clone());
        let leases: Api<coordination::Lease> = Api::namespaced(self.client.clone(), LEASE_NAMESPACE);
        let (node, lease) = futures::join!(
            self.get_opt(&nodes, name, Op::of::<core::Node>("get").name(name.to_string())),
            self.get_opt(
                &leases,
                name,
                Op::of::<coordination::Lease>("get").ns(LEASE_NAMESPACE.to_string()).name(name.to_string())
            ),
        );
        let mut snap = Snapshot::empty(now);
        snap.nodes = optional(node)?.map(|n| n.iter().map(|n| (name.to_string(), model::Node::from(n))).collect());
        snap.leases = optional(lease)?.map(|l| l.iter().map(|l| (name.to_string(), model::Lease::from(l))).collect());
        Ok(node_health(&snap, name))
    }
}

/// A Kubernetes label value: up to 63 characters, alphanumerics with `-`, `_`, `.` inside.
fn is_label_value(v: &str) -> bool {
    let b = v.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

impl Cluster {
    /// The Node `name`, or None when it does not exist; a 403 is an error.
    pub async fn node_opt(&self, name: &str) -> Result<Option<model::Node>, ApiError> {
        let api = Api::<core::Node>::all(self.client.clone());
        let op = Op::of::<core::Node>("get").name(name.to_string());
        Ok(self.get_opt(&api, name, op).await?.as_ref().map(model::Node::from))
    }

    /// Fails with the API's 404 ("node ... not found") when Node `name` does not exist. A user who
    /// may not read Nodes goes on without knowing.
    pub async fn require_node(&self, name: &str) -> Result<(), ApiError> {
        let api = Api::<core::Node>::all(self.client.clone());
        let op = Op::of::<core::Node>("get").name(name.to_string());
        match self.call(op, api.get(name)).await {
            Err(ApiError::Forbidden { .. }) | Ok(_) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
