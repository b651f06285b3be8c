//! Autoscalers: a HorizontalPodAutoscaler sets its StatefulSet's `replicas` anywhere up to its
//! `maxReplicas`, and on each scale-up the StatefulSet controller reuses the claims of the
//! ordinals it brings back. Claims it may reuse are not orphans, for `reclaim` as for `doctor`.

use super::{Skip, skip};
use crate::model::{Autoscaler, Claim, Snapshot, StatefulSet};

/// The autoscaler that may scale `sts` back up over `ordinal` (the one allowing the most
/// replicas when several target it): the ordinal's index from `ordinals.start` is below its
/// `maxReplicas`. `Err(reason)`: autoscalers could not be read, for an ordinal at or above the
/// start. An autoscaler changes only `replicas`, never the start, so an ordinal below the start is
/// never reused by scaling; and it leaves a StatefulSet at 0 replicas alone (`reconcileAutoscaler`:
/// "scaling is disabled since the replica count of the target is zero").
pub fn reused_by_autoscaler<'a>(
    snap: &'a Snapshot,
    sts: &StatefulSet,
    ordinal: i32,
) -> Result<Option<&'a Autoscaler>, &'a str> {
    if ordinal < sts.ordinals_start || sts.replicas == 0 {
        return Ok(None);
    }
    let autoscalers = snap.autoscalers.as_deref().map_err(String::as_str)?;
    let index = i64::from(ordinal) - i64::from(sts.ordinals_start);
    Ok(autoscalers
        .iter()
        .filter(|a| a.scales_statefulset(&sts.namespace, &sts.name) && index < i64::from(a.max_replicas))
        .max_by_key(|a| a.max_replicas))
}

/// An orphan-looking claim `hpa` may bring back into use.
pub(super) fn autoscaled_skip(sts: &StatefulSet, claim: &Claim, ordinal: i32, hpa: &Autoscaler) -> Skip {
    let end = i64::from(sts.ordinals_start) + i64::from(hpa.max_replicas);
    skip(
        claim,
        "autoscaled",
        format!(
            "kept for HorizontalPodAutoscaler {}: it scales {} between {} and {} replicas, up to ordinals [{}, {end}), \
             and a scale-up reuses this claim (ordinal {ordinal}); lower its maxReplicas first if the claim is really \
             unwanted",
            hpa.name, sts.name, hpa.min_replicas, hpa.max_replicas, sts.ordinals_start
        ),
    )
}

/// Without autoscalers, refuse when a claim that would otherwise be a candidate may be reused by
/// one (`ordinals`: those claims' ordinals): deleting it loses data an autoscaled scale-up needs.
pub(super) fn unknown_refusal(snap: &Snapshot, sts: &StatefulSet, ordinals: &[i32]) -> Option<String> {
    let reason = snap.autoscalers.as_ref().err()?;
    let exposed: Vec<String> = ordinals.iter().filter(|o| **o >= sts.ordinals_start).map(|o| o.to_string()).collect();
    if exposed.is_empty() {
        return None;
    }
    Some(format!(
        "autoscalers could not be checked ({reason}): a HorizontalPodAutoscaler may scale {} back up over ordinals \
         {} and reuse their claims, so none is reclaimed without knowing",
        sts.name,
        exposed.join(", ")
    ))
}

/// Deleted mode: an autoscaler still targeting the StatefulSet a family `<template>-<T>` would
/// belong to, although no StatefulSet `T` exists: `T` is likely to be recreated (deleted with
/// `--cascade=orphan` to change an immutable field), and it would reuse the claims.
pub(super) fn deleted_target<'a>(
    snap: &'a Snapshot,
    namespace: &str,
    stem: &str,
) -> Result<Option<&'a Autoscaler>, &'a str> {
    let autoscalers = snap.autoscalers.as_deref().map_err(String::as_str)?;
    Ok(autoscalers
        .iter()
        .filter(|a| a.scales_statefulsets_in(namespace))
        .filter(|a| super::deleted::statefulset_part(stem, &a.target_name).is_some())
        .max_by_key(|a| a.max_replicas))
}

pub(super) fn deleted_target_skip(claim: &Claim, hpa: &Autoscaler) -> Skip {
    skip(
        claim,
        "autoscaled",
        format!(
            "HorizontalPodAutoscaler {} still targets StatefulSet {} ({} to {} replicas), which does not exist: it \
             is probably being recreated (deleted with --cascade=orphan), and would reuse this claim; delete the \
             autoscaler first if {} is gone for good",
            hpa.name, hpa.target_name, hpa.min_replicas, hpa.max_replicas, hpa.target_name
        ),
    )
}

/// Deleted mode without autoscalers: refuse when there would be candidates.
pub(super) fn deleted_unknown_refusal(snap: &Snapshot, open: usize) -> Option<String> {
    let reason = snap.autoscalers.as_ref().err().filter(|_| open > 0)?;
    Some(format!(
        "autoscalers could not be checked ({reason}): a HorizontalPodAutoscaler still targeting one of these \
         StatefulSets would mean it is to be recreated and reuse its claims, so none is reclaimed without knowing"
    ))
}

pub(super) fn autoscalers_note(snap: &Snapshot) -> Option<String> {
    let reason = snap.autoscalers.as_ref().err()?;
    Some(format!("HorizontalPodAutoscalers cannot be read, so autoscalers could not be checked: {reason}"))
}
