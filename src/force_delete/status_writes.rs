//! The `status-silent` check: nothing has written the pod's status since its node went silent.
//!
//! A Node that is Unknown and a Lease that is stale say that the node controller stopped hearing
//! from the kubelet; they do not say the kubelet stopped running the pod. A kubelet that can
//! still reach the API server for pod status (a partial partition, a kubelet coming back) writes
//! times only it writes: a Ready condition turning True, a container started or finished. One
//! newer than the moment the node went silent is evidence that the pod still runs there, and
//! refuses. Writes of the node lifecycle controller, which marks the pods of an unreachable node
//! Ready=False (and, on newer servers, of pod GC and the taint manager: a DisruptionTarget
//! condition, phase Failed), carry none of these times, so they never count.
//!
//! The moment the node went silent: the Ready condition's lastTransitionTime of an Unknown node
//! (the node controller's clock); for a deleted Node whose Lease is left, the Lease's expiry
//! (renewTime + leaseDurationSeconds, the kubelet's clock, as when the node controller would
//! have marked it Unknown). The pod's times are the kubelet's clock: a kubelet whose clock is
//! behind can hide a write from this check (the other checks still hold); one ahead can only
//! make it refuse.

use jiff::Timestamp;

use super::Check;
use super::evidence::{Evidence, Lookup, PodStatusTimes};
use crate::duration::ago;
use crate::model::infra::lease_expiry;

const NAME: &str = "status-silent";

/// When the node went silent, and how that is known.
struct Silent {
    at: Timestamp,
    what: String,
}

pub(super) fn status_silent(ev: &Evidence) -> Check {
    let node = ev.pod.node.as_deref().unwrap_or_default();
    let Some(silent) = went_silent(ev, node) else {
        let why = match (&ev.node, &ev.lease) {
            (Lookup::Absent, Lookup::Absent) => {
                "neither the Node nor its Lease is left to tell when the node went silent"
            }
            (Lookup::Found(_), _) => "the node is not Ready=Unknown with a lastTransitionTime (see not-ready)",
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

fn went_silent(ev: &Evidence, node: &str) -> Option<Silent> {
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
        _ => None,
    }
}

/// Every kubelet-written time after `silent`, as "what, when (field)".
fn writes_after(times: &PodStatusTimes, silent: Timestamp, now: Timestamp) -> Vec<String> {
    let mut out = Vec::new();
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

/// ": a container last started or finished 58m ago, Ready turned True 58m ago", or nothing.
fn latest(times: &PodStatusTimes, now: Timestamp) -> String {
    let container = times.containers.iter().flat_map(|c| [c.started, c.finished, c.last_finished]).flatten().max();
    let mut parts = Vec::new();
    if let Some(t) = container {
        parts.push(format!("a container last started or finished {}", ago(t, now)));
    }
    if let Some(t) = times.ready_true_since {
        parts.push(format!("Ready turned True {}", ago(t, now)));
    }
    if parts.is_empty() { String::new() } else { format!(": {}", parts.join(", ")) }
}
