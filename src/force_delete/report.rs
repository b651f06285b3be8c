//! The `ForceDelete` document: evidence, checklist, verdict, the plan and what was done.

use serde::Serialize;

use super::wait::WaitReport;
use super::{Action, Decision, Evidence, Thresholds};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub pod: PodRef,
    pub thresholds: ThresholdSeconds,
    /// --node-fenced: the operator's statement, recorded.
    pub node_fenced: bool,
    pub evidence: Evidence,
    /// The evidence read again after a confirmation at the prompt, which the action then went
    /// ahead on or was refused on (absent without a prompt, or when the pod was gone by then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_after: Option<Evidence>,
    /// checks, verdict, missing, warnings, strongSignals.
    #[serde(flatten)]
    pub decision: Decision,
    /// The action an allowed verdict leads to.
    pub plan: Option<Action>,
    /// What the plan does, in words (also printed before the confirmation).
    pub steps: Vec<String>,
    /// For --fence: what the cluster does next.
    pub follows: Vec<String>,
    pub action: ActionReport,
    pub wait: Option<WaitReport>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodRef {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub node: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdSeconds {
    pub not_ready_for_seconds: i64,
    pub lease_stale_for_seconds: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ActionStatus {
    /// Refused by the gate, or by the plan (also when the evidence read again after a
    /// confirmation no longer confirms node loss).
    NotTaken,
    /// The confirmation was declined (or there was no terminal and no --yes).
    Declined,
    /// The server validated the change but did not persist it (--dry-run).
    DryRun,
    Deleted,
    /// The pod was gone by the time of the DELETE.
    AlreadyGone,
    /// What the plan's preconditions name changed: the pod was replaced or changed since it was
    /// checked (found when it was read again after the confirmation, or by the API server at the
    /// request: 409), or with --fence the Node changed. Nothing was changed.
    Conflict,
    Tainted,
    AlreadyFenced,
    /// The request failed otherwise (see the error).
    Failed,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionReport {
    pub status: ActionStatus,
    pub dry_run: bool,
    pub detail: String,
}

impl ActionReport {
    pub fn new(status: ActionStatus, dry_run: bool, detail: impl Into<String>) -> Self {
        ActionReport { status, dry_run, detail: detail.into() }
    }
}

impl Report {
    pub fn new(evidence: Evidence, decision: Decision, thresholds: &Thresholds, node_fenced: bool) -> Self {
        Report {
            pod: PodRef {
                namespace: evidence.pod.namespace.clone(),
                name: evidence.pod.name.clone(),
                uid: evidence.pod.uid.clone(),
                node: evidence.pod.node.clone(),
            },
            thresholds: ThresholdSeconds {
                not_ready_for_seconds: thresholds.not_ready_for.as_secs(),
                lease_stale_for_seconds: thresholds.lease_stale_for.as_secs(),
            },
            node_fenced,
            evidence,
            evidence_after: None,
            decision,
            plan: None,
            steps: vec![],
            follows: vec![],
            action: ActionReport::new(ActionStatus::NotTaken, false, "not taken"),
            wait: None,
        }
    }
}
