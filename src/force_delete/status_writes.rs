//! The `status-silent` check: nothing has written the pod's status since its node went silent.
//!
//! A Node that is Unknown and a Lease that is stale say that the node controller stopped hearing
//! from the kubelet; they do not say the kubelet stopped running the pod. A kubelet that can
//! still reach the API server for pod status (a partial partition, a kubelet coming back) leaves
//! traces only it leaves. The strongest is on the API server's clock: the `time` of the pod's
//! metadata.managedFields entry of the manager `kubelet`, stamped whenever a kubelet write changes
//! the pod (also one reporting Ready=True with its cached, old lastTransitionTime, the most
//! common write of a kubelet coming back). Then the times the kubelet writes itself: a Ready
//! condition turning True, a container started or finished. Any of them newer than the moment
//! the node went silent is evidence that the pod still runs there, and refuses. Writes of the
//! node lifecycle controller, which marks the pods of an unreachable node Ready=False (and, on
//! newer servers, of pod GC and the taint manager: a DisruptionTarget condition, phase Failed),
//! are other managers' entries and carry none of these times, so they never count. A pod without
//! managedFields (servers before 1.18, or stripped) is checked on the kubelet's times only, and
//! the check says so.
//!
//! The moment the node went silent: the Ready condition's lastTransitionTime of an Unknown node
//! (the node controller's clock); for a deleted Node whose Lease is left, the Lease's expiry
//! (renewTime + leaseDurationSeconds, the kubelet's clock, as when the node controller would
//! have marked it Unknown); with neither the Node nor its Lease left, the last `--not-ready-for`
//! (server now minus it): a kubelet write within it refuses. The pod's own times are the kubelet's
//! clock: a kubelet whose clock is behind can hide such a write (not its managedFields time, nor
//! the other checks); one ahead can only make it refuse.

use jiff::Timestamp;

use super::evidence::{Evidence, Lookup, PodStatusTimes};
use super::{Check, Thresholds};
use crate::duration::{ago, human};
use crate::model::infra::lease_expiry;

const NAME: &str = "status-silent";

/// When the node went silent, and how that is known.
struct Silent {
    at: Timestamp,
    what: String,
}

pub(super) fn status_silent(ev: &Evidence, t: &Thresholds) -> Check {
    let node = ev.pod.node.as_deref().unwrap_or_default();
    let Some(silent) = went_silent(ev, node, t) else {
        let why = match &ev.node {
            Lookup::Found(_) => "the node is not Ready=Unknown with a lastTransitionTime (see not-ready)",
            _ => "cannot tell when the node went silent (see not-ready and lease-stale)",
        };
        return Check { name: NAME, required: false, ok: true, detail: format!("not checked: {why}") };
    };
    let writes = writes_after(&ev.pod_status, silent.at, ev.now);
    if writes.is_empty() {
        let latest = latest(&ev.pod_status, ev.now);
        return Check {
            name: NAME,
            required: true,
            ok: true,
            detail: format!("no pod status written after {}{latest}", silent.what),
        };
    }
    Check {
        name: NAME,
        required: true,
        ok: false,
        detail: format!(
            "{}, after {}: something on {node} still writes this pod's status (its kubelet, back or never gone), \
             so the pod may still run there",
            writes.join("; "),
            silent.what
        ),
    }
}

fn went_silent(ev: &Evidence, node: &str, t: &Thresholds) -> Option<Silent> {
    match (&ev.node, &ev.lease) {
        (Lookup::Found(n), _) => {
            let ready = n.ready.as_ref().filter(|c| c.status == "Unknown")?;
            let at = ready.last_transition?;
            Some(Silent {
                at,
                what: format!("{node} went Unknown at {at} ({}, Ready lastTransitionTime)", ago(at, ev.now)),
            })
        }
        (Lookup::Absent, Lookup::Found(lease)) => {
            let (renewed, duration, at) = lease_expiry(lease)?;
            Some(Silent {
                at,
                what: format!(
                    "the deleted node's Lease expired at {at} ({}, renewTime {renewed} + leaseDurationSeconds {duration})",
                    ago(at, ev.now)
                ),
            })
        }
        (Lookup::Absent, Lookup::Absent) => {
            // Nothing tells when the node went silent: a kubelet write within the window the gate
            // requires a node to be down for still shows one alive.
            let at = ev.now - t.not_ready_for;
            Some(Silent {
                at,
                what: format!(
                    "{at} (now minus --not-ready-for {}: neither the Node nor its Lease is left to tell when the \
                     node went silent)",
                    human(t.not_ready_for)
                ),
            })
        }
        _ => None,
    }
}

/// Every kubelet write after `silent`, as "what, when (field)".
fn writes_after(times: &PodStatusTimes, silent: Timestamp, now: Timestamp) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = times.kubelet_wrote.filter(|t| *t > silent) {
        out.push(format!(
            "the kubelet wrote this pod at {t} ({}, metadata.managedFields[manager=kubelet].time, the API server's \
             clock)",
            ago(t, now)
        ));
    }
    if let Some(t) = times.ready_true_since.filter(|t| *t > silent) {
        out.push(format!("Ready turned True at {t} ({}, conditions[Ready].lastTransitionTime)", ago(t, now)));
    }
    for c in &times.containers {
        let kind = match c.list {
            "initContainerStatuses" => "init container",
            "ephemeralContainerStatuses" => "ephemeral container",
            _ => "container",
        };
        let fields = [
            ("started", "state.running.startedAt", c.started),
            ("finished", "state.terminated.finishedAt", c.finished),
            ("last finished", "lastState.terminated.finishedAt", c.last_finished),
        ];
        for (verb, field, time) in fields {
            if let Some(t) = time.filter(|t| *t > silent) {
                out.push(format!("{kind} {} {verb} at {t} ({}, {}[{}].{field})", c.name, ago(t, now), c.list, c.name));
            }
        }
    }
    out
}

/// ": the kubelet last wrote it 12m ago (managedFields), a container last started or finished 58m
/// ago, Ready turned True 58m ago", or what could not be checked.
fn latest(times: &PodStatusTimes, now: Timestamp) -> String {
    let container = times.containers.iter().flat_map(|c| [c.started, c.finished, c.last_finished]).flatten().max();
    let mut parts = Vec::new();
    match (times.managed_fields, times.kubelet_wrote) {
        (true, Some(t)) => parts.push(format!("the kubelet last wrote it {} (managedFields)", ago(t, now))),
        (true, None) => parts.push("no managedFields entry of the kubelet".to_string()),
        (false, _) => parts.push(
            "kubelet writes by managedFields not checked (the pod has none: the server does not track them, or \
             they were stripped)"
                .to_string(),
        ),
    }
    if let Some(t) = container {
        parts.push(format!("a container last started or finished {}", ago(t, now)));
    }
    if let Some(t) = times.ready_true_since {
        parts.push(format!("Ready turned True {}", ago(t, now)));
    }
    format!(": {}", parts.join(", "))
}
