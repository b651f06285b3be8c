//! `--wait`: reading where the recreation of an ordinal stands (pure; the polling loop is in
//! `commands::force_delete`).

use serde::Serialize;

use crate::model::{Event, Pod};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum WaitState {
    /// The deleted pod is still there (e.g. a server-side finalizer, or pod GC has not run yet after --fence).
    OldPodPresent { terminating: bool },
    /// No pod of that name yet.
    Gone,
    /// A new pod exists but is not Running and Ready yet.
    #[serde(rename_all = "camelCase")]
    Recreated { uid: String, phase: String, node: Option<String>, waiting: Option<String> },
    /// A new pod is Running and Ready: done.
    #[serde(rename_all = "camelCase")]
    Ready { uid: String, node: Option<String> },
}

impl WaitState {
    pub fn of(old_uid: &str, pod: Option<&Pod>) -> WaitState {
        match pod {
            None => WaitState::Gone,
            Some(p) if p.uid == old_uid => WaitState::OldPodPresent { terminating: p.is_terminating() },
            Some(p) if p.is_running_and_ready() && !p.is_terminating() => {
                WaitState::Ready { uid: p.uid.clone(), node: p.node.clone() }
            }
            Some(p) => WaitState::Recreated {
                uid: p.uid.clone(),
                phase: if p.is_terminating() { "Terminating".into() } else { p.phase.clone() },
                node: p.node.clone(),
                waiting: p.waiting.clone(),
            },
        }
    }

    pub fn is_ready(&self) -> bool {
        matches!(self, WaitState::Ready { .. })
    }

    /// The uid of the replacement pod, once there is one.
    pub fn new_uid(&self) -> Option<&str> {
        match self {
            WaitState::Recreated { uid, .. } | WaitState::Ready { uid, .. } => Some(uid),
            _ => None,
        }
    }

    /// One line for progress output.
    pub fn describe(&self, pod: &str) -> String {
        match self {
            WaitState::OldPodPresent { terminating: true } => format!("{pod}: the old pod is still terminating"),
            WaitState::OldPodPresent { terminating: false } => format!("{pod}: the old pod is still there"),
            WaitState::Gone => format!("{pod}: deleted, waiting for the StatefulSet controller to recreate it"),
            WaitState::Recreated { phase, node, waiting, .. } => {
                let phase = if phase.is_empty() { "Pending" } else { phase.as_str() };
                let place = node.as_deref().map_or(" (not scheduled yet)".to_string(), |n| format!(" on {n}"));
                let waiting = waiting.as_deref().map(|w| format!(", {w}")).unwrap_or_default();
                format!("{pod}: recreated, {phase}{place}{waiting}, not Ready yet")
            }
            WaitState::Ready { node, .. } => {
                format!(
                    "{pod}: recreated and Running, Ready{}",
                    node.as_deref().map(|n| format!(" on {n}")).unwrap_or_default()
                )
            }
        }
    }
}

/// Volume trouble reported for the new pod: FailedAttachVolume (including Multi-Attach errors,
/// when the volume is still attached to the lost node) and FailedMount.
pub fn volume_trouble(events: &[Event]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in events {
        let multi_attach = e.message.contains("Multi-Attach");
        if e.reason == "FailedAttachVolume" || e.reason == "FailedMount" || multi_attach {
            let mut line = format!("{}: {}", e.reason, e.message);
            if multi_attach {
                line.push_str(
                    " (the volume is still attached to the old node; it is detached once the attach/detach \
                     controller gives up on it, after about 6 minutes, or at once with the out-of-service taint)",
                );
            }
            if !out.contains(&line) {
                out.push(line);
            }
        }
    }
    out
}

/// The outcome of `--wait`, for the report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitReport {
    pub done: bool,
    /// Not waited for (the pod is not owned by a StatefulSet): `note` says why.
    pub skipped: bool,
    pub elapsed_seconds: u64,
    pub last: WaitState,
    pub volume_trouble: Vec<String>,
    /// Why waiting was skipped, or what could not be checked.
    pub note: Option<String>,
}
