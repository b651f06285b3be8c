//! After an interactive confirmation: is the confirmed action still right?
//!
//! A person may take minutes to answer the prompt; a node can come back meanwhile. The evidence
//! is gathered again and the action goes ahead only if the verdict is still Allowed, for the same
//! pod (uid), on the same node (name and Node object), with an action of the same kind. The fresh
//! plan carries the fresh preconditions.

use super::evidence::{Evidence, Lookup};
use super::{Action, Thresholds, assess, plan};

/// The action to carry out now, or why not (for an `Outcome::Refused`).
pub fn recheck(
    before: &Evidence,
    after: &Evidence,
    thresholds: &Thresholds,
    node_fenced: bool,
    fence: bool,
    confirmed: &Action,
) -> Result<Action, String> {
    let decision = assess(after, thresholds, node_fenced);
    let changed = if after.pod.uid != before.pod.uid {
        Some(format!("the pod was replaced (uid {} is now {})", before.pod.uid, after.pod.uid))
    } else if after.pod.node != before.pod.node {
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
        (reason, _) => Err(format!(
            "the evidence changed while waiting for confirmation: {}; nothing was changed (run the command again to \
             see the new evidence)",
            reason.unwrap_or_else(|| "the planned action is different now".into())
        )),
    }
}

fn node_uid(ev: &Evidence) -> Option<&str> {
    match &ev.node {
        Lookup::Found(n) => Some(n.uid.as_str()),
        _ => None,
    }
}
