//! One row per ordinal (and per pod left outside the range): the pod's revision, readiness and
//! availability as the controller judges them.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::{Row, Wants};
use crate::controller_rules::{self, Slot};
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
    // A pod (re)created below the partition gets the current revision: newVersionedStatefulSetPod
    // compares the ordinal with ordinals.start + partition, i.e. the index, as the update does.
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
        last_terminated: None,
        since: None,
        uid: None,
        resource_version: None,
        node: None,
        node_health: None,
        settled: false,
        note: None,
        unready_since: None,
        running_ready: false,
        terminating: false,
        finished: None,
        holder: None,
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
    row.finished = controller_rules::finished(pod);
    let available = controller_rules::available(pod, sts.min_ready_seconds, now);
    row.available = Some(available);
    row.restarts = Some(pod.restarts);
    row.waiting = pod.waiting.clone();
    row.last_terminated = pod.last_terminated.clone();
    row.since = pod.ready_since.or(pod.created);
    row.uid = Some(pod.uid.clone());
    row.resource_version = Some(pod.resource_version.clone());
    row.node = pod.node.clone();
    row.node_health = pod.node.as_ref().and_then(|n| nodes.get(n)).cloned();
    row.unready_since = match pod.deleting {
        // Grace period 0: its kubelet confirmed the deletion (or it was forced), and the API server
        // is removing the object. It moves deletionTimestamp back to the deletion request first
        // (BeforeDelete), so a pod that took longer than --stuck-after to stop would otherwise look
        // stuck past its grace period for that moment.
        Some(_) if pod.deletion_grace_seconds == Some(0) => None,
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

impl Row {
    /// This ordinal as the controller's rules see it.
    pub(super) fn slot(&self) -> Slot {
        Slot {
            ordinal: self.ordinal,
            in_range: self.in_range,
            missing: !self.exists,
            held: self.holder.is_some(),
            terminating: self.terminating,
            finished: self.finished,
            running_ready: self.running_ready,
            available: self.available == Some(true),
        }
    }
}
