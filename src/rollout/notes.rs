//! Notes under the status: what the reader should know about how this controller judges it.

use super::{Facts, View, trap};
use crate::duration::clock_skew;
use crate::model::{ControllerRevision, Part};

pub(super) fn notes(view: &View, revisions: &Part<Vec<ControllerRevision>>, facts: &Facts) -> Vec<String> {
    let sts = view.sts;
    let mut notes = Vec::new();
    if facts.local_clock_only {
        notes.push(crate::duration::local_clock_note("ages and --stuck-after are"));
    } else if let Some(skew) = clock_skew(facts.local_skew_seconds) {
        notes.push(format!("{skew}: ages and --stuck-after are judged on the API server's clock"));
    }
    if let Err(reason) = revisions {
        notes.push(format!("revision numbers unknown (cannot read ControllerRevisions: {reason})"));
    }
    let frozen = !sts.spec_observed() && facts.server_version.as_ref().is_none_or(|v| !v.at_least(1, 25));
    if let Some(held) = view.rows.iter().find(|r| r.holder.is_some()).filter(|_| frozen) {
        notes.push(format!(
            "generation {} is not observed: a controller before 1.25 writes no status after a sync that fails, as it \
             does at the create of {}",
            sts.generation, held.pod
        ));
    }
    if !sts.is_on_delete() && sts.partition > sts.replicas {
        notes.push(format!(
            "partition {} is above replicas {}: no pod is updated until the partition is lowered; a scale-up \
             creates pods on the current revision up to ordinal {} and updated pods only from ordinal {}",
            sts.partition,
            sts.replicas,
            sts.ordinals_start + sts.partition - 1,
            sts.ordinals_start + sts.partition
        ));
    }
    if !sts.is_on_delete() && sts.ordinals_start != 0 && sts.partition > 0 {
        notes.push(format!(
            "the partition counts pods by index from ordinals.start {}: partition {} updates ordinals {} and up, \
             not {} and up (kubernetes/kubernetes#128529)",
            sts.ordinals_start,
            sts.partition,
            sts.ordinals_start + view.boundary,
            sts.partition
        ));
    }
    // A server with the gate on defaults the field to 1 (v1.37 stores it on every StatefulSet):
    // one pod at a time, as everywhere, so nothing to say.
    if let Some(max) =
        sts.max_unavailable.as_ref().filter(|m| super::controller::scaled_max_unavailable(m, sts.replicas) > 1)
    {
        notes.push(format!(
            "maxUnavailable {max}: the controller updates up to that many pods at once where the \
             MaxUnavailableStatefulSet feature gate is on (alpha, off by default, in 1.24 to 1.34; on by default in \
             1.35.0 to 1.35.3; off by default again from 1.35.4 and in 1.36; on by default from 1.37); elsewhere one at \
             a time"
        ));
    }
    let version = facts.server_version.as_ref().map_or("-", |v| v.git_version.as_str());
    if sts.is_parallel() && !sts.is_on_delete() && view.update.max_unavailable_by_default {
        notes.push(format!(
            "the MaxUnavailableStatefulSet feature gate is on by default on {version}: the controller updates as \
             with maxUnavailable 1, and with Parallel a pod that is not available, even below the partition or on \
             the old revision, holds the update until it is ({}; 1.35.4 turns the gate off by default)",
            trap::PARALLEL_TRAP_ISSUE
        ));
    }
    let min_ready = sts.min_ready_seconds.unwrap_or(0);
    if sts.is_parallel() && !sts.is_on_delete() && min_ready > 0 && !view.update.waits_for_available {
        notes.push(format!(
            "minReadySeconds {min_ready}: with Parallel this controller ({version}) replaces the next pod once the \
             updated one is Ready, without waiting for it to be available (kubernetes/kubernetes#119234, fixed in \
             1.34)"
        ));
    }
    notes
}
