//! The `Reclaim` document: the plan, what was asked, what became of the deletion and the
//! per-claim results. One document per run: a plan only, refused, declined, a dry run, done.

use serde::Serialize;

use super::ReclaimPlan;
use crate::error::{Exit, Outcome};

/// The `Reclaim` document: the plan, what was asked, and per-claim results after `--delete`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReclaimReport {
    #[serde(flatten)]
    pub plan: ReclaimPlan,
    pub delete: bool,
    pub dry_run: bool,
    pub keep_volume: bool,
    /// One per candidate after --delete; None for a plan only.
    pub results: Option<Vec<ClaimResult>>,
    /// With --delete: what became of the deletion (the same shape as force-delete's and rollout's
    /// `action`); None for a plan only.
    pub action: Option<ReclaimAction>,
}

impl ReclaimReport {
    /// The plan, before anything is decided: a plan only has no action; with --delete it is
    /// `NotTaken` until something happens.
    pub fn new(plan: ReclaimPlan, delete: bool, dry_run: bool, keep_volume: bool) -> ReclaimReport {
        let action = delete.then(|| ReclaimAction::new(ActionStatus::NotTaken, dry_run, "not started"));
        ReclaimReport { plan, delete, dry_run, keep_volume, results: None, action }
    }

    /// Records what became of the deletion (only with --delete: a plan only has no action).
    pub fn settle(&mut self, status: ActionStatus, detail: impl Into<String>) {
        if let Some(action) = &mut self.action {
            action.status = status;
            action.detail = detail.into();
        }
    }

    /// Records the per-claim results and the action they amount to.
    pub fn finish(&mut self, results: Vec<ClaimResult>) {
        let (status, detail) = summary(&results, self.dry_run);
        self.results = Some(results);
        self.settle(status, detail);
    }
}

/// What became of `reclaim --delete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ActionStatus {
    /// Nothing was sent: refused (mid-scale, autoscalers unreadable, changed since the plan; see
    /// `detail` and `refusal`).
    NotTaken,
    /// The confirmation was declined: answered no, Ctrl-C at the prompt, or no terminal to ask
    /// on and no --yes. Nothing was sent.
    Declined,
    /// --delete found no candidates: nothing to send.
    NothingToDelete,
    /// --dry-run: the server accepted every delete without carrying it out.
    DryRun,
    /// Every candidate was deleted (or was already gone).
    Deleted,
    /// Not every candidate was reclaimed, and nothing changed: every delete was refused or not
    /// attempted (in use or changed since the plan, a conflict, a 4xx); exit 3.
    NotReclaimed,
    /// Not every candidate was reclaimed, but something changed (a claim deleted, a PV switched to
    /// Retain, or a delete whose outcome is unknown): see `results`; exit 4.
    Partial,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReclaimAction {
    pub status: ActionStatus,
    pub dry_run: bool,
    pub detail: String,
}

impl ReclaimAction {
    pub fn new(status: ActionStatus, dry_run: bool, detail: impl Into<String>) -> ReclaimAction {
        ReclaimAction { status, dry_run, detail: detail.into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ClaimOutcome {
    /// The API server accepted the delete (the claim goes once no pod uses it: pvc-protection).
    Deleted,
    /// Server-side dry run accepted the delete; nothing changed.
    WouldDelete,
    /// 404: already deleted (by an earlier run or someone else).
    AlreadyGone,
    /// 409: the claim (or its PV) changed since the plan; not retried.
    Conflict,
    /// A pod started using the claim after the plan; not attempted.
    InUse,
    /// Any other error the API server answered with (4xx): the claim was not deleted.
    Failed,
    /// A timeout, a dropped connection or a server error (5xx): the delete may have been carried out.
    Unknown,
}

impl ClaimOutcome {
    pub fn is_ok(self) -> bool {
        matches!(self, ClaimOutcome::Deleted | ClaimOutcome::WouldDelete | ClaimOutcome::AlreadyGone)
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimResult {
    pub namespace: String,
    pub claim: String,
    pub outcome: ClaimOutcome,
    /// With --keep-volume: the PV now (or already) set to Retain.
    pub retained_volume: Option<String>,
    pub message: String,
    /// This run switched the claim's PV to Retain (not a dry run, the policy was another): a change
    /// made even when the claim itself was not deleted.
    #[serde(skip)]
    pub volume_switched: bool,
}

impl ClaimResult {
    /// Whether this result changed (or may have changed) something in the cluster.
    pub fn changed_something(&self) -> bool {
        matches!(self.outcome, ClaimOutcome::Deleted | ClaimOutcome::Unknown) || self.volume_switched
    }
}

/// Exit 0 when every claim was reclaimed (or already gone); else 3 (refused) when nothing changed,
/// 4 (partial) when something did: the rule of the exit-code table, for scripts to act on.
pub fn exit_for(results: &[ClaimResult], dry_run: bool) -> anyhow::Result<Exit> {
    match summary(results, dry_run) {
        (ActionStatus::Partial, detail) => {
            Err(Outcome::Partial(format!("{detail} (see the results above; re-run to plan again)")).into())
        }
        (ActionStatus::NotReclaimed, detail) => {
            Err(Outcome::Refused(format!("{detail} (see the results above; re-run to plan again)")).into())
        }
        _ => Ok(Exit::Ok),
    }
}

/// The action per-claim results amount to, in words.
fn summary(results: &[ClaimResult], dry_run: bool) -> (ActionStatus, String) {
    let failed: Vec<&str> = results.iter().filter(|r| !r.outcome.is_ok()).map(|r| r.claim.as_str()).collect();
    if !failed.is_empty() {
        let detail = format!("{} of {} claims not reclaimed: {}", failed.len(), results.len(), failed.join(", "));
        if dry_run || !results.iter().any(ClaimResult::changed_something) {
            return (ActionStatus::NotReclaimed, format!("{detail}; nothing was changed"));
        }
        return (ActionStatus::Partial, detail);
    }
    if dry_run {
        let detail = format!("{} claim(s) would be deleted (dry run: nothing changed)", results.len());
        return (ActionStatus::DryRun, detail);
    }
    (ActionStatus::Deleted, format!("{} claim(s) deleted or already gone", results.len()))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::reclaim::{PlanOptions, plan};
    use crate::testing::*;

    fn scaled_down() -> ReclaimPlan {
        let mut objects = healthy("web", 3);
        patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 1 }, "status": { "replicas": 1 } }));
        remove(&mut objects, "Pod", "web-1");
        remove(&mut objects, "Pod", "web-2");
        let snap = snapshot(objects);
        plan(&snap, &snap.statefulsets[0], &PlanOptions::default())
    }

    fn result(claim: &str, outcome: ClaimOutcome) -> ClaimResult {
        ClaimResult {
            namespace: "shop".into(),
            claim: claim.into(),
            outcome,
            retained_volume: None,
            message: String::new(),
            volume_switched: false,
        }
    }

    fn action(report: &ReclaimReport) -> Value {
        serde_json::to_value(report).unwrap()["action"].clone()
    }

    #[test]
    fn a_plan_only_has_no_action_and_a_declined_delete_says_so() {
        let plan_only = ReclaimReport::new(scaled_down(), false, false, false);
        assert_eq!(
            (action(&plan_only), serde_json::to_value(&plan_only).unwrap()["results"].clone()),
            (Value::Null, Value::Null)
        );

        // --delete without a terminal and --yes (or answered no, or Ctrl-C at the prompt): the
        // document says the deletion was not confirmed, not only that there are no results.
        let mut declined = ReclaimReport::new(scaled_down(), true, false, false);
        declined.settle(ActionStatus::Declined, "not confirmed: nothing was changed");
        assert_eq!(
            action(&declined),
            json!({ "status": "Declined", "dryRun": false, "detail": "not confirmed: nothing was changed" })
        );
        // A plan only has nothing to settle.
        let mut plan_only = plan_only;
        plan_only.settle(ActionStatus::Declined, "x");
        assert_eq!(action(&plan_only), Value::Null);
    }

    #[test]
    fn results_amount_to_deleted_dry_run_or_partial() {
        let mut done = ReclaimReport::new(scaled_down(), true, false, false);
        done.finish(vec![result("data-web-1", ClaimOutcome::Deleted), result("data-web-2", ClaimOutcome::AlreadyGone)]);
        assert_eq!(action(&done)["status"], "Deleted");

        let mut dry = ReclaimReport::new(scaled_down(), true, true, false);
        dry.finish(vec![result("data-web-1", ClaimOutcome::WouldDelete)]);
        assert_eq!(
            action(&dry),
            json!({ "status": "DryRun", "dryRun": true, "detail": "1 claim(s) would be deleted (dry run: nothing changed)" })
        );

        let results = vec![result("data-web-1", ClaimOutcome::Deleted), result("data-web-2", ClaimOutcome::Conflict)];
        let err = exit_for(&results, false).unwrap_err();
        assert_eq!(crate::error::exit_code_for(&err), Exit::Partial);
        assert_eq!(
            err.to_string(),
            "1 of 2 claims not reclaimed: data-web-2 (see the results above; re-run to plan again)"
        );
        let mut partial = ReclaimReport::new(scaled_down(), true, false, false);
        partial.finish(results);
        assert_eq!(
            (action(&partial)["status"].clone(), action(&partial)["detail"].clone()),
            (json!("Partial"), json!("1 of 2 claims not reclaimed: data-web-2"))
        );
    }

    #[test]
    fn nothing_changed_is_not_reclaimed_exit_3_not_partial() {
        // The only candidate came into use between the plan and the confirmation: nothing was deleted.
        let results = vec![result("data-web-1", ClaimOutcome::InUse)];
        let err = exit_for(&results, false).unwrap_err();
        assert_eq!(crate::error::exit_code_for(&err), Exit::Refused);
        assert_eq!(
            err.to_string(),
            "1 of 1 claims not reclaimed: data-web-1; nothing was changed (see the results above; re-run to plan again)"
        );
        let mut report = ReclaimReport::new(scaled_down(), true, false, false);
        report.finish(results);
        assert_eq!(action(&report)["status"], "NotReclaimed");

        // Already gone and a conflict: still nothing this run changed.
        let gone = vec![result("data-web-1", ClaimOutcome::AlreadyGone), result("data-web-2", ClaimOutcome::Conflict)];
        assert_eq!(crate::error::exit_code_for(&exit_for(&gone, false).unwrap_err()), Exit::Refused);
        // A dry run changes nothing, whatever failed.
        let dry = vec![result("data-web-1", ClaimOutcome::WouldDelete), result("data-web-2", ClaimOutcome::Failed)];
        assert_eq!(crate::error::exit_code_for(&exit_for(&dry, true).unwrap_err()), Exit::Refused);
        // A PV switched to Retain is a change even though its claim was not deleted; so is an
        // unknown outcome (the delete may have been carried out).
        let mut switched = result("data-web-1", ClaimOutcome::Failed);
        switched.volume_switched = true;
        assert_eq!(crate::error::exit_code_for(&exit_for(&[switched], false).unwrap_err()), Exit::Partial);
        let unknown = [result("data-web-1", ClaimOutcome::Unknown)];
        assert_eq!(crate::error::exit_code_for(&exit_for(&unknown, false).unwrap_err()), Exit::Partial);
    }
}
