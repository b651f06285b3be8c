//! From the controller's next step to a phase, a one-line reason, and a note per ordinal.

use crate::controller_rules::{Finished, SucceededPods};
use crate::duration::human;

use super::blocked::{SUCCEEDED_ISSUE, blocked, trapped_now};
use super::controller::{Action, held_by_max_unavailable, next_action};
use super::holder;
use super::{Phase, Row, View, Wants};

pub(crate) struct Verdict {
    pub phase: Phase,
    pub reason: String,
    pub blocking_pod: Option<String>,
    pub explanation: Option<String>,
    pub pods_to_delete: Vec<String>,
    pub action: Action,
}

impl Verdict {
    pub(super) fn new(phase: Phase, reason: String, action: Action) -> Verdict {
        Verdict { phase, reason, blocking_pod: None, explanation: None, pods_to_delete: vec![], action }
    }
}

pub(crate) fn verdict(view: &View) -> Verdict {
    let sts = view.sts;
    if sts.deleting.is_some() {
        return Verdict::new(Phase::Progressing, "the StatefulSet is being deleted".into(), Action::Nothing);
    }
    let action = next_action(view);
    // A create that fails ends every sync: before the generation is observed too, since a 1.20 to
    // 1.24 controller does not even write the status then.
    if let Some(i) = holder::failing(view, &action) {
        return holder::blocked_by_holder(view, i, action);
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

    // A pod the controller waits on for too long: stuck, or trapped when it would replace it; a
    // broken pod it would replace is trapped at once (it waits for it forever).
    if let Some(i) = trapped_now(view, &action).or_else(|| stuck_wait(view, &action)) {
        return blocked(view, i, action);
    }
    // A finished pod still there long after the controller should have recreated it.
    if let Action::Recreate(list) = &action
        && let Some(&i) = list.iter().find(|&&i| view.stuck(&view.rows[i]))
    {
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
        let mut reason = describe(view, &action);
        if let Some((max, waits)) = held_by_max_unavailable(view, &action) {
            let others: Vec<String> =
                waits[1..].iter().map(|&i| format!("{} ({})", view.rows[i].pod, state(&view.rows[i]))).collect();
            reason.push_str(&format!(
                ", and for {}: maxUnavailable {max} and {} pods unavailable, so the controller replaces no other pod \
                 until one of them is available",
                others.join(", "),
                waits.len()
            ));
        }
        let blocking = action.waits_on().map(|i| view.rows[i].pod.clone());
        let mut v = Verdict::new(Phase::Progressing, reason, action);
        v.blocking_pod = blocking;
        return v;
    }
    // The controller has nothing left to do; pods below the partition may still be unhealthy, and
    // pods outside the range still terminating (Parallel does not wait for either).
    if let Some(i) = (0..view.rows.len()).find(|&i| !view.rows[i].in_range || !view.rows[i].is_available()) {
        let row = &view.rows[i];
        if view.stuck(row) {
            return blocked(view, i, Action::Nothing);
        }
        let reason = if row.in_range {
            format!("waiting for {} ({})", row.pod, state(row))
        } else {
            let range = view.sts.ordinal_range();
            format!(
                "waiting for {} ({}), outside the ordinal range [{}, {}), to be gone",
                row.pod,
                state(row),
                range.start,
                range.end
            )
        };
        let mut v = Verdict::new(Phase::Progressing, reason, Action::Nothing);
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

/// The row the controller waits on, if it has waited for longer than --stuck-after. A blocked
/// scale-down goes on when either of its two pods gets Ready: stuck only when neither has.
fn stuck_wait(view: &View, action: &Action) -> Option<usize> {
    match action {
        Action::ScaleDownBlocked { condemned, waits_for } => {
            (view.stuck(&view.rows[*condemned]) && view.stuck(&view.rows[*waits_for])).then_some(*waits_for)
        }
        action => action.waits_on().filter(|&i| view.stuck(&view.rows[i])),
    }
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
        Action::Recreate(list) => {
            let phases: Vec<&str> = list.iter().map(|&i| view.rows[i].state.as_str()).collect();
            let mut text = format!("the controller deletes {} ({}) to create it again", names(list), phases.join(", "));
            if view.rules.succeeded == SucceededPods::Unknown
                && list.iter().any(|&i| view.rows[i].finished == Some(Finished::Succeeded))
            {
                text.push_str(&format!(
                    " (a Succeeded pod only where the controller has {SUCCEEDED_ISSUE}: 1.29, or a late 1.27/1.28 patch \
                     release; older ones leave it, and OrderedReady then waits for it)"
                ));
            }
            text
        }
        Action::WaitTerminating(i) => format!("waiting for {} to finish terminating", view.rows[*i].pod),
        Action::WaitReady(i) => {
            format!("waiting for {} to be Running and Ready (it is {})", view.rows[*i].pod, state(&view.rows[*i]))
        }
        Action::WaitAvailable(i) => format!(
            "waiting for {} to be available (Ready for minReadySeconds {})",
            view.rows[*i].pod,
            view.sts.min_ready_seconds.unwrap_or(0)
        ),
        Action::ScaleDown(list) => format!("scale-down: the controller removes {} first", names(list)),
        Action::ScaleDownBlocked { condemned, waits_for } => format!(
            "scale-down is blocked until {} ({}) is Running and Ready: {} ({}) is unhealthy, and OrderedReady removes \
             an unhealthy pod only when it is the lowest unhealthy one",
            view.rows[*waits_for].pod,
            state(&view.rows[*waits_for]),
            view.rows[*condemned].pod,
            state(&view.rows[*condemned])
        ),
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
    // maxUnavailable: the other unavailable pods the controller waits on (only while progressing:
    // a blocked verdict names its pod).
    let also_waiting: Vec<usize> = match held_by_max_unavailable(view, &verdict.action) {
        Some((_, waits)) if !verdict.phase.is_blocked() => waits[1..].to_vec(),
        _ => vec![],
    };
    let max_unavailable = view.update.max_unavailable.unwrap_or(1);
    let next: Vec<usize> = match &verdict.action {
        Action::Create(l) | Action::Recreate(l) | Action::DeleteForUpdate(l) | Action::ScaleDown(l) => l.clone(),
        _ => vec![],
    };
    let blocked_removal = match verdict.action {
        Action::ScaleDownBlocked { condemned, waits_for } => Some((condemned, view.rows[waits_for].pod.clone())),
        _ => None,
    };
    let range = format!("[{}, {})", sts.ordinal_range().start, sts.ordinal_range().end);
    let blocker = verdict.blocking_pod.clone();
    for i in 0..view.rows.len() {
        let row = &view.rows[i];
        let note = if row.holder.is_some() {
            holder::note(row, verdict, view.now)
        } else if blocker.as_deref() == Some(row.pod.as_str()) && verdict.phase.is_blocked() {
            Some(format!(
                "{}: not Ready for {}",
                verdict.phase.label(),
                row.unready_for(view.now).map(human).unwrap_or_default()
            ))
        } else if let Some((_, first)) = blocked_removal.as_ref().filter(|(c, _)| *c == i) {
            Some(format!("removal blocked: waits for {first} (the lowest unhealthy pod) to be Running and Ready"))
        } else if waiting_on == Some(i) {
            Some(format!("the controller waits for it ({})", state(row)))
        } else if also_waiting.contains(&i) {
            Some(format!(
                "the controller waits for it too ({}; counted against maxUnavailable {max_unavailable})",
                state(row)
            ))
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
