//! What the StatefulSet controller does next, mirroring `updateStatefulSet` in
//! pkg/controller/statefulset/stateful_set_control.go: first the replicas and scale-down, by the
//! rules shared with `ordinals` (`crate::controller_rules`), then (RollingUpdate only) the update
//! from the highest index down to the partition.

use super::{NextStep, Row, View};
use crate::controller_rules::{ReplicaStep, ScaleDownStep, Slot, replica_step, scale_down_step};
use crate::model::{ServerVersion, StatefulSet};

/// How the update step (3. below) of the controller of a given version works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UpdateRules {
    /// It waits for a pod to be available for minReadySeconds (`isUnavailable`), not only Running
    /// and Ready (`isHealthy`): since 1.34 (kubernetes#130909). Before, only OrderedReady's first
    /// walk waited for availability; Parallel went on once a pod was Ready (kubernetes#119234).
    pub waits_for_available: bool,
    /// `updateStatefulSetAfterInvariantEstablished` (the MaxUnavailableStatefulSet gate) with this
    /// many pods; None: the classic loop, one pod at a time.
    pub max_unavailable: Option<usize>,
    /// The gate is on by default on this server, not set by spec.updateStrategy.rollingUpdate.maxUnavailable.
    pub max_unavailable_by_default: bool,
}

/// 1.35.0 to 1.35.3: MaxUnavailableStatefulSet beta, on by default; off by default again from
/// 1.35.4 and in 1.36 (kubernetes#137904, after the Parallel regression kubernetes#137409). A 1.35
/// whose patch release cannot be read from gitVersion counts as on. From 1.37 it is on by default
/// again (kubernetes#139466) with the regression fixed (kubernetes#137666): old-revision pods no
/// longer hold a Parallel update, and with maxUnavailable unset (1) that is judged as the classic loop.
pub(crate) fn max_unavailable_on_by_default(version: &ServerVersion) -> bool {
    (version.major, version.minor) == (1, 35) && version.patch().is_none_or(|p| p < 4)
}

impl UpdateRules {
    /// A version unknown is taken as the newer controllers (availability) without the gate.
    pub fn of(sts: &StatefulSet, version: Option<&ServerVersion>) -> UpdateRules {
        let by_default = sts.max_unavailable.is_none() && version.is_some_and(max_unavailable_on_by_default);
        let max_unavailable = match &sts.max_unavailable {
            // The API server keeps the field only where the gate is (or was) on.
            Some(max) => Some(scaled_max_unavailable(max, sts.replicas)),
            // getStatefulSetMaxUnavailable: 1 when the field is not set.
            None if by_default => Some(1),
            None => None,
        };
        UpdateRules {
            waits_for_available: version.is_none_or(|v| v.at_least(1, 34)),
            max_unavailable,
            max_unavailable_by_default: by_default,
        }
    }
}

/// The controller's next step. Indexes point into `View::rows`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Creates the missing pod.
    Create(Vec<usize>),
    /// Deletes a Failed/Succeeded pod so it is created again.
    Recreate(Vec<usize>),
    /// Waits for a pod to finish terminating.
    WaitTerminating(usize),
    /// Waits for a pod to be Running and Ready.
    WaitReady(usize),
    /// Waits for a Ready pod to be available for minReadySeconds.
    WaitAvailable(usize),
    /// Deletes pods outside the ordinal range (OrderedReady: the highest, one at a time).
    ScaleDown(Vec<usize>),
    /// OrderedReady: the highest pod outside the range is unhealthy and not the first unhealthy
    /// pod, so the controller waits for `waits_for` before it removes `condemned`.
    ScaleDownBlocked { condemned: usize, waits_for: usize },
    /// Deletes pods not on the update revision so they are recreated from it.
    DeleteForUpdate(Vec<usize>),
    /// Nothing left to do.
    Nothing,
}

impl Action {
    pub fn describe(&self, rows: &[Row]) -> NextStep {
        let (action, list) = match self {
            Action::Create(l) => ("create", l.clone()),
            Action::Recreate(l) => ("recreate", l.clone()),
            Action::WaitTerminating(i) => ("waitTerminating", vec![*i]),
            Action::WaitReady(i) => ("waitReady", vec![*i]),
            Action::WaitAvailable(i) => ("waitAvailable", vec![*i]),
            Action::ScaleDown(l) => ("scaleDown", l.clone()),
            Action::ScaleDownBlocked { condemned, waits_for } => ("scaleDownBlocked", vec![*condemned, *waits_for]),
            Action::DeleteForUpdate(l) => ("deleteForUpdate", l.clone()),
            Action::Nothing => ("nothing", vec![]),
        };
        NextStep { action: action.into(), pods: list.iter().map(|&i| rows[i].pod.clone()).collect() }
    }

    /// The row a waiting action waits on.
    pub fn waits_on(&self) -> Option<usize> {
        match self {
            Action::WaitTerminating(i) | Action::WaitReady(i) | Action::WaitAvailable(i) => Some(*i),
            Action::ScaleDownBlocked { waits_for, .. } => Some(*waits_for),
            _ => None,
        }
    }
}

/// Waiting for `row`: why it is not available yet.
fn wait_for(i: usize, row: &Row) -> Action {
    if row.terminating {
        Action::WaitTerminating(i)
    } else if !row.running_ready {
        Action::WaitReady(i)
    } else {
        Action::WaitAvailable(i)
    }
}

pub(crate) fn next_action(view: &View) -> Action {
    let sts = view.sts;
    let rows = &view.rows;
    let slots: Vec<Slot> = rows.iter().map(Row::slot).collect();

    // 1. Replicas, in index order; 2. scale-down.
    match replica_step(&view.rules, &slots) {
        ReplicaStep::Settled => {}
        ReplicaStep::Create(l) => return Action::Create(l),
        ReplicaStep::Recreate(l) => return Action::Recreate(l),
        ReplicaStep::WaitTerminating(i) => return Action::WaitTerminating(i),
        ReplicaStep::WaitReady(i) => return Action::WaitReady(i),
        ReplicaStep::WaitAvailable(i) => return Action::WaitAvailable(i),
    }
    match scale_down_step(&view.rules, &slots) {
        ScaleDownStep::Done => {}
        ScaleDownStep::Delete(l) => return Action::ScaleDown(l),
        ScaleDownStep::WaitTerminating(i) => return Action::WaitTerminating(i),
        ScaleDownStep::Blocked { condemned, waits_for } => return Action::ScaleDownBlocked { condemned, waits_for },
    }

    // 3. The update (RollingUpdate only), from the highest index down to the partition.
    if sts.is_on_delete() || sts.status.update_revision.is_none() {
        return Action::Nothing;
    }
    let in_range: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].in_range).collect();
    let targets: Vec<usize> = in_range.iter().rev().copied().filter(|&i| rows[i].index >= view.boundary).collect();
    let outdated = |i: usize| !rows[i].on_update(sts) && !rows[i].terminating;
    let rules = view.update;
    // isUnavailable (1.34+: minReadySeconds counts) or, before, !isHealthy.
    let unavailable = |i: usize| {
        let row = &rows[i];
        if rules.waits_for_available { !row.is_available() } else { !row.running_ready || row.terminating }
    };
    if let Some(max) = rules.max_unavailable {
        // updateStatefulSetAfterInvariantEstablished: up to maxUnavailable pods at once, every pod
        // in range counted, below the partition too.
        let unavailable: Vec<usize> = in_range.iter().rev().copied().filter(|&i| unavailable(i)).collect();
        let room = max.saturating_sub(unavailable.len());
        let delete: Vec<usize> = targets.iter().copied().filter(|&i| outdated(i)).take(room).collect();
        if !delete.is_empty() {
            return Action::DeleteForUpdate(delete);
        }
        return match unavailable.first() {
            Some(&i) => wait_for(i, &rows[i]),
            None => Action::Nothing,
        };
    }
    for i in targets {
        if outdated(i) {
            return Action::DeleteForUpdate(vec![i]);
        }
        if unavailable(i) {
            return wait_for(i, &rows[i]);
        }
    }
    Action::Nothing
}

/// With maxUnavailable, when the update has no room left: every unavailable pod in range,
/// highest index first, and the count. The controller replaces another pod once any of them is
/// available, so it waits on them all, not only on the first (the one `action` names). None when
/// `action` is not that wait, or only one pod is unavailable.
pub(crate) fn held_by_max_unavailable(view: &View, action: &Action) -> Option<(usize, Vec<usize>)> {
    let max = view.update.max_unavailable?;
    let first = action.waits_on().filter(|_| !matches!(action, Action::ScaleDownBlocked { .. }))?;
    let slots: Vec<Slot> = view.rows.iter().map(Row::slot).collect();
    if replica_step(&view.rules, &slots) != ReplicaStep::Settled
        || scale_down_step(&view.rules, &slots) != ScaleDownStep::Done
    {
        return None;
    }
    let rows = &view.rows;
    let unavailable = |row: &Row| {
        if view.update.waits_for_available { !row.is_available() } else { !row.running_ready || row.terminating }
    };
    let list: Vec<usize> = (0..rows.len()).rev().filter(|&i| rows[i].in_range && unavailable(&rows[i])).collect();
    (list.len() > 1 && list.first() == Some(&first)).then_some((max, list))
}

/// maxUnavailable as a pod count (getStatefulSetMaxUnavailable): a percentage of replicas rounded
/// down (intstr.GetScaledValueFromIntOrPercent with roundUp false), at least 1.
pub(crate) fn scaled_max_unavailable(value: &str, replicas: i32) -> usize {
    let replicas = replicas.max(0) as u64;
    let count = match value.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<u64>().map(|p| p * replicas / 100).unwrap_or(1),
        None => value.trim().parse::<u64>().unwrap_or(1),
    };
    count.max(1) as usize
}
