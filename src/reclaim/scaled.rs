//! Orphans of an existing StatefulSet: claims left outside `[start, start+replicas)` by scale-down.

use super::{
    CONTROLLER_MANAGER, Candidate, Confidence, Mode, Origin, PlanOptions, ReclaimPlan, Skip, Target, autoscaled,
    candidate, in_use_skip, keep_volume_refusal, labels_text, skip, terminating_skip, users, volumes_note,
};
use crate::claims::{Ownership, claims_outside_range, ownership};
use crate::duration::age;
use crate::model::names::{claim_ordinal, pod_ordinal};
use crate::model::{Claim, ClaimTemplate, Snapshot, StatefulSet};

pub fn plan(snap: &Snapshot, sts: &StatefulSet, options: &PlanOptions) -> ReclaimPlan {
    let range = sts.ordinal_range();
    // First every reason a claim is never a candidate; refusals then hold back the rest.
    let judged: Vec<(&ClaimTemplate, i32, &Claim, Option<Skip>)> = claims_outside_range(snap, sts)
        .into_iter()
        .map(|(template, ordinal, claim)| (template, ordinal, claim, never(snap, sts, ordinal, claim, options)))
        .collect();
    let open: Vec<i32> = judged.iter().filter(|j| j.3.is_none()).map(|j| j.1).collect();
    let refusals: Vec<(String, String)> = [
        in_flight(snap, sts).map(|f| (f.text, f.short)),
        keep_volume_refusal(snap, options).map(|r| (r, "as --keep-volume cannot read PersistentVolumes".into())),
        autoscaled::unknown_refusal(snap, sts, &open).map(|r| (r, "as autoscalers could not be checked".into())),
        neighbours_unknown_refusal(snap, sts, &open)
            .map(|r| (r, "as the namespace's other StatefulSets could not be checked".into())),
    ]
    .into_iter()
    .flatten()
    .collect();
    let refusal = (!refusals.is_empty()).then(|| refusals.iter().map(|r| r.0.as_str()).collect::<Vec<_>>().join("; "));
    let refused_while = refusals.iter().map(|r| r.1.as_str()).collect::<Vec<_>>().join(" and ");
    let mut candidates = Vec::new();
    let mut skipped = Vec::new();
    for (template, ordinal, claim, reason) in judged {
        let reason = reason.or_else(|| {
            refusal.as_ref().map(|_| skip(claim, "refused", format!("not reclaimed {refused_while} (see the refusal)")))
        });
        if let Some(reason) = reason {
            skipped.push(reason);
            continue;
        }
        let outside = format!("ordinal {ordinal} is outside [{}, {})", range.start, range.end);
        let (confidence, evidence) = match ownership(sts, claim) {
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
    let mut notes: Vec<String> = volumes_note(snap).into_iter().chain(autoscaled::autoscalers_note(snap)).collect();
    if sts.claim_templates.is_empty() {
        notes.push(format!("{} has no volumeClaimTemplates: it makes no claims", sts.name));
    }
    // Only claims at or above spec.ordinals.start would ever be mounted again by a scale-up.
    let reusable = candidates.iter().any(|c| c.ordinal >= sts.ordinals_start);
    if reusable {
        notes.push(format!(
            "scaling {} back up over these ordinals would have reused these claims; once deleted, it creates new, \
             empty ones",
            sts.name
        ));
    }
    if candidates.iter().any(|c| c.ordinal < sts.ordinals_start) {
        notes.push(format!(
            "claims below spec.ordinals.start {} are never reused: {} counts its ordinals up from the start",
            sts.ordinals_start, sts.name
        ));
    }
    finish(sts, refusal, candidates, skipped, notes)
}

/// Why a claim outside the range is never a candidate, whatever else holds, if it is not.
fn never(snap: &Snapshot, sts: &StatefulSet, ordinal: i32, claim: &Claim, options: &PlanOptions) -> Option<Skip> {
    let owned = ownership(sts, claim);
    terminating_skip(claim, snap.now)
        .or_else(|| (owned == Ownership::Foreign).then(|| foreign_skip(sts, claim)))
        .or_else(|| owner_skip(sts, claim))
        .or_else(|| Some(users(snap, claim)).filter(|u| !u.is_empty()).map(|u| in_use_skip(claim, &u)))
        .or_else(|| other_claimant(snap, sts, claim))
        .or_else(|| creator_skip(claim))
        .or_else(|| (sts.replicas == 0).then(|| scaled_to_zero_skip(sts, claim)))
        .or_else(|| {
            let hpa = autoscaled::reused_by_autoscaler(snap, sts, ordinal).ok().flatten()?;
            Some(autoscaled::autoscaled_skip(sts, claim, ordinal, hpa))
        })
        .or_else(|| {
            (owned == Ownership::NameOnly && !options.include_name_only).then(|| {
                skip(
                    claim,
                    "name-only",
                    format!(
                        "matched by name only: {}'s selector has no matchLabels, so the controller copied no labels \
                         to verify it with; pass --include-name-only to reclaim it (low confidence)",
                        sts.name
                    ),
                )
            })
        })
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
    in_flight(snap, sts).map(|f| f.text)
}

/// A refusal because something is in flight: the whole text, and how a refused claim names it.
pub(super) struct InFlight {
    pub text: String,
    /// "while web is mid-scale"
    pub short: String,
}

pub(super) fn in_flight(snap: &Snapshot, sts: &StatefulSet) -> Option<InFlight> {
    let range = sts.ordinal_range();
    let mut facts = Vec::new();
    let mut waits = Vec::new();
    if !sts.spec_observed() {
        facts.push(format!(
            "the controller has not observed the latest spec yet (generation {}, observedGeneration {})",
            sts.generation,
            sts.status.observed_generation.map_or("none".to_string(), |g| g.to_string())
        ));
        waits.push(format!("the controller has observed generation {}", sts.generation));
    }
    // status.replicas counts the pods the controller has (Terminating ones included): fewer than
    // spec.replicas while it still creates pods, more while it still deletes them.
    if sts.status.replicas != sts.replicas {
        facts.push(format!("status.replicas is {} but spec.replicas is {}", sts.status.replicas, sts.replicas));
    }
    let outside: Vec<String> = snap
        .pods_in(&sts.namespace)
        .filter(|p| pod_ordinal(&sts.name, &p.name).is_some_and(|i| !range.contains(&i)))
        .filter(|p| p.controlled_by(&sts.uid) || sts.selector.matches(&p.labels))
        .map(|p| format!("{} ({})", p.name, super::pod_state(p)))
        .collect();
    if !outside.is_empty() {
        facts.push(format!("pods outside [{}, {}) still exist: {}", range.start, range.end, outside.join(", ")));
    }
    let scaling_up = sts.status.replicas < sts.replicas;
    let scaling_down = sts.status.replicas > sts.replicas || !outside.is_empty();
    if scaling_up {
        waits.push("the scale-up has finished".into());
    }
    if scaling_down {
        waits.push("the scale-down has finished".into());
    }
    let (headline, tail) = match sts.deleting {
        // Once it is gone its claims are a deleted StatefulSet's: nothing else is worth waiting for.
        Some(since) => (
            format!("is being deleted ({} ago)", age(since, snap.now)),
            format!("once it is gone, `reclaim --deleted {}` looks at the claims it leaves", sts.name),
        ),
        None if facts.is_empty() => return None,
        None if scaling_up || scaling_down => {
            ("is mid-scale".to_string(), format!("re-run once {}", waits.join(" and ")))
        }
        None => ("has a spec change in flight".to_string(), format!("re-run once {}", waits.join(" and "))),
    };
    let facts = if facts.is_empty() { String::new() } else { format!(": {}", facts.join("; ")) };
    let short_headline = headline.split(" (").next().unwrap_or_default();
    Some(InFlight {
        text: format!("StatefulSet {} {headline}{facts}; {tail}", sts.name),
        short: format!("while {} {short_headline}", sts.name),
    })
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

/// The namespace's other StatefulSets were asked for but could not be listed: one of them may
/// name the same claims (see [`other_claimant`]), so nothing is reclaimed without knowing.
fn neighbours_unknown_refusal(snap: &Snapshot, sts: &StatefulSet, open: &[i32]) -> Option<String> {
    let reason = snap.other_statefulsets.as_ref().err()?;
    (!open.is_empty()).then(|| {
        format!(
            "the namespace's other StatefulSets could not be listed ({reason}): one of them may produce the same \
             claim names as {}, so none is reclaimed without knowing",
            sts.name
        )
    })
}

/// Another StatefulSet of the namespace whose naming rule also produces this claim's name.
fn other_claimant(snap: &Snapshot, sts: &StatefulSet, claim: &Claim) -> Option<Skip> {
    let others = snap.other_statefulsets.as_deref().unwrap_or_default();
    let all = snap.statefulsets.iter().chain(others);
    all.filter(|o| o.namespace == sts.namespace && o.uid != sts.uid).find_map(|other| {
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
