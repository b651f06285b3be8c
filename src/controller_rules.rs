//! The StatefulSet controller's rules, in one place for `ordinals` and `rollout`. They mirror
//! `updateStatefulSet` in pkg/controller/statefulset/stateful_set_control.go and the helpers in
//! stateful_set_utils.go:
//!
//! - healthy (`isHealthy`): Running, Ready and not terminating;
//! - available (`isRunningAndAvailable`, servers with minReadySeconds, 1.22+): healthy and Ready
//!   for longer than minReadySeconds; a server without the field behaves as 0;
//! - first every replica in index order (`processReplica`): a missing pod is created; a Failed pod
//!   is deleted so it is created again (a Succeeded one too since kubernetes#121389, see
//!   [`SucceededPods`]); with OrderedReady the walk stops at the first pod it creates or deletes,
//!   and at the first one that is terminating, not Running and Ready, or not available;
//! - then scale-down (`processCondemned`): pods outside the range, highest ordinal first; with
//!   OrderedReady one at a time, each once the previous one is gone, and an unhealthy pod only when
//!   it is the first unhealthy pod (replicas in index order, then condemned pods lowest first).
//!
//! With Parallel nothing waits and nothing is ordered. The update step (RollingUpdate) that comes
//! after these is `rollout`'s alone (`rollout::controller`).

use jiff::{SignedDuration, Timestamp};

use crate::model::ServerVersion;
use crate::model::{Pod, StatefulSet};

/// A pod in a terminal phase. StatefulSet pods have restartPolicy Always, so only an eviction or
/// a node shutdown gets them there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    Failed,
    Succeeded,
}

/// One ordinal as the controller sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub ordinal: i32,
    pub in_range: bool,
    /// No pod of this StatefulSet at this ordinal. A foreign pod holding the name counts as
    /// missing: the controller does not see it, and its create fails (see `held`).
    pub missing: bool,
    /// A pod this StatefulSet does not control holds the ordinal's name: the controller's create
    /// fails (AlreadyExists) and ends its sync there (see [`failing_create`]).
    pub held: bool,
    pub terminating: bool,
    pub finished: Option<Finished>,
    /// Phase Running and condition Ready (`isRunningAndReady`).
    pub running_ready: bool,
    /// Healthy and Ready for longer than minReadySeconds.
    pub available: bool,
}

impl Slot {
    pub fn missing(ordinal: i32, in_range: bool) -> Slot {
        Slot {
            ordinal,
            in_range,
            missing: true,
            held: false,
            terminating: false,
            finished: None,
            running_ready: false,
            available: false,
        }
    }

    /// An ordinal whose name a pod of another owner holds (in range: only those matter).
    pub fn held(ordinal: i32) -> Slot {
        Slot { held: true, ..Slot::missing(ordinal, true) }
    }

    /// The slot of `pod`, a pod the StatefulSet owns, judged at `now`.
    pub fn of(sts: &StatefulSet, ordinal: i32, pod: &Pod, now: Timestamp) -> Slot {
        Slot {
            ordinal,
            in_range: sts.ordinal_range().contains(&ordinal),
            missing: false,
            held: false,
            terminating: pod.is_terminating(),
            finished: finished(pod),
            running_ready: pod.is_running_and_ready(),
            available: available(pod, sts.min_ready_seconds, now),
        }
    }
}

pub fn finished(pod: &Pod) -> Option<Finished> {
    match pod.phase.as_str() {
        "Failed" => Some(Finished::Failed),
        "Succeeded" => Some(Finished::Succeeded),
        _ => None,
    }
}

/// `isHealthy`: Running, Ready, not terminating.
pub fn healthy(pod: &Pod) -> bool {
    pod.is_healthy()
}

/// Healthy, and Ready for longer than `min_ready_seconds` (`podutil.IsPodAvailable`: the Ready
/// transition plus minReadySeconds is before now). Absent (servers before 1.22) counts as 0.
pub fn available(pod: &Pod, min_ready_seconds: Option<i32>, now: Timestamp) -> bool {
    healthy(pod)
        && match min_ready_seconds.filter(|m| *m > 0) {
            None => true,
            Some(min) => pod.ready_since.is_some_and(|t| now.duration_since(t) > SignedDuration::from_secs(min.into())),
        }
}

/// Whether the controller deletes (and so recreates) Succeeded pods. kubernetes#121389 added it
/// in 1.29, and to 1.27 and 1.28 patch releases (pods can end Succeeded since 1.27, e.g. after a
/// node shutdown); older controllers, 1.20 among them, recreate only Failed pods and, with
/// OrderedReady, wait for a Succeeded pod forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SucceededPods {
    Recreated,
    Kept,
    /// The server version is unknown (or a 1.27/1.28, where it depends on the patch release).
    #[default]
    Unknown,
}

impl SucceededPods {
    pub fn for_version(version: Option<&ServerVersion>) -> SucceededPods {
        match version {
            Some(v) if v.at_least(1, 29) => SucceededPods::Recreated,
            Some(v) if !v.at_least(1, 27) => SucceededPods::Kept,
            _ => SucceededPods::Unknown,
        }
    }
}

/// How a controller treats one StatefulSet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// OrderedReady (`!allowsBurst`): one pod at a time, each waiting for the previous ones.
    pub monotonic: bool,
    pub succeeded: SucceededPods,
}

impl Rules {
    pub fn of(sts: &StatefulSet, version: Option<&ServerVersion>) -> Rules {
        Rules { monotonic: !sts.is_parallel(), succeeded: SucceededPods::for_version(version) }
    }

    /// Whether the controller deletes this finished pod to create it again. With the version
    /// unknown a Succeeded pod is taken as recreated; callers say it may not be.
    pub fn recreates(&self, finished: Finished) -> bool {
        finished == Finished::Failed || self.succeeded != SucceededPods::Kept
    }
}

/// The first step of a sync: the replicas (slots in range), in index order. Indexes point into
/// the slots given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplicaStep {
    /// Every replica exists and, with OrderedReady, is available: scale-down and update may go on.
    Settled,
    /// Creates these missing pods.
    Create(Vec<usize>),
    /// Deletes these finished pods so they are created again.
    Recreate(Vec<usize>),
    /// OrderedReady waits for this pod to finish terminating.
    WaitTerminating(usize),
    /// OrderedReady waits for this pod to be Running and Ready.
    WaitReady(usize),
    /// OrderedReady waits for this Ready pod to be available for minReadySeconds.
    WaitAvailable(usize),
}

impl ReplicaStep {
    /// The pod the walk stopped at (OrderedReady: the first one in the way).
    pub fn first(&self) -> Option<usize> {
        match self {
            ReplicaStep::Settled => None,
            ReplicaStep::Create(l) | ReplicaStep::Recreate(l) => l.first().copied(),
            ReplicaStep::WaitTerminating(i) | ReplicaStep::WaitReady(i) | ReplicaStep::WaitAvailable(i) => Some(*i),
        }
    }
}

pub fn replica_step(rules: &Rules, slots: &[Slot]) -> ReplicaStep {
    let mut create = Vec::new();
    let mut recreate = Vec::new();
    for (i, slot) in slots.iter().enumerate().filter(|(_, s)| s.in_range) {
        if slot.missing {
            if rules.monotonic {
                return ReplicaStep::Create(vec![i]);
            }
            create.push(i);
            continue;
        }
        if slot.finished.is_some_and(|f| rules.recreates(f)) && !slot.terminating {
            if rules.monotonic {
                return ReplicaStep::Recreate(vec![i]);
            }
            recreate.push(i);
            continue;
        }
        if !rules.monotonic {
            continue;
        }
        if slot.terminating {
            return ReplicaStep::WaitTerminating(i);
        }
        if !slot.running_ready {
            return ReplicaStep::WaitReady(i);
        }
        if !slot.available {
            return ReplicaStep::WaitAvailable(i);
        }
    }
    if !create.is_empty() {
        ReplicaStep::Create(create)
    } else if !recreate.is_empty() {
        ReplicaStep::Recreate(recreate)
    } else {
        ReplicaStep::Settled
    }
}

/// Of the pods a create step makes (`ReplicaStep::Create`), the first whose name a pod of another
/// owner holds ([`Slot::held`]). Its create fails with AlreadyExists and `UpdateStatefulSet`
/// returns the error: the sync ends there, every time, so nothing after it happens (no later
/// create with OrderedReady, and before 1.28 with Parallel too; no scale-down, no update; before
/// 1.25 not even the status is written) until that pod is gone.
pub fn failing_create(creates: &[usize], slots: &[Slot]) -> Option<usize> {
    creates.iter().copied().find(|&i| slots[i].held)
}

/// The second step: pods outside the range. Indexes point into the slots given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScaleDownStep {
    /// Nothing left to remove (or, with Parallel, only pods already terminating).
    Done,
    /// Deletes these pods (OrderedReady: the highest one; Parallel: all, highest first).
    Delete(Vec<usize>),
    /// OrderedReady waits for the highest condemned pod to finish terminating.
    WaitTerminating(usize),
    /// OrderedReady: the highest condemned pod is unhealthy but not the first unhealthy pod, so
    /// the controller waits for `waits_for` (the first unhealthy one) to be Running and Ready
    /// (and available) before it removes `condemned`.
    Blocked { condemned: usize, waits_for: usize },
}

/// Scale-down, as the controller does it once [`replica_step`] is settled (OrderedReady) or at
/// every sync (Parallel).
pub fn scale_down_step(rules: &Rules, slots: &[Slot]) -> ScaleDownStep {
    let mut condemned: Vec<usize> = (0..slots.len()).filter(|&i| !slots[i].in_range && !slots[i].missing).collect();
    condemned.sort_by_key(|&i| std::cmp::Reverse(slots[i].ordinal));
    if !rules.monotonic {
        let delete: Vec<usize> = condemned.into_iter().filter(|&i| !slots[i].terminating).collect();
        return if delete.is_empty() { ScaleDownStep::Done } else { ScaleDownStep::Delete(delete) };
    }
    let Some(&highest) = condemned.first() else { return ScaleDownStep::Done };
    if slots[highest].terminating {
        return ScaleDownStep::WaitTerminating(highest);
    }
    if slots[highest].available {
        return ScaleDownStep::Delete(vec![highest]);
    }
    match first_unavailable(slots) {
        Some(first) if first != highest => ScaleDownStep::Blocked { condemned: highest, waits_for: first },
        _ => ScaleDownStep::Delete(vec![highest]),
    }
}

/// The controller's `firstUnavailablePod`: the first replica in index order that is not available,
/// else the lowest condemned pod that is not.
fn first_unavailable(slots: &[Slot]) -> Option<usize> {
    let replica = (0..slots.len()).find(|&i| slots[i].in_range && !slots[i].available);
    replica.or_else(|| {
        (0..slots.len())
            .filter(|&i| !slots[i].in_range && !slots[i].missing && !slots[i].available)
            .min_by_key(|&i| slots[i].ordinal)
    })
}

#[cfg(test)]
#[path = "controller_rules_tests.rs"]
mod tests;
