//! `doctor`'s failure-domain findings: several ordinals of a StatefulSet on one node, or all of
//! them in one zone, without pod anti-affinity or topology spread over that domain. One node (or
//! zone) failure then takes out more than one replica; the message says how many, and what that
//! leaves of a majority.

use std::collections::BTreeMap;

use super::{Finding, finding};
use crate::model::infra::{LABEL_HOSTNAME, LABEL_ZONE};
use crate::model::names::pod_ordinal;
use crate::model::{NodeLookup, Pod, Snapshot, StatefulSet};
use crate::severity::Severity;

pub(super) fn domain_findings(snap: &Snapshot, sts: &StatefulSet, out: &mut Vec<Finding>) {
    if sts.replicas < 2 || sts.deleting.is_some() {
        return;
    }
    let mut pods: Vec<&Pod> = snap
        .pods_in(&sts.namespace)
        .filter(|p| p.controlled_by(&sts.uid) && !p.is_finished() && p.node.is_some())
        .collect();
    pods.sort_by_key(|p| pod_ordinal(&sts.name, &p.name));
    if pods.len() < 2 {
        return;
    }
    let spreads = |key: &str| sts.spread_keys.iter().any(|k| k == key);
    if !spreads(LABEL_HOSTNAME) {
        let mut by_node: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for p in &pods {
            by_node.entry(p.node.as_deref().unwrap_or_default()).or_default().push(p.name.as_str());
        }
        // The node holding the most (the first such in name order).
        if let Some((node, names)) = by_node.iter().filter(|(_, n)| n.len() > 1).max_by_key(|(_, n)| n.len()) {
            out.push(finding(
                Severity::Warning,
                "replicas-share-a-node",
                None,
                format!(
                    "{} run on node {node} with no pod anti-affinity or topology spread on {LABEL_HOSTNAME}: losing \
                     that node takes out {}",
                    names.join(", "),
                    loss(names.len(), sts.replicas)
                ),
                None,
            ));
        }
    }
    // All in one zone: only when every node with a pod has a zone label.
    if !spreads(LABEL_ZONE) && !spreads("failure-domain.beta.kubernetes.io/zone") {
        let zones: Option<Vec<&str>> = pods
            .iter()
            .map(|p| match snap.node(p.node.as_deref()?) {
                NodeLookup::Found(n) => n.zone.as_deref(),
                _ => None,
            })
            .collect();
        if let Some(zones) = zones
            && zones.windows(2).all(|w| w[0] == w[1])
        {
            out.push(finding(
                Severity::Info,
                "replicas-in-one-zone",
                None,
                format!(
                    "all {} running pod(s) are in zone {} with no topology spread or anti-affinity on {LABEL_ZONE}: a \
                     zone failure takes out {}",
                    pods.len(),
                    zones[0],
                    loss(pods.len(), sts.replicas)
                ),
                None,
            ));
        }
    }
}

/// "2 of 3 replicas, leaving 1: below a majority (2 of 3)".
fn loss(lost: usize, replicas: i32) -> String {
    let left = (replicas - lost as i32).max(0);
    let majority = replicas / 2 + 1;
    let quorum = if left >= majority {
        format!("a majority ({majority} of {replicas}) stays")
    } else {
        format!("below a majority ({majority} of {replicas}): a quorum-based system (etcd, ZooKeeper, Raft) stops")
    };
    format!("{lost} of {replicas} replicas, leaving {left}: {quorum}")
}
