//! `doctor`: every StatefulSet of a snapshot, with findings by severity and a suggested command.
//!
//! Findings come from the same diagnoses the other subcommands print (`ordinals`, `claims`), so
//! `doctor` never disagrees with them; it adds StatefulSet-level pitfalls on top.

use jiff::SignedDuration;
use serde::Serialize;

use crate::claims;
use crate::model::names::pod_ordinal;
use crate::model::{Pod, Snapshot, StatefulSet, Unavailable};
use crate::ordinals::{self, Issue, OrdinalsReport};
use crate::rollout::{self, Phase};
use crate::severity::Severity;
#[cfg(test)]
use claim_findings::claim_code;
use claim_findings::claim_findings;
pub use codes::CODES;
use codes::needs;
use disruption::disruption_findings;

#[path = "doctor_claims.rs"]
mod claim_findings;
#[path = "doctor_codes.rs"]
mod codes;
#[path = "doctor_disruption.rs"]
pub mod disruption;
#[path = "doctor_domains.rs"]
mod domains;
#[path = "doctor_fold.rs"]
mod fold;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorReport {
    /// The namespace looked at, or None for all namespaces.
    pub namespace: Option<String>,
    pub summary: Summary,
    pub statefulsets: Vec<StatefulSetFindings>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub statefulsets: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// The worst severity found; None when there are no findings.
    pub worst: Option<Severity>,
    /// Some parts could not be read (RBAC), so some findings could not be checked: no finding
    /// of those codes is no evidence that there is none. The exit code still follows `worst`.
    pub incomplete: bool,
    pub unavailable: Vec<Unavailable>,
    /// The finding codes that could not be checked for lack of those parts.
    pub unchecked: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetFindings {
    pub namespace: String,
    pub name: String,
    pub replicas: i32,
    pub ready_replicas: i32,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub severity: Severity,
    /// Stable identifier (documented in README.md).
    pub code: &'static str,
    /// The pod, claim or PodDisruptionBudget concerned, if one.
    pub subject: Option<String>,
    pub message: String,
    /// A command that shows more or fixes it.
    pub suggestion: Option<String>,
    /// Folded: the pods of alike findings (one code, the same cause and suggestion) this one
    /// stands for, its message naming their ordinals as ranges; absent when it is about one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pods: Vec<String>,
}

pub fn diagnose(snap: &Snapshot, namespace: Option<&str>) -> DoctorReport {
    let mut statefulsets: Vec<StatefulSetFindings> = snap
        .statefulsets
        .iter()
        .map(|sts| StatefulSetFindings {
            namespace: sts.namespace.clone(),
            name: sts.name.clone(),
            replicas: sts.replicas,
            ready_replicas: sts.status.ready_replicas,
            findings: findings(snap, sts),
        })
        .collect();
    statefulsets.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    let mut summary = Summary { statefulsets: statefulsets.len(), ..Summary::default() };
    for f in statefulsets.iter().flat_map(|s| &s.findings) {
        match f.severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Info => summary.infos += 1,
        }
        summary.worst = summary.worst.max(Some(f.severity));
    }
    summary.unavailable = snap.unavailable();
    summary.incomplete = !summary.unavailable.is_empty();
    for code in summary.unavailable.iter().flat_map(|u| needs(u.part)) {
        if !summary.unchecked.contains(code) {
            summary.unchecked.push(code);
        }
    }
    let mut notes = snap.unavailable_notes();
    // policy/v1beta1 (1.20) has no unhealthyPodEvictionPolicy: those findings are not checked.
    if let Some(old) = snap.disruption_budgets.iter().flatten().find(|b| !b.knows_eviction_policy()) {
        for code in disruption::NEEDS_V1 {
            if !summary.unchecked.contains(code) {
                summary.unchecked.push(code);
            }
        }
        notes.push(format!(
            "unhealthyPodEvictionPolicy not checked: this server serves PodDisruptionBudgets as {} only, which has \
             no such field (pods Running but not Ready are evicted only while the budget is met)",
            old.api_version
        ));
    }
    DoctorReport { namespace: namespace.map(String::from), summary, statefulsets, notes }
}

/// All findings for one StatefulSet, worst first.
pub fn findings(snap: &Snapshot, sts: &StatefulSet) -> Vec<Finding> {
    let o = ordinals::diagnose(snap, sts);
    let c = claims::diagnose(snap, sts);
    let mut out = Vec::new();
    service_findings(&o, &mut out);
    ordinal_findings(snap, sts, &o, &mut out);
    rollout_findings(snap, sts, &o, &mut out);
    claim_findings(snap, sts, &c, &mut out);
    disruption_findings(snap, sts, &mut out);
    domains::domain_findings(snap, sts, &mut out);
    for note in o.notes.iter().filter(|n| n.contains("overlapping selectors")) {
        out.push(finding(Severity::Warning, "overlapping-selector", None, note.clone(), None));
    }
    let mut out = fold::fold(&sts.name, out);
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

fn finding(
    severity: Severity,
    code: &'static str,
    subject: Option<&str>,
    message: String,
    suggestion: Option<String>,
) -> Finding {
    debug_assert!(CODES.contains(&(code, severity)), "finding {code} ({severity:?}) is not in CODES");
    Finding { severity, code, subject: subject.map(String::from), message, suggestion, pods: vec![] }
}

fn cmd(sts: &StatefulSet, args: &str) -> Option<String> {
    Some(format!("kubectl sts-doctor -n {} {args}", sts.namespace))
}

fn service_findings(o: &OrdinalsReport, out: &mut Vec<Finding>) {
    let service = &o.statefulset.service;
    if let Some(problem) = &service.problem {
        let code = match (service.name.is_empty(), service.exists, service.headless) {
            (true, _, _) => "service-name-empty",
            (false, Some(false), _) => "service-missing",
            (false, _, Some(true)) => "service-selects-no-pods",
            _ => "service-not-headless",
        };
        out.push(finding(Severity::Warning, code, None, problem.clone(), None));
    }
}

fn ordinal_findings(snap: &Snapshot, sts: &StatefulSet, o: &OrdinalsReport, out: &mut Vec<Finding>) {
    let ordinals_cmd = cmd(sts, &format!("ordinals {}", sts.name));
    // Missing ordinals waiting on a lower one are one finding: the blocker is what matters.
    let waiting: Vec<&str> =
        o.ordinals.iter().filter(|r| r.issue == Some(Issue::WaitingForLowerOrdinal)).map(|r| r.pod.as_str()).collect();
    if let Some(first) = o.ordinals.iter().find(|r| r.issue == Some(Issue::WaitingForLowerOrdinal)) {
        let why = first.why.clone().unwrap_or_default();
        out.push(finding(
            Severity::Warning,
            "ordinal-blocked",
            Some(waiting[0]),
            format!("{} not created: {why}", waiting.join(", ")),
            ordinals_cmd.clone(),
        ));
    }
    for r in &o.ordinals {
        let why = r.why.clone().unwrap_or_default();
        let pod = Some(r.pod.as_str());
        let (severity, code, suggestion) = match r.issue {
            None | Some(Issue::WaitingForLowerOrdinal) => continue,
            Some(Issue::Foreign) => (Severity::Error, "ordinal-foreign", ordinals_cmd.clone()),
            Some(Issue::CreateFailing) => (Severity::Error, "ordinal-create-failing", ordinals_cmd.clone()),
            Some(Issue::NotCreatedYet) => (Severity::Warning, "ordinal-missing", ordinals_cmd.clone()),
            Some(Issue::ControllerBehind) => (Severity::Warning, "controller-behind", None),
            Some(Issue::StatefulSetDeleting) => (Severity::Info, "statefulset-deleting", None),
            // The same command as `ordinals` suggests (with --node-fenced when nothing in the
            // API confirms the loss: force-delete would refuse without).
            Some(Issue::NodeLost) => (Severity::Error, "pod-on-lost-node", r.suggestion.clone()),
            Some(Issue::StuckTerminating) => (Severity::Error, "pod-stuck-terminating", ordinals_cmd.clone()),
            Some(Issue::PodFailed) => (Severity::Warning, "pod-failed", None),
            Some(Issue::ContainerWaiting) => (Severity::Warning, "pod-not-ready", ordinals_cmd.clone()),
            Some(Issue::Pending) => (Severity::Warning, "pod-pending", ordinals_cmd.clone()),
            Some(Issue::NotReady) => (Severity::Warning, "pod-not-ready", ordinals_cmd.clone()),
            Some(Issue::ScaleDownPending) => (Severity::Info, "scale-down-in-progress", None),
            Some(Issue::ScaleDownWaiting) => (Severity::Warning, "scale-down-waiting", ordinals_cmd.clone()),
            Some(Issue::ScaleDownBlocked) => (Severity::Error, "scale-down-blocked", ordinals_cmd.clone()),
        };
        // One controller-level finding is enough.
        if code == "controller-behind" && out.iter().any(|f| f.code == code) {
            continue;
        }
        let node = node_story(r, snap.now).map(|n| format!("; {n}")).unwrap_or_default();
        out.push(finding(severity, code, pod, format!("{}: {why}{node}", r.pod), suggestion));
    }
}

/// The pod's node, when its health explains a finding about the pod: a node that is not Ready
/// (a lost node's finding already says so). A node Unknown whose Lease is fresh is a status-only
/// partition: its kubelet is alive and may still run the pod.
fn node_story(r: &ordinals::OrdinalRow, now: jiff::Timestamp) -> Option<String> {
    let health = r.node_health.as_ref().filter(|h| h.state != "Ready")?;
    if r.issue == Some(Issue::NodeLost) {
        return None;
    }
    let mut text = format!("its node {} is {}", health.node, health.summary(now));
    if health.renewed_by_a_silent_node() {
        text.push_str(": a status-only partition (its kubelet is alive and may still run the pod; not a lost node)");
    }
    Some(text)
}

/// An updated pod not Ready for this long makes a rollout stuck (as `rollout --stuck-after`).
const STUCK_AFTER: SignedDuration = SignedDuration::from_secs(5 * 60);

/// Rollout state from the `rollout` diagnosis, plus partition pitfalls.
fn rollout_findings(snap: &Snapshot, sts: &StatefulSet, o: &OrdinalsReport, out: &mut Vec<Finding>) {
    // Its pods and any pod holding one of its ordinals' names, as `rollout` reads them.
    let pods: Vec<Pod> =
        snap.pods_in(&sts.namespace).filter(|p| pod_ordinal(&sts.name, &p.name).is_some()).cloned().collect();
    let facts = rollout::Facts {
        nodes: o.ordinals.iter().filter_map(|r| r.node_health.clone()).map(|h| (h.node.clone(), h)).collect(),
        server_version: snap.server_version.clone(),
        local_skew_seconds: snap.local_skew_seconds,
        local_clock_only: snap.local_clock_only,
    };
    let status = rollout::status_with(sts, &pods, &snap.revisions, &facts, snap.now, STUCK_AFTER);
    let rollout_cmd = cmd(sts, &format!("rollout {}", sts.name));
    let blocking = status.blocking_pod.as_deref();
    let revisions_differ = sts.status.current_revision.is_some()
        && sts.status.update_revision.is_some()
        && sts.status.current_revision != sts.status.update_revision;
    let progress = format!("{} of {} pod(s) updated", status.progress.updated, status.progress.total);
    // A pod of another owner holding an ordinal's name is `ordinal-foreign` already.
    let held = status.ordinals.iter().any(|r| Some(r.pod.as_str()) == blocking && r.state == "Foreign");
    match status.phase {
        _ if held => {}
        Phase::Trapped => out.push(finding(
            Severity::Error,
            "rollout-trapped",
            blocking,
            status.explanation.clone().unwrap_or_else(|| status.reason.clone()),
            cmd(sts, &format!("rollout {} --fix", sts.name)),
        )),
        // Without a rollout in progress a stuck pod is an ordinal/pod finding. (The trap above
        // needs no such check: a reverted template makes the two revisions equal again.)
        Phase::Stuck if revisions_differ => {
            out.push(finding(Severity::Error, "rollout-stuck", blocking, status.reason.clone(), rollout_cmd))
        }
        Phase::WaitingForOnDelete => out.push(finding(
            Severity::Info,
            "on-delete-pending",
            None,
            format!(
                "updateStrategy OnDelete: {} pod(s) keep the old template until they are deleted: {}",
                status.pods_to_delete.len(),
                status.pods_to_delete.join(", ")
            ),
            rollout_cmd,
        )),
        Phase::PartitionComplete if revisions_differ => out.push(finding(
            Severity::Info,
            "rollout-partitioned",
            None,
            format!("rollout paused at partition {}: {progress}", sts.partition),
            cmd(sts, &format!("rollout {} --step 1", sts.name)),
        )),
        Phase::Progressing if revisions_differ => out.push(finding(
            Severity::Info,
            "rollout-in-progress",
            None,
            format!("rolling update in progress: {progress}; {}", status.reason.clone()),
            rollout_cmd,
        )),
        _ => {}
    }
    if sts.is_on_delete() {
        return;
    }
    if sts.partition > 0 && sts.partition >= sts.replicas {
        out.push(finding(
            Severity::Warning,
            "partition-exceeds-replicas",
            None,
            format!(
                "partition {} >= replicas {}: template changes update no existing pod (only pods a scale-up adds at \
                 or above the partition get the new template)",
                sts.partition, sts.replicas
            ),
            cmd(sts, &format!("rollout {}", sts.name)),
        ));
    } else if sts.partition > 0 && !revisions_differ {
        out.push(finding(
            Severity::Info,
            "partition-set",
            None,
            format!(
                "partition {} is set with no rollout in progress: the next template change only updates ordinals \
                 from index {} up",
                sts.partition, sts.partition
            ),
            None,
        ));
    }
}

#[cfg(test)]
#[path = "doctor_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "doctor_claims_tests.rs"]
mod claims_tests;

#[cfg(test)]
#[path = "doctor_disruption_tests.rs"]
mod disruption_tests;

#[cfg(test)]
#[path = "doctor_domains_tests.rs"]
mod domains_tests;
