//! An ordinal whose name a pod of another owner holds (a debug pod, another controller's pod): the
//! StatefulSet controller cannot create its own pod there (the create fails with AlreadyExists),
//! and since a failing create ends its sync, the rollout goes no further until that pod is gone.
//! The rule is `ordinals`' (`controller_rules::failing_create`); this is how `rollout` says it.

use jiff::Timestamp;

use super::controller::Action;
use super::explain::Verdict;
use super::{Phase, Row, View};
use crate::controller_rules::{Slot, failing_create};
use crate::duration::human;
use crate::model::{Pod, StatefulSet};
use crate::ordinals::foreign_reason;

/// The pod holding an ordinal's name, as far as it matters here (it may be known by its metadata
/// only: `Cluster::name_holders`).
#[derive(Debug, Clone)]
pub(crate) struct Holder {
    /// Why it is not this StatefulSet's pod ("its labels do not match the selector app=db").
    pub why: String,
    /// It is being deleted: the controller creates its own pod once it is gone.
    pub terminating: bool,
    /// It belongs to an earlier StatefulSet of the same name: the garbage collector deletes it.
    pub collected: bool,
}

/// Marks `row` (an ordinal in range without a pod of its own) as held by `pod`.
pub(super) fn hold(row: &mut Row, sts: &StatefulSet, pod: &Pod) {
    let collected = pod.controller.as_ref().is_some_and(|o| o.kind == "StatefulSet" && o.name == sts.name);
    row.state = "Foreign".into();
    row.since = pod.created;
    // How long it has been in the way: past its grace period when deleted; when the garbage
    // collector should delete it, since this StatefulSet (or the pod, if younger) exists.
    row.unready_since = match pod.deleting {
        Some(deadline) => Some(deadline),
        None if collected => pod.created.max(sts.created),
        None => pod.created,
    };
    row.holder = Some(Holder { why: foreign_reason(pod, sts), terminating: pod.is_terminating(), collected });
}

/// The held ordinal the controller's next step would create, if any: that create fails.
pub(super) fn failing(view: &View, action: &Action) -> Option<usize> {
    let Action::Create(creates) = action else { return None };
    let slots: Vec<Slot> = view.rows.iter().map(Row::slot).collect();
    failing_create(creates, &slots)
}

/// The rollout waits on row `i`, held by another owner's pod. Stuck at once, unless that pod is
/// on its way out (being deleted, or left to the garbage collector by an earlier StatefulSet of
/// the same name): then only after --stuck-after.
pub(super) fn blocked_by_holder(view: &View, i: usize, action: Action) -> Verdict {
    let sts = view.sts;
    let row = &view.rows[i];
    let holder = row.holder.as_ref().expect("a held row");
    let (pod, ns) = (&row.pod, &sts.namespace);
    let since = row.unready_for(view.now).map(human).unwrap_or_default();
    let stuck = view.stuck(row);
    let (phase, reason) = if holder.terminating && !stuck {
        (
            Phase::Progressing,
            format!(
                "waiting for {pod}, a pod this StatefulSet does not control ({}), to be gone: it is being deleted; the \
                 controller then creates its own {pod}",
                holder.why
            ),
        )
    } else if holder.terminating {
        (
            Phase::Stuck,
            format!(
                "{pod}, a pod this StatefulSet does not control ({}), has been terminating for {since} past its grace \
                 period: the controller cannot create its own {pod} until it is gone; its kubelet has not confirmed \
                 the deletion (if its node is lost, see `kubectl sts-doctor -n {ns} force-delete {pod}`)",
                holder.why
            ),
        )
    } else if holder.collected && !stuck {
        (
            Phase::Progressing,
            format!(
                "waiting for the garbage collector to delete {pod}, left by an earlier StatefulSet of the same name: \
                 the controller then creates its own {pod}"
            ),
        )
    } else if holder.collected {
        (
            Phase::Stuck,
            format!(
                "{pod} belongs to an earlier StatefulSet of the same name and the garbage collector has not deleted it \
                 for {since}: the controller cannot create its own {pod} until it is gone; is kube-controller-manager \
                 running? Deleting it (`kubectl delete pod {pod} -n {ns}`) lets the controller create its own"
            ),
        )
    } else {
        (
            Phase::Stuck,
            format!(
                "{pod} is held by a pod this StatefulSet does not control ({}): the controller cannot create its own \
                 {pod} (the create fails: AlreadyExists) and goes no further while that pod exists; delete it \
                 (`kubectl delete pod {pod} -n {ns}`), or if it is needed, recreate it under another name",
                holder.why
            ),
        )
    };
    let mut v = Verdict::new(phase, reason, action);
    v.blocking_pod = Some(pod.clone());
    v
}

/// The note of a held row.
pub(super) fn note(row: &Row, verdict: &Verdict, now: Timestamp) -> Option<String> {
    let holder = row.holder.as_ref()?;
    let blocking = verdict.blocking_pod.as_deref() == Some(row.pod.as_str());
    Some(match (blocking && verdict.phase.is_blocked(), holder.terminating) {
        (true, true) => format!(
            "{}: held by a pod of another owner, terminating for {}",
            verdict.phase.label(),
            row.unready_for(now).map(human).unwrap_or_default()
        ),
        (true, false) => format!("{}: held by a pod of another owner: delete or rename it", verdict.phase.label()),
        (false, true) => "held by a pod of another owner, being deleted".into(),
        (false, false) => format!("held by a pod of another owner ({})", holder.why),
    })
}
