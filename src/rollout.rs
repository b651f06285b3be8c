//! `rollout`: where a rolling update stands, ordinal by ordinal, judged by the StatefulSet
//! controller's own rules (pkg/controller/statefulset, `updateStatefulSet`):
//!
//! - The partition is counted by *index* from `ordinals.start` (kubernetes#128529): the pod at
//!   ordinal `o` is updated when `o - start >= partition`; a partition above `replicas` updates
//!   no existing pod (a scale-up past it creates updated ones).
//! - OrderedReady first walks every pod in index order and stops at the first one that is not
//!   Running and Ready (or not yet available for minReadySeconds): no update happens while any pod
//!   is unhealthy. Then scale-down, then the update: the highest index at or above the partition
//!   that is not on the update revision is deleted (and recreated from it), one at a time, each
//!   waiting for the higher ones to be available (only Ready before 1.34). Parallel skips the
//!   first wait. Where the MaxUnavailableStatefulSet gate is on (by default in 1.35.0 to 1.35.3)
//!   the update counts every unavailable pod against maxUnavailable (1 when unset) instead
//!   (`controller::UpdateRules`).
//! - The controller sets `currentRevision = updateRevision` once every replica is updated and
//!   Ready, so with partition 0 a rollout is finished only when both revisions are equal.
//! - The forced-rollback trap (kubernetes#67250): a pod that never becomes Ready stops the first
//!   walk, so when the template is reverted (or changed again) the controller never reaches the
//!   update step that would replace that pod. Only deleting the pod gets it out.
//!
//! `status` is pure: it takes the objects and a clock and returns a [`RolloutStatus`].

mod blocked;
mod controller;
mod explain;
mod holder;
mod notes;
pub mod report;
mod rows;
pub mod step;
mod trap;

pub use trap::{broken_pod_evidence, still_trapped};

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::controller_rules::{Finished, Rules};
use crate::health::NodeHealth;
use crate::model::ServerVersion;
use crate::model::names::pod_ordinal;
use crate::model::{ControllerRevision, Part, Pod, StatefulSet};

/// The issue describing the forced-rollback trap.
pub const TRAP_ISSUE: &str = "kubernetes/kubernetes#67250";

/// What is known besides the objects.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Health of (some of) the pods' nodes: a blocking pod on a node that looks lost is explained as such.
    pub nodes: BTreeMap<String, NodeHealth>,
    /// The API server's version: which controller rules apply (Succeeded pods).
    pub server_version: Option<ServerVersion>,
    /// Local clock minus the API server's, in seconds; the status is judged on the server's clock.
    pub local_skew_seconds: Option<i64>,
    /// The API server sent no Date header: the status is judged on the local clock.
    pub local_clock_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Phase {
    /// Every pod is on the update revision, Ready, and the controller recorded it as current.
    Done,
    /// Every pod from the partition up is updated and Ready; the ones below wait for the
    /// partition to be lowered.
    PartitionComplete,
    /// The controller is working (or about to): creating, deleting or waiting for a pod.
    Progressing,
    /// A pod the rollout waits for has not been Ready for longer than --stuck-after.
    Stuck,
    /// The forced-rollback trap: the controller waits forever for a pod it would replace.
    Trapped,
    /// OnDelete: pods still on an old revision, to be deleted by hand.
    WaitingForOnDelete,
}

impl Phase {
    /// Nothing more will happen without a change to the spec.
    pub fn is_complete(self) -> bool {
        matches!(self, Phase::Done | Phase::PartitionComplete)
    }
    /// Nothing more will happen without someone stepping in.
    pub fn is_blocked(self) -> bool {
        matches!(self, Phase::Stuck | Phase::Trapped)
    }
    pub fn label(self) -> &'static str {
        match self {
            Phase::Done => "done",
            Phase::PartitionComplete => "partition complete",
            Phase::Progressing => "progressing",
            Phase::Stuck => "stuck",
            Phase::Trapped => "trapped",
            Phase::WaitingForOnDelete => "waiting for deletion (OnDelete)",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutStatus {
    pub statefulset: Summary,
    pub phase: Phase,
    /// Why the rollout is in this phase, in one line.
    pub reason: String,
    /// The pod the rollout waits for or is blocked by.
    pub blocking_pod: Option<String>,
    /// For the trap: what happened and how to get out.
    pub explanation: Option<String>,
    /// OnDelete: pods to delete so they are recreated from the update revision, highest first.
    pub pods_to_delete: Vec<String>,
    /// What the controller does next.
    pub controller_next: NextStep,
    pub progress: Progress,
    pub ordinals: Vec<Row>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NextStep {
    /// create, recreate, waitTerminating, waitReady, waitAvailable, scaleDown, deleteForUpdate, nothing.
    pub action: String,
    pub pods: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// Pods from the partition up that are on the update revision, Ready and available.
    pub updated: i32,
    /// Pods from the partition up: the ones this rollout updates.
    pub total: i32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub resource_version: String,
    pub generation: i64,
    pub observed_generation: Option<i64>,
    pub replicas: i32,
    pub ordinals_start: i32,
    pub update_strategy: String,
    pub pod_management_policy: String,
    /// rollingUpdate.partition as written (RollingUpdate only).
    pub partition: Option<i32>,
    /// The first ordinal the rollout updates: ordinals.start + min(partition, replicas).
    pub first_updated_ordinal: Option<i32>,
    pub max_unavailable: Option<String>,
    /// Absent on servers without the field (before 1.22).
    pub min_ready_seconds: Option<i32>,
    pub current_revision: Option<RevisionRef>,
    pub update_revision: Option<RevisionRef>,
    pub deleting: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionRef {
    pub name: String,
    /// ControllerRevision.revision; None when the revisions could not be read.
    pub number: Option<i64>,
}

/// The revision the controller wants an ordinal on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Wants {
    /// Below the partition: stays on the current revision.
    Current,
    Update,
    /// Outside the ordinal range: removed by scale-down.
    Removal,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub ordinal: i32,
    /// ordinal - ordinals.start: what the partition is compared with.
    pub index: i32,
    pub pod: String,
    pub in_range: bool,
    pub exists: bool,
    pub wants: Wants,
    /// Missing, Pending, Running, Succeeded, Failed, Terminating; Foreign: no pod of its own, and
    /// a pod this StatefulSet does not control holds the name.
    pub state: String,
    /// update (on the update revision), current (on a current revision that differs from it) or
    /// other (`ordinals::revision_kind`).
    pub revision: Option<String>,
    pub revision_hash: Option<String>,
    pub revision_number: Option<i64>,
    pub ready: Option<bool>,
    /// Ready for minReadySeconds (equal to ready when the server has no minReadySeconds).
    pub available: Option<bool>,
    pub restarts: Option<i32>,
    /// A container's waiting reason: CrashLoopBackOff, ImagePullBackOff, ...
    pub waiting: Option<String>,
    /// Why a container last terminated (OOMKilled, Error, ...).
    pub last_terminated: Option<String>,
    /// When the Ready condition last changed (else when the pod was created).
    pub since: Option<Timestamp>,
    pub uid: Option<String>,
    /// The pod's resourceVersion when judged: `--fix` deletes it only if it has not changed since.
    pub resource_version: Option<String>,
    pub node: Option<String>,
    /// Known only for the node of a pod that blocks the rollout (fetched when it matters).
    pub node_health: Option<NodeHealth>,
    /// On the wanted revision, Ready and available, not terminating.
    pub settled: bool,
    /// What the controller does next with this ordinal, or what blocks it.
    pub note: Option<String>,
    /// Not Ready (or terminating past its grace period) since then; None when fine.
    #[serde(skip)]
    pub(crate) unready_since: Option<Timestamp>,
    #[serde(skip)]
    pub(crate) running_ready: bool,
    #[serde(skip)]
    pub(crate) terminating: bool,
    #[serde(skip)]
    pub(crate) finished: Option<Finished>,
    /// The pod of another owner holding this ordinal's name (state Foreign).
    #[serde(skip)]
    pub(crate) holder: Option<holder::Holder>,
}

impl Row {
    fn on_update(&self, sts: &StatefulSet) -> bool {
        self.revision_hash.is_some() && self.revision_hash == sts.status.update_revision
    }
    fn on_current(&self, sts: &StatefulSet) -> bool {
        self.revision_hash.is_some() && self.revision_hash == sts.status.current_revision
    }
    /// Healthy in the controller's sense, and available for minReadySeconds.
    fn is_available(&self) -> bool {
        self.available == Some(true) && !self.terminating
    }
    fn unready_for(&self, now: Timestamp) -> Option<SignedDuration> {
        self.unready_since.map(|t| now.duration_since(t))
    }
}

/// Everything `status` derives its answer from.
pub(crate) struct View<'a> {
    pub sts: &'a StatefulSet,
    pub rules: Rules,
    /// How this controller's update step works (it changed with the version).
    pub update: controller::UpdateRules,
    pub rows: Vec<Row>,
    /// Index from which pods are updated: min(partition, replicas) (0 for OnDelete).
    pub boundary: i32,
    pub now: Timestamp,
    pub stuck_after: SignedDuration,
    pub revisions: BTreeMap<String, ControllerRevision>,
}

impl View<'_> {
    fn in_range(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.in_range)
    }
    /// Unready for longer than --stuck-after, or at once on a node that looks lost: nothing there
    /// finishes a deletion or reports the pod Ready until the node is back, however long one waits.
    fn stuck(&self, row: &Row) -> bool {
        row.unready_for(self.now).is_some_and(|d| d > self.stuck_after)
            || row.node_health.as_ref().is_some_and(|h| h.suspect_lost)
    }
}

/// Where the rollout of `sts` stands, given its pods (any pods matching its selector, and any
/// pods holding its ordinals' names: `Cluster::pods_of`),
/// its ControllerRevisions, the clock, and how long a pod may stay unready before the rollout
/// counts as stuck.
pub fn status(
    sts: &StatefulSet,
    pods: &[Pod],
    revisions: &Part<Vec<ControllerRevision>>,
    now: Timestamp,
    stuck_after: SignedDuration,
) -> RolloutStatus {
    status_with(sts, pods, revisions, &Facts::default(), now, stuck_after)
}

/// Like [`status`], with everything else known ([`Facts`]). `now` is the API server's time.
pub fn status_with(
    sts: &StatefulSet,
    pods: &[Pod],
    revisions: &Part<Vec<ControllerRevision>>,
    facts: &Facts,
    now: Timestamp,
    stuck_after: SignedDuration,
) -> RolloutStatus {
    let nodes = &facts.nodes;
    let revision_map: BTreeMap<String, ControllerRevision> = match revisions {
        Ok(list) => list.iter().filter(|r| r.controlled_by(&sts.uid)).map(|r| (r.name.clone(), r.clone())).collect(),
        Err(_) => BTreeMap::new(),
    };
    let replicas = sts.replicas.max(0);
    // The controller's rule, unclamped: a pod at index >= partition gets the update revision, also one
    // a later scale-up creates (partition 5 on 3 replicas: index 3 is created on the current revision).
    let boundary = if sts.is_on_delete() { 0 } else { sts.partition.max(0) };
    let mine: BTreeMap<i32, &Pod> = pods
        .iter()
        .filter(|p| p.namespace == sts.namespace && sts.owns_pod(p))
        .filter_map(|p| Some((pod_ordinal(&sts.name, &p.name)?, p)))
        .collect();
    // Pods of other owners holding a name in range: the controller cannot create its own there.
    let holders: BTreeMap<i32, &Pod> = pods
        .iter()
        .filter(|p| p.namespace == sts.namespace && !sts.owns_pod(p))
        .filter_map(|p| Some((pod_ordinal(&sts.name, &p.name)?, p)))
        .filter(|(o, _)| sts.ordinal_range().contains(o) && !mine.contains_key(o))
        .collect();
    let mut rows: Vec<Row> = sts
        .ordinal_range()
        .map(|o| {
            let mut row = rows::row(sts, o, boundary, mine.get(&o).copied(), &revision_map, nodes, now);
            if let Some(pod) = holders.get(&o) {
                holder::hold(&mut row, sts, pod);
            }
            row
        })
        .collect();
    rows.extend(
        mine.iter()
            .filter(|(o, _)| !sts.ordinal_range().contains(o))
            .map(|(o, p)| rows::row(sts, *o, boundary, Some(p), &revision_map, nodes, now)),
    );
    let rules = Rules::of(sts, facts.server_version.as_ref());
    let update = controller::UpdateRules::of(sts, facts.server_version.as_ref());
    let mut view = View { sts, rules, update, rows, boundary, now, stuck_after, revisions: revision_map };
    let verdict = explain::verdict(&view);
    explain::annotate(&mut view, &verdict);

    let progress = Progress {
        updated: view.in_range().filter(|r| r.index >= boundary && r.on_update(sts) && r.is_available()).count() as i32,
        total: (replicas - boundary).max(0),
    };
    let notes = notes::notes(&view, revisions, facts);
    let mut controller_next = verdict.action.describe(&view.rows);
    if let Some((_, waits)) = controller::held_by_max_unavailable(&view, &verdict.action) {
        controller_next.pods = waits.iter().map(|&i| view.rows[i].pod.clone()).collect();
    }
    RolloutStatus {
        statefulset: summary(&view),
        phase: verdict.phase,
        reason: verdict.reason,
        blocking_pod: verdict.blocking_pod,
        explanation: verdict.explanation,
        pods_to_delete: verdict.pods_to_delete,
        controller_next,
        progress,
        ordinals: view.rows,
        notes,
    }
}

fn summary(view: &View) -> Summary {
    let sts = view.sts;
    let revision_ref = |name: &Option<String>| {
        name.as_ref().map(|n| RevisionRef { name: n.clone(), number: view.revisions.get(n).map(|r| r.revision) })
    };
    Summary {
        namespace: sts.namespace.clone(),
        name: sts.name.clone(),
        uid: sts.uid.clone(),
        resource_version: sts.resource_version.clone(),
        generation: sts.generation,
        observed_generation: sts.status.observed_generation,
        replicas: sts.replicas,
        ordinals_start: sts.ordinals_start,
        update_strategy: sts.update_strategy.clone(),
        pod_management_policy: sts.pod_management_policy.clone(),
        partition: (!sts.is_on_delete()).then_some(sts.partition),
        first_updated_ordinal: (!sts.is_on_delete()).then_some(sts.ordinals_start + view.boundary),
        max_unavailable: sts.max_unavailable.clone(),
        min_ready_seconds: sts.min_ready_seconds,
        current_revision: revision_ref(&sts.status.current_revision),
        update_revision: revision_ref(&sts.status.update_revision),
        deleting: sts.deleting.is_some(),
    }
}

#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
mod judgement_tests;

#[cfg(test)]
mod trap_tests;

#[cfg(test)]
mod update_tests;

#[cfg(test)]
mod holder_tests;
