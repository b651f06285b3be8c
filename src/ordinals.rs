//! `ordinals`: one row per ordinal of a StatefulSet, and why a missing or extra pod is so.
//!
//! The explanations follow the StatefulSet controller's own rules (pkg/controller/statefulset,
//! `updateStatefulSet`): with OrderedReady, pods in range are created in ordinal order and each
//! waits for every lower one to be Running, Ready and not terminating; scale-down waits for every
//! pod in range to be healthy, removes the highest ordinal first, one at a time, and only removes
//! an unhealthy pod when it is the lowest unhealthy one. With Parallel, none of this ordering applies.

use jiff::Timestamp;
use serde::Serialize;

use crate::duration::{age, secs_since};
use crate::health::{NodeHealth, node_health};
use crate::model::names::{pod_name, pod_ordinal};
use crate::model::{Pod, Snapshot, StatefulSet};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrdinalsReport {
    pub statefulset: Summary,
    pub ordinals: Vec<OrdinalRow>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub namespace: String,
    pub name: String,
    pub replicas: Replicas,
    /// [start, end) of the ordinals the spec asks for.
    pub ordinals_start: i32,
    pub ordinals_end: i32,
    pub pod_management_policy: String,
    pub update_strategy: String,
    /// rollingUpdate.partition (RollingUpdate only).
    pub partition: Option<i32>,
    pub current_revision: Option<String>,
    pub update_revision: Option<String>,
    pub generation: i64,
    pub observed_generation: Option<i64>,
    pub service: ServiceCheck,
    pub deleting: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replicas {
    pub desired: i32,
    pub current: i32,
    pub ready: i32,
    pub updated: i32,
    /// From servers that report it (1.22+).
    pub available: Option<i32>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceCheck {
    pub name: String,
    /// None when services could not be read.
    pub exists: Option<bool>,
    pub headless: Option<bool>,
    /// What is wrong with it, if anything.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PodState {
    Missing,
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
    Terminating,
    /// A pod with the ordinal's name that this StatefulSet does not control.
    Foreign,
}

/// What is wrong with an ordinal, as a stable code (the `why` text explains it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Issue {
    /// A pod with the ordinal's name that the StatefulSet does not control.
    Foreign,
    /// OrderedReady: a lower ordinal must be created / Ready first.
    WaitingForLowerOrdinal,
    /// The controller's creates fail (FailedCreate events).
    CreateFailing,
    NotCreatedYet,
    /// observedGeneration is behind generation.
    ControllerBehind,
    StatefulSetDeleting,
    /// The pod's node looks lost.
    NodeLost,
    /// Terminating well past its grace period.
    StuckTerminating,
    PodFailed,
    /// A container is waiting: CrashLoopBackOff, ImagePullBackOff...
    ContainerWaiting,
    Pending,
    NotReady,
    /// Outside the range, about to be removed.
    ScaleDownPending,
    /// Outside the range, waiting for other pods.
    ScaleDownWaiting,
    /// Outside the range, blocked by an unhealthy pod.
    ScaleDownBlocked,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrdinalRow {
    pub ordinal: i32,
    pub pod: String,
    /// Inside [start, start+replicas); false for pods left over from scale-down.
    pub in_range: bool,
    pub state: PodState,
    /// Container waiting reason, or the pod's status reason (NodeLost, Evicted).
    pub detail: Option<String>,
    pub terminating_since: Option<Timestamp>,
    pub ready: Option<bool>,
    pub restarts: Option<i32>,
    /// current, update or other (compared with status.currentRevision / updateRevision).
    pub revision: Option<String>,
    pub revision_hash: Option<String>,
    pub node: Option<String>,
    pub node_health: Option<NodeHealth>,
    pub created: Option<Timestamp>,
    /// Stable DNS name through the governing service.
    pub dns: Option<String>,
    pub uid: Option<String>,
    /// What is wrong, as a code.
    pub issue: Option<Issue>,
    /// Why the pod is missing, extra, blocked or in trouble.
    pub why: Option<String>,
    /// A command that helps, if one does (e.g. force-delete for a pod on a lost node).
    pub suggestion: Option<String>,
}

/// Builds the report for StatefulSet `sts` from a snapshot of its namespace.
pub fn diagnose(snap: &Snapshot, sts: &StatefulSet) -> OrdinalsReport {
    let service = check_service(snap, sts);
    let dns_domain = (service.exists != Some(false) && !sts.service_name.is_empty())
        .then(|| format!("{}.{}.svc", sts.service_name, sts.namespace));
    let mut rows: Vec<OrdinalRow> = sts
        .ordinal_range()
        .map(|i| {
            let name = pod_name(&sts.name, i);
            let pod = snap.pod(&sts.namespace, &name);
            row(snap, sts, i, &name, pod, true, dns_domain.as_deref())
        })
        .collect();
    let mut extra: Vec<OrdinalRow> = snap
        .pods_in(&sts.namespace)
        .filter(|p| belongs(p, sts))
        .filter_map(|p| Some((pod_ordinal(&sts.name, &p.name)?, p)))
        .filter(|(i, _)| !sts.ordinal_range().contains(i))
        .map(|(i, p)| row(snap, sts, i, &p.name, Some(p), false, dns_domain.as_deref()))
        .collect();
    extra.sort_by_key(|r| r.ordinal);

    for i in 0..rows.len() {
        if rows[i].why.is_none() && rows[i].state == PodState::Missing {
            let (issue, why) = why_missing(snap, sts, &rows, i);
            (rows[i].issue, rows[i].why) = (Some(issue), Some(why));
        }
    }
    for i in 0..extra.len() {
        let (issue, why) = why_extra(sts, &rows, &extra, i);
        // Keep the pod's own problem unless the explanation already describes its state; a lost
        // node or a stuck deletion matters more than the scale-down step.
        let own = extra[i].issue.filter(|i| matches!(i, Issue::NodeLost | Issue::StuckTerminating | Issue::PodFailed));
        extra[i].issue = Some(own.unwrap_or(issue));
        extra[i].why = Some(match extra[i].why.take() {
            Some(problem) if !why.contains(&describe(&extra[i])) => format!("{why}; {problem}"),
            _ => why,
        });
    }
    rows.extend(extra);

    OrdinalsReport { statefulset: summary(sts, service), ordinals: rows, notes: notes(snap, sts) }
}

/// Controlled by the StatefulSet, or an orphan it will adopt (selector matches, no controller).
fn belongs(pod: &Pod, sts: &StatefulSet) -> bool {
    pod.controlled_by(&sts.uid) || (pod.controller.is_none() && sts.selector.matches(&pod.labels))
}

fn row(
    snap: &Snapshot,
    sts: &StatefulSet,
    ordinal: i32,
    name: &str,
    pod: Option<&Pod>,
    in_range: bool,
    dns_domain: Option<&str>,
) -> OrdinalRow {
    let mut row = OrdinalRow {
        ordinal,
        pod: name.to_string(),
        in_range,
        state: PodState::Missing,
        detail: None,
        terminating_since: None,
        ready: None,
        restarts: None,
        revision: None,
        revision_hash: None,
        node: None,
        node_health: None,
        created: None,
        dns: None,
        uid: None,
        issue: None,
        why: None,
        suggestion: None,
    };
    let Some(pod) = pod else { return row };
    row.uid = Some(pod.uid.clone());
    row.created = pod.created;
    if !belongs(pod, sts) {
        row.state = PodState::Foreign;
        row.issue = Some(Issue::Foreign);
        row.why = Some(format!(
            "a pod named {name} exists but this StatefulSet does not control it ({}); the controller cannot \
             create its own {name} until that pod is deleted",
            foreign_reason(pod, sts)
        ));
        return row;
    }
    row.state = state_of(pod);
    row.detail = pod.waiting.clone().or_else(|| pod.reason.clone());
    row.terminating_since = pod.deleting;
    row.ready = Some(pod.ready);
    row.restarts = Some(pod.restarts);
    row.revision_hash = pod.revision().map(String::from);
    row.revision = pod.revision().map(|hash| revision_kind(sts, hash).to_string());
    row.node = pod.node.clone();
    row.node_health = pod.node.as_deref().map(|n| node_health(snap, n));
    row.dns = dns_domain.map(|d| format!("{name}.{d}"));
    if let Some((issue, why)) = problem(snap, pod, row.node_health.as_ref()) {
        (row.issue, row.why) = (Some(issue), Some(why));
        if issue == Issue::NodeLost {
            row.suggestion = Some(format!("kubectl sts-doctor force-delete {name}  # if the node is really gone"));
        }
    }
    row
}

fn state_of(pod: &Pod) -> PodState {
    if pod.is_terminating() {
        return PodState::Terminating;
    }
    match pod.phase.as_str() {
        "Pending" | "" => PodState::Pending,
        "Running" => PodState::Running,
        "Succeeded" => PodState::Succeeded,
        "Failed" => PodState::Failed,
        _ => PodState::Unknown,
    }
}

fn foreign_reason(pod: &Pod, sts: &StatefulSet) -> String {
    match &pod.controller {
        Some(owner) if owner.kind == "StatefulSet" && owner.name == sts.name => {
            "it belongs to an earlier StatefulSet of the same name".into()
        }
        Some(owner) => format!("it is controlled by {} {}", owner.kind, owner.name),
        None => format!("its labels do not match the selector {}", sts.selector.to_query()),
    }
}

/// current / update / other, against the StatefulSet's status revisions.
pub fn revision_kind(sts: &StatefulSet, hash: &str) -> &'static str {
    let current = sts.status.current_revision.as_deref();
    let update = sts.status.update_revision.as_deref();
    if current == Some(hash) {
        "current"
    } else if update == Some(hash) {
        "update"
    } else {
        "other"
    }
}

/// What is wrong with a pod that exists, if anything.
fn problem(snap: &Snapshot, pod: &Pod, node: Option<&NodeHealth>) -> Option<(Issue, String)> {
    let lost = node.filter(|h| h.suspect_lost).map(|h| {
        format!("node {} looks lost ({}): the pod cannot be replaced until it is deleted", h.node, h.summary(snap.now))
    });
    if let Some(deleting) = pod.deleting {
        let grace = pod.deletion_grace_seconds.unwrap_or(0);
        // deletionTimestamp is already "now + grace" when set.
        let overdue = secs_since(deleting, snap.now);
        if overdue > 60 {
            let stuck = format!(
                "terminating for {} past its {grace}s grace period: its kubelet has not confirmed the deletion",
                age(deleting, snap.now)
            );
            return Some(match lost {
                Some(l) => (Issue::NodeLost, format!("{stuck}; {l}")),
                None => (Issue::StuckTerminating, stuck),
            });
        }
        return lost.map(|l| (Issue::NodeLost, l));
    }
    if let Some(l) = lost {
        return Some((Issue::NodeLost, l));
    }
    if pod.phase == "Failed" {
        return Some((Issue::PodFailed, "Failed: the controller deletes and recreates failed pods".into()));
    }
    if let Some(waiting) = &pod.waiting {
        if waiting != "ContainerCreating" && waiting != "PodInitializing" {
            return Some((Issue::ContainerWaiting, format!("container waiting: {waiting}")));
        }
    }
    if pod.phase == "Pending" || pod.phase.is_empty() {
        return Some((
            Issue::Pending,
            match &pod.node {
                None => "Pending: not scheduled to a node yet".into(),
                Some(n) => format!("Pending on {n}: containers not started yet"),
            },
        ));
    }
    if pod.phase == "Running" && !pod.ready {
        return Some((Issue::NotReady, "Running but not Ready".into()));
    }
    None
}

/// Why ordinal `rows[i]` (in range, no pod) has not been created.
fn why_missing(snap: &Snapshot, sts: &StatefulSet, rows: &[OrdinalRow], i: usize) -> (Issue, String) {
    if sts.deleting.is_some() {
        return (Issue::StatefulSetDeleting, "the StatefulSet is being deleted: the controller creates no pods".into());
    }
    if !sts.spec_observed() {
        return (
            Issue::ControllerBehind,
            format!(
                "the controller has not processed the latest spec yet (generation {}, observed {}); is \
                 kube-controller-manager running?",
                sts.generation,
                sts.status.observed_generation.map_or("none".into(), |g| g.to_string())
            ),
        );
    }
    if !sts.is_parallel() {
        if let Some(blocker) = rows[..i].iter().find(|r| !row_healthy(r)) {
            let what = match blocker.state {
                PodState::Missing => "to be created first".to_string(),
                PodState::Terminating => "to finish terminating".to_string(),
                PodState::Foreign => "(its name is taken by a pod this StatefulSet does not control)".to_string(),
                _ => format!("to be Running and Ready (it is {})", describe(blocker)),
            };
            return (
                Issue::WaitingForLowerOrdinal,
                format!(
                    "waiting for {} {what}: OrderedReady creates pods one at a time, in ordinal order",
                    blocker.pod
                ),
            );
        }
    }
    match failed_create(snap, sts, &rows[i].pod) {
        Some(event) => (Issue::CreateFailing, format!("creating it fails: {event}")),
        None => (Issue::NotCreatedYet, "not created yet: the controller should create it on its next sync".into()),
    }
}

/// Healthy in the controller's sense: Running, Ready, not terminating.
fn row_healthy(row: &OrdinalRow) -> bool {
    row.state == PodState::Running && row.ready == Some(true)
}

fn describe(row: &OrdinalRow) -> String {
    let mut text = match row.state {
        PodState::Running if row.ready != Some(true) => "Running, not Ready".to_string(),
        state => format!("{state:?}"),
    };
    if let Some(detail) = &row.detail {
        text.push_str(&format!(", {detail}"));
    }
    if row.node_health.as_ref().is_some_and(|h| h.suspect_lost) {
        text.push_str(", on a lost node");
    }
    text
}

/// The latest FailedCreate warning about `pod` (or its claims), with count and age.
fn failed_create(snap: &Snapshot, sts: &StatefulSet, pod: &str) -> Option<String> {
    let events = snap.events.as_ref().ok()?;
    let needle = format!(" Pod {pod} ");
    let event = events
        .iter()
        .filter(|e| e.namespace == sts.namespace && e.object == sts.name && e.reason == "FailedCreate")
        .filter(|e| e.message.contains(&needle))
        .max_by_key(|e| e.last_seen)?;
    let when = event.last_seen.map(|t| format!(", last {} ago", age(t, snap.now))).unwrap_or_default();
    Some(format!("{} ({}x{when})", event.message, event.count))
}

/// Why a pod outside the range is still there.
fn why_extra(sts: &StatefulSet, rows: &[OrdinalRow], extra: &[OrdinalRow], i: usize) -> (Issue, String) {
    let me = &extra[i];
    let outside = format!("ordinal {} is outside [{}, {})", me.ordinal, sts.ordinals_start, sts.ordinal_range().end);
    let pending = |text: &str| (Issue::ScaleDownPending, format!("{outside}: {text}"));
    let waiting = |text: String| (Issue::ScaleDownWaiting, format!("{outside}: {text}"));
    if me.state == PodState::Terminating {
        return pending("being removed by scale-down");
    }
    if sts.deleting.is_some() {
        return pending("the StatefulSet is being deleted");
    }
    if sts.is_parallel() {
        return pending("scale-down should remove it on the next sync (Parallel)");
    }
    if let Some(blocker) = rows.iter().find(|r| !row_healthy(r)) {
        return waiting(format!(
            "scale-down is waiting for every pod in range to be Running and Ready, and {} is {}",
            blocker.pod,
            describe(blocker)
        ));
    }
    // Condemned pods go highest first, one at a time.
    if let Some(terminating) = extra.iter().rev().find(|r| r.state == PodState::Terminating) {
        if terminating.ordinal > me.ordinal {
            return waiting(format!("scale-down waits for {} to finish terminating", terminating.pod));
        }
    }
    if let Some(next) = extra.iter().find(|r| r.ordinal > me.ordinal) {
        return waiting(format!("removed after {} (scale-down removes the highest ordinal first)", next.pod));
    }
    match extra.iter().find(|r| !row_healthy(r)) {
        Some(first) if !row_healthy(me) && first.ordinal != me.ordinal => (
            Issue::ScaleDownBlocked,
            format!(
                "{outside}: scale-down is blocked: {} is {} and OrderedReady only removes an unhealthy pod when \
                 it is the lowest unhealthy one ({} is unhealthy too)",
                me.pod,
                describe(me),
                first.pod
            ),
        ),
        _ => pending("next to be removed by scale-down"),
    }
}

fn check_service(snap: &Snapshot, sts: &StatefulSet) -> ServiceCheck {
    let mut check = ServiceCheck { name: sts.service_name.clone(), exists: None, headless: None, problem: None };
    if sts.service_name.is_empty() {
        check.problem = Some("spec.serviceName is empty: pods get no stable DNS names".into());
        return check;
    }
    let Ok(services) = &snap.services else { return check };
    match services.get(&(sts.namespace.clone(), sts.service_name.clone())) {
        None => {
            check.exists = Some(false);
            check.problem = Some(format!(
                "governing service {} does not exist: pods get no DNS records (create a headless service)",
                sts.service_name
            ));
        }
        Some(svc) => {
            check.exists = Some(true);
            check.headless = Some(svc.headless);
            if !svc.headless {
                check.problem = Some(format!(
                    "service {} is not headless (clusterIP is set): pods get no per-pod DNS records",
                    svc.name
                ));
            }
        }
    }
    check
}

fn summary(sts: &StatefulSet, service: ServiceCheck) -> Summary {
    let range = sts.ordinal_range();
    Summary {
        namespace: sts.namespace.clone(),
        name: sts.name.clone(),
        replicas: Replicas {
            desired: sts.replicas,
            current: sts.status.replicas,
            ready: sts.status.ready_replicas,
            updated: sts.status.updated_replicas,
            available: sts.status.available_replicas,
        },
        ordinals_start: range.start,
        ordinals_end: range.end,
        pod_management_policy: sts.pod_management_policy.clone(),
        update_strategy: sts.update_strategy.clone(),
        partition: (!sts.is_on_delete()).then_some(sts.partition),
        current_revision: sts.status.current_revision.clone(),
        update_revision: sts.status.update_revision.clone(),
        generation: sts.generation,
        observed_generation: sts.status.observed_generation,
        service,
        deleting: sts.deleting.is_some(),
    }
}

fn notes(snap: &Snapshot, sts: &StatefulSet) -> Vec<String> {
    let mut notes = Vec::new();
    for (part, reason) in [
        ("node health", snap.nodes.as_ref().err()),
        ("node leases", snap.leases.as_ref().err()),
        ("events", snap.events.as_ref().err()),
        ("services", snap.services.as_ref().err()),
    ] {
        if let Some(reason) = reason {
            notes.push(format!("{part} unknown: {reason}"));
        }
    }
    for pod in snap.pods_in(&sts.namespace) {
        let claimed_elsewhere = pod.controller.as_ref().is_some_and(|o| o.uid != sts.uid);
        if claimed_elsewhere && sts.selector.matches(&pod.labels) && pod_ordinal(&sts.name, &pod.name).is_none() {
            let owner = pod.controller.as_ref().map(|o| format!("{} {}", o.kind, o.name)).unwrap_or_default();
            notes.push(format!(
                "pod {} matches this StatefulSet's selector but is controlled by {owner}: overlapping selectors",
                pod.name
            ));
        }
    }
    if !sts.is_on_delete() && sts.partition > 0 && sts.partition >= sts.replicas {
        notes.push(format!(
            "partition {} >= replicas {}: no pod will be updated to a new revision",
            sts.partition, sts.replicas
        ));
    }
    notes
}

#[cfg(test)]
#[path = "ordinals_tests.rs"]
mod tests;
