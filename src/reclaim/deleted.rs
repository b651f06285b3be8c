//! Claims of StatefulSets that no longer exist (`reclaim --deleted`).
//!
//! A name `<template>-<sts>-<n>` cannot be split reliably (`data-web-1-0`: template `data` of
//! `web-1`, or `data-web` of `1`?), so claims are grouped into families by stem (the name without
//! `-<n>`). A family counts only if its claims share labels (the controller copied the selector's
//! matchLabels onto each), none of them is claimed by an existing StatefulSet's naming rule, no
//! StatefulSet named after any split of the stem exists, and no pod references any of them.
//! Everything found this way is low confidence.

use std::collections::BTreeMap;

use super::{
    CONTROLLER_MANAGER, Confidence, Mode, Origin, PlanOptions, ReclaimPlan, Skip, autoscaled, candidate, in_use_skip,
    keep_volume_refusal, labels_text, skip, terminating_skip, users, volumes_note,
};
use crate::model::names::{claim_ordinal, split_ordinal};
use crate::model::{Claim, Labels, Snapshot, StatefulSet};

/// Only claims the controllers alone wrote can be a deleted StatefulSet's: one created by kubectl,
/// Helm or an operator (for a Deployment, a Job...) has another manager in its managedFields.
fn provenance_skip(claim: &Claim) -> Option<Skip> {
    if claim.managers.is_empty() {
        return Some(skip(
            claim,
            "unknown-origin",
            "no managedFields to tell who made it (servers before 1.18 do not record them): not reclaimed as a \
             deleted StatefulSet's claim"
                .into(),
        ));
    }
    let others: Vec<&String> = claim.managers.iter().filter(|m| m.as_str() != CONTROLLER_MANAGER).collect();
    (!others.is_empty()).then(|| {
        let others = others.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ");
        skip(
            claim,
            "not-controller-made",
            format!(
                "also written by {others}, not only by the StatefulSet controller: made or changed by someone else; \
                 delete it by hand if it is really unused"
            ),
        )
    })
}

/// `namespace`: the one looked at (None: all namespaces); `name`: narrow to one deleted StatefulSet.
pub fn plan_deleted(
    snap: &Snapshot,
    namespace: Option<&str>,
    name: Option<&str>,
    options: &PlanOptions,
) -> ReclaimPlan {
    let mut families: BTreeMap<(&str, &str), Vec<(i32, &Claim)>> = BTreeMap::new();
    let mut of_existing = 0;
    for claim in snap.claims.values() {
        let Some((stem, ordinal)) = split_ordinal(&claim.name) else { continue };
        if !stem.contains('-') {
            continue; // no room for <template>-<statefulset>
        }
        if name.is_some_and(|n| statefulset_part(stem, n).is_none()) {
            continue;
        }
        if claimant(snap, claim).is_some() {
            of_existing += 1;
            continue;
        }
        families.entry((&claim.namespace, stem)).or_default().push((ordinal, claim));
    }
    // First every reason a claim is never a candidate; refusals then hold back the rest.
    let mut judged = Vec::new();
    for ((ns, stem), mut members) in families {
        members.sort_by_key(|(ordinal, _)| *ordinal);
        let ordinals = members.iter().map(|(i, _)| i.to_string()).collect::<Vec<_>>().join(",");
        let family = format!("{stem}-{{{ordinals}}}");
        let common = common_labels(members.iter().map(|(_, c)| *c));
        let statefulset = name.map(String::from).or_else(|| infer_name(stem, &common));
        let template = statefulset.as_deref().and_then(|s| statefulset_part(stem, s));
        let existing = existing_split(snap, ns, stem);
        let used: Vec<(&Claim, Vec<&crate::model::Pod>)> =
            members.iter().map(|(_, c)| (*c, users(snap, c))).filter(|(_, u)| !u.is_empty()).collect();
        let autoscaler = autoscaled::deleted_target(snap, ns, stem).ok().flatten();
        for (ordinal, claim) in &members {
            let claim = *claim;
            let pods = users(snap, claim);
            let reason = terminating_skip(claim, snap.now)
                .or_else(|| owner_skip(claim))
                .or_else(|| (!pods.is_empty()).then(|| in_use_skip(claim, &pods)))
                .or_else(|| {
                    existing.map(|(template, sts)| {
                        skip(
                            claim,
                            "statefulset-exists",
                            format!(
                                "StatefulSet {} exists in {ns} but has no template {template}: perhaps a claim of an \
                                 earlier StatefulSet of that name; check with `claims {}` and delete it by hand",
                                sts.name, sts.name
                            ),
                        )
                    })
                })
                .or_else(|| autoscaler.map(|hpa| autoscaled::deleted_target_skip(claim, hpa)))
                .or_else(|| {
                    used.first().map(|(sibling, pods)| {
                        let by = pods.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
                        skip(
                            claim,
                            "family-in-use",
                            format!(
                                "{} of the same family {family} is used by pod {by}: the family is in use",
                                sibling.name
                            ),
                        )
                    })
                })
                .or_else(|| provenance_skip(claim))
                .or_else(|| {
                    claim.labels.is_empty().then(|| {
                        skip(
                            claim,
                            "unlabelled",
                            "no labels: the StatefulSet controller copies its selector's matchLabels onto every claim \
                             it makes; without any this may not be a StatefulSet's claim"
                                .into(),
                        )
                    })
                })
                .or_else(|| {
                    common.is_empty().then(|| {
                        skip(
                            claim,
                            "no-shared-labels",
                            format!("the claims {family} share no labels: not one StatefulSet's family"),
                        )
                    })
                });
            let whose = match &statefulset {
                Some(s) => format!("no StatefulSet {s} in {ns}"),
                None => format!("no StatefulSet named after any split of {stem} in {ns}"),
            };
            let evidence = format!(
                "family {family} sharing labels {}, written only by kube-controller-manager; {whose}; inferred from \
                 names, labels and managed fields",
                labels_text(&common)
            );
            let origin = (statefulset.clone(), template, *ordinal, evidence);
            judged.push((claim, reason, origin));
        }
    }
    let open = judged.iter().filter(|j| j.1.is_none()).count();
    let refusal = [keep_volume_refusal(snap, options), autoscaled::deleted_unknown_refusal(snap, open)]
        .into_iter()
        .flatten()
        .reduce(|a, b| format!("{a}; {b}"));
    let mut candidates = Vec::new();
    let mut skipped = Vec::new();
    for (claim, reason, (statefulset, template, ordinal, evidence)) in judged {
        let reason = reason
            .or_else(|| refusal.as_ref().map(|_| skip(claim, "refused", "not reclaimed: see the refusal".into())));
        if let Some(reason) = reason {
            skipped.push(reason);
            continue;
        }
        let origin =
            Origin { statefulset: statefulset.as_deref(), template, ordinal, confidence: Confidence::Low, evidence };
        candidates.push(candidate(snap, claim, origin, options));
    }
    let mut notes: Vec<String> = volumes_note(snap).into_iter().chain(autoscaled::autoscalers_note(snap)).collect();
    if of_existing > 0 {
        notes.push(format!(
            "{of_existing} claim(s) named like claims of existing StatefulSets were not considered (use `reclaim \
             STATEFULSET` for those)"
        ));
    }
    if candidates.is_empty() && skipped.is_empty() {
        notes.push(match name {
            Some(n) => format!("no claims named <template>-{n}-<ordinal> that no existing StatefulSet claims"),
            None => "no claims that look like those of a deleted StatefulSet".into(),
        });
    }
    ReclaimPlan {
        mode: Mode::Deleted,
        statefulset: None,
        namespace: namespace.map(String::from),
        deleted_name: name.map(String::from),
        refusal,
        candidates,
        skipped,
        notes,
    }
}

/// The template part of `stem` if it is `<template>-<sts>` with a non-empty template.
pub(super) fn statefulset_part<'a>(stem: &'a str, sts: &str) -> Option<&'a str> {
    let template = stem.strip_suffix(sts)?.strip_suffix('-')?;
    (!template.is_empty()).then_some(template)
}

/// An existing StatefulSet whose naming rule (any template, any ordinal) produces this name.
fn claimant<'a>(snap: &'a Snapshot, claim: &Claim) -> Option<&'a StatefulSet> {
    snap.statefulsets
        .iter()
        .filter(|s| s.namespace == claim.namespace)
        .find(|s| s.claim_templates.iter().any(|t| claim_ordinal(&t.name, &s.name, &claim.name).is_some()))
}

/// A StatefulSet of `ns` named like the statefulset part of some split of `stem`: (template, it).
fn existing_split<'a>(snap: &'a Snapshot, ns: &str, stem: &'a str) -> Option<(&'a str, &'a StatefulSet)> {
    snap.statefulsets
        .iter()
        .filter(|s| s.namespace == ns)
        .find_map(|s| statefulset_part(stem, &s.name).map(|template| (template, s)))
}

/// Labels every claim of the family has with the same value.
fn common_labels<'a>(mut claims: impl Iterator<Item = &'a Claim>) -> Labels {
    let Some(first) = claims.next() else { return Labels::new() };
    let mut common = first.labels.clone();
    for claim in claims {
        common.retain(|k, v| claim.labels.get(k) == Some(v));
    }
    common
}

/// The StatefulSet name from a shared label value that ends the stem (`app=web-1` for `data-web-1`);
/// the longest such value wins.
fn infer_name(stem: &str, labels: &Labels) -> Option<String> {
    labels.values().filter(|v| statefulset_part(stem, v).is_some()).max_by_key(|v| v.len()).cloned()
}

/// Owned claims: StatefulSet or Pod owners that are gone make the garbage collector delete it;
/// other owners manage it themselves.
fn owner_skip(claim: &Claim) -> Option<super::Skip> {
    let owner = claim.owners.first()?;
    let (kind, reason) = match owner.kind.as_str() {
        "StatefulSet" | "Pod" => (
            "garbage-collected",
            format!(
                "owned by {} {} (persistentVolumeClaimRetentionPolicy): the garbage collector deletes it once its \
                 owner is gone",
                owner.kind, owner.name
            ),
        ),
        _ => ("owned", format!("owned by {} {}: left to its owner", owner.kind, owner.name)),
    };
    Some(skip(claim, kind, reason))
}
