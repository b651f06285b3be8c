//! `claims`: every (ordinal × volumeClaimTemplate) claim of a StatefulSet, its volume, who mounts
//! it, and what is wrong: missing, Pending/Lost, orphaned by scale-down (unless an autoscaler's
//! scale-up reuses it), drifted from the template, mounted by the wrong pod, pinned to a lost node.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::Serialize;

use crate::health::{NodeHealth, node_health};
use crate::model::names::{claim_name, claim_ordinal, pod_name, pod_ordinal};
use crate::model::{Claim, ClaimTemplate, RetentionPolicy, Snapshot, StatefulSet, Unavailable};
pub use crate::severity::Severity;
use orphans::out_of_range;
use size::size_flags;

#[path = "claims_orphans.rs"]
mod orphans;
#[path = "claims_size.rs"]
mod size;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimsReport {
    pub statefulset: ClaimsSummary,
    pub claims: Vec<ClaimRow>,
    /// What could not be read (RBAC): the report is incomplete without it (notes say so too).
    pub unavailable: Vec<Unavailable>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimsSummary {
    pub namespace: String,
    pub name: String,
    pub ordinals_start: i32,
    pub ordinals_end: i32,
    pub templates: Vec<ClaimTemplate>,
    /// The policy in effect (Retain/Retain when the server has no such field).
    pub retention: RetentionPolicy,
    /// Whether the server sent persistentVolumeClaimRetentionPolicy (1.23+).
    pub retention_field_present: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ClaimStatus {
    Missing,
    Pending,
    Bound,
    Lost,
    Terminating,
    Unknown,
}

/// Whether a claim named like one of the StatefulSet's really is one of its claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Ownership {
    /// An ownerReference to the StatefulSet or to one of its pods (retention policy).
    OwnerReference,
    /// Carries the selector's matchLabels, which the controller copies onto every claim it makes.
    Labels,
    /// Only the name matches (a selector with matchExpressions only: nothing was copied).
    NameOnly,
    /// Named like ours but owned by, or labelled for, something else.
    Foreign,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Flag {
    /// Stable identifier: missing, pending, lost, terminating, orphan, autoscaler-reserved, deleted-with-pod,
    /// foreign, size-drift, resize-pending, resize-failed, class-drift, access-drift, shared-mount, wrong-pod,
    /// pinned-to-lost-node.
    pub kind: &'static str,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimRow {
    pub ordinal: i32,
    pub template: String,
    pub claim: String,
    pub in_range: bool,
    pub status: ClaimStatus,
    pub ownership: Option<Ownership>,
    pub uid: Option<String>,
    pub resource_version: Option<String>,
    pub volume: Option<String>,
    pub volume_phase: Option<String>,
    pub requested: Option<String>,
    pub capacity: Option<String>,
    pub template_size: Option<String>,
    pub storage_class: Option<String>,
    pub access_modes: Vec<String>,
    pub reclaim_policy: Option<String>,
    pub node_affinity: Vec<String>,
    /// Health of the node a node-local volume is pinned to.
    pub pinned_node: Option<NodeHealth>,
    /// Pods (not finished) that mount the claim, any owner.
    pub mounted_by: Vec<String>,
    /// ownerReferences, e.g. "StatefulSet web", "Pod web-3".
    pub owners: Vec<String>,
    pub created: Option<Timestamp>,
    pub flags: Vec<Flag>,
}

pub fn diagnose(snap: &Snapshot, sts: &StatefulSet) -> ClaimsReport {
    let mut rows = Vec::new();
    for i in sts.ordinal_range() {
        for t in &sts.claim_templates {
            let name = claim_name(&t.name, &sts.name, i);
            rows.push(row(snap, sts, t, i, &name, true));
        }
    }
    for (t, i, claim) in claims_outside_range(snap, sts) {
        rows.push(row(snap, sts, t, i, &claim.name, false));
    }
    let mut notes = snap.unavailable_notes();
    if sts.claim_templates.is_empty() {
        notes.push("the StatefulSet has no volumeClaimTemplates".into());
    }
    ClaimsReport {
        statefulset: ClaimsSummary {
            namespace: sts.namespace.clone(),
            name: sts.name.clone(),
            ordinals_start: sts.ordinals_start,
            ordinals_end: sts.ordinal_range().end,
            templates: sts.claim_templates.clone(),
            retention: sts.effective_retention(),
            retention_field_present: sts.retention.is_some(),
        },
        claims: rows,
        unavailable: snap.unavailable(),
        notes,
    }
}

/// Claims named `<template>-<sts>-<n>` with n outside the range, in (template, ordinal) order.
pub fn claims_outside_range<'a>(snap: &'a Snapshot, sts: &'a StatefulSet) -> Vec<(&'a ClaimTemplate, i32, &'a Claim)> {
    let range = sts.ordinal_range();
    let mut found: Vec<(&ClaimTemplate, i32, &Claim)> = snap
        .claims_in(&sts.namespace)
        .filter_map(|c| {
            sts.claim_templates.iter().find_map(|t| claim_ordinal(&t.name, &sts.name, &c.name).map(|i| (t, i, c)))
        })
        .filter(|(_, i, _)| !range.contains(i))
        .collect();
    found.sort_by(|a, b| (&a.0.name, a.1).cmp(&(&b.0.name, b.1)));
    found
}

/// Decides, beyond the name, whether `claim` belongs to `sts` (see [`Ownership`]).
pub fn ownership(sts: &StatefulSet, claim: &Claim) -> Ownership {
    // whenDeleted=Delete owns claims by the StatefulSet; whenScaled=Delete by the pod of the ordinal.
    let owned_by_us = claim.owners.iter().any(|o| {
        (o.kind == "StatefulSet" && o.uid == sts.uid) || (o.kind == "Pod" && pod_ordinal(&sts.name, &o.name).is_some())
    });
    if owned_by_us {
        return Ownership::OwnerReference;
    }
    let owned_by_other = claim.owners.iter().any(|o| o.kind == "StatefulSet" && o.uid != sts.uid);
    if owned_by_other {
        return Ownership::Foreign;
    }
    if sts.selector.match_labels.is_empty() {
        return Ownership::NameOnly;
    }
    let labelled = sts.selector.match_labels.iter().all(|(k, v)| claim.labels.get(k) == Some(v));
    if labelled { Ownership::Labels } else { Ownership::Foreign }
}

fn row(
    snap: &Snapshot,
    sts: &StatefulSet,
    template: &ClaimTemplate,
    ordinal: i32,
    name: &str,
    in_range: bool,
) -> ClaimRow {
    let claim = snap.claim(&sts.namespace, name);
    let mut row = ClaimRow {
        ordinal,
        template: template.name.clone(),
        claim: name.to_string(),
        in_range,
        status: ClaimStatus::Missing,
        ownership: None,
        uid: None,
        resource_version: None,
        volume: None,
        volume_phase: None,
        requested: None,
        capacity: None,
        template_size: template.storage.clone(),
        storage_class: None,
        access_modes: vec![],
        reclaim_policy: None,
        node_affinity: vec![],
        pinned_node: None,
        mounted_by: vec![],
        owners: vec![],
        created: None,
        flags: vec![],
    };
    let pod = pod_name(&sts.name, ordinal);
    let Some(claim) = claim else {
        row.flags.push(missing(sts, snap.pod(&sts.namespace, &pod), name, &pod));
        return row;
    };
    row.status = status_of(claim);
    row.ownership = Some(ownership(sts, claim));
    row.uid = Some(claim.uid.clone());
    row.resource_version = Some(claim.resource_version.clone());
    row.volume = claim.volume.clone();
    row.requested = claim.requested.clone();
    row.capacity = claim.capacity.clone();
    row.storage_class = claim.storage_class.clone();
    row.access_modes = claim.access_modes.clone();
    row.created = claim.created;
    row.owners = claim.owners.iter().map(|o| format!("{} {}", o.kind, o.name)).collect();
    row.mounted_by = snap.pods_mounting(&sts.namespace, name).map(|p| p.name.clone()).collect();
    if let Some(volume) = claim.volume.as_deref().and_then(|v| snap.volume(v)) {
        row.volume_phase = Some(volume.phase.clone());
        row.reclaim_policy = Some(volume.reclaim_policy.clone());
        row.node_affinity = volume.node_affinity.clone();
        // Several values: the volume is reachable from any of them; it is lost only if all are.
        let pinned: Vec<NodeHealth> =
            volume.pinned_nodes.iter().map(|h| node_health(snap, snap.node_for_hostname(h))).collect();
        row.pinned_node = pinned.iter().find(|h| !h.suspect_lost).or(pinned.first()).cloned();
    }
    row.flags = flags(snap, sts, template, claim, &row, &pod);
    row
}

/// The flag of a claim that does not exist. The controller creates an ordinal's claims just
/// before it creates the pod (CreateStatefulPod), not for a pod that exists with the template's
/// volumes: missing while its own pod exists is an error; while no pod, or a pod it does not
/// control, holds the name, the claim is simply not created yet.
fn missing(sts: &StatefulSet, pod: Option<&crate::model::Pod>, name: &str, pod_name: &str) -> Flag {
    let (severity, message) = match pod {
        Some(p) if sts.owns_pod(p) => (Severity::Error, format!("claim {name} does not exist but pod {pod_name} does")),
        // The pod holding the name is the problem (ordinals: Foreign; doctor: ordinal-foreign).
        Some(_) => (
            Severity::Warning,
            format!(
                "claim {name} does not exist; {pod_name} is not this StatefulSet's pod (it does not control it): \
                 the controller creates it just before it tries to create its own {pod_name}, which fails while \
                 that pod holds the name"
            ),
        ),
        None => (
            Severity::Warning,
            format!("claim {name} does not exist yet (the controller creates it with pod {pod_name})"),
        ),
    };
    Flag { kind: "missing", severity, message }
}

fn status_of(claim: &Claim) -> ClaimStatus {
    if claim.deleting.is_some() {
        return ClaimStatus::Terminating;
    }
    match claim.phase.as_str() {
        "Pending" => ClaimStatus::Pending,
        "Bound" => ClaimStatus::Bound,
        "Lost" => ClaimStatus::Lost,
        _ => ClaimStatus::Unknown,
    }
}

fn flags(
    snap: &Snapshot,
    sts: &StatefulSet,
    template: &ClaimTemplate,
    claim: &Claim,
    row: &ClaimRow,
    pod: &str,
) -> Vec<Flag> {
    let mut flags = Vec::new();
    let mut flag = |kind, severity, message: String| flags.push(Flag { kind, severity, message });
    let name = &claim.name;
    match row.status {
        ClaimStatus::Pending => flag(
            "pending",
            Severity::Warning,
            format!(
                "{name} is Pending: no volume bound yet (no matching PV, provisioner failing, or WaitForFirstConsumer)"
            ),
        ),
        ClaimStatus::Lost => {
            flag("lost", Severity::Error, format!("{name} is Lost: its PersistentVolume is gone and the data with it"))
        }
        ClaimStatus::Terminating => flag(
            "terminating",
            Severity::Warning,
            format!("{name} is being deleted; it stays until no pod uses it (pvc-protection)"),
        ),
        _ => {}
    }
    if row.ownership == Some(Ownership::Foreign) {
        flag(
            "foreign",
            Severity::Warning,
            format!(
                "{name} is named like this StatefulSet's claim but is owned by or labelled for something else \
                 (labels {:?}, owners {:?}); {}",
                claim.labels,
                row.owners,
                if row.in_range {
                    "the pod uses it anyway: the controller matches claims by name"
                } else {
                    "not treated as an orphan"
                }
            ),
        );
    } else if !row.in_range {
        let Flag { kind, severity, message } = out_of_range(snap, sts, row);
        flag(kind, severity, message);
    }
    size_flags(template, claim, &mut flag);
    if let (Some(want), Some(have)) = (&template.storage_class, &claim.storage_class)
        && want != have
    {
        flag("class-drift", Severity::Warning, format!("storage class {have} differs from the template's {want}"));
    }
    let want: BTreeSet<&String> = template.access_modes.iter().collect();
    let have: BTreeSet<&String> = claim.access_modes.iter().collect();
    if !want.is_empty() && want != have {
        flag(
            "access-drift",
            Severity::Warning,
            format!("access modes {:?} differ from the template's {:?}", claim.access_modes, template.access_modes),
        );
    }
    let others: Vec<&String> = row.mounted_by.iter().filter(|p| p.as_str() != pod).collect();
    if !others.is_empty() {
        let list = others.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        let (kind, text) = if row.in_range {
            let own = row.mounted_by.iter().any(|p| p == pod);
            (
                "shared-mount",
                if own {
                    format!("also mounted by {list}, not only by {pod}")
                } else {
                    format!("mounted by {list}, not by its own pod {pod}")
                },
            )
        } else {
            ("wrong-pod", format!("mounted by {list} although its ordinal is out of range"))
        };
        flag(kind, Severity::Warning, text);
    }
    if let Some(h) = row.pinned_node.as_ref().filter(|h| h.suspect_lost) {
        flag(
            "pinned-to-lost-node",
            Severity::Error,
            format!(
                "the volume is pinned to node {} which looks lost ({}): {pod} cannot start anywhere else until the node \
                 returns or the claim is replaced (data on that node is unreachable)",
                h.node,
                h.summary(snap.now)
            ),
        );
    }
    flags
}

#[cfg(test)]
#[path = "claims_autoscaled_tests.rs"]
mod autoscaled_tests;
#[cfg(test)]
#[path = "claims_tests.rs"]
pub(crate) mod tests;
