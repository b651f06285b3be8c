//! `force-delete`: whether a pod may be force-deleted, decided from evidence only (no API calls).
//!
//! A StatefulSet pod must never run twice. Deleting a pod with grace period 0 removes it from the
//! API without waiting for its kubelet, so the controller may start a replacement while the old
//! container still runs on a node that is merely partitioned. [`assess`] therefore allows it only
//! when the API confirms node loss; [`plan`] turns an allowed decision into exactly one action;
//! [`wait`] interprets the recreated pod while `--wait` follows it.

mod assess;
pub mod evidence;
pub mod placement;
mod plan;
mod recheck;
pub mod report;
mod status_writes;
pub mod wait;

use jiff::SignedDuration;
use serde::Serialize;

pub use assess::assess;
pub use evidence::{Attachment, Clock, ContainerTimes, Evidence, Lookup, PodStatusTimes, PodVolume};
pub use placement::{Placement, Requirement};
pub use plan::{Action, OUT_OF_SERVICE_VALUE, fence_followups, plan, steps};
pub use recheck::{Stale, recheck};
pub use report::{ActionReport, ActionStatus, Report};

/// How long the node must have been down (flags --not-ready-for, --lease-stale-for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub not_ready_for: SignedDuration,
    pub lease_stale_for: SignedDuration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { not_ready_for: SignedDuration::from_mins(5), lease_stale_for: SignedDuration::from_mins(5) }
    }
}

/// One line of the checklist. `required` checks gate the decision; the others are shown for
/// information (`ok: false` on those is a warning).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// Stable identifier: clock, pod, owner, node, not-ready, lease-stale, status-silent, taints,
    /// strong-signal, volume-attachments.
    pub name: &'static str,
    pub required: bool,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    Allowed,
    Refused,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub checks: Vec<Check>,
    pub verdict: Verdict,
    /// The evidence that is missing, one phrase per failed required check.
    pub missing: Vec<String>,
    pub warnings: Vec<String>,
    /// The strong signals found (node deleted, shutdown / out-of-service taint, --node-fenced).
    pub strong_signals: Vec<String>,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        self.verdict == Verdict::Allowed
    }

    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests;
