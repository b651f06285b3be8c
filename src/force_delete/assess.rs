//! The gate: every rule that decides whether node loss is confirmed.
//!
//! Allowed only when all of these hold (any failure refuses, `--yes` or not):
//! - the API server's clock is known (ages never depend on the local clock);
//! - the pod is bound to a node;
//! - the node's Ready condition is Unknown, for at least `not_ready_for` (its lastTransitionTime);
//!   a Ready node always refuses. Unknown is written only by the node controller, when it has
//!   seen neither a status update nor a Lease renewal for its grace period (upstream
//!   `tryUpdateNodeHealth`); False is posted by a kubelet that is running, and stays False only
//!   while the node controller still hears from it, so it refuses too (its times are the
//!   kubelet's clock, like the Lease's);
//! - its Lease has not been renewed for at least `lease_stale_for` and longer than its
//!   leaseDurationSeconds; a fresh Lease always refuses;
//! - one strong signal: the Node object is deleted, it has the shutdown or the out-of-service
//!   taint, or the operator states with `--node-fenced` that it is fenced.
//! - nothing has written the pod's status since the node went silent: no managedFields entry of
//!   the kubelet stamped after it, no Ready condition turned True, no container started or
//!   finished after it (see `status_writes`).
//!
//! A deleted Node has no Ready condition: its absence counts as not Ready. Its Lease either still
//! exists (then it must be stale like any other: a fresh Lease means a kubelet is still alive,
//! e.g. one that re-created it) or is gone with the Node (garbage-collected through its owner
//! reference), which passes but leaves no evidence of how long the node has been down; that is
//! said as a warning. Nodes or Leases that cannot be read (403) are missing evidence, never
//! "deleted".

use jiff::{SignedDuration, Timestamp};

use super::evidence::{Evidence, Lookup};
use super::status_writes::status_silent;
use super::{Check, Decision, Thresholds, Verdict};
use crate::duration::{ago, clock_skew, human};
use crate::model::infra::{DEFAULT_LEASE_SECONDS, HEALTH_TAINTS, TAINT_OUT_OF_SERVICE, TAINT_SHUTDOWN, lease_fresh};
use crate::model::{Lease, Node, Taint};

pub fn assess(ev: &Evidence, t: &Thresholds, node_fenced: bool) -> Decision {
    let mut warnings = Vec::new();
    let node_name = ev.pod.node.as_deref();
    let mut checks = vec![clock(ev, &mut warnings), pod(ev, &mut warnings), owner(ev, &mut warnings)];
    if let Some(name) = node_name {
        checks.push(node(ev, name));
    }
    checks.push(not_ready(ev, t));
    checks.push(lease_stale(ev, t, &mut warnings));
    if node_name.is_some() {
        checks.push(status_silent(ev, t));
    }
    if let Some(node) = ev.node.found() {
        checks.push(taints(ev, node));
    }
    let (signal, strong_signals) = strong_signal(ev, node_fenced);
    checks.push(signal);
    if node_name.is_some() {
        checks.push(attachments(ev, &mut warnings));
    }
    let missing: Vec<String> =
        checks.iter().filter(|c| c.required && !c.ok).map(|c| format!("{}: {}", c.name, c.detail)).collect();
    let verdict = if missing.is_empty() { Verdict::Allowed } else { Verdict::Refused };
    Decision { checks, verdict, missing, warnings, strong_signals }
}

fn check(name: &'static str, required: bool, ok: bool, detail: impl Into<String>) -> Check {
    Check { name, required, ok, detail: detail.into() }
}

fn clock(ev: &Evidence, warnings: &mut Vec<String>) -> Check {
    let Some(server) = ev.clock.server_time else {
        return check(
            "clock",
            true,
            false,
            "the API server sent no Date header: ages would depend on the local clock, which cannot be checked",
        );
    };
    let mut detail = format!("ages use the API server's clock ({server}, from its Date header)");
    if let Some(text) = clock_skew(ev.clock.local_skew_seconds) {
        detail.push_str(&format!("; {text}"));
        warnings.push(format!("{text}: ages here use the API server's clock, not the local one"));
    }
    check("clock", true, true, detail)
}

fn pod(ev: &Evidence, warnings: &mut Vec<String>) -> Check {
    let p = &ev.pod;
    let Some(node) = &p.node else {
        return check(
            "pod",
            true,
            false,
            format!(
                "{} is not bound to a node, so no kubelet runs it: force is not needed (a normal delete removes it at once)",
                p.name
            ),
        );
    };
    let mut detail = format!("{} (uid {}) on node {node}, phase {}", p.name, p.uid, or_unknown(&p.phase));
    detail.push_str(if p.ready { ", Ready" } else { ", not Ready" });
    if let Some(deleting) = p.deleting {
        // deletionTimestamp is "requested + grace": the time by which the kubelet should have confirmed.
        let grace = p.deletion_grace_seconds.unwrap_or(0);
        detail.push_str(&format!("; terminating (deletionTimestamp {deleting}, grace {grace}s)"));
        if deleting < ev.now {
            detail.push_str(&format!(", overdue by {}", human(ev.now.duration_since(deleting))));
        }
    }
    if let Some(reason) = &p.reason {
        detail.push_str(&format!("; reason {reason}"));
    }
    if !ev.pod_finalizers.is_empty() {
        let finalizers = ev.pod_finalizers.join(", ");
        detail.push_str(&format!("; finalizers {finalizers}"));
        warnings.push(format!(
            "{} has finalizers ({finalizers}): deleting it only marks it deleted; the object stays, and nothing \
             replaces it, until whoever owns them removes them",
            p.name
        ));
    }
    check("pod", true, true, detail)
}

fn or_unknown(s: &str) -> &str {
    if s.is_empty() { "unknown" } else { s }
}

fn owner(ev: &Evidence, warnings: &mut Vec<String>) -> Check {
    match &ev.pod.controller {
        Some(o) if o.kind == "StatefulSet" => check(
            "owner",
            false,
            true,
            format!("StatefulSet {}: it recreates {} once the pod object is gone", o.name, ev.pod.name),
        ),
        other => {
            let who =
                other.as_ref().map_or("no controller".to_string(), |o| format!("controlled by {} {}", o.kind, o.name));
            let text = format!(
                "{} is not owned by a StatefulSet ({who}): the same gate applies, but nothing recreates it under \
                 the same name",
                ev.pod.name
            );
            warnings.push(text.clone());
            check("owner", false, false, text)
        }
    }
}

fn node(ev: &Evidence, name: &str) -> Check {
    match &ev.node {
        Lookup::Found(n) => {
            let mut detail = format!("{name} exists (uid {})", n.uid);
            if let Some(deleting) = n.deleting {
                detail.push_str(&format!(", being deleted since {}", ago(deleting, ev.now)));
            }
            check("node", false, true, detail)
        }
        Lookup::Absent => check("node", false, true, format!("{name} is deleted (GET returned 404)")),
        Lookup::Forbidden(_) => {
            check("node", false, false, format!("{name}: cannot be read (forbidden, see not-ready)"))
        }
        Lookup::NotChecked => check("node", false, false, "not looked up"),
    }
}

fn not_ready(ev: &Evidence, t: &Thresholds) -> Check {
    let need = human(t.not_ready_for);
    let fail = |detail: String| check("not-ready", true, false, detail);
    let n = match &ev.node {
        Lookup::Found(n) => n,
        Lookup::Absent => {
            return check(
                "not-ready",
                true,
                true,
                "no Node object, so nothing reports it Ready: its absence counts as not Ready",
            );
        }
        Lookup::Forbidden(reason) => return fail(format!("cannot read the Node: {reason}")),
        Lookup::NotChecked => return fail("not checked: the pod is not bound to a node".into()),
    };
    let Some(ready) = &n.ready else {
        return fail("the Node has no Ready condition: cannot tell whether, or since when, it is down".into());
    };
    let heartbeat = ready.last_heartbeat.map(|h| format!("; last heartbeat {}", ago(h, ev.now))).unwrap_or_default();
    let reason = ready.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
    match ready.status.as_str() {
        "True" => return fail(format!("Ready=True{reason}{heartbeat}: a Ready node always refuses")),
        "Unknown" => {}
        "False" => {
            // Only a kubelet posts False; the node controller turns any status Unknown once it has
            // heard nothing (no status, no Lease renewal) for its grace period (40s by default).
            let since = ready.last_transition.map(|t| format!(" since {} by the kubelet's clock", ago(t, ev.now)));
            return fail(format!(
                "Ready=False{reason}{}{heartbeat}: False is posted by a running kubelet, and the node controller \
                 has not marked the node Unknown, so it still hears from it (possibly Lease renewals from a \
                 kubelet whose clock is behind); a lost node is Unknown",
                since.unwrap_or_default()
            ));
        }
        other => {
            return fail(format!("Ready={other}{reason}: not a status the node controller writes (Unknown)"));
        }
    }
    let Some(since) = ready.last_transition else {
        return fail(format!("Ready={}{reason} without lastTransitionTime: cannot tell for how long", ready.status));
    };
    let down = ev.now.duration_since(since);
    let state = format!("Ready={}{reason}", ready.status);
    if down >= t.not_ready_for {
        check("not-ready", true, true, format!("{state} for {} (needs {need}){heartbeat}", human(down)))
    } else {
        fail(format!("{state} for only {} (needs {need}){heartbeat}", human(down)))
    }
}

fn lease_stale(ev: &Evidence, t: &Thresholds, warnings: &mut Vec<String>) -> Check {
    let fail = |detail: String| check("lease-stale", true, false, detail);
    match (&ev.lease, &ev.node) {
        (Lookup::Found(lease), _) => lease_age(ev, lease, t),
        (Lookup::Absent, Lookup::Absent) => {
            warnings.push(
                "the Node and its Lease are both gone, so there is no evidence of how long the node has been down: \
                 the Node's deletion is taken as confirmation (normally the cloud provider deletes it once the \
                 machine is terminated); if a person deleted the Node of a machine that may still run, stop here"
                    .into(),
            );
            check("lease-stale", true, true, "no Lease: gone with its Node, nothing renews it")
        }
        (Lookup::Absent, Lookup::Forbidden(_)) => fail(
            "no Lease in kube-node-lease, and the Node cannot be read: cannot tell whether its kubelet is alive".into(),
        ),
        (Lookup::Absent, _) => fail(
            "no Lease in kube-node-lease although the Node exists: cannot tell whether its kubelet is alive".into(),
        ),
        (Lookup::Forbidden(reason), _) => fail(format!("cannot read the Lease: {reason}")),
        (Lookup::NotChecked, _) => fail("not checked: the pod is not bound to a node".into()),
    }
}

fn lease_age(ev: &Evidence, lease: &Lease, t: &Thresholds) -> Check {
    let fail = |detail: String| check("lease-stale", true, false, detail);
    let Some(renewed) = lease.renew_time else {
        return fail("the Lease has no renewTime: cannot tell when its kubelet was last alive".into());
    };
    let (duration, assumed) = match lease.duration_seconds {
        Some(s) => (i64::from(s), ""),
        None => (DEFAULT_LEASE_SECONDS, " (absent; kubelet default assumed)"),
    };
    let age = ev.now.duration_since(renewed);
    // The Date header is truncated to the second, and the Lease is read after it was written (on a
    // slow API server, seconds after): a Lease renewed just before it was read can look that much
    // "in the future". Only beyond that is the kubelet's clock ahead.
    if age < -(SignedDuration::from_secs(1) + ev.read_within) {
        return fail(format!(
            "renewTime is {} ahead of the API server's clock (it is written by the kubelet's clock): treated as \
             fresh (a fresh Lease always refuses)",
            human(-age)
        ));
    }
    let detail = format!(
        "renewed {} (renewTime is written by the kubelet's clock); leaseDurationSeconds {duration}{assumed}; needs {}",
        ago(renewed.min(ev.now), ev.now),
        human(t.lease_stale_for)
    );
    if lease_fresh(renewed, lease.duration_seconds, ev.now) {
        fail(format!("{detail}: within its lease duration, so its kubelet is alive (a fresh Lease always refuses)"))
    } else if age < t.lease_stale_for {
        fail(detail)
    } else {
        check("lease-stale", true, true, detail)
    }
}

fn taint_text(taint: &Taint, now: Timestamp) -> String {
    let value = taint.value.as_deref().map(|v| format!("={v}")).unwrap_or_default();
    let added = taint.added.map(|a| format!(" (added {})", ago(a, now))).unwrap_or_default();
    format!("{}{value}:{}{added}", taint.key, taint.effect)
}

fn taints(ev: &Evidence, node: &Node) -> Check {
    // In key and effect order: the node lifecycle controller adds NoSchedule and NoExecute in
    // either order, and the same node should read the same.
    let mut health: Vec<&Taint> = node.taints.iter().filter(|t| HEALTH_TAINTS.contains(&t.key.as_str())).collect();
    health.sort_by(|a, b| (&a.key, &a.effect).cmp(&(&b.key, &b.effect)));
    let found: Vec<String> = health.into_iter().map(|t| taint_text(t, ev.now)).collect();
    let detail = if found.is_empty() { "no node-health taints".to_string() } else { found.join(", ") };
    check("taints", false, true, detail)
}

fn strong_signal(ev: &Evidence, node_fenced: bool) -> (Check, Vec<String>) {
    let mut signals = Vec::new();
    match &ev.node {
        Lookup::Absent => signals.push("the Node object is deleted".to_string()),
        Lookup::Found(n) => {
            for key in [TAINT_SHUTDOWN, TAINT_OUT_OF_SERVICE] {
                if let Some(taint) = n.taint(key) {
                    signals.push(format!("taint {}", taint_text(taint, ev.now)));
                }
            }
        }
        Lookup::Forbidden(_) | Lookup::NotChecked => {}
    }
    if node_fenced {
        signals.push("--node-fenced: the operator states the node is fenced".to_string());
    }
    let check = if signals.is_empty() {
        let unreadable = matches!(ev.node, Lookup::Forbidden(_)).then_some(" (the Node could not be read)");
        check(
            "strong-signal",
            true,
            false,
            format!(
                "none: no deleted Node, no {TAINT_SHUTDOWN} or {TAINT_OUT_OF_SERVICE} taint{}, and --node-fenced was \
                 not given",
                unreadable.unwrap_or_default()
            ),
        )
    } else {
        check("strong-signal", true, true, signals.join("; "))
    };
    (check, signals)
}

fn attachments(ev: &Evidence, warnings: &mut Vec<String>) -> Check {
    let name = "volume-attachments";
    let volumes = match &ev.volumes {
        Ok(v) => v,
        Err(reason) => return check(name, false, false, format!("cannot read the pod's claims: {reason}")),
    };
    let pvs: Vec<&str> = volumes.iter().filter_map(|v| v.volume.as_deref()).collect();
    if pvs.is_empty() {
        return check(name, false, true, "the pod mounts no bound claims");
    }
    let attachments = match &ev.attachments {
        Ok(a) => a,
        Err(reason) => return check(name, false, false, format!("cannot list VolumeAttachments: {reason}")),
    };
    let node = ev.pod.node.as_deref().unwrap_or_default();
    let mut lines = Vec::new();
    let mut on_node = false;
    for a in attachments.iter().filter(|a| pvs.contains(&a.volume.as_str())) {
        on_node |= a.node == node;
        let mut text = format!("{} attached to {} by {}", a.volume, a.node, a.attacher);
        if !a.attached {
            text.push_str(" (not yet attached)");
        }
        if a.deleting {
            text.push_str(" (detaching)");
        }
        if let Some(err) = &a.detach_error {
            text.push_str(&format!(" (detach error: {err})"));
        }
        lines.push(text);
    }
    if lines.is_empty() {
        return check(name, false, true, format!("none for {}", pvs.join(", ")));
    }
    if on_node {
        warnings.push(format!(
            "volumes are still attached to {node}: a ReadWriteOnce volume is detached only after the pod is gone \
             (on a lost node after the attach/detach controller's 6-minute wait, unless the node has the \
             out-of-service taint); the new pod may report Multi-Attach errors until then"
        ));
    }
    check(name, false, !on_node, lines.join("; "))
}
