//! Right before deleting: which planned claims may still go.
//!
//! The confirmation may come minutes after the plan. The plan is made again from a fresh read;
//! a planned claim is deleted only if it is still a candidate with the same uid and
//! resourceVersion, and deleting it still does to the data what the plan said (a PV switched from
//! Retain to Delete meanwhile stops it). Everything else is reported with what changed: a
//! scale-up brought its ordinal back into range, a pod started using it, it was modified.

use std::collections::BTreeMap;

use super::{Candidate, ClaimOutcome, ClaimResult, ReclaimPlan};
use crate::model::{ObjectKey, key};

/// The candidates to delete now (as freshly read), and a result for each planned claim that may not be.
pub fn revalidate(planned: &[Candidate], fresh: &ReclaimPlan) -> (Vec<Candidate>, Vec<ClaimResult>) {
    let still: BTreeMap<ObjectKey, &Candidate> =
        fresh.candidates.iter().map(|c| (key(&c.namespace, &c.claim), c)).collect();
    let mut go = Vec::new();
    let mut changed = Vec::new();
    for c in planned {
        let now = still.get(&key(&c.namespace, &c.claim));
        if let Some(fresh) = now.filter(|f| f.uid == c.uid && f.resource_version == c.resource_version) {
            if fresh.data_fate == c.data_fate {
                // The fresh candidate: its PV facts (policy, resourceVersion) are current.
                go.push((*fresh).clone());
                continue;
            }
            // What was confirmed is no longer what deleting it would do (e.g. its PV was switched
            // from Retain to Delete meanwhile): not what the user agreed to.
            changed.push(ClaimResult {
                namespace: c.namespace.clone(),
                claim: c.claim.clone(),
                outcome: ClaimOutcome::Conflict,
                retained_volume: None,
                volume_switched: false,
                message: format!(
                    "since the plan, what deleting it does to the data changed: planned \"{}\", now \"{}\": not deleted \
                     (re-run to plan again)",
                    c.reclaim, fresh.reclaim
                ),
            });
            continue;
        }
        let skip = fresh.skipped.iter().find(|s| s.namespace == c.namespace && s.claim == c.claim);
        let (outcome, why) = match (skip, now) {
            (Some(s), _) if s.kind == "in-use" => (ClaimOutcome::InUse, s.reason.clone()),
            (Some(s), _) => (ClaimOutcome::Conflict, s.reason.clone()),
            (None, Some(_)) => (ClaimOutcome::Conflict, "the claim changed".into()),
            (None, None) => {
                (ClaimOutcome::Conflict, "it is no longer an orphan (its ordinal may be in range again)".into())
            }
        };
        changed.push(ClaimResult {
            namespace: c.namespace.clone(),
            claim: c.claim.clone(),
            outcome,
            retained_volume: None,
            volume_switched: false,
            message: format!("since the plan: {why}: not deleted"),
        });
    }
    (go, changed)
}
