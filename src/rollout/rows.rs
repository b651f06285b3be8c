//! One row per ordinal (and per pod left outside the range): the pod's revision, readiness and
//! availability as the controller judges them.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use super::{Row, Wants};
use crate::health::NodeHealth;
use crate::model::names::pod_name;
use crate::model::{ControllerRevision, Pod, StatefulSet};
use crate::ordinals::revision_kind;

pub(super) fn row(
    sts: &StatefulSet,
    ordinal: i32,
    boundary: i32,
    pod: Option<&Pod>,
    revisions: &BTreeMap<String, ControllerRevision>,
    nodes: &BTreeMap<String, NodeHealth>,
    now: Timestamp,
) -> Row {
    let index = ordinal - sts.ordinals_start;
    let in_range = sts.ordinal_range().contains(&ordinal);
    let wants = if !in_range {
        Wants::Removal
    } else if sts.is_on_delete() || index >= boundary {
        Wants::Update
    } else {
        Wants::Current
    };
    let mut row = Row {
        ordinal,
        index,
        pod: pod_name(&sts.name, ordinal),
        in_range,
        exists: pod.is_some(),
        wants,
        state: "Missing".into(),
        revision: None,
        revision_hash: None,
        revision_number: None,
        ready: None,
        available: None,
        restarts: None,
        waiting: None,
        since: None,
        uid: None,
        node: None,
        node_health: None,
        settled: false,
        note: None,
        unready_since: None,
        running_ready: false,
        terminating: false,
        finished: false,
    };
    let Some(pod) = pod else { return row };
    row.state = if pod.is_terminating() {
        "Terminating".into()
    } else if pod.phase.is_empty() {
        "Pending".into()
    } else {
        pod.phase.clone()
    };
    row.revision_hash = pod.revision().map(String::from);
    row.revision = pod.revision().map(|h| revision_kind(sts, h).to_string());
    row.revision_number = pod.revision().and_then(|h| revisions.get(h)).map(|r| r.revision);
    row.ready = Some(pod.ready);
    row.running_ready = pod.is_running_and_ready();
    row.terminating = pod.is_terminating();
    row.finished = pod.is_finished();
    let available = pod.is_healthy()
        && match sts.min_ready_seconds {
            Some(min) if min > 0 => {
                pod.ready_since.is_some_and(|t| now.duration_since(t) >= SignedDuration::from_secs(min.into()))
            }
            _ => true,
        };
    row.available = Some(available);
    row.restarts = Some(pod.restarts);
    row.waiting = pod.waiting.clone();
    row.since = pod.ready_since.or(pod.created);
    row.uid = Some(pod.uid.clone());
    row.node = pod.node.clone();
    row.node_health = pod.node.as_ref().and_then(|n| nodes.get(n)).cloned();
    row.unready_since = match pod.deleting {
        // deletionTimestamp is already "deletion time + grace period".
        Some(deadline) => Some(deadline),
        None if !pod.is_running_and_ready() => pod.ready_since.filter(|_| !pod.ready).or(pod.created),
        None => None,
    };
    row.settled = !row.terminating
        && available
        && match wants {
            Wants::Update => row.on_update(sts),
            // The controller never rolls pods below the partition back: update is fine there too.
            Wants::Current => row.on_current(sts) || row.on_update(sts),
            Wants::Removal => false,
        };
    row
}
