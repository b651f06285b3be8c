//! Claims of ours outside `[start, start+replicas)`: orphans left by scale-down, or reserved for
//! a HorizontalPodAutoscaler that scales the StatefulSet back up over them.

use super::{ClaimRow, Flag, Ownership, Severity};
use crate::model::names::pod_ordinal;
use crate::model::{Snapshot, StatefulSet};

/// The flag of a claim of ours outside the range: an orphan left by scale-down, unless a
/// HorizontalPodAutoscaler's scale-up reuses it (the rule `reclaim` and `doctor` apply,
/// [`crate::reclaim::reused_by_autoscaler`]). Autoscalers that could not be read leave it an
/// orphan, saying that one may reuse it (`reclaim` refuses to delete it then).
pub(super) fn out_of_range(snap: &Snapshot, sts: &StatefulSet, row: &ClaimRow) -> Flag {
    let range = sts.ordinal_range();
    let outside = format!("ordinal {} is outside [{}, {})", row.ordinal, range.start, range.end);
    // whenScaled=Delete: the controller made the claim owned by its condemned pod, and the garbage
    // collector deletes it once that pod is gone. Not an orphan: nothing is left behind.
    if let Some(pod) = row
        .owners
        .iter()
        .filter_map(|o| o.strip_prefix("Pod "))
        .find(|p| pod_ordinal(&sts.name, p) == Some(row.ordinal))
    {
        return Flag {
            kind: "deleted-with-pod",
            severity: Severity::Info,
            message: format!(
                "deleted with its pod: {outside}; owned by pod {pod} (persistentVolumeClaimRetentionPolicy \
                 whenScaled=Delete): the garbage collector deletes it once that pod is gone"
            ),
        };
    }
    let by = match row.ownership {
        Some(Ownership::NameOnly) => " (matched by name only: the selector has no matchLabels to verify with)",
        _ => "",
    };
    let unknown = match crate::reclaim::reused_by_autoscaler(snap, sts, row.ordinal) {
        Ok(Some(hpa)) => {
            let end = i64::from(sts.ordinals_start) + i64::from(hpa.max_replicas);
            return Flag {
                kind: "autoscaler-reserved",
                severity: Severity::Info,
                message: format!(
                    "reserved for an autoscaler: {outside}{by}, but HorizontalPodAutoscaler {} (minReplicas {}, \
                     maxReplicas {}) may scale {} back up over ordinals [{}, {end}), and that scale-up reuses this \
                     claim; reclaim leaves it alone",
                    hpa.name, hpa.min_replicas, hpa.max_replicas, sts.name, sts.ordinals_start
                ),
            };
        }
        Ok(None) => String::new(),
        Err(_) => format!(
            "; autoscalers could not be checked, so it may be reserved for a HorizontalPodAutoscaler that scales {} \
             back up over it (reclaim refuses to delete it until they can be read)",
            sts.name
        ),
    };
    // Ordinals count up from spec.ordinals.start: a claim below it is left by a change of the
    // start (or made by hand), and no scale-up ever mounts it again.
    let fate = if row.ordinal < sts.ordinals_start {
        format!(
            "below spec.ordinals.start {}{by}: no scale-up ever reuses it (ordinals count up from the start)",
            sts.ordinals_start
        )
    } else {
        format!("left by scale-down{by}, reused if the StatefulSet scales back up")
    };
    Flag { kind: "orphan", severity: Severity::Warning, message: format!("orphan: {outside}; {fate}{unknown}") }
}
