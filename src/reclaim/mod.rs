//! `reclaim`: which claims no ordinal will use again, and which of them are safe to delete.
//!
//! Pure planning over a snapshot (no API calls). Two modes:
//! - [`plan`]: claims `<template>-<sts>-<n>` of an existing StatefulSet with `n` outside
//!   `[start, start+replicas)`, verified with [`crate::claims::ownership`] (high confidence);
//! - [`plan_deleted`]: claims that look like those of a StatefulSet that no longer exists, grouped
//!   into families by name stem and shared labels (low confidence).
//!
//! Every claim considered is either a [`Candidate`] or a [`Skip`] with its reason. A claim any pod
//! references, one the garbage collector will delete (retention policy), one already Terminating
//! and one owned by something else are never candidates; nothing is a candidate while the
//! StatefulSet is mid-scale (the plan carries a refusal instead).

mod autoscaled;
mod deleted;
mod report;
mod revalidate;
mod scaled;

use jiff::Timestamp;
use serde::Serialize;

pub use autoscaled::reused_by_autoscaler;
pub use deleted::plan_deleted;
pub use report::{ActionStatus, ClaimOutcome, ClaimResult, ReclaimAction, ReclaimReport, exit_for};
pub use revalidate::revalidate;
pub use scaled::{mid_scale, plan};

use crate::duration::age;
use crate::model::{Claim, Pod, RetentionPolicy, Snapshot, Volume};

/// The field manager of the StatefulSet controller (and of the PV controller that binds claims).
const CONTROLLER_MANAGER: &str = "kube-controller-manager";

/// Choices that change what the plan contains.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    /// PVs are switched to Retain before their claim is deleted (needs PVs to be readable).
    pub keep_volume: bool,
    /// Claims matched by name only (a selector without matchLabels) become low-confidence candidates.
    pub include_name_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// Orphans of an existing StatefulSet left by scale-down.
    ScaledDown,
    /// Claims of StatefulSets that no longer exist (`--deleted`).
    Deleted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Confidence {
    /// Name, ordinal and the StatefulSet's labels or ownerReferences agree.
    High,
    /// Inferred from the name (and, for deleted StatefulSets, labels shared by a family of claims).
    Low,
}

/// What deleting the claim does to the data on its volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DataFate {
    /// reclaimPolicy Delete (or Recycle): the volume and its data are destroyed.
    Destroyed,
    /// reclaimPolicy Retain (or switched to Retain by --keep-volume): the PV stays, Released, with the data.
    Kept,
    /// No PV is bound to the claim (Pending, or Lost with its PV gone): no data to lose.
    NoVolume,
    /// The PV names another claim: deleting this one does not touch it.
    Unaffected,
    /// PersistentVolumes could not be read: the reclaim policy is unknown.
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    pub namespace: String,
    pub claim: String,
    /// Delete precondition: the claim planned on is the one deleted.
    pub uid: String,
    /// Delete precondition: the claim has not changed since the plan.
    pub resource_version: String,
    /// The StatefulSet it belongs (belonged) to; None when a deleted one's name cannot be inferred.
    pub statefulset: Option<String>,
    pub template: Option<String>,
    pub ordinal: i32,
    /// Capacity if known, else the request.
    pub size: Option<String>,
    /// Claim phase: Bound, Pending, Lost.
    pub phase: String,
    pub volume: Option<String>,
    pub volume_phase: Option<String>,
    /// PV resourceVersion (precondition of the --keep-volume patch); None when unknown.
    pub volume_resource_version: Option<String>,
    /// The PV's persistentVolumeReclaimPolicy as it is now; None when unknown or no PV.
    pub reclaim_policy: Option<String>,
    pub data_fate: DataFate,
    /// What deleting the claim does to the data, in words.
    pub reclaim: String,
    pub created: Option<Timestamp>,
    pub age: Option<String>,
    /// The pod that last used the claim, as far as can be known (see `last_pod_basis`).
    pub last_pod: Option<String>,
    pub last_pod_basis: String,
    pub confidence: Confidence,
    /// Why the claim is believed to be unused for good.
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skip {
    pub namespace: String,
    pub claim: String,
    /// Stable identifier: terminating, foreign, garbage-collected, owned, in-use, ambiguous,
    /// not-controller-made, scaled-to-zero, autoscaled, name-only, refused, statefulset-exists,
    /// family-in-use, unknown-origin, unlabelled, no-shared-labels.
    pub kind: &'static str,
    pub reason: String,
}

/// The StatefulSet a scale-down plan is about.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub namespace: String,
    pub name: String,
    pub ordinals_start: i32,
    pub ordinals_end: i32,
    pub replicas: i32,
    pub status_replicas: i32,
    pub templates: Vec<String>,
    pub retention: RetentionPolicy,
    /// Whether the server sent persistentVolumeClaimRetentionPolicy (1.23+).
    pub retention_field_present: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReclaimPlan {
    pub mode: Mode,
    /// Scale-down mode: the StatefulSet.
    pub statefulset: Option<Target>,
    /// Deleted mode: the namespace looked at (None: all namespaces).
    pub namespace: Option<String>,
    /// Deleted mode: the deleted StatefulSet's name, when narrowed to one.
    pub deleted_name: Option<String>,
    /// Why nothing may be deleted now; when set, there are no candidates.
    pub refusal: Option<String>,
    pub candidates: Vec<Candidate>,
    pub skipped: Vec<Skip>,
    pub notes: Vec<String>,
}

/// Refusal for --keep-volume when PVs cannot be read: their policy cannot be switched safely.
fn keep_volume_refusal(snap: &Snapshot, options: &PlanOptions) -> Option<String> {
    let reason = snap.volumes.as_ref().err().filter(|_| options.keep_volume)?;
    Some(format!(
        "--keep-volume needs to read and patch PersistentVolumes, and they cannot be read ({reason}); grant get/patch \
         on persistentvolumes, or drop --keep-volume to delete claims with their PVs' own reclaim policy"
    ))
}

fn volumes_note(snap: &Snapshot) -> Option<String> {
    let reason = snap.volumes.as_ref().err()?;
    Some(format!("PersistentVolumes cannot be read, so reclaim policies are unknown: {reason}"))
}

/// Pods in the claim's namespace that reference it. Running pods mount it; finished ones (a Job's)
/// may run again: either way something still wants the claim.
fn users<'a>(snap: &'a Snapshot, claim: &'a Claim) -> Vec<&'a Pod> {
    snap.pods_in(&claim.namespace).filter(|p| p.claims.contains(&claim.name)).collect()
}

fn pod_state(pod: &Pod) -> String {
    if pod.is_terminating() {
        "Terminating".into()
    } else if pod.phase.is_empty() {
        "Pending".into()
    } else {
        pod.phase.clone()
    }
}

fn in_use_skip(claim: &Claim, pods: &[&Pod]) -> Skip {
    let list = pods.iter().map(|p| format!("{} ({})", p.name, pod_state(p))).collect::<Vec<_>>().join(", ");
    let reason = if pods.iter().all(|p| p.is_finished()) {
        format!(
            "referenced by finished pod {list}: a Job may run it again; delete that pod first if the claim is really \
             unused"
        )
    } else {
        format!("used by pod {list}: never deleted while a pod uses it")
    };
    skip(claim, "in-use", reason)
}

fn skip(claim: &Claim, kind: &'static str, reason: String) -> Skip {
    Skip { namespace: claim.namespace.clone(), claim: claim.name.clone(), kind, reason }
}

fn terminating_skip(claim: &Claim, now: Timestamp) -> Option<Skip> {
    let since = claim.deleting?;
    Some(skip(
        claim,
        "terminating",
        format!(
            "already being deleted ({} ago); Kubernetes removes it once no pod uses it (kubernetes.io/pvc-protection)",
            age(since, now)
        ),
    ))
}

/// What deleting `claim` does to its data, given the PVs known and --keep-volume.
fn data_fate<'a>(snap: &'a Snapshot, claim: &Claim, keep_volume: bool) -> (DataFate, Option<&'a Volume>, String) {
    let Some(name) = claim.volume.as_deref() else {
        return (DataFate::NoVolume, None, "no volume bound: no data to lose".into());
    };
    let volumes = match &snap.volumes {
        Ok(volumes) => volumes,
        Err(_) => {
            return (
                DataFate::Unknown,
                None,
                format!(
                    "PV {name}: reclaim policy unknown (PersistentVolumes cannot be read): its data may be destroyed"
                ),
            );
        }
    };
    let Some(volume) = volumes.get(name) else {
        return (DataFate::NoVolume, None, format!("PV {name} no longer exists: no data left to lose"));
    };
    let bound_here = volume.claim.as_ref().is_some_and(|r| {
        r.namespace == claim.namespace && r.name == claim.name && r.uid.as_deref().is_none_or(|u| u == claim.uid)
    });
    if !bound_here {
        let owner = match &volume.claim {
            Some(r) if r.namespace == claim.namespace && r.name == claim.name => {
                "an earlier claim of the same name (another UID)".to_string()
            }
            Some(r) => format!("{}/{}", r.namespace, r.name),
            None => "no claim".to_string(),
        };
        return (
            DataFate::Unaffected,
            Some(volume),
            format!("PV {name} ({}) belongs to {owner}, not this claim: not affected", volume.phase),
        );
    }
    let failed = if volume.phase == "Failed" { " (the PV is in phase Failed: an earlier reclaim failed)" } else { "" };
    let (fate, text) = match volume.reclaim_policy.as_str() {
        "Retain" => (DataFate::Kept, format!("Retain: PV {name} is kept, Released, with the data{failed}")),
        policy @ ("Delete" | "Recycle") if keep_volume => (
            DataFate::Kept,
            format!(
                "{policy}, switched to Retain first (--keep-volume): PV {name} is kept, Released, with the data{failed}"
            ),
        ),
        "Delete" => (DataFate::Destroyed, format!("Delete: PV {name} and the data on it are destroyed{failed}")),
        "Recycle" => {
            (DataFate::Destroyed, format!("Recycle: PV {name} is scrubbed (data destroyed) and reused{failed}"))
        }
        other => (DataFate::Unknown, format!("PV {name} has reclaim policy {other:?}: effect on the data unknown")),
    };
    (fate, Some(volume), text)
}

/// Everything a candidate shows, besides where it came from.
struct Origin<'a> {
    statefulset: Option<&'a str>,
    template: Option<&'a str>,
    ordinal: i32,
    confidence: Confidence,
    evidence: String,
}

fn candidate(snap: &Snapshot, claim: &Claim, origin: Origin<'_>, options: &PlanOptions) -> Candidate {
    let (data_fate, volume, reclaim) = data_fate(snap, claim, options.keep_volume);
    let (last_pod, last_pod_basis) = match origin.statefulset {
        Some(sts) => (
            Some(crate::model::names::pod_name(sts, origin.ordinal)),
            "the pod of the claim's ordinal (<statefulset>-<ordinal>); Kubernetes does not record which pod last \
             mounted a claim"
                .to_string(),
        ),
        None => (None, "unknown: the StatefulSet's name cannot be inferred".to_string()),
    };
    Candidate {
        namespace: claim.namespace.clone(),
        claim: claim.name.clone(),
        uid: claim.uid.clone(),
        resource_version: claim.resource_version.clone(),
        statefulset: origin.statefulset.map(String::from),
        template: origin.template.map(String::from),
        ordinal: origin.ordinal,
        size: claim.capacity.clone().or_else(|| claim.requested.clone()),
        phase: claim.phase.clone(),
        volume: claim.volume.clone(),
        volume_phase: volume.map(|v| v.phase.clone()),
        volume_resource_version: volume.map(|v| v.resource_version.clone()),
        reclaim_policy: volume.map(|v| v.reclaim_policy.clone()),
        data_fate,
        reclaim,
        created: claim.created,
        age: claim.created.map(|t| age(t, snap.now)),
        last_pod,
        last_pod_basis,
        confidence: origin.confidence,
        evidence: origin.evidence,
    }
}

/// "app=web,tier=db"
fn labels_text(labels: &crate::model::Labels) -> String {
    labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests;
