//! What the StatefulSet controller does next, mirroring `updateStatefulSet` in
//! pkg/controller/statefulset/stateful_set_control.go: first every replica in index order
//! (create, recreate failed, and with OrderedReady wait for each to be Running, Ready and
//! available), then scale-down of pods outside the range, then (RollingUpdate only) the update
//! from the highest index down to the partition.

use super::{NextStep, Row, View};

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
    /// Deletes a pod outside the ordinal range (highest first with OrderedReady).
    ScaleDown(usize),
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
            Action::ScaleDown(i) => ("scaleDown", vec![*i]),
            Action::DeleteForUpdate(l) => ("deleteForUpdate", l.clone()),
            Action::Nothing => ("nothing", vec![]),
        };
        NextStep { action: action.into(), pods: list.iter().map(|&i| rows[i].pod.clone()).collect() }
    }

    /// The row a waiting action waits on.
    pub fn waits_on(&self) -> Option<usize> {
        match self {
            Action::WaitTerminating(i) | Action::WaitReady(i) | Action::WaitAvailable(i) => Some(*i),
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
    let monotonic = !sts.is_parallel();
    let rows = &view.rows;
    let in_range: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].in_range).collect();

    // 1. Replicas, in index order.
    let mut create = Vec::new();
    let mut recreate = Vec::new();
    for &i in &in_range {
        let row = &rows[i];
        if !row.exists {
            if monotonic {
                return Action::Create(vec![i]);
            }
            create.push(i);
            continue;
        }
        if row.finished && !row.terminating {
            if monotonic {
                return Action::Recreate(vec![i]);
            }
            recreate.push(i);
            continue;
        }
        if monotonic && !row.is_available() {
            return wait_for(i, row);
        }
    }
    if !create.is_empty() {
        return Action::Create(create);
    }
    if !recreate.is_empty() {
        return Action::Recreate(recreate);
    }

    // 2. Scale-down: pods outside the range, highest ordinal first.
    let mut condemned: Vec<usize> = (0..rows.len()).filter(|&i| !rows[i].in_range).collect();
    condemned.sort_by_key(|&i| std::cmp::Reverse(rows[i].ordinal));
    if monotonic {
        if let Some(&i) = condemned.first() {
            return if rows[i].terminating { Action::WaitTerminating(i) } else { Action::ScaleDown(i) };
        }
    } else if let Some(&i) = condemned.iter().find(|&&i| !rows[i].terminating) {
        return Action::ScaleDown(i);
    }

    // 3. The update (RollingUpdate only), from the highest index down to the partition.
    if sts.is_on_delete() || sts.status.update_revision.is_none() {
        return Action::Nothing;
    }
    let targets: Vec<usize> = in_range.iter().rev().copied().filter(|&i| rows[i].index >= view.boundary).collect();
    let outdated = |i: usize| !rows[i].on_update(sts) && !rows[i].terminating;
    if let Some(max) = sts.max_unavailable.as_deref() {
        // updateStatefulSetAfterInvariantEstablished: up to maxUnavailable pods at once.
        let max = scaled_max_unavailable(max, sts.replicas);
        let unavailable: Vec<usize> = in_range.iter().rev().copied().filter(|&i| !rows[i].is_available()).collect();
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
        if !rows[i].is_available() {
            return wait_for(i, &rows[i]);
        }
    }
    Action::Nothing
}

/// maxUnavailable as a pod count: a percentage of replicas rounded up, at least 1
/// (getStatefulSetMaxUnavailable).
pub(crate) fn scaled_max_unavailable(value: &str, replicas: i32) -> usize {
    let replicas = replicas.max(0) as u64;
    let count = match value.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<u64>().map(|p| (p * replicas).div_ceil(100)).unwrap_or(1),
        None => value.trim().parse::<u64>().unwrap_or(1),
    };
    count.max(1) as usize
}
