//! `ordinals`: one row per ordinal of a StatefulSet, and why a missing or extra pod is so.
//!
//! The explanations follow the StatefulSet controller's own rules, as `crate::controller_rules`
//! models them (shared with `rollout`): with OrderedReady, pods in range are created in ordinal
//! order and each waits for every lower one to be Running, Ready, not terminating and available
//! for minReadySeconds; scale-down waits for every pod in range to be available, removes the
//! highest ordinal first, one at a time, and only removes an unhealthy pod when it is the lowest
//! unhealthy one. With Parallel, none of this ordering applies.

use jiff::Timestamp;
use serde::Serialize;

use crate::controller_rules::{Rules, Slot};
use crate::health::{NodeHealth, node_health};
use crate::model::names::{pod_name, pod_ordinal};
use crate::model::{Pod, Service, Snapshot, StatefulSet, Unavailable};
use explain::{describe, problem, why_extra, why_missing};

mod dns;
mod explain;
mod hint;
mod summary;

pub use hint::force_delete_hint;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrdinalsReport {
    pub statefulset: Summary,
    pub ordinals: Vec<OrdinalRow>,
    /// What could not be read (RBAC): the report is incomplete without it (notes say so too).
    pub unavailable: Vec<Unavailable>,
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
    /// spec.publishNotReadyAddresses: pods get DNS records before they are Ready.
    pub publish_not_ready_addresses: Option<bool>,
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
    /// When the deletion was requested: deletionTimestamp (the end of the grace period) minus
    /// deletionGracePeriodSeconds.
    pub terminating_since: Option<Timestamp>,
    pub ready: Option<bool>,
    pub restarts: Option<i32>,
    /// update (on status.updateRevision), current (on a status.currentRevision that differs from
    /// it) or other.
    pub revision: Option<String>,
    pub revision_hash: Option<String>,
    pub node: Option<String>,
    pub node_health: Option<NodeHealth>,
    pub created: Option<Timestamp>,
    /// Stable DNS name through the governing service.
    pub dns: Option<String>,
    /// Whether DNS serves that name now: the endpoints controllers publish the pod as a ready
    /// address (pod IP, Ready, not terminating; with publishNotReadyAddresses any pod with an IP).
    /// None when it cannot be told (the service could not be read).
    pub dns_published: Option<bool>,
    /// Why the name is not published (or why that cannot be told).
    pub dns_note: Option<String>,
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
    let service = summary::check_service(snap, sts);
    let rules = Rules::of(sts, snap.server_version.as_ref());
    // Only through a governing service that gives pods DNS records (or one that could not be read).
    let dns =
        (service.problem.is_none() && service.exists != Some(false) && !sts.service_name.is_empty()).then(|| Dns {
            domain: format!("{}.{}.svc", sts.service_name, sts.namespace),
            service: snap
                .services
                .as_ref()
                .ok()
                .and_then(|s| s.get(&(sts.namespace.clone(), sts.service_name.clone()))),
        });
    let (mut rows, mut slots): (Vec<OrdinalRow>, Vec<Slot>) = sts
        .ordinal_range()
        .map(|i| {
            let name = pod_name(&sts.name, i);
            let pod = snap.pod(&sts.namespace, &name);
            let slot = match pod {
                Some(p) if sts.owns_pod(p) => Slot::of(sts, i, p, snap.now),
                Some(_) => Slot::held(i),
                None => Slot::missing(i, true),
            };
            (row(snap, sts, &rules, i, &name, pod, true, dns.as_ref()), slot)
        })
        .unzip();
    let mut extra: Vec<(OrdinalRow, Slot)> = snap
        .pods_in(&sts.namespace)
        .filter(|p| sts.owns_pod(p))
        .filter_map(|p| Some((pod_ordinal(&sts.name, &p.name)?, p)))
        .filter(|(i, _)| !sts.ordinal_range().contains(i))
        .map(|(i, p)| (row(snap, sts, &rules, i, &p.name, Some(p), false, dns.as_ref()), Slot::of(sts, i, p, snap.now)))
        .collect();
    extra.sort_by_key(|(r, _)| r.ordinal);
    let (mut extra, extra_slots): (Vec<OrdinalRow>, Vec<Slot>) = extra.into_iter().unzip();
    slots.extend(extra_slots);

    for i in 0..rows.len() {
        if rows[i].why.is_none() && rows[i].state == PodState::Missing {
            let (issue, why) = why_missing(snap, sts, &rows, &slots, &rules, i);
            (rows[i].issue, rows[i].why) = (Some(issue), Some(why));
        }
    }
    for i in 0..extra.len() {
        let (issue, why) = why_extra(sts, &rows, &extra, &slots, &rules, i);
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

    OrdinalsReport {
        statefulset: summary::summary(sts, service),
        ordinals: rows,
        unavailable: snap.unavailable(),
        notes: summary::notes(snap, sts),
    }
}

/// The governing service that gives the pods DNS names: it is headless and selects them (or it
/// could not be read, `service` None).
struct Dns<'a> {
    domain: String,
    service: Option<&'a Service>,
}

#[allow(clippy::too_many_arguments)]
fn row(
    snap: &Snapshot,
    sts: &StatefulSet,
    rules: &Rules,
    ordinal: i32,
    name: &str,
    pod: Option<&Pod>,
    in_range: bool,
    dns: Option<&Dns>,
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
        dns_published: None,
        dns_note: None,
        uid: None,
        issue: None,
        why: None,
        suggestion: None,
    };
    let Some(pod) = pod else { return row };
    row.uid = Some(pod.uid.clone());
    row.created = pod.created;
    if !sts.owns_pod(pod) {
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
    row.terminating_since = pod.deleting.map(|end| {
        let grace = jiff::SignedDuration::from_secs(pod.deletion_grace_seconds.unwrap_or(0).max(0));
        end.checked_sub(grace).unwrap_or(end)
    });
    row.ready = Some(pod.ready);
    row.restarts = Some(pod.restarts);
    row.revision_hash = pod.revision().map(String::from);
    row.revision = pod.revision().map(|hash| revision_kind(sts, hash).to_string());
    row.node = pod.node.clone();
    row.node_health = pod.node.as_deref().map(|n| node_health(snap, n));
    if let Some(dns) = dns {
        row.dns = Some(format!("{name}.{}", dns.domain));
        (row.dns_published, row.dns_note) = dns::publication(pod, dns.service, snap.server_version.as_ref());
    }
    if let Some((issue, why)) = problem(snap, pod, row.node_health.as_ref(), rules.succeeded) {
        (row.issue, row.why) = (Some(issue), Some(why));
        if issue == Issue::NodeLost {
            row.suggestion = row.node_health.as_ref().map(|h| force_delete_hint(&sts.namespace, name, h, snap.now));
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

/// Why `pod`, named like one of `sts`'s pods, is not its pod (shared with `rollout`).
pub(crate) fn foreign_reason(pod: &Pod, sts: &StatefulSet) -> String {
    match &pod.controller {
        Some(owner) if owner.kind == "StatefulSet" && owner.name == sts.name => {
            "it belongs to an earlier StatefulSet of the same name".into()
        }
        Some(owner) => format!("it is controlled by {} {}", owner.kind, owner.name),
        None => format!("its labels do not match the selector {}", sts.selector.to_query()),
    }
}

/// update / current / other, against the StatefulSet's status revisions (shared with `rollout`):
/// `update` for a pod on the update revision, also when it is the current one too (a finished
/// rollout: both are equal, and "current" next to a controller that wants `update` reads like
/// something is left to do); `current` only for a pod on a current revision the rollout moves away
/// from; `other` for any other revision.
pub fn revision_kind(sts: &StatefulSet, hash: &str) -> &'static str {
    let current = sts.status.current_revision.as_deref();
    let update = sts.status.update_revision.as_deref();
    if update == Some(hash) {
        "update"
    } else if current == Some(hash) {
        "current"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests;
