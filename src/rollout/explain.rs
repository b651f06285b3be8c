//! From the controller's next step to a phase, a one-line reason, and a note per ordinal.

use crate::duration::human;

use super::controller::{Action, next_action};
use super::{Phase, Row, TRAP_ISSUE, View, Wants};

pub(crate) struct Verdict {
    pub phase: Phase,
    pub reason: String,
    pub blocking_pod: Option<String>,
    pub explanation: Option<String>,
    pub pods_to_delete: Vec<String>,
    pub action: Action,
}

impl Verdict {
    fn new(phase: Phase, reason: String, action: Action) -> Verdict {
        Verdict { phase, reason, blocking_pod: None, explanation: None, pods_to_delete: vec![], action }
    }
}

pub(crate) fn verdict(view: &View) -> Verdict {
    let sts = view.sts;
    if sts.deleting.is_some() {
        return Verdict::new(Phase::Progressing, "the StatefulSet is being deleted".into(), Action::Nothing);
    }
    if !sts.spec_observed() {
        let observed = sts.status.observed_generation.map_or("none".into(), |g| g.to_string());
        return Verdict::new(
            Phase::Progressing,
            format!("waiting for the controller to observe generation {} (observed: {observed})", sts.generation),
            Action::Nothing,
        );
    }
    let Some(update) = sts.status.update_revision.clone() else {
        return Verdict::new(
            Phase::Progressing,
            "the controller has not recorded an update revision yet".into(),
            Action::Nothing,
        );
    };
    let action = next_action(view);

    // A pod the controller waits on for too long: stuck, or trapped when it would replace it.
    if let Some(i) = action.waits_on().filter(|&i| view.stuck(&view.rows[i])) {
        return blocked(view, i, action);
    }
    // An updated pod that stays unready is a broken revision even when nothing waits on it (Parallel).
    if let Some(i) = (0..view.rows.len())
        .find(|&i| view.rows[i].in_range && view.rows[i].on_update(sts) && view.stuck(&view.rows[i]))
    {
        return blocked(view, i, action);
    }

    if sts.is_on_delete() {
        let mut pending: Vec<&Row> =
            view.in_range().filter(|r| r.exists && !r.terminating && !r.on_update(sts)).collect();
        pending.sort_by_key(|r| std::cmp::Reverse(r.ordinal));
        if !pending.is_empty() && matches!(action, Action::Nothing) {
            let names: Vec<String> = pending.iter().map(|r| r.pod.clone()).collect();
            let mut v = Verdict::new(
                Phase::WaitingForOnDelete,
                format!(
                    "OnDelete: the controller recreates a pod from update revision {update} only once it is deleted; \
                     still to delete: {} (highest first, one at a time, each after the previous one is Ready)",
                    names.join(", ")
                ),
                action,
            );
            v.pods_to_delete = names;
            return v;
        }
    }
    if !matches!(action, Action::Nothing) {
        let reason = describe(view, &action);
        let blocking = action.waits_on().map(|i| view.rows[i].pod.clone());
        let mut v = Verdict::new(Phase::Progressing, reason, action);
        v.blocking_pod = blocking;
        return v;
    }
    // The controller has nothing left to do; pods below the partition may still be unhealthy (Parallel).
    if let Some(i) = (0..view.rows.len()).find(|&i| view.rows[i].in_range && !view.rows[i].is_available()) {
        let row = &view.rows[i];
        if view.stuck(row) {
            return blocked(view, i, Action::Nothing);
        }
        let mut v =
            Verdict::new(Phase::Progressing, format!("waiting for {} ({})", row.pod, state(row)), Action::Nothing);
        v.blocking_pod = Some(row.pod.clone());
        return v;
    }
    // Pods below the partition on neither revision: the controller never touches them.
    let stray: Vec<String> =
        view.in_range().filter(|r| r.wants == Wants::Current && !r.settled).map(|r| r.pod.clone()).collect();
    // OnDelete never records the update revision as current: every pod on it is the end.
    let recorded = sts.is_on_delete() || sts.status.current_revision.as_deref() == Some(update.as_str());
    if recorded && stray.is_empty() {
        return Verdict::new(
            Phase::Done,
            match sts.replicas.max(0) {
                1 => format!("the pod is on revision {update} and Ready"),
                n => format!("all {n} pods are on revision {update} and Ready"),
            },
            Action::Nothing,
        );
    }
    if view.boundary == 0 {
        return Verdict::new(
            Phase::Progressing,
            format!(
                "every pod is on update revision {update} and Ready; waiting for the controller to record it as \
                 the current revision"
            ),
            Action::Nothing,
        );
    }
    let updated = view.in_range().filter(|r| r.index >= view.boundary).count();
    let below: Vec<String> = view.in_range().filter(|r| r.index < view.boundary).map(|r| r.pod.clone()).collect();
    let current = sts.status.current_revision.clone().unwrap_or_else(|| "-".into());
    let mut reason = if updated == 0 {
        format!("partition {} is at or above replicas {}: no pod is updated", sts.partition, sts.replicas)
    } else {
        format!("{updated} of {} pods updated to {update} and Ready", sts.replicas.max(0))
    };
    let stay = if below.len() == 1 { "stays" } else { "stay" };
    reason.push_str(&format!(
        "; {} {stay} on current revision {current} until the partition is lowered",
        below.join(", ")
    ));
    if !stray.is_empty() {
        reason.push_str(&format!(
            "; {} on an old revision below the partition: the controller leaves it as it is (deleting it recreates \
             it from the current revision)",
            stray.join(", ")
        ));
    }
    Verdict::new(Phase::PartitionComplete, reason, Action::Nothing)
}

/// Row `i` has been unready for longer than --stuck-after.
fn blocked(view: &View, i: usize, action: Action) -> Verdict {
    let sts = view.sts;
    let row = &view.rows[i];
    let update = sts.status.update_revision.clone().unwrap_or_default();
    let unready = row.unready_for(view.now).map(human).unwrap_or_default();
    let trapped = !sts.is_parallel()
        && !sts.is_on_delete()
        && row.in_range
        && row.exists
        && !row.terminating
        && row.index >= view.boundary
        && !row.on_update(sts)
        && action.waits_on() == Some(i);
    let lost_node = row.node_health.as_ref().filter(|h| h.suspect_lost).map(|h| {
        format!(
            "its node {} looks lost ({}): a deletion does not finish until the node is back or the pod is \
             force-deleted (`kubectl sts-doctor force-delete {}`)",
            h.node,
            h.summary(view.now),
            row.pod
        )
    });
    if trapped {
        let mut explanation = trap_explanation(view, row, &unready);
        let mut reason = format!(
            "{} is not Ready on revision {} (not the update revision {update}) and the controller waits for it \
             forever ({TRAP_ISSUE}); fix: delete it (`kubectl sts-doctor rollout {} --fix`)",
            row.pod,
            row.revision_hash.as_deref().unwrap_or("-"),
            sts.name
        );
        if let Some(lost) = &lost_node {
            explanation.push_str(&format!(" Note: {lost}."));
            reason.push_str(&format!("; {lost}"));
        }
        let mut v = Verdict::new(Phase::Trapped, reason, action);
        v.blocking_pod = Some(row.pod.clone());
        v.explanation = Some(explanation);
        return v;
    }
    let rolling = sts.status.current_revision != sts.status.update_revision || sts.is_on_delete();
    let reason = match (&lost_node, row.terminating) {
        (Some(_), true) => format!(
            "{} has been terminating for {unready} past its grace period: its node {} looks lost; see `kubectl \
             sts-doctor force-delete {}`",
            row.pod,
            row.node.as_deref().unwrap_or("-"),
            row.pod
        ),
        (None, true) => format!(
            "{} has been terminating for {unready} past its grace period: its kubelet has not confirmed the deletion; \
             if its node is lost, see `kubectl sts-doctor force-delete {}`",
            row.pod, row.pod
        ),
        // The node, not the revision, is to blame.
        (Some(lost), false) => format!("{} has not been Ready for {unready} ({}); {lost}", row.pod, state(row)),
        (None, false) if row.on_update(sts) && rolling => format!(
            "{} on update revision {update} has not been Ready for {unready} ({}): the new revision looks broken; fix \
             or revert the template (after a revert, see `kubectl sts-doctor rollout {} --fix`)",
            row.pod,
            state(row),
            sts.name
        ),
        (None, false) if row.in_range && row.wants == Wants::Current && !row.on_current(sts) => format!(
            "{} has not been Ready for {unready} ({}) on revision {}, below the partition: the controller does not \
             replace it; deleting it recreates it from current revision {}",
            row.pod,
            state(row),
            row.revision_hash.as_deref().unwrap_or("-"),
            sts.status.current_revision.as_deref().unwrap_or("-")
        ),
        (None, false) => format!(
            "{} has not been Ready for {unready} ({}): the controller waits for it before it goes on",
            row.pod,
            state(row)
        ),
    };
    let mut v = Verdict::new(Phase::Stuck, reason, action);
    v.blocking_pod = Some(row.pod.clone());
    v
}

fn trap_explanation(view: &View, row: &Row, unready: &str) -> String {
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
    let cause = if reverted {
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
    };
    format!(
        "{} has not been Ready for {unready} ({}). {cause} With podManagementPolicy OrderedReady the controller \
         replaces a pod only after every pod is Running and Ready, so it waits for {} forever and never replaces it \
         ({TRAP_ISSUE}, \"forced rollback\"). Fix: delete {}; the controller recreates it from update revision {update} \
         (`kubectl sts-doctor rollout {} --fix`).",
        row.pod,
        state(row),
        row.pod,
        row.pod,
        sts.name
    )
}

/// "Pending", "Running, not Ready, CrashLoopBackOff", "Terminating".
pub(crate) fn state(row: &Row) -> String {
    let mut text = match (row.state.as_str(), row.ready) {
        ("Running", Some(false)) => "Running, not Ready".to_string(),
        ("Running", Some(true)) if row.available == Some(false) => "Ready, not yet available".to_string(),
        (state, _) => state.to_string(),
    };
    if let Some(waiting) = &row.waiting {
        text.push_str(&format!(", {waiting}"));
    }
    text
}

/// The controller's next step in words.
fn describe(view: &View, action: &Action) -> String {
    let names = |list: &[usize]| list.iter().map(|&i| view.rows[i].pod.clone()).collect::<Vec<_>>().join(", ");
    let update = view.sts.status.update_revision.as_deref().unwrap_or("-");
    match action {
        Action::Create(list) => format!("the controller creates {}", names(list)),
        Action::Recreate(list) => format!("the controller deletes {} (finished) to create it again", names(list)),
        Action::WaitTerminating(i) => format!("waiting for {} to finish terminating", view.rows[*i].pod),
        Action::WaitReady(i) => {
            format!("waiting for {} to be Running and Ready (it is {})", view.rows[*i].pod, state(&view.rows[*i]))
        }
        Action::WaitAvailable(i) => format!(
            "waiting for {} to be available (Ready for minReadySeconds {})",
            view.rows[*i].pod,
            view.sts.min_ready_seconds.unwrap_or(0)
        ),
        Action::ScaleDown(i) => format!("scale-down: the controller removes {} first", view.rows[*i].pod),
        Action::DeleteForUpdate(list) => {
            format!("the controller deletes {} to recreate it from update revision {update}", names(list))
        }
        Action::Nothing => "nothing to do".into(),
    }
}

/// A note per row: what happens to it next, or what blocks it.
pub(crate) fn annotate(view: &mut View, verdict: &Verdict) {
    let sts = view.sts;
    let waiting_on = verdict.action.waits_on();
    let next: Vec<usize> = match &verdict.action {
        Action::Create(l) | Action::Recreate(l) | Action::DeleteForUpdate(l) => l.clone(),
        Action::ScaleDown(i) => vec![*i],
        _ => vec![],
    };
    let range = format!("[{}, {})", sts.ordinal_range().start, sts.ordinal_range().end);
    let blocker = verdict.blocking_pod.clone();
    for i in 0..view.rows.len() {
        let row = &view.rows[i];
        let note = if blocker.as_deref() == Some(row.pod.as_str()) && verdict.phase.is_blocked() {
            Some(format!(
                "{}: not Ready for {}",
                verdict.phase.label(),
                row.unready_for(view.now).map(human).unwrap_or_default()
            ))
        } else if waiting_on == Some(i) {
            Some(format!("the controller waits for it ({})", state(row)))
        } else if next.contains(&i) {
            Some(match &verdict.action {
                Action::Create(_) => "next: created".to_string(),
                Action::Recreate(_) => "next: deleted and created again".to_string(),
                Action::ScaleDown(_) => "next: removed by scale-down".to_string(),
                _ => "next: deleted and recreated from the update revision".to_string(),
            })
        } else if !row.in_range {
            Some(format!("outside {range}: removed by scale-down"))
        } else if verdict.pods_to_delete.contains(&row.pod) {
            Some("delete it to update it (OnDelete)".into())
        } else if row.settled || !row.exists {
            match row.wants {
                Wants::Current if row.exists && !row.on_current(sts) => {
                    Some("already on the update revision (pods below the partition are not rolled back)".into())
                }
                Wants::Current if !sts.status.current_revision.eq(&sts.status.update_revision) => {
                    Some("below the partition: stays on the current revision".into())
                }
                _ => None,
            }
        } else if row.wants == Wants::Update && !row.on_update(sts) && !sts.is_on_delete() {
            Some("to be updated".into())
        } else if row.wants == Wants::Current && !row.on_current(sts) && !row.on_update(sts) {
            Some("on an old revision below the partition: the controller leaves it; delete it to recreate it from the current revision".into())
        } else {
            None
        };
        view.rows[i].note = note;
    }
}
