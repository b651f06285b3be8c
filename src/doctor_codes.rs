//! `doctor`'s finding codes: the registry the README documents, and what each needs to be found.

use crate::severity::Severity;

/// Every finding code with its severity: the README's findings table documents exactly these
/// (a unit test compares them).
pub const CODES: &[(&str, Severity)] = &[
    ("pod-on-lost-node", Severity::Error),
    ("pod-stuck-terminating", Severity::Error),
    ("ordinal-foreign", Severity::Error),
    ("ordinal-create-failing", Severity::Error),
    ("scale-down-blocked", Severity::Error),
    ("rollout-trapped", Severity::Error),
    ("rollout-stuck", Severity::Error),
    ("claim-lost", Severity::Error),
    ("claim-missing", Severity::Error),
    ("claim-pinned-to-lost-node", Severity::Error),
    ("pdb-overlapping", Severity::Error),
    ("ordinal-blocked", Severity::Warning),
    ("ordinal-missing", Severity::Warning),
    ("pod-pending", Severity::Warning),
    ("pod-not-ready", Severity::Warning),
    ("pod-failed", Severity::Warning),
    ("scale-down-waiting", Severity::Warning),
    ("controller-behind", Severity::Warning),
    ("service-missing", Severity::Warning),
    ("service-not-headless", Severity::Warning),
    ("service-selects-no-pods", Severity::Warning),
    ("service-name-empty", Severity::Warning),
    ("claims-orphaned", Severity::Warning),
    ("claim-orphan-kept", Severity::Warning),
    ("claim-drift", Severity::Warning),
    ("claim-pending", Severity::Warning),
    ("claim-terminating", Severity::Warning),
    ("claim-foreign", Severity::Warning),
    ("claim-shared", Severity::Warning),
    ("claim-resize-failed", Severity::Warning),
    ("partition-exceeds-replicas", Severity::Warning),
    ("overlapping-selector", Severity::Warning),
    ("pdb-forbids-all", Severity::Warning),
    ("pdb-no-disruptions-allowed", Severity::Warning),
    ("pdb-covers-other-pods", Severity::Warning),
    ("pdb-unhealthy-pod-blocks", Severity::Warning),
    ("replicas-share-a-node", Severity::Warning),
    ("rollout-in-progress", Severity::Info),
    ("rollout-partitioned", Severity::Info),
    ("on-delete-pending", Severity::Info),
    ("partition-set", Severity::Info),
    ("scaled-to-zero-claims-kept", Severity::Info),
    ("claim-resize-pending", Severity::Info),
    ("scale-down-in-progress", Severity::Info),
    ("statefulset-deleting", Severity::Info),
    ("pdb-missing", Severity::Info),
    ("replicas-in-one-zone", Severity::Info),
];

/// The findings a part of the snapshot is needed for (revisions only number the explanations).
pub(super) fn needs(part: &str) -> &'static [&'static str] {
    match part {
        // Without Nodes or Leases no node is judged lost (a deleted Node, a stale Lease).
        "nodes" => &["pod-on-lost-node", "claim-pinned-to-lost-node", "replicas-in-one-zone"],
        "leases" => &["pod-on-lost-node", "claim-pinned-to-lost-node"],
        // A local volume's node affinity is on its PV.
        "volumes" => &["claim-pinned-to-lost-node"],
        // A missing ordinal then reads as ordinal-missing.
        "events" => &["ordinal-create-failing"],
        "services" => &["service-missing", "service-not-headless", "service-selects-no-pods"],
        "poddisruptionbudgets" => &[
            "pdb-missing",
            "pdb-overlapping",
            "pdb-forbids-all",
            "pdb-no-disruptions-allowed",
            "pdb-covers-other-pods",
            "pdb-unhealthy-pod-blocks",
        ],
        _ => &[],
    }
}

#[cfg(test)]
#[path = "doctor_codes_tests.rs"]
mod tests;
