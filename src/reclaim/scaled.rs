//! Orphans of an existing StatefulSet: claims left outside `[start, start+replicas)` by scale-down.

use super::{
    CONTROLLER_MANAGER, Candidate, Confidence, Mode, Origin, PlanOptions, ReclaimPlan, Skip, Target, candidate,
    in_use_skip, keep_volume_refusal, labels_text, skip, terminating_skip, users, volumes_note,
};
use crate::claims::{Ownership, claims_outside_range, ownership};
use crate::duration::age;
use crate::model::names::{claim_ordinal, pod_ordinal};
use crate::model::{Claim, Snapshot, StatefulSet};

pub fn plan(snap: &Snapshot, sts: &StatefulSet, options: &PlanOptions) -> ReclaimPlan {
    let refusal = match (mid_scale(snap, sts), keep_volume_refusal(snap, options)) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    let range = sts.ordinal_range();
    let mut candidates = Vec::new();
    let mut skipped = Vec::new();
    for (template, ordinal, claim) in claims_outside_range(snap, sts) {
        let owned = ownership(sts, claim);
        let reason = terminating_skip(claim, snap.now)
            .or_else(|| (owned == Ownership::Foreign).then(|| foreign_skip(sts, claim)))
            .or_else(|| owner_skip(sts, claim))
            .or_else(|| Some(users(snap, claim)).filter(|u| !u.is_empty()).map(|u| in_use_skip(claim, &u)))
            .or_else(|| other_claimant(snap, sts, claim))
            .or_else(|| creator_skip(claim))
            .or_else(|| (sts.replicas == 0).then(|| scaled_to_zero_skip(sts, claim)))
            .or_else(|| {
                (owned == Ownership::NameOnly && !options.include_name_only).then(|| {
                    skip(
                        claim,
                        "name-only",
                        format!(
                            "matched by name only: {}'s selector has no matchLabels, so the controller copied no \
                             labels to verify it with; pass --include-name-only to reclaim it (low confidence)",
                            sts.name
                        ),
                    )
                })
            })
            .or_else(|| {
                refusal.as_ref().map(|_| {
                    skip(claim, "refused", format!("not reclaimed while {} is mid-scale (see the refusal)", sts.name))
                })
            });
        if let Some(reason) = reason {
            skipped.push(reason);
            continue;
        }
        let outside = format!("ordinal {ordinal} is outside [{}, {})", range.start, range.end);
        let (confidence, evidence) = match owned {
            Ownership::NameOnly => (
                Confidence::Low,
                format!("{outside}; matched by name only ({}'s selector has no matchLabels)", sts.name),
            ),
            _ => (
                Confidence::High,
                format!(
                    "{outside}; carries {}'s selector labels {}",
                    sts.name,
                    labels_text(&sts.selector.match_labels)
                ),
            ),
        };
        let origin =
            Origin { statefulset: Some(&sts.name), template: Some(&template.name), ordinal, confidence, evidence };
        candidates.push(candidate(snap, claim, origin, options));
    }
    let mut notes: Vec<String> = volumes_note(snap).into_iter().collect();
    if sts.claim_templates.is_empty() {
        notes.push(format!("{} has no volumeClaimTemplates: it makes no claims", sts.name));
    }
    if !candidates.is_empty() {
        notes.push(format!(
            "scaling {} back up over these ordinals would have reused these claims; once deleted, it creates new, \
             empty ones",
            sts.name
        ));
    }
    finish(sts, refusal, candidates, skipped, notes)
}

fn finish(
    sts: &StatefulSet,
    refusal: Option<String>,
    candidates: Vec<Candidate>,
    skipped: Vec<Skip>,
    notes: Vec<String>,
) -> ReclaimPlan {
    ReclaimPlan {
        mode: Mode::ScaledDown,
        statefulset: Some(Target {
            namespace: sts.namespace.clone(),
            name: sts.name.clone(),
            ordinals_start: sts.ordinals_start,
            ordinals_end: sts.ordinal_range().end,
            replicas: sts.replicas,
            status_replicas: sts.status.replicas,
            templates: sts.claim_templates.iter().map(|t| t.name.clone()).collect(),
            retention: sts.effective_retention(),
            retention_field_present: sts.retention.is_some(),
        }),
        namespace: Some(sts.namespace.clone()),
        deleted_name: None,
        refusal,
        candidates,
        skipped,
        notes,
    }
}

/// What is still in flight, if anything: while the controller is scaling, which claims end up
/// unused is not settled yet.
pub fn mid_scale(snap: &Snapshot, sts: &StatefulSet) -> Option<String> {
    let range = sts.ordinal_range();
    let mut inflight = Vec::new();
    if let Some(since) = sts.deleting {
        inflight.push(format!("the StatefulSet is being deleted ({} ago)", age(since, snap.now)));
    }
    if !sts.spec_observed() {
        inflight.push(format!(
            "the controller has not observed the latest spec yet (generation {}, observedGeneration {})",
            sts.generation,
            sts.status.observed_generation.map_or("none".to_string(), |g| g.to_string())
        ));
    }
    if sts.status.replicas != sts.replicas {
        inflight.push(format!("status.replicas is {} but spec.replicas is {}", sts.status.replicas, sts.replicas));
    }
    let outside: Vec<String> = snap
        .pods_in(&sts.namespace)
        .filter(|p| pod_ordinal(&sts.name, &p.name).is_some_and(|i| !range.contains(&i)))
        .filter(|p| p.controlled_by(&sts.uid) || sts.selector.matches(&p.labels))
        .map(|p| format!("{} ({})", p.name, super::pod_state(p)))
        .collect();
    if !outside.is_empty() {
        inflight.push(format!("pods outside [{}, {}) still exist: {}", range.start, range.end, outside.join(", ")));
    }
    if inflight.is_empty() {
        return None;
    }
    Some(format!(
        "StatefulSet {} is mid-scale: {}; re-run once the scale-down has finished",
        sts.name,
        inflight.join("; ")
    ))
}

fn foreign_skip(sts: &StatefulSet, claim: &Claim) -> Skip {
    let other_owner = claim
        .owners
        .iter()
        .find(|o| o.kind == "StatefulSet" && o.uid != sts.uid)
        .map(|o| format!("{} {}", o.kind, o.name));
    let reason = match other_owner {
        Some(owner) => format!(
            "named like {}'s claim but owned by another {owner} (a different UID: another or an earlier StatefulSet)",
            sts.name
        ),
        None => format!(
            "named like {}'s claim but its labels ({}) lack the selector's {}: made by something else",
            sts.name,
            if claim.labels.is_empty() { "none".to_string() } else { labels_text(&claim.labels) },
            labels_text(&sts.selector.match_labels)
        ),
    };
    skip(claim, "foreign", reason)
}

/// Claims the garbage collector deletes (retention policy) or that another owner manages.
fn owner_skip(sts: &StatefulSet, claim: &Claim) -> Option<Skip> {
    if let Some(pod) = claim.owners.iter().find(|o| o.kind == "Pod" && pod_ordinal(&sts.name, &o.name).is_some()) {
        return Some(skip(
            claim,
            "garbage-collected",
            format!(
                "owned by pod {} (persistentVolumeClaimRetentionPolicy whenScaled=Delete): the garbage collector \
                 deletes it once that pod is gone",
                pod.name
            ),
        ));
    }
    if claim.owners.iter().any(|o| o.kind == "StatefulSet" && o.uid == sts.uid) {
        return Some(skip(
            claim,
            "garbage-collected",
            format!(
                "owned by StatefulSet {} (persistentVolumeClaimRetentionPolicy whenDeleted=Delete): the garbage \
                 collector deletes it with the StatefulSet; whenScaled=Retain keeps it across scale-down on purpose",
                sts.name
            ),
        ));
    }
    let other = claim.owners.first()?;
    Some(skip(claim, "owned", format!("owned by {} {}: left to its owner", other.kind, other.name)))
}

/// Another StatefulSet of the namespace whose naming rule also produces this claim's name.
fn other_claimant(snap: &Snapshot, sts: &StatefulSet, claim: &Claim) -> Option<Skip> {
    snap.statefulsets.iter().filter(|o| o.namespace == sts.namespace && o.uid != sts.uid).find_map(|other| {
        other.claim_templates.iter().find_map(|t| {
            let ordinal = claim_ordinal(&t.name, &other.name, &claim.name)?;
            let use_ = if other.ordinal_range().contains(&ordinal) {
                format!("its ordinal {ordinal} uses it")
            } else {
                format!("ordinal {ordinal}, outside its range")
            };
            Some(skip(
                claim,
                "ambiguous",
                format!(
                    "also the name of StatefulSet {}'s claim (template {}, {use_}): ambiguous, left alone",
                    other.name, t.name
                ),
            ))
        })
    })
}

/// A claim someone else created (kubectl, Helm, a backup tool's restore), named and labelled like
/// the StatefulSet's: perhaps made ahead of a scale-up that will reuse it. spec.accessModes is set
/// once, at creation, so its field manager is the creator; without managedFields nothing is known.
fn creator_skip(claim: &Claim) -> Option<Skip> {
    if claim.creators.is_empty() || claim.creators.iter().any(|c| c == CONTROLLER_MANAGER) {
        return None;
    }
    Some(skip(
        claim,
        "not-controller-made",
        format!(
            "created by {}, not by the StatefulSet controller ({CONTROLLER_MANAGER}; managedFields of spec.accessModes, \
             set at creation): perhaps made ahead of a scale-up or restored from a backup; delete it by hand if it is \
             really unused",
            claim.creators.join(", ")
        ),
    ))
}

/// replicas 0 is how a StatefulSet is stopped: its claims then hold all of its data.
fn scaled_to_zero_skip(sts: &StatefulSet, claim: &Claim) -> Skip {
    skip(
        claim,
        "scaled-to-zero",
        format!(
            "{} is scaled to 0 replicas: that stops a StatefulSet, and its claims hold all of its data until it is \
             scaled up again; only claims left beside running replicas are reclaimed (delete it by hand if the data \
             is really unwanted)",
            sts.name
        ),
    )
}
