//! `drain-check NODE`: what draining a node would do to StatefulSets, read-only. For each of their
//! pods on it: whether its PodDisruptionBudget lets the eviction through now, whether the pod can
//! run elsewhere (nodeName, required node affinity, a local PV pinned to this node), the ordinals
//! that would be down together, and the order a careful operator would go in.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::doctor::disruption::selecting;
use crate::force_delete::placement::pins;
use crate::model::names::pod_ordinal;
use crate::model::{DisruptionBudget, NodeLookup, Pod, Snapshot, StatefulSet, Unavailable};

#[cfg(test)]
mod tests;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DrainReport {
    pub node: String,
    /// The namespace looked at, or None for all namespaces.
    pub namespace: Option<String>,
    /// Whether a drain would go through now (exit 0) or not (exit 3).
    pub would_complete: bool,
    pub verdict: String,
    /// The node is cordoned already (spec.unschedulable); None when Nodes are unreadable.
    pub cordoned: Option<bool>,
    pub pods: Vec<PodRow>,
    pub statefulsets: Vec<Impact>,
    /// The order a careful operator would go in.
    pub steps: Vec<Step>,
    /// Pods on the node that belong to no StatefulSet in scope (the drain evicts them too).
    pub other_pods: usize,
    pub unavailable: Vec<Unavailable>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodRow {
    pub namespace: String,
    pub pod: String,
    pub statefulset: String,
    pub ordinal: i32,
    pub ready: bool,
    /// `allowed` now, `waits` (allowed once an earlier eviction's pod is Ready again elsewhere),
    /// `blocked`, or `unknown` (PodDisruptionBudgets unreadable).
    pub eviction: &'static str,
    /// The budget deciding it, if one.
    pub budget: Option<String>,
    pub eviction_reason: String,
    /// Whether its replacement can run on another node; None when that cannot be told.
    pub runs_elsewhere: Option<bool>,
    pub elsewhere_reason: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Impact {
    pub namespace: String,
    pub name: String,
    pub replicas: i32,
    /// Its pods on the node: down together if evicted at once.
    pub on_node: Vec<String>,
    /// Its other pods that are Ready: what is left while those are down.
    pub ready_elsewhere: usize,
    /// A majority of replicas (what a quorum-based system needs).
    pub majority: i32,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub text: String,
    pub command: Option<String>,
}

/// The label the StatefulSet controller sets on each pod: selects one pod by name in a drain.
const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";

pub fn assess(snap: &Snapshot, node: &str, namespace: Option<&str>) -> DrainReport {
    let on_node: Vec<&Pod> =
        snap.pods.values().map(|p| &**p).filter(|p| p.node.as_deref() == Some(node) && !p.is_finished()).collect();
    let owner = |p: &Pod| snap.statefulsets.iter().find(|s| p.controlled_by(&s.uid));
    let other_pods = on_node.iter().filter(|p| owner(p).is_none()).count();
    let hostname = match snap.node(node) {
        NodeLookup::Found(n) => n.hostname.clone(),
        _ => None,
    };
    // Disruptions each budget still allows as the drain's evictions use them up, in step order.
    let mut left: BTreeMap<(String, String), i32> = BTreeMap::new();
    let mut pods: Vec<(&StatefulSet, &Pod)> = on_node.iter().filter_map(|p| Some((owner(p)?, *p))).collect();
    // One StatefulSet after another, highest ordinal first (the controller's own order).
    pods.sort_by_key(|(s, p)| (s.namespace.clone(), s.name.clone(), std::cmp::Reverse(pod_ordinal(&s.name, &p.name))));
    let mut rows = Vec::new();
    for (sts, pod) in &pods {
        let mut row = PodRow {
            namespace: pod.namespace.clone(),
            pod: pod.name.clone(),
            statefulset: sts.name.clone(),
            ordinal: pod_ordinal(&sts.name, &pod.name).unwrap_or(-1),
            ready: pod.is_healthy(),
            eviction: "allowed",
            budget: None,
            eviction_reason: String::new(),
            runs_elsewhere: None,
            elsewhere_reason: String::new(),
        };
        eviction(snap, sts, pod, &mut left, &mut row);
        elsewhere(snap, sts, pod, node, hostname.as_deref(), &mut row);
        rows.push(row);
    }
    // A wait on a budget only ends if the pods evicted before come back elsewhere.
    let stranded = rows.iter().any(|r| r.runs_elsewhere == Some(false));
    for r in rows.iter_mut().filter(|r| r.eviction == "waits" && stranded) {
        r.eviction_reason.push_str("; but an earlier pod cannot run elsewhere, so this may never come");
    }
    let impacts = impacts(snap, &pods, node);
    let blocked: Vec<&PodRow> = rows.iter().filter(|r| r.eviction == "blocked" || r.eviction == "unknown").collect();
    let pinned: Vec<&PodRow> = rows.iter().filter(|r| r.runs_elsewhere != Some(true)).collect();
    let would_complete = blocked.is_empty() && pinned.is_empty();
    let scope = match namespace {
        Some(ns) => format!(" (StatefulSets of namespace {ns}; -A for all)"),
        None => String::new(),
    };
    let verdict = if rows.is_empty() {
        format!("no StatefulSet pod on node {node}{scope}: draining it affects none")
    } else if would_complete {
        format!(
            "a drain of {node} would go through now{scope}: {} StatefulSet pod(s) evicted, each can run elsewhere",
            rows.len()
        )
    } else {
        let mut why = Vec::new();
        if !blocked.is_empty() {
            why.push(format!("evictions refused for {}", names(&blocked)));
        }
        let unknown: Vec<&PodRow> = pinned.iter().copied().filter(|r| r.runs_elsewhere.is_none()).collect();
        let stuck: Vec<&PodRow> = pinned.iter().copied().filter(|r| r.runs_elsewhere == Some(false)).collect();
        if !stuck.is_empty() {
            why.push(format!("{} cannot run on another node", names(&stuck)));
        }
        if !unknown.is_empty() {
            why.push(format!("whether {} can run elsewhere could not be told", names(&unknown)));
        }
        format!("a drain of {node} would not go through{scope}: {}", why.join("; "))
    };
    let cordoned = match snap.node(node) {
        NodeLookup::Found(n) => Some(n.unschedulable),
        _ => None,
    };
    let steps = steps(node, cordoned, &rows);
    let mut notes = snap.unavailable_notes();
    if rows.iter().any(|r| r.eviction == "waits") {
        notes.push(
            "waits: kubectl drain retries a refused eviction every 5s, so it goes on once the pod evicted before is \
             Ready on another node"
                .into(),
        );
    }
    DrainReport {
        node: node.into(),
        namespace: namespace.map(String::from),
        would_complete,
        verdict,
        cordoned,
        pods: rows,
        statefulsets: impacts,
        steps,
        other_pods,
        unavailable: snap.unavailable(),
        notes,
    }
}

fn names(rows: &[&PodRow]) -> String {
    rows.iter().map(|r| r.pod.as_str()).collect::<Vec<_>>().join(", ")
}

/// What the eviction API would answer for `pod` now (IfHealthyBudget / AlwaysAllow as 1.31 does).
fn eviction(
    snap: &Snapshot,
    sts: &StatefulSet,
    pod: &Pod,
    left: &mut BTreeMap<(String, String), i32>,
    row: &mut PodRow,
) {
    let Ok(all) = &snap.disruption_budgets else {
        (row.eviction, row.eviction_reason) = ("unknown", "PodDisruptionBudgets could not be read".into());
        return;
    };
    let budgets: Vec<&DisruptionBudget> = selecting(all, &pod.namespace, &pod.labels);
    let b = match budgets.as_slice() {
        [] => {
            row.eviction_reason = "no PodDisruptionBudget".into();
            return;
        }
        [b] => *b,
        several => {
            let names: Vec<&str> = several.iter().map(|b| b.name.as_str()).collect();
            row.eviction = "blocked";
            row.eviction_reason =
                format!("selected by {} budgets ({}): the eviction API refuses it", names.len(), names.join(", "));
            return;
        }
    };
    row.budget = Some(b.name.clone());
    if !pod.is_healthy() {
        let always = b.knows_eviction_policy() && b.unhealthy_pod_eviction_policy.as_deref() == Some("AlwaysAllow");
        (row.eviction, row.eviction_reason) = if always {
            ("allowed", "not Ready, and unhealthyPodEvictionPolicy AlwaysAllow lets it go".into())
        } else if b.current_healthy >= b.desired_healthy {
            (
                "allowed",
                format!(
                    "not Ready, and the budget is met ({} healthy, {} needed)",
                    b.current_healthy, b.desired_healthy
                ),
            )
        } else {
            (
                "blocked",
                format!(
                    "not Ready while the budget is short ({} healthy, {} needed): IfHealthyBudget refuses it \
                     (AlwaysAllow, 1.31+, would not)",
                    b.current_healthy, b.desired_healthy
                ),
            )
        };
        return;
    }
    let remaining = left.entry((b.namespace.clone(), b.name.clone())).or_insert(b.disruptions_allowed);
    if *remaining > 0 {
        *remaining -= 1;
        row.eviction_reason = format!("{} allows {} disruption(s) now", b.name, b.disruptions_allowed);
    } else if let Some(why) = b.forbids_all(sts.replicas) {
        row.eviction = "blocked";
        row.eviction_reason = format!("{} ({why}) forbids every eviction: the drain hangs", b.name);
    } else if b.disruptions_allowed > 0 {
        row.eviction = "waits";
        row.eviction_reason = format!(
            "{} allows {}: taken by the pods evicted before, until they are Ready again",
            b.name, b.disruptions_allowed
        );
    } else {
        row.eviction = "blocked";
        row.eviction_reason = format!(
            "{} allows no disruption now ({} healthy, {} needed, {} expected)",
            b.name, b.current_healthy, b.desired_healthy, b.expected_pods
        );
    }
}

/// Whether the StatefulSet's replacement for `pod` can run on another node.
fn elsewhere(snap: &Snapshot, sts: &StatefulSet, pod: &Pod, node: &str, hostname: Option<&str>, row: &mut PodRow) {
    let mut placement = sts.placement.clone();
    let mut unknown = None;
    for claim in &pod.claims {
        let Some(volume) = snap.claim(&pod.namespace, claim).and_then(|c| c.volume.clone()) else { continue };
        match &snap.volumes {
            Ok(_) => {
                if let Some(v) = snap.volume(&volume) {
                    placement.volumes.push((volume, v.pinned_nodes.clone()));
                }
            }
            Err(reason) => unknown = Some(format!("PV {volume} could not be read: {reason}")),
        }
    }
    let pins = pins(&placement, node, hostname);
    (row.runs_elsewhere, row.elsewhere_reason) = match (pins.is_empty(), unknown) {
        (false, _) => (Some(false), format!("{}: it stays Pending until {node} is back", pins.join("; "))),
        (true, Some(why)) => (None, why),
        (true, None) => (Some(true), "nothing pins it to this node".into()),
    };
}

fn impacts(snap: &Snapshot, pods: &[(&StatefulSet, &Pod)], node: &str) -> Vec<Impact> {
    let mut out: Vec<Impact> = Vec::new();
    for (sts, _) in pods {
        if out.iter().any(|i| i.namespace == sts.namespace && i.name == sts.name) {
            continue;
        }
        let mine: Vec<&Pod> =
            snap.pods_in(&sts.namespace).filter(|p| p.controlled_by(&sts.uid) && !p.is_finished()).collect();
        let mut on_node: Vec<String> =
            mine.iter().filter(|p| p.node.as_deref() == Some(node)).map(|p| p.name.clone()).collect();
        on_node.sort_by_key(|p| pod_ordinal(&sts.name, p));
        let ready_elsewhere = mine.iter().filter(|p| p.node.as_deref() != Some(node) && p.is_healthy()).count();
        let majority = sts.replicas / 2 + 1;
        let mut message = format!(
            "{} of {} replica(s) on {node} ({}): evicted together, {ready_elsewhere} Ready replica(s) are left",
            on_node.len(),
            sts.replicas,
            on_node.join(", ")
        );
        if sts.replicas >= 3 && (ready_elsewhere as i32) < majority {
            message
                .push_str(&format!(", below a majority ({majority} of {}): a quorum-based system stops", sts.replicas));
        } else if sts.replicas >= 3 {
            message.push_str(&format!(", a majority ({majority} of {}) stays", sts.replicas));
        }
        out.push(Impact {
            namespace: sts.namespace.clone(),
            name: sts.name.clone(),
            replicas: sts.replicas,
            on_node,
            ready_elsewhere,
            majority,
            message,
        });
    }
    out
}

fn steps(node: &str, cordoned: Option<bool>, rows: &[PodRow]) -> Vec<Step> {
    let mut out = Vec::new();
    for r in rows.iter().filter(|r| r.eviction == "blocked" || r.runs_elsewhere == Some(false)) {
        let why = if r.eviction == "blocked" { &r.eviction_reason } else { &r.elsewhere_reason };
        out.push(Step { text: format!("first resolve {}/{}: {why}", r.namespace, r.pod), command: None });
    }
    if cordoned != Some(true) {
        out.push(Step {
            text: format!("cordon {node} so nothing new lands on it"),
            command: Some(format!("kubectl cordon {node}")),
        });
    }
    // Movable pods first, one at a time; pods that cannot move last.
    let (movable, stuck): (Vec<&PodRow>, Vec<&PodRow>) = rows.iter().partition(|r| r.runs_elsewhere != Some(false));
    for r in movable.into_iter().chain(stuck) {
        out.push(Step {
            text: format!("evict {}/{} alone", r.namespace, r.pod),
            command: Some(format!(
                "kubectl drain {node} --pod-selector={POD_NAME_LABEL}={} --ignore-daemonsets --delete-emptydir-data",
                r.pod
            )),
        });
        out.push(Step {
            text: format!("wait until {} is Ready again on another node", r.pod),
            command: Some(format!("kubectl sts-doctor -n {} ordinals {}", r.namespace, r.statefulset)),
        });
    }
    out.push(Step {
        text: "drain the rest".into(),
        command: Some(format!("kubectl drain {node} --ignore-daemonsets --delete-emptydir-data")),
    });
    out
}
