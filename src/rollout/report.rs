//! The `-o json|yaml` document of a `rollout` run: the status, and what `--step/--to` or `--fix`
//! planned and did. One document per run, whatever happened (refused, declined, a dry run, done).

use serde::Serialize;

use super::RolloutStatus;
use super::step::StepPlan;
use crate::error::Outcome;

/// The document: the status fields at the top level (as without --step or --fix), then `step`
/// and `fix` (null unless asked for).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutReport<'a> {
    #[serde(flatten)]
    pub status: &'a RolloutStatus,
    pub step: Option<&'a StepReport>,
    pub fix: Option<&'a FixReport>,
}

/// What became of the requested change (the same shape as force-delete's `action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ActionStatus {
    /// Refused before anything was sent: `detail` names what is missing or wrong.
    NotTaken,
    /// The confirmation was declined (or there was no terminal to ask on and no --yes).
    Declined,
    /// The server validated the (first) change without saving it.
    DryRun,
    /// `--step/--to`: every planned partition was set.
    Set,
    /// `--step/--to`: stopped before the last partition (stuck, --timeout, Ctrl-C, a spec change);
    /// `results` lists the partitions set before.
    Stopped,
    /// `--fix`: the trapped pod was deleted.
    Deleted,
    /// `undo`: the revision's template was restored.
    Restored,
    /// `--fix`: the pod changed since it was judged (its precondition failed): nothing was deleted;
    /// `undo`: the StatefulSet changed since the plan: nothing was changed.
    Conflict,
    /// A request failed (see `detail`); `results` lists what was done before.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    pub status: ActionStatus,
    pub dry_run: bool,
    pub detail: String,
}

impl ActionStatus {
    /// What an error that ended `--step/--to` or `--fix` says of the change, where nothing more
    /// precise was recorded: declined, refused before anything was sent, or failed.
    pub fn of_error(e: &anyhow::Error) -> ActionStatus {
        match e.downcast_ref::<Outcome>() {
            Some(Outcome::Declined(_)) => ActionStatus::Declined,
            Some(Outcome::Refused(_)) => ActionStatus::NotTaken,
            _ => ActionStatus::Failed,
        }
    }
}

impl Action {
    pub fn new(status: ActionStatus, dry_run: bool, detail: impl Into<String>) -> Action {
        Action { status, dry_run, detail: detail.into() }
    }
}

/// `--step/--to`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    /// None when the request was refused before a plan could be made.
    pub plan: Option<StepPlan>,
    pub action: Action,
    /// Each partition patch sent, in order.
    pub results: Vec<StepResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StepOutcome {
    Set,
    /// Accepted by a server-side dry run, not saved.
    WouldSet,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    pub partition: i32,
    pub outcome: StepOutcome,
    /// The pods the controller then updates, highest first (from the plan).
    pub updates: Vec<String>,
}

/// `--fix`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FixReport {
    /// None when there is nothing to fix (the rollout is not trapped).
    pub plan: Option<FixPlan>,
    pub action: Action,
}

/// The deletion `--fix` makes: this pod, only if it is still this UID at this resourceVersion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FixPlan {
    pub pod: String,
    pub uid: String,
    pub resource_version: String,
    /// The revision the pod runs (its controller-revision-hash).
    pub revision: Option<String>,
    /// The revision the controller recreates it from.
    pub update_revision: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::ActionStatus;
    use crate::error::Outcome;

    #[test]
    fn an_error_says_declined_not_taken_or_failed() {
        let of = |e: anyhow::Error| ActionStatus::of_error(&e);
        assert_eq!(of(Outcome::Declined("no".into()).into()), ActionStatus::Declined);
        assert_eq!(of(Outcome::Refused("not trapped".into()).into()), ActionStatus::NotTaken);
        // Context on top of a refusal keeps it a refusal.
        assert_eq!(of(anyhow::Error::from(Outcome::Refused("gone".into())).context("at 2")), ActionStatus::NotTaken);
        assert_eq!(of(Outcome::NotDone("stuck".into()).into()), ActionStatus::Failed);
        assert_eq!(of(anyhow::anyhow!("connection refused")), ActionStatus::Failed);
    }
}
