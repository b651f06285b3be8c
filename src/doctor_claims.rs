//! `doctor`'s claim findings: the claim flags `claims` makes, and what became of the claims left
//! outside the range by scale-down, judged by `reclaim`'s own plan so that `doctor` points to
//! `reclaim` only for claims it would delete.

use super::{Finding, cmd, finding};
use crate::claims::{self, ClaimsReport};
use crate::model::{Snapshot, StatefulSet};
use crate::reclaim::{self, PlanOptions};
use crate::severity::Severity;

/// Kinds of `reclaim` skips another finding already covers, or that are expected: an autoscaler
/// reuses the claim (`claims` flags it autoscaler-reserved), it is being deleted (`claim-terminating`),
/// it is not ours (`claim-foreign`), the StatefulSet is scaled to zero (`scaled-to-zero-claims-kept`).
const COVERED: &[&str] = &["autoscaled", "terminating", "foreign", "scaled-to-zero"];

pub(super) fn claim_findings(snap: &Snapshot, sts: &StatefulSet, c: &ClaimsReport, out: &mut Vec<Finding>) {
    let claims_cmd = cmd(sts, &format!("claims {}", sts.name));
    orphan_findings(snap, sts, c, &claims_cmd, out);
    // An out-of-range claim another pod mounts is one finding: claim-orphan-kept says who uses it
    // and that reclaim keeps it, so its wrong-pod flag adds nothing.
    let kept: Vec<String> =
        out.iter().filter(|f| f.code == "claim-orphan-kept").filter_map(|f| f.subject.clone()).collect();
    for row in &c.claims {
        for flag in &row.flags {
            if flag.kind == "wrong-pod" && kept.contains(&row.claim) {
                continue;
            }
            let Some((severity, code)) = claim_code(flag) else { continue };
            out.push(finding(
                severity,
                code,
                Some(&row.claim),
                format!("{}: {}", row.claim, flag.message),
                claims_cmd.clone(),
            ));
        }
    }
}

/// Claims outside the range, as `reclaim STS` (without flags) plans them: the candidates it would
/// delete (`claims-orphaned`, pointing to it), the ones it refuses to delete for now (the same
/// finding, with the refusal and no suggestion), and the ones it keeps, each with why
/// (`claim-orphan-kept`: in use by a pod, not made by the StatefulSet controller, ...).
fn orphan_findings(
    snap: &Snapshot,
    sts: &StatefulSet,
    c: &ClaimsReport,
    claims_cmd: &Option<String>,
    out: &mut Vec<Finding>,
) {
    let plan = reclaim::plan(snap, sts, &PlanOptions::default());
    let names = |claims: &[&str]| format!("{} claim(s) left by scale-down", claims.len());
    let candidates: Vec<&str> = plan.candidates.iter().map(|c| c.claim.as_str()).collect();
    if !candidates.is_empty() {
        out.push(finding(
            Severity::Warning,
            "claims-orphaned",
            None,
            format!("{}, which reclaim would delete: {}", names(&candidates), candidates.join(", ")),
            cmd(sts, &format!("reclaim {}", sts.name)),
        ));
    }
    let of_kind = |kind: &str| -> Vec<&str> {
        plan.skipped.iter().filter(|s| s.kind == kind).map(|s| s.claim.as_str()).collect()
    };
    let refused = of_kind("refused");
    if let (false, Some(refusal)) = (refused.is_empty(), &plan.refusal) {
        out.push(finding(
            Severity::Warning,
            "claims-orphaned",
            None,
            format!("{}: {}; reclaim refuses to delete them for now: {refusal}", names(&refused), refused.join(", ")),
            None,
        ));
    }
    let zero = of_kind("scaled-to-zero");
    if !zero.is_empty() {
        out.push(finding(
            Severity::Info,
            "scaled-to-zero-claims-kept",
            None,
            format!("replicas 0: {} claim(s) keep their data: {}", zero.len(), zero.join(", ")),
            None,
        ));
    }
    let range = sts.ordinal_range();
    // Used only by its own ordinal's pod, still there outside the range: a scale-down under way,
    // which the ordinal findings report; its claim is no separate problem.
    let own_pod_only = |claim: &str| {
        c.claims.iter().any(|r| {
            let own = crate::model::names::pod_name(&sts.name, r.ordinal);
            r.claim == claim
                && r.mounted_by == [own.as_str()]
                && snap.pod(&sts.namespace, &own).is_some_and(|p| p.controlled_by(&sts.uid))
        })
    };
    // A claim an autoscaler's scale-up reuses is expected, whatever else reclaim says of it (one
    // made by hand ahead of that scale-up is "not-controller-made" there).
    let reserved = |claim: &str| {
        c.claims.iter().any(|r| r.claim == claim && r.flags.iter().any(|f| f.kind == "autoscaler-reserved"))
    };
    // Owned by its condemned pod (whenScaled=Delete): the garbage collector deletes it with the pod,
    // a scale-down the ordinal findings report.
    let deleted_with_pod =
        |claim: &str| c.claims.iter().any(|r| r.claim == claim && r.flags.iter().any(|f| f.kind == "deleted-with-pod"));
    for skip in plan
        .skipped
        .iter()
        .filter(|s| s.kind != "refused" && !COVERED.contains(&s.kind))
        .filter(|s| !reserved(&s.claim) && !deleted_with_pod(&s.claim))
        .filter(|s| !(s.kind == "in-use" && own_pod_only(&s.claim)))
    {
        out.push(finding(
            Severity::Warning,
            "claim-orphan-kept",
            Some(&skip.claim),
            format!(
                "{}: outside [{}, {}), but reclaim keeps it ({}): {}",
                skip.claim, range.start, range.end, skip.kind, skip.reason
            ),
            claims_cmd.clone(),
        ));
    }
}

/// The finding for a claim flag; None for flags reported otherwise (claims outside the range from
/// `reclaim`'s plan, above; a missing claim without its own pod as the ordinal's problem) or not
/// at all (a claim an autoscaler reuses is expected).
pub(super) fn claim_code(flag: &claims::Flag) -> Option<(Severity, &'static str)> {
    Some(match flag.kind {
        "orphan" | "autoscaler-reserved" | "deleted-with-pod" => return None,
        "missing" if flag.severity != Severity::Error => return None,
        "missing" => (Severity::Error, "claim-missing"),
        "pending" => (Severity::Warning, "claim-pending"),
        "lost" => (Severity::Error, "claim-lost"),
        "terminating" => (Severity::Warning, "claim-terminating"),
        "foreign" => (Severity::Warning, "claim-foreign"),
        "size-drift" | "class-drift" | "access-drift" => (Severity::Warning, "claim-drift"),
        "resize-pending" => (Severity::Info, "claim-resize-pending"),
        "resize-failed" => (Severity::Warning, "claim-resize-failed"),
        "shared-mount" | "wrong-pod" => (Severity::Warning, "claim-shared"),
        "pinned-to-lost-node" => (Severity::Error, "claim-pinned-to-lost-node"),
        // Every kind `claims` makes is mapped above (a unit test checks it); a new one would still
        // be reported, with its own severity.
        _ => (flag.severity, "claim-other"),
    })
}
