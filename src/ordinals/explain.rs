//! The explanations: why a pod is missing, still there after scale-down, or in trouble.
//! These mirror the StatefulSet controller's rules (see the module docs of `ordinals`).

use super::{Issue, OrdinalRow, PodState};
use crate::controller_rules::{ReplicaStep, Rules, ScaleDownStep, Slot, SucceededPods, replica_step, scale_down_step};
use crate::duration::{age, secs_since};
use crate::health::NodeHealth;
use crate::model::{Pod, Snapshot, StatefulSet};

/// What is wrong with a pod that exists, if anything.
pub(super) fn problem(
    snap: &Snapshot,
    pod: &Pod,
    node: Option<&NodeHealth>,
    succeeded: SucceededPods,
) -> Option<(Issue, String)> {
    let lost = node.filter(|h| h.suspect_lost).map(|h| {
        format!("node {} looks lost ({}): the pod cannot be replaced until it is deleted", h.node, h.summary(snap.now))
    });
    if let Some(deleting) = pod.deleting {
        let grace = pod.deletion_grace_seconds.unwrap_or(0);
        // deletionTimestamp is already "now + grace" when set.
        let overdue = secs_since(deleting, snap.now);
        if overdue > 60 {
            let stuck = format!(
                "terminating for {} past its {grace}s grace period: its kubelet has not confirmed the deletion",
                age(deleting, snap.now)
            );
            return Some(match lost {
                Some(l) => (Issue::NodeLost, format!("{stuck}; {l}")),
                None => (Issue::StuckTerminating, stuck),
            });
        }
        return lost.map(|l| (Issue::NodeLost, l));
    }
    if let Some(l) = lost {
        return Some((Issue::NodeLost, l));
    }
    if pod.phase == "Failed" {
        return Some((Issue::PodFailed, "Failed: the controller deletes and recreates failed pods".into()));
    }
    if pod.phase == "Succeeded" {
        // Only since kubernetes#121389 does the controller recreate Succeeded pods too.
        let what = match succeeded {
            SucceededPods::Recreated => "the controller deletes and recreates it",
            SucceededPods::Kept => {
                "this server's controller (before 1.27) recreates only Failed pods: it stays Succeeded until it is \
                 deleted"
            }
            SucceededPods::Unknown => {
                "controllers from 1.29 (and 1.27/1.28 patch releases with kubernetes#121389) recreate it; older ones \
                 leave it until it is deleted"
            }
        };
        return Some((Issue::PodFailed, format!("Succeeded: its containers exited; {what}")));
    }
    if let Some(waiting) = &pod.waiting
        && waiting != "ContainerCreating"
        && waiting != "PodInitializing"
    {
        return Some((Issue::ContainerWaiting, format!("container waiting: {waiting}")));
    }
    if pod.phase == "Pending" || pod.phase.is_empty() {
        return Some((
            Issue::Pending,
            match &pod.node {
                None => "Pending: not scheduled to a node yet".into(),
                Some(n) => format!("Pending on {n}: containers not started yet"),
            },
        ));
    }
    if pod.phase == "Running" && !pod.ready {
        return Some((Issue::NotReady, "Running but not Ready".into()));
    }
    None
}

/// Why ordinal `rows[i]` (in range, no pod) has not been created. `slots` are the rows then the
/// extra pods, as the controller sees them.
pub(super) fn why_missing(
    snap: &Snapshot,
    sts: &StatefulSet,
    rows: &[OrdinalRow],
    slots: &[Slot],
    rules: &Rules,
    i: usize,
) -> (Issue, String) {
    if sts.deleting.is_some() {
        return (Issue::StatefulSetDeleting, "the StatefulSet is being deleted: the controller creates no pods".into());
    }
    let server = snap.server_version.as_ref();
    let step = rules.monotonic.then(|| replica_step(rules, slots));
    let lower = step.as_ref().and_then(ReplicaStep::first).filter(|&j| j < i);
    // A create that fails ends the controller's sync (UpdateStatefulSet returns the error), so
    // no pod after it is created, with Parallel too (see `parallel_blocker`).
    let fails = |j: usize| slots[j].held || rows[j].issue == Some(Issue::CreateFailing);
    let failing = match lower {
        Some(j) => fails(j).then_some(j),
        None if !rules.monotonic => parallel_blocker(rows, i, server, fails),
        None => None,
    };
    let own_event = failed_create(snap, sts, &rows[i].pod);
    // Before 1.25 (kubernetes#109694) a failed sync does not write the status either: the
    // generation then stays unobserved although the controller runs.
    let frozen = (failing.is_some() || own_event.is_some()) && server.is_none_or(|v| !v.at_least(1, 25));
    if !sts.spec_observed() && !frozen {
        return (
            Issue::ControllerBehind,
            format!(
                "the controller has not processed the latest spec yet (generation {}, observed {}); is \
                 kube-controller-manager running?",
                sts.generation,
                sts.status.observed_generation.map_or("none".into(), |g| g.to_string())
            ),
        );
    }
    let unobserved = if sts.spec_observed() {
        String::new()
    } else {
        format!(
            "; the failed sync also leaves the status unwritten (before 1.25), so generation {} is not observed",
            sts.generation
        )
    };
    if let (Some(step), Some(j)) = (&step, lower) {
        let blocker = &rows[j];
        let what = match (step, blocker.state) {
            (_, PodState::Foreign) => "(its name is taken by a pod this StatefulSet does not control)".to_string(),
            (ReplicaStep::Create(_), _) if failing.is_some() => "to be created (creating it fails)".to_string(),
            (ReplicaStep::Create(_), _) => "to be created first".to_string(),
            (ReplicaStep::Recreate(_), _) => {
                format!("to be deleted and created again ({})", finished_note(blocker))
            }
            (ReplicaStep::WaitTerminating(_), _) => "to finish terminating".to_string(),
            (ReplicaStep::WaitAvailable(_), _) => {
                format!("to be available (Ready for minReadySeconds {})", sts.min_ready_seconds.unwrap_or(0))
            }
            _ => format!("to be Running and Ready (it is {})", describe(blocker)),
        };
        return (
            Issue::WaitingForLowerOrdinal,
            format!(
                "waiting for {} {what}: OrderedReady creates pods one at a time, in ordinal order{unobserved}",
                blocker.pod
            ),
        );
    }
    if let Some(j) = failing {
        let why = match rows[j].state {
            PodState::Foreign => "its name is taken by a pod this StatefulSet does not control",
            _ => "see its FailedCreate events",
        };
        let how = if server.is_some_and(|v| v.at_least(1, 28)) {
            "creates Parallel pods in batches of 1, 2, 4, ... and stops after the batch with the failure"
        } else {
            "creates pods one at a time in ordinal order, Parallel too, and stops at the failure (batches came \
             with 1.28)"
        };
        return (
            Issue::WaitingForLowerOrdinal,
            format!("waiting for {}, whose create fails ({why}): the controller {how}{unobserved}", rows[j].pod),
        );
    }
    match own_event {
        Some(event) => (Issue::CreateFailing, format!("creating it fails: {event}{unobserved}")),
        None => (Issue::NotCreatedYet, "not created yet: the controller should create it on its next sync".into()),
    }
}

/// With Parallel, the lower in-range ordinal whose failing create keeps ordinal `i` from being
/// created. Before 1.28 the controller creates one pod at a time in ordinal order and its sync
/// stops at the first failure; since kubernetes#117865 it creates in batches of 1, 2, 4, ... (at
/// most 500) and stops after the batch that had a failure, so a pod in the same batch is created.
fn parallel_blocker(
    rows: &[OrdinalRow],
    i: usize,
    server: Option<&crate::model::ServerVersion>,
    fails: impl Fn(usize) -> bool,
) -> Option<usize> {
    let j = (0..i).find(|&j| rows[j].in_range && fails(j))?;
    if !server.is_some_and(|v| v.at_least(1, 28)) {
        return Some(j);
    }
    let batch = |index: usize| {
        let (mut start, mut size, mut n) = (0, 1, 0);
        while index >= start + size {
            start += size;
            size = (2 * size).min(500);
            n += 1;
        }
        n
    };
    (batch(i) > batch(j)).then_some(j)
}

/// "it is Failed", or for a Succeeded pod, that older controllers leave it alone.
fn finished_note(row: &OrdinalRow) -> String {
    match row.state {
        PodState::Succeeded => {
            "it is Succeeded; controllers before 1.29 (kubernetes#121389) recreate only Failed pods \
                                and wait for it forever: then delete it"
                .to_string()
        }
        _ => format!("it is {}", describe(row)),
    }
}

pub(super) fn describe(row: &OrdinalRow) -> String {
    let mut text = match row.state {
        PodState::Running if row.ready != Some(true) => "Running, not Ready".to_string(),
        state => format!("{state:?}"),
    };
    if let Some(detail) = &row.detail {
        text.push_str(&format!(", {detail}"));
    }
    if row.node_health.as_ref().is_some_and(|h| h.suspect_lost) {
        text.push_str(", on a lost node");
    }
    text
}

/// The latest FailedCreate warning about `pod` (or its claims), with count and age.
pub(super) fn failed_create(snap: &Snapshot, sts: &StatefulSet, pod: &str) -> Option<String> {
    let events = snap.events.as_ref().ok()?;
    let needle = format!(" Pod {pod} ");
    let event = events
        .iter()
        .filter(|e| e.namespace == sts.namespace && e.object == sts.name && e.reason == "FailedCreate")
        .filter(|e| e.message.contains(&needle))
        .max_by_key(|e| e.last_seen)?;
    let when = event.last_seen.map(|t| format!(", last {} ago", age(t, snap.now))).unwrap_or_default();
    Some(format!("{} ({}x{when})", event.message, event.count))
}

/// Why a pod outside the range is still there. `slots` are the rows then the extra pods, as the
/// controller sees them.
pub(super) fn why_extra(
    sts: &StatefulSet,
    rows: &[OrdinalRow],
    extra: &[OrdinalRow],
    slots: &[Slot],
    rules: &Rules,
    i: usize,
) -> (Issue, String) {
    let me = &extra[i];
    let name = |k: usize| if k < rows.len() { &rows[k].pod } else { &extra[k - rows.len()].pod };
    let outside = format!("ordinal {} is outside [{}, {})", me.ordinal, sts.ordinals_start, sts.ordinal_range().end);
    let pending = |text: &str| (Issue::ScaleDownPending, format!("{outside}: {text}"));
    let waiting = |text: String| (Issue::ScaleDownWaiting, format!("{outside}: {text}"));
    if me.state == PodState::Terminating {
        return pending("being removed by scale-down");
    }
    if sts.deleting.is_some() {
        return pending("the StatefulSet is being deleted");
    }
    if !rules.monotonic {
        return pending("scale-down should remove it on the next sync (Parallel)");
    }
    let step = replica_step(rules, slots);
    if let Some(j) = step.first() {
        let state = match step {
            ReplicaStep::WaitAvailable(_) => {
                format!("Ready but not available yet (minReadySeconds {})", sts.min_ready_seconds.unwrap_or(0))
            }
            _ => describe(&rows[j]),
        };
        return waiting(format!(
            "scale-down is waiting for every pod in range to be Running and Ready, and {} is {state}",
            rows[j].pod
        ));
    }
    // Condemned pods go highest first, one at a time: waiting for a higher one is the normal
    // order of a scale-down, not a problem.
    let step = scale_down_step(rules, slots);
    if let ScaleDownStep::WaitTerminating(t) = step
        && slots[t].ordinal > me.ordinal
    {
        return pending(&format!("scale-down waits for {} to finish terminating", name(t)));
    }
    if let Some(next) = extra.iter().find(|r| r.ordinal > me.ordinal) {
        return pending(&format!("removed after {} (scale-down removes the highest ordinal first)", next.pod));
    }
    match step {
        ScaleDownStep::Blocked { condemned, waits_for } if condemned == rows.len() + i => (
            Issue::ScaleDownBlocked,
            format!(
                "{outside}: scale-down is blocked: {} is {} and OrderedReady only removes an unhealthy pod when \
                 it is the lowest unhealthy one ({} is unhealthy too)",
                me.pod,
                describe(me),
                name(waits_for)
            ),
        ),
        _ => pending("next to be removed by scale-down"),
    }
}
