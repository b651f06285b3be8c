//! The forced-rollback trap (kubernetes#67250): evidence that the pod the controller waits on is
//! broken, how it came to be on the old revision, and the explanation with its fix.

use super::explain::state;
use super::{Phase, RolloutStatus, Row, TRAP_ISSUE, View};

/// The same trap with Parallel, where the MaxUnavailableStatefulSet update counts the broken pod as
/// unavailable (1.35.0 to 1.35.3 turn it on by default).
pub const PARALLEL_TRAP_ISSUE: &str = "kubernetes/kubernetes#137409";

/// Container waiting reasons that do not go away by themselves.
const BROKEN_WAITING: [&str; 7] = [
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "InvalidImageName",
    "RunContainerError",
];

/// Evidence that `row` will not become Ready by itself: a waiting reason that does not clear, or
/// containers that already failed and restarted. None for a pod that is merely slow (a database
/// replaying its log is Running and not Ready for as long as it takes).
pub(crate) fn broken_evidence(row: &Row) -> Option<String> {
    evidence(row.waiting.as_deref(), row.restarts, row.last_terminated.as_deref())
}

/// [`broken_evidence`] of a pod that is not Ready (`rollout undo` warns before it reverts).
pub fn broken_pod_evidence(pod: &crate::model::Pod) -> Option<String> {
    if pod.ready {
        return None;
    }
    evidence(pod.waiting.as_deref(), Some(pod.restarts), pod.last_terminated.as_deref())
}

fn evidence(waiting: Option<&str>, restarts: Option<i32>, last_terminated: Option<&str>) -> Option<String> {
    if let Some(waiting) = waiting.filter(|w| BROKEN_WAITING.contains(w)) {
        return Some(waiting.to_string());
    }
    match (restarts, last_terminated) {
        (Some(n), Some(reason)) if n > 0 => Some(format!("{n} restart(s), last terminated: {reason}")),
        _ => None,
    }
}

/// How the pod came to be on a revision the controller would replace (for the trap explanation).
pub(super) fn trap_cause(view: &View, row: &Row) -> String {
    let sts = view.sts;
    let update = sts.status.update_revision.clone().unwrap_or_default();
    let pod_rev = row.revision_hash.clone().unwrap_or_else(|| "-".into());
    let numbered = |name: &str| match view.revisions.get(name) {
        Some(r) => format!("{name} (revision {})", r.revision),
        None => name.to_string(),
    };
    let update_cr = view.revisions.get(&update);
    let pod_cr = view.revisions.get(&pod_rev);
    let reverted = match (update_cr, pod_cr) {
        (Some(u), Some(p)) => {
            u.revision > p.revision && matches!((u.created, p.created), (Some(uc), Some(pc)) if uc < pc)
        }
        _ => false,
    };
    if reverted {
        format!(
            "The template was reverted: the update revision is the older template {} brought back, while {} still \
             runs {}.",
            numbered(&update),
            row.pod,
            numbered(&pod_rev)
        )
    } else if row.on_current(sts) {
        format!(
            "{} was already failing on the current revision {} when the template changed to {}.",
            row.pod,
            numbered(&pod_rev),
            numbered(&update)
        )
    } else {
        format!(
            "The template changed to {} after {} was created from {}.",
            numbered(&update),
            row.pod,
            numbered(&pod_rev)
        )
    }
}

/// Why the controller never replaces `row`, and the issue that describes it.
pub(super) fn why_never_replaced(view: &View, row: &Row) -> (String, &'static str) {
    let sts = view.sts;
    match view.update.max_unavailable.filter(|_| sts.is_parallel()) {
        Some(max) => {
            let gate = if view.update.max_unavailable_by_default {
                "on by default in 1.35.0 to 1.35.3"
            } else {
                "spec.updateStrategy.rollingUpdate.maxUnavailable"
            };
            let room = match max {
                1 => "no pod is unavailable".to_string(),
                n => format!("fewer than {n} pods are unavailable"),
            };
            (
                format!(
                    "With podManagementPolicy Parallel and the MaxUnavailableStatefulSet update ({gate}) the \
                     controller replaces pods only while {room}, and {} counts as unavailable, so it never replaces \
                     it",
                    row.pod
                ),
                PARALLEL_TRAP_ISSUE,
            )
        }
        None => (
            format!(
                "With podManagementPolicy OrderedReady the controller replaces a pod only after every pod is Running \
                 and Ready, so it waits for {} forever and never replaces it",
                row.pod
            ),
            TRAP_ISSUE,
        ),
    }
}

pub(super) fn trap_explanation(view: &View, row: &Row, unready: &str, cause: &str, evidence: &str) -> String {
    let sts = view.sts;
    let update = sts.status.update_revision.clone().unwrap_or_default();
    // The state shows a waiting reason; restarts are said separately.
    let seen = match &row.waiting {
        Some(waiting) if waiting == evidence => state(row),
        _ => format!("{}; {evidence}", state(row)),
    };
    let (why, issue) = why_never_replaced(view, row);
    let issue = if issue == TRAP_ISSUE { format!("{TRAP_ISSUE}, \"forced rollback\"") } else { issue.to_string() };
    format!(
        "{} has not been Ready for {unready} ({seen}). {cause} {why} ({issue}). Fix: delete {}; the controller \
         recreates it from update revision {update} (`kubectl sts-doctor -n {} rollout {} --fix`).",
        row.pod, row.pod, sts.namespace, sts.name
    )
}

/// `--fix` after a confirmation (which may have taken minutes): whether `fresh` still judges the
/// same pod, in the same state, trapped under the same spec as `judged` did. Otherwise what changed:
/// a new template or partition changes what deleting the pod does, even if the pod did not change.
pub fn still_trapped(judged: &RolloutStatus, fresh: &RolloutStatus) -> Result<(), String> {
    let pod = judged.blocking_pod.as_deref().unwrap_or("-");
    let row = |s: &RolloutStatus| {
        s.ordinals.iter().find(|r| r.pod == pod).map(|r| (r.uid.clone(), r.resource_version.clone()))
    };
    let (was, is) = (&judged.statefulset, &fresh.statefulset);
    let changed = if is.generation != was.generation || is.update_revision != was.update_revision {
        format!(
            "the spec of statefulset {} changed (generation {} -> {}, update revision {} -> {})",
            is.name,
            was.generation,
            is.generation,
            was.update_revision.as_ref().map_or("-", |r| r.name.as_str()),
            is.update_revision.as_ref().map_or("-", |r| r.name.as_str())
        )
    } else if row(fresh) != row(judged) {
        format!("pod {pod} changed (its status moved, or it was deleted or replaced)")
    } else if fresh.phase != Phase::Trapped || fresh.blocking_pod != judged.blocking_pod {
        format!("the rollout is {} now: {}", fresh.phase.label(), fresh.reason)
    } else {
        return Ok(());
    };
    Err(format!("{changed} since {pod} was judged trapped: nothing was deleted; re-run to judge it again"))
}
