//! Node health as seen from the API: Ready condition, Lease freshness, taints, existence.
//!
//! This is a summary for display. Whether a node is lost *enough to force-delete* is a stricter,
//! separate decision in `force_delete` (it also wants the node down for `--not-ready-for`, the
//! Lease stale for `--lease-stale-for`, a strong signal, and the pod silent). But a node shown
//! here as lost is never one that gate refuses however long one waits: it is deleted, or its
//! Ready condition is exactly Unknown, and its Lease is readable — present, with a renewTime, and
//! not fresh by [`lease_fresh`], the gate's own rule — or gone along with a deleted Node. A node
//! whose Lease is fresh (its kubelet is alive), missing while the Node exists, or unreadable is
//! shown with what is missing, not as lost.

use jiff::Timestamp;
use serde::Serialize;

use crate::duration::age;
use crate::model::infra::{HEALTH_TAINTS, TAINT_OUT_OF_SERVICE, TAINT_SHUTDOWN, lease_fresh};
use crate::model::{NodeLookup, Snapshot};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeHealth {
    pub node: String,
    /// Ready, NotReady, Unknown (no heartbeat), NoStatus, Deleted, or Unavailable (cannot read nodes).
    pub state: String,
    /// When the Ready condition last changed.
    pub since: Option<Timestamp>,
    pub lease_renewed: Option<Timestamp>,
    /// Lease older than its duration (or missing while the node exists).
    pub lease_stale: bool,
    /// Keys of the node-health taints present.
    pub taints: Vec<String>,
    /// Suspected lost: deleted (its Lease readable and not fresh, or gone), or Ready Unknown with
    /// a readable Lease that is not fresh; never while its Lease is fresh (renewed within its
    /// duration: a kubelet is alive), missing while the Node exists, or unreadable, all of which
    /// force-delete's gate refuses.
    pub suspect_lost: bool,
}

pub fn node_health(snap: &Snapshot, node: &str) -> NodeHealth {
    let lease = snap.lease(node);
    let lease_renewed = lease.and_then(|l| l.renew_time);
    let lease_stale = match (&snap.leases, lease_renewed) {
        (Err(_), _) => false,
        (Ok(_), Some(renewed)) => !lease_fresh(renewed, lease.and_then(|l| l.duration_seconds), snap.now),
        (Ok(_), None) => true,
    };
    // Renewed within its duration: a kubelet is alive, whatever the Node says or whether it exists
    // (force-delete's gate refuses a fresh Lease always). A renewal "in the future" (a kubelet's
    // clock ahead) is fresh too.
    let fresh = snap.leases.is_ok() && lease_renewed.is_some() && !lease_stale;
    // What the gate can confirm a loss with: a Lease read, with a renewTime, not fresh.
    let stale_lease_read = snap.leases.is_ok() && lease_renewed.is_some() && lease_stale;
    let mut health = NodeHealth {
        node: node.to_string(),
        state: String::new(),
        since: None,
        lease_renewed,
        lease_stale,
        taints: vec![],
        suspect_lost: false,
    };
    match snap.node(node) {
        NodeLookup::Unknown(_) => health.state = "Unavailable".into(),
        NodeLookup::Deleted => {
            // Deleted: a strong sign the machine is gone, unless a kubelet still renews the Lease
            // (one that outlived its Node object, or re-created the Lease).
            // Its Lease must be readable: gone with the Node, or there with a renewTime and stale
            // (force-delete refuses an unreadable Lease, and one without renewTime).
            health.state = "Deleted".into();
            health.suspect_lost = match (&snap.leases, lease) {
                (Err(_), _) => false,
                (Ok(_), None) => true,
                (Ok(_), Some(_)) => stale_lease_read,
            };
        }
        NodeLookup::Found(n) => {
            health.state = match n.ready.as_ref().map(|c| c.status.as_str()) {
                Some("True") => "Ready",
                Some("False") => "NotReady",
                Some(_) => "Unknown",
                None => "NoStatus",
            }
            .into();
            health.since = n.ready.as_ref().and_then(|c| c.last_transition);
            health.taints =
                n.taints.iter().filter(|t| HEALTH_TAINTS.contains(&t.key.as_str())).map(|t| t.key.clone()).collect();
            health.taints.dedup();
            // A node whose kubelet still reports Ready is not lost, whatever its taints say: the
            // cloud provider's shutdown taint is only added to, and cleared from, nodes that are
            // not Ready, and an out-of-service taint on a Ready node is a mistake, not a loss.
            // Ready=False is posted by a kubelet that is still talking to the API server (the node
            // controller turns it Unknown once it stops, on its own clock), so it is not a lost
            // node, as force-delete judges it too; nor is one with no Ready condition at all.
            // An existing Node needs its Lease to confirm the loss: without one (or unreadable)
            // the gate refuses, shutdown or out-of-service taint or not.
            let unknown = n.ready.as_ref().is_some_and(|c| c.status == "Unknown");
            health.suspect_lost = unknown && !fresh && stale_lease_read;
        }
    }
    health
}

impl NodeHealth {
    /// Short text for a table cell: "Ready", "NotReady 6m, lease 6m old", "Deleted", "Deleted, but
    /// its kubelet still renews its Lease".
    pub fn summary(&self, now: Timestamp) -> String {
        let mut text = self.state.clone();
        if self.state != "Ready"
            && let Some(since) = self.since
        {
            text.push_str(&format!(" {}", age(since, now)));
        }
        if self.lease_stale {
            match self.lease_renewed {
                Some(t) => text.push_str(&format!(", lease {} old", age(t, now))),
                None if self.state != "Deleted" => text.push_str(", no Lease to confirm it"),
                None => {}
            }
        } else if self.lease_renewed.is_none() && self.could_be_lost() {
            // Leases unreadable: nothing confirms or rules out a live kubelet.
            text.push_str(", Lease unreadable to confirm it");
        }
        if self.taints.iter().any(|t| t == TAINT_SHUTDOWN) {
            text.push_str(", shutdown");
        }
        if self.taints.iter().any(|t| t == TAINT_OUT_OF_SERVICE) {
            text.push_str(", out-of-service");
        }
        if self.renewed_by_a_silent_node()
            && let Some(renewed) = self.lease_renewed
        {
            let when = age(renewed.min(now), now);
            text.push_str(&format!(", but its kubelet still renews its Lease (renewed {when} ago)"));
        }
        text
    }

    /// A node that would look lost (deleted, or Ready Unknown / never reported) whose Lease is
    /// fresh: its kubelet is alive, so it is not taken for lost.
    pub fn renewed_by_a_silent_node(&self) -> bool {
        self.could_be_lost() && self.lease_renewed.is_some() && !self.lease_stale
    }

    /// Deleted, Ready Unknown or never reported: a node that may be gone.
    fn could_be_lost(&self) -> bool {
        matches!(self.state.as_str(), "Deleted" | "Unknown" | "NoStatus")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::infra::TAINT_UNREACHABLE;
    use crate::model::{Lease, Node, NodeCondition, Taint};
    use jiff::SignedDuration;

    fn snap_with(node: Option<Node>, lease_age: Option<i64>) -> Snapshot {
        let now: Timestamp = "2026-01-01T12:00:00Z".parse().unwrap();
        let mut snap = Snapshot::empty(now);
        if let Some(n) = node {
            snap.nodes.as_mut().unwrap().insert(n.name.clone(), n);
        }
        if let Some(secs) = lease_age {
            snap.leases.as_mut().unwrap().insert(
                "n1".into(),
                Lease {
                    node: "n1".into(),
                    renew_time: Some(now - SignedDuration::from_secs(secs)),
                    duration_seconds: Some(40),
                    holder: None,
                },
            );
        }
        snap
    }

    fn node(status: &str, since_secs: i64, taints: &[&str]) -> Node {
        let now: Timestamp = "2026-01-01T12:00:00Z".parse().unwrap();
        Node {
            name: "n1".into(),
            uid: "u".into(),
            resource_version: "1".into(),
            deleting: None,
            hostname: None,
            zone: None,
            ready: Some(NodeCondition {
                status: status.into(),
                reason: None,
                last_heartbeat: Some(now - SignedDuration::from_secs(since_secs)),
                last_transition: Some(now - SignedDuration::from_secs(since_secs)),
            }),
            taints: taints
                .iter()
                .map(|k| Taint { key: k.to_string(), value: None, effect: "NoExecute".into(), added: None })
                .collect(),
            unschedulable: false,
        }
    }

    #[test]
    fn ready_node_with_fresh_lease_is_healthy() {
        let snap = snap_with(Some(node("True", 3600, &[])), Some(5));
        let h = node_health(&snap, "n1");
        assert_eq!(h.state, "Ready");
        assert!(!h.suspect_lost && !h.lease_stale);
        assert_eq!(h.summary(snap.now), "Ready");
    }

    #[test]
    fn unknown_node_with_stale_lease_is_suspect() {
        let snap = snap_with(Some(node("Unknown", 400, &[TAINT_UNREACHABLE])), Some(400));
        let h = node_health(&snap, "n1");
        assert!(h.suspect_lost);
        assert_eq!(h.taints, vec![TAINT_UNREACHABLE.to_string()]);
        assert_eq!(h.summary(snap.now), "Unknown 6m40s, lease 6m40s old");
    }

    #[test]
    fn ready_false_is_a_kubelet_still_reporting_not_a_lost_node() {
        let snap = snap_with(Some(node("False", 400, &[TAINT_SHUTDOWN])), Some(400));
        let h = node_health(&snap, "n1");
        assert_eq!(h.state, "NotReady");
        assert!(!h.suspect_lost);
        assert_eq!(h.summary(snap.now), "NotReady 6m40s, lease 6m40s old, shutdown");
    }

    #[test]
    fn not_ready_but_lease_fresh_is_not_suspect() {
        let snap = snap_with(Some(node("Unknown", 400, &[])), Some(3));
        let h = node_health(&snap, "n1");
        assert!(!h.suspect_lost);
        assert_eq!(h.summary(snap.now), "Unknown 6m40s, but its kubelet still renews its Lease (renewed 3s ago)");
    }

    #[test]
    fn fencing_taints_make_a_silent_node_suspect_but_not_a_ready_one_or_a_fresh_lease() {
        let snap = snap_with(Some(node("Unknown", 60, &[TAINT_OUT_OF_SERVICE])), Some(60));
        assert!(node_health(&snap, "n1").suspect_lost, "fenced, lease stale but not for long");
        // A Lease renewed within its duration: a kubelet is alive, as force-delete's gate judges it
        // (a fresh Lease always refuses), taint or not.
        let snap = snap_with(Some(node("Unknown", 30, &[TAINT_OUT_OF_SERVICE])), Some(30));
        let h = node_health(&snap, "n1");
        assert!(!h.suspect_lost, "fenced, but the Lease is fresh");
        assert_eq!(
            h.summary(snap.now),
            "Unknown 30s, out-of-service, but its kubelet still renews its Lease (renewed 30s ago)"
        );
        let snap = snap_with(Some(node("True", 3600, &[TAINT_SHUTDOWN])), Some(5));
        let h = node_health(&snap, "n1");
        assert!(!h.suspect_lost, "Ready with a fresh Lease: its kubelet is alive");
        assert_eq!(h.summary(snap.now), "Ready, shutdown");
    }

    #[test]
    fn deleted_node_is_suspect_and_unreadable_nodes_are_not() {
        let snap = snap_with(None, None);
        let h = node_health(&snap, "n1");
        assert_eq!((h.state.as_str(), h.suspect_lost), ("Deleted", true));
        assert_eq!(h.summary(snap.now), "Deleted");
        let h = node_health(&snap_with(None, Some(600)), "n1");
        assert_eq!((h.state.as_str(), h.suspect_lost), ("Deleted", true));
        assert_eq!(h.summary(snap.now), "Deleted, lease 10m old");
        // Leases unreadable: nothing rules out a live kubelet, and force-delete refuses without
        // the Lease, so not lost here either.
        let mut no_leases = snap_with(None, None);
        no_leases.leases = Err("forbidden".into());
        let h = node_health(&no_leases, "n1");
        assert_eq!((h.state.as_str(), h.suspect_lost), ("Deleted", false));
        assert_eq!(h.summary(snap.now), "Deleted, Lease unreadable to confirm it");
        let mut forbidden = snap_with(None, None);
        forbidden.nodes = Err("forbidden".into());
        forbidden.leases = Err("forbidden".into());
        let h = node_health(&forbidden, "n1");
        assert_eq!((h.state.as_str(), h.suspect_lost), ("Unavailable", false));
    }

    /// An existing Node that is Unknown but has no Lease, or whose Leases cannot be read: the gate
    /// refuses it ("no Lease … although the Node exists"), shutdown or out-of-service taint or not,
    /// so it is shown with what is missing, not as lost.
    #[test]
    fn an_unknown_node_without_a_readable_lease_is_not_suspect() {
        for taints in [&[][..], &[TAINT_SHUTDOWN], &[TAINT_OUT_OF_SERVICE]] {
            let snap = snap_with(Some(node("Unknown", 400, taints)), None);
            let h = node_health(&snap, "n1");
            assert!(!h.suspect_lost, "{taints:?}");
            assert!(
                h.summary(snap.now).starts_with("Unknown 6m40s, no Lease to confirm it"),
                "{}",
                h.summary(snap.now)
            );
            let mut unreadable = snap_with(Some(node("Unknown", 400, taints)), None);
            unreadable.leases = Err("forbidden".into());
            let h = node_health(&unreadable, "n1");
            assert!(!h.suspect_lost, "{taints:?}");
            assert!(h.summary(snap.now).starts_with("Unknown 6m40s, Lease unreadable to confirm it"));
        }
        // A Lease without renewTime confirms nothing either.
        let mut snap = snap_with(Some(node("Unknown", 400, &[TAINT_SHUTDOWN])), Some(400));
        snap.leases.as_mut().unwrap().get_mut("n1").unwrap().renew_time = None;
        assert!(!node_health(&snap, "n1").suspect_lost);
        // No Ready condition at all: the gate refuses it too.
        let mut never = node("Unknown", 400, &[TAINT_SHUTDOWN]);
        never.ready = None;
        let h = node_health(&snap_with(Some(never), Some(400)), "n1");
        assert_eq!((h.state.as_str(), h.suspect_lost), ("NoStatus", false));
    }

    /// A Node deleted while its kubelet still renews its Lease (the kubelet outlived its Node
    /// object, or re-created the Lease): force-delete refuses ("a fresh Lease always refuses"), so
    /// it must not look lost here either.
    #[test]
    fn deleted_node_whose_lease_is_fresh_is_not_suspect() {
        let snap = snap_with(None, Some(1));
        let h = node_health(&snap, "n1");
        assert_eq!((h.state.as_str(), h.suspect_lost, h.lease_stale), ("Deleted", false, false));
        assert_eq!(h.summary(snap.now), "Deleted, but its kubelet still renews its Lease (renewed 1s ago)");
        // Renewed "in the future" by a kubelet whose clock is ahead: fresh too.
        let h = node_health(&snap_with(None, Some(-30)), "n1");
        assert!(!h.suspect_lost);
        assert_eq!(h.summary(snap.now), "Deleted, but its kubelet still renews its Lease (renewed 0s ago)");
        // Just past its 40s duration: stale, so lost again.
        assert!(node_health(&snap_with(None, Some(41)), "n1").suspect_lost);
    }
}

#[cfg(test)]
#[path = "health_consumers_tests.rs"]
mod consumers_tests;
