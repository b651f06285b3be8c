//! After an interactive confirmation: is the confirmed action still the one to carry out?
//!
//! A person may take minutes to answer the prompt; a node can come back meanwhile. The evidence
//! is gathered again, and the confirmed action goes ahead only on exactly what was confirmed:
//! - the same pod (uid), unchanged since the plan (the resourceVersion in the plan's
//!   preconditions): a pod changed in any way (its kubelet reported status, a label was edited,
//!   it is being deleted) was not what the person judged, so nothing is deleted and the command
//!   says what changed; running it again judges the pod afresh;
//! - with --fence, the same Node at the resourceVersion of the plan's precondition;
//! - on the same Node object, with the gate still allowing it and planning the same kind of
//!   action.
//!
//! The DELETE (or PATCH) still carries the preconditions, so a change between this check and
//! the request is refused by the API server (409).

use super::evidence::{Evidence, Lookup};
use super::{Action, Thresholds, assess, plan};
use crate::model::Pod;

/// Why the confirmed action is not carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// What the plan's preconditions name changed (the pod, or with --fence the Node): the
    /// action would no longer be the one confirmed. (`Conflict` in the report.)
    Changed(String),
    /// The gate no longer allows it, or plans something else. (`NotTaken` in the report.)
    Refused(String),
}

impl Stale {
    pub fn message(&self) -> &str {
        match self {
            Stale::Changed(m) | Stale::Refused(m) => m,
        }
    }
}

/// The action to carry out now (the confirmed one, its preconditions still current), or why not.
pub fn recheck(
    before: &Evidence,
    after: &Evidence,
    thresholds: &Thresholds,
    node_fenced: bool,
    fence: bool,
    confirmed: &Action,
) -> Result<Action, Stale> {
    let pod = format!("{}/{}", before.pod.namespace, before.pod.name);
    if after.pod.uid != before.pod.uid {
        return Err(Stale::Changed(format!(
            "pod {pod} was replaced since the plan (uid {} is now {}): nothing was deleted; run the command again to \
             judge the new pod",
            before.pod.uid, after.pod.uid
        )));
    }
    let decision = assess(after, thresholds, node_fenced);
    let no_longer = if decision.missing.is_empty() {
        String::new()
    } else {
        format!("; node loss is no longer confirmed either: {}", decision.missing.join("; "))
    };
    match confirmed {
        Action::Delete { resource_version, .. } if after.pod.resource_version != *resource_version => {
            return Err(Stale::Changed(format!(
                "pod {pod} changed since the plan (resourceVersion {resource_version} -> {}: {}){no_longer}: nothing \
                 was deleted; run the command again to judge it afresh",
                after.pod.resource_version,
                pod_changes(before, after)
            )));
        }
        Action::Fence { node, resource_version, .. } => {
            let now = after.node.found().map(|n| n.resource_version.as_str());
            if now.is_some_and(|rv| rv != resource_version) {
                return Err(Stale::Changed(format!(
                    "node {node} changed since the plan (resourceVersion {resource_version} -> {}){no_longer}: \
                     nothing was changed; run the command again to judge it afresh",
                    now.unwrap_or_default()
                )));
            }
        }
        _ => {}
    }
    let changed = if after.pod.node != before.pod.node {
        Some("the pod is bound to another node".to_string())
    } else if node_uid(after) != node_uid(before) {
        Some("the Node object was deleted or re-created".to_string())
    } else if !decision.missing.is_empty() {
        Some(format!("node loss is no longer confirmed: {}", decision.missing.join("; ")))
    } else {
        None
    };
    let fresh = plan(after, &decision, fence).ok();
    match (changed, fresh) {
        (None, Some(fresh)) if std::mem::discriminant(&fresh) == std::mem::discriminant(confirmed) => Ok(fresh),
        (reason, _) => Err(Stale::Refused(format!(
            "the evidence changed while waiting for confirmation: {}; nothing was changed (run the command again to \
             see the new evidence)",
            reason.unwrap_or_else(|| "the planned action is different now".into())
        ))),
    }
}

fn node_uid(ev: &Evidence) -> Option<&str> {
    match &ev.node {
        Lookup::Found(n) => Some(n.uid.as_str()),
        _ => None,
    }
}

/// What changed in the pod, as far as the evidence shows: "labels changed (tier)", "Ready false
/// -> true", ...; otherwise that it is something else (annotations, other status fields).
fn pod_changes(before: &Evidence, after: &Evidence) -> String {
    let (b, a): (&Pod, &Pod) = (&before.pod, &after.pod);
    let mut out = Vec::new();
    if a.phase != b.phase {
        out.push(format!("phase {} -> {}", or_none(&b.phase), or_none(&a.phase)));
    }
    if a.ready != b.ready {
        out.push(format!("Ready {} -> {}", b.ready, a.ready));
    }
    if a.node != b.node {
        let node = |n: &Option<String>| n.clone().unwrap_or_else(|| "none".into());
        out.push(format!("node {} -> {}", node(&b.node), node(&a.node)));
    }
    let mut keys: Vec<&String> = b.labels.iter().chain(a.labels.iter()).map(|(k, _)| k).collect();
    keys.sort();
    keys.dedup();
    let labels: Vec<&str> =
        keys.into_iter().filter(|k| a.labels.get(k) != b.labels.get(k)).map(|k| k.as_str()).collect();
    if !labels.is_empty() {
        out.push(format!("labels changed ({})", labels.join(", ")));
    }
    if let (None, Some(at)) = (b.deleting, a.deleting) {
        out.push(format!("deletion requested (deletionTimestamp {at})"));
    }
    if a.restarts != b.restarts {
        out.push(format!("restarts {} -> {}", b.restarts, a.restarts));
    }
    if after.pod_status.containers != before.pod_status.containers {
        out.push("a container started or finished".into());
    }
    if a.ready == b.ready && after.pod_status.ready_true_since != before.pod_status.ready_true_since {
        out.push("Ready turned True again".into());
    }
    if after.pod_finalizers != before.pod_finalizers {
        out.push("finalizers changed".into());
    }
    if out.is_empty() {
        "not in phase, readiness, node, labels, deletion, containers or finalizers: e.g. annotations or other status \
         fields"
            .into()
    } else {
        out.join(", ")
    }
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "none" } else { s }
}
