//! The health of one node, for `rollout` when a pod blocks it: GET the Node and GET its Lease in
//! kube-node-lease, two requests (not a snapshot of the StatefulSet again).

use jiff::Timestamp;
use k8s_openapi::api::coordination::v1 as coordination;
use k8s_openapi::api::core::v1 as core;
use kube::api::Api;

use super::{ApiError, Cluster, Op};
use crate::health::{NodeHealth, node_health};
use crate::model::{self, Part, Snapshot};

const LEASE_NAMESPACE: &str = "kube-node-lease";

impl Cluster {
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

/// A part the user may be forbidden to read: keep going without it, saying why.
fn optional<T>(result: Result<T, ApiError>) -> Result<Part<T>, ApiError> {
    match result {
        Ok(v) => Ok(Ok(v)),
        Err(e @ ApiError::Forbidden { .. }) => Ok(Err(e.to_string())),
        Err(e) => Err(e),
    }
}
