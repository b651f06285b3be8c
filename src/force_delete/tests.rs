//! The gate on fixtures: every rule of `assess`, with the words it says them in.

use jiff::SignedDuration;
use k8s_openapi::api::coordination::v1 as coordination;
use k8s_openapi::api::core::v1 as core;
use serde_json::{Value, json};

use super::*;
use crate::model::{self, ServerVersion};
use crate::testing::*;

fn to_pod(v: Value) -> model::Pod {
    model::Pod::from(&serde_json::from_value::<core::Pod>(v).unwrap())
}
fn to_node(v: Value) -> model::Node {
    model::Node::from(&serde_json::from_value::<core::Node>(v).unwrap())
}
fn to_lease(v: Value) -> model::Lease {
    model::Lease::from(&serde_json::from_value::<coordination::Lease>(v).unwrap())
}

/// Evidence for web-1 on n2 with the given node and lease (None = 404), clock in sync.
fn evidence(node: Option<Value>, lease: Option<Value>) -> Evidence {
    Evidence {
        now: now(),
        read_within: SignedDuration::ZERO,
        clock: Clock { server_time: Some(now()), local_skew_seconds: Some(0) },
        server_version: ServerVersion::parse("v1.20.2", "1", "20"),
        pod: to_pod(pod("web", 1, "n2")),
        pod_status: PodStatusTimes::from_api(&serde_json::from_value(pod("web", 1, "n2")).unwrap()),
        pod_finalizers: vec![],
        node: node.map_or(Lookup::Absent, |n| Lookup::Found(to_node(n))),
        lease: lease.map_or(Lookup::Absent, |l| Lookup::Found(to_lease(l))),
        volumes: Ok(vec![PodVolume { claim: "data-web-1".into(), volume: Some("pv-data-web-1".into()) }]),
        attachments: Ok(vec![]),
        pods_on_node: None,
        placement: Ok(Default::default()),
    }
}

/// n2 lost `secs` ago (Ready Unknown, unreachable taints) with a Lease last renewed then.
fn lost(secs: i64) -> Evidence {
    evidence(Some(lost_node("n2", secs + 40)), Some(lease("n2", secs)))
}

/// The pod as the API returns it, in both forms the evidence holds.
fn set_pod(ev: &mut Evidence, v: Value) {
    ev.pod_status = PodStatusTimes::from_api(&serde_json::from_value(v.clone()).unwrap());
    ev.pod = to_pod(v);
}

fn with_taint(ev: &mut Evidence, key: &str) {
    if let Lookup::Found(n) = &mut ev.node {
        n.taints.push(model::Taint { key: key.into(), value: None, effect: "NoExecute".into(), added: None });
    }
}

fn defaults(ev: &Evidence, fenced: bool) -> Decision {
    assess(ev, &Thresholds::default(), fenced)
}

fn failed(d: &Decision) -> Vec<&'static str> {
    d.checks.iter().filter(|c| c.required && !c.ok).map(|c| c.name).collect()
}

fn detail<'a>(d: &'a Decision, name: &str) -> &'a str {
    &d.check(name).unwrap_or_else(|| panic!("no check {name}")).detail
}

#[test]
fn healthy_node_is_refused_and_says_why() {
    let d = defaults(&evidence(Some(node("n2")), Some(lease("n2", 5))), false);
    assert_eq!(d.verdict, Verdict::Refused);
    assert_eq!(failed(&d), ["not-ready", "lease-stale", "strong-signal"]);
    assert!(detail(&d, "not-ready").starts_with("Ready=True (KubeletReady); last heartbeat 10s ago"), "{d:?}");
    assert!(detail(&d, "lease-stale").contains("a fresh Lease always refuses"));
    assert!(d.missing.iter().any(|m| m.starts_with("strong-signal: none")), "{:?}", d.missing);
}

#[test]
fn a_ready_node_refuses_even_when_the_operator_says_it_is_fenced() {
    let mut ev = evidence(Some(node("n2")), Some(lease("n2", 3600)));
    with_taint(&mut ev, model::infra::TAINT_OUT_OF_SERVICE);
    let d = defaults(&ev, true);
    assert_eq!(failed(&d), ["not-ready"]);
    assert!(d.strong_signals.len() == 2, "{:?}", d.strong_signals);
}

#[test]
fn ready_false_is_posted_by_a_running_kubelet_and_refuses() {
    // A kubelet whose clock is 30m behind, alive but not ready (PLEG, CNI...): it posts Ready=False
    // and renews its Lease, both stamped 30m in the past by its clock, so both look old. The node
    // controller still sees the Lease renewed and leaves the node False: it is not lost.
    let not_ready = |status: &str| {
        with(
            node("n2"),
            json!({ "status": { "conditions": [{ "type": "Ready", "status": status, "reason": "KubeletNotReady",
                                                "lastHeartbeatTime": ago(1800), "lastTransitionTime": ago(1800) }] } }),
        )
    };
    let d = defaults(&evidence(Some(not_ready("False")), Some(lease("n2", 1800))), true);
    assert_eq!(d.verdict, Verdict::Refused);
    assert_eq!(failed(&d), ["not-ready"]);
    let text = detail(&d, "not-ready");
    assert!(text.starts_with("Ready=False (KubeletNotReady) since 30m ago by the kubelet's clock"), "{text}");
    assert!(text.contains("a lost node is Unknown"), "{text}");
    // Only the node controller's Unknown counts; anything else is not a status it writes.
    assert_eq!(failed(&defaults(&evidence(Some(not_ready("Maybe")), Some(lease("n2", 1800))), true)), ["not-ready"]);
    assert!(defaults(&evidence(Some(not_ready("Unknown")), Some(lease("n2", 1800))), true).allowed());
}

#[test]
fn lost_node_without_a_strong_signal_is_refused() {
    let d = defaults(&lost(600), false);
    assert_eq!(failed(&d), ["strong-signal"]);
    assert!(detail(&d, "taints").contains("node.kubernetes.io/unreachable:NoExecute (added 10m ago)"), "{d:?}");
}

#[test]
fn lost_node_with_each_strong_signal_is_allowed() {
    let d = defaults(&lost(600), true);
    assert_eq!(d.verdict, Verdict::Allowed, "{:?}", d.missing);
    assert_eq!(d.strong_signals, ["--node-fenced: the operator states the node is fenced"]);
    for key in [model::infra::TAINT_SHUTDOWN, model::infra::TAINT_OUT_OF_SERVICE] {
        let mut ev = lost(600);
        with_taint(&mut ev, key);
        let d = defaults(&ev, false);
        assert!(d.allowed(), "{key}: {:?}", d.missing);
        assert_eq!(d.strong_signals, [format!("taint {key}:NoExecute")]);
    }
}

#[test]
fn flapping_node_with_a_fresh_lease_is_refused_even_if_fenced() {
    let ev = evidence(Some(lost_node("n2", 900)), Some(lease("n2", 3)));
    let d = defaults(&ev, true);
    assert_eq!(failed(&d), ["lease-stale"]);
    assert!(detail(&d, "lease-stale").starts_with("renewed 3s ago (renewTime is written by the kubelet's clock)"));
}

#[test]
fn thresholds_are_inclusive() {
    // Ready Unknown since exactly 300s, Lease renewed exactly 300s ago.
    let at = |down: i64, stale: i64| {
        let mut n = lost_node("n2", 0);
        n["status"]["conditions"][0]["lastTransitionTime"] = json!(ago(down));
        defaults(&evidence(Some(n), Some(lease("n2", stale))), true)
    };
    assert!(at(300, 300).allowed(), "{:?}", at(300, 300).missing);
    assert_eq!(failed(&at(299, 300)), ["not-ready"]);
    assert!(detail(&at(299, 300), "not-ready").contains("for only 4m59s (needs 5m)"));
    assert_eq!(failed(&at(300, 299)), ["lease-stale"]);
}

#[test]
fn a_lease_within_its_duration_is_fresh_whatever_the_threshold() {
    let zero = Thresholds { not_ready_for: SignedDuration::ZERO, lease_stale_for: SignedDuration::ZERO };
    let ev = |secs| evidence(Some(lost_node("n2", 600)), Some(lease("n2", secs)));
    assert_eq!(failed(&assess(&ev(40), &zero, true)), ["lease-stale"]);
    assert!(assess(&ev(41), &zero, true).allowed());
}

#[test]
fn a_lease_renewed_in_the_future_counts_as_fresh() {
    let ev = evidence(Some(lost_node("n2", 600)), Some(lease("n2", -120)));
    let d = defaults(&ev, true);
    assert_eq!(failed(&d), ["lease-stale"]);
    assert!(detail(&d, "lease-stale").contains("2m ahead of the API server's clock"));
    // Within the Date header's one-second truncation: just renewed.
    let ev = evidence(Some(lost_node("n2", 600)), Some(lease("n2", -1)));
    assert!(detail(&defaults(&ev, true), "lease-stale").starts_with("renewed 0s ago"));
}

/// The Lease is read after the Date header that gives `now` was written: on a slow API server a
/// renewal in between is seconds "ahead" of `now` without any clock being off.
#[test]
fn a_lease_renewed_while_the_evidence_was_read_is_just_renewed_not_ahead() {
    let mut ev = evidence(Some(lost_node("n2", 600)), Some(lease("n2", -3)));
    ev.read_within = SignedDuration::from_secs(3);
    let d = defaults(&ev, true);
    assert_eq!(failed(&d), ["lease-stale"]);
    assert!(detail(&d, "lease-stale").starts_with("renewed 0s ago"), "{}", detail(&d, "lease-stale"));
    // Beyond the time the reads took, the kubelet's clock is ahead.
    ev.read_within = SignedDuration::from_secs(1);
    assert!(detail(&defaults(&ev, true), "lease-stale").contains("3s ahead of the API server's clock"));
}

#[test]
fn deleted_node_is_a_strong_signal_and_its_lease_must_still_be_stale() {
    // Lease gone with the Node: allowed, with a warning that there is no time evidence.
    let d = defaults(&evidence(None, None), false);
    assert!(d.allowed(), "{:?}", d.missing);
    assert_eq!(d.strong_signals, ["the Node object is deleted"]);
    assert!(detail(&d, "not-ready").contains("its absence counts as not Ready"));
    assert!(d.warnings.iter().any(|w| w.contains("no evidence of how long")), "{:?}", d.warnings);
    // Lease left behind and stale: allowed.
    assert!(defaults(&evidence(None, Some(lease("n2", 600))), false).allowed());
    // A fresh Lease means a kubelet is alive (e.g. it re-created its Lease): refused.
    assert_eq!(failed(&defaults(&evidence(None, Some(lease("n2", 2))), true)), ["lease-stale"]);
    // Stale, but not for long enough.
    assert_eq!(failed(&defaults(&evidence(None, Some(lease("n2", 120))), false)), ["lease-stale"]);
}

#[test]
fn unreadable_nodes_are_missing_evidence_not_deleted_nodes() {
    let reason = "cannot get node \"n2\": forbidden: the current user needs RBAC permission to get nodes (no)";
    let mut ev = evidence(None, Some(lease("n2", 600)));
    ev.node = Lookup::Forbidden(reason.into());
    let d = defaults(&ev, false);
    assert_eq!(failed(&d), ["not-ready", "strong-signal"]);
    assert_eq!(detail(&d, "not-ready"), format!("cannot read the Node: {reason}"));
    assert!(detail(&d, "strong-signal").contains("(the Node could not be read)"));
    // Stating the node is fenced does not replace reading it.
    assert_eq!(failed(&defaults(&ev, true)), ["not-ready"]);
    ev.lease = Lookup::Forbidden("cannot get lease".into());
    assert_eq!(failed(&defaults(&ev, true)), ["not-ready", "lease-stale"]);
    ev.lease = Lookup::Absent;
    let d = defaults(&ev, true);
    assert_eq!(failed(&d), ["not-ready", "lease-stale"]);
    assert!(detail(&d, "lease-stale").starts_with("no Lease in kube-node-lease, and the Node cannot be read"), "{d:?}");
}

#[test]
fn missing_lease_while_the_node_exists_is_refused() {
    let d = defaults(&evidence(Some(lost_node("n2", 600)), None), true);
    assert_eq!(failed(&d), ["lease-stale"]);
    assert!(detail(&d, "lease-stale").starts_with("no Lease in kube-node-lease although the Node exists"));
}

#[test]
fn unscheduled_pod_is_refused_without_node_checks() {
    let mut ev = evidence(None, None);
    set_pod(
        &mut ev,
        with(pod("web", 1, "n2"), json!({ "spec": { "nodeName": null }, "status": { "phase": "Pending" } })),
    );
    ev.node = Lookup::NotChecked;
    ev.lease = Lookup::NotChecked;
    let d = defaults(&ev, true);
    assert_eq!(failed(&d), ["pod", "not-ready", "lease-stale"]);
    assert!(detail(&d, "pod").contains("is not bound to a node"));
    assert!(d.check("node").is_none() && d.check("volume-attachments").is_none());
}

#[test]
fn pod_already_terminating_is_shown_and_allowed() {
    let mut ev = lost(600);
    set_pod(
        &mut ev,
        with(
            pod("web", 1, "n2"),
            json!({ "metadata": { "deletionTimestamp": ago(200), "deletionGracePeriodSeconds": 30 },
                "status": { "reason": "NodeLost", "conditions": [{ "type": "Ready", "status": "False" }] } }),
        ),
    );
    let d = defaults(&ev, true);
    assert!(d.allowed());
    let pod = detail(&d, "pod");
    assert!(pod.contains("not Ready; terminating (deletionTimestamp"), "{pod}");
    assert!(pod.ends_with("grace 30s), overdue by 3m20s; reason NodeLost"), "{pod}");
}

#[test]
fn a_pod_with_finalizers_is_said_to_stay_until_they_are_removed() {
    let mut ev = lost(600);
    ev.pod_finalizers = vec!["example.com/backup".into()];
    let d = defaults(&ev, true);
    assert!(d.allowed());
    assert!(detail(&d, "pod").ends_with("; finalizers example.com/backup"), "{d:?}");
    assert!(d.warnings.iter().any(|w| w.starts_with("web-1 has finalizers (example.com/backup)")), "{:?}", d.warnings);
    let step = &steps(&plan(&ev, &d, false).unwrap(), &ev)[0];
    assert!(step.contains("marked deleted at once, and removed once its finalizers (example.com/backup) are gone"));
    assert!(!step.contains("removed at once"), "{step}");
}

#[test]
fn a_pod_not_owned_by_a_statefulset_gets_a_warning_and_the_same_gate() {
    let mut ev = lost(600);
    set_pod(&mut ev, with(pod("web", 1, "n2"), json!({ "metadata": { "ownerReferences": null } })));
    let d = defaults(&ev, false);
    assert_eq!(failed(&d), ["strong-signal"]);
    let owner = d.check("owner").unwrap();
    assert!(!owner.ok && !owner.required);
    assert!(d.warnings[0].contains("not owned by a StatefulSet (no controller)"), "{:?}", d.warnings);
    assert!(defaults(&ev, true).allowed());
}

#[test]
fn fields_older_servers_or_other_kubelets_omit() {
    // Lease without leaseDurationSeconds: the kubelet default is assumed and said.
    let mut l = lease("n2", 600);
    l["spec"]["leaseDurationSeconds"] = Value::Null;
    let mut n = lost_node("n2", 640);
    n["spec"]["taints"][0]["timeAdded"] = Value::Null;
    let d = defaults(&evidence(Some(n), Some(l)), true);
    assert!(d.allowed(), "{:?}", d.missing);
    assert!(detail(&d, "lease-stale").contains("leaseDurationSeconds 40 (absent; kubelet default assumed)"));
    // Without timeAdded the taint is shown without an age (taints are listed in key, effect order).
    assert!(detail(&d, "taints").ends_with(", node.kubernetes.io/unreachable:NoSchedule"), "{d:?}");
    // Lease without renewTime, Ready without lastTransitionTime, Node without any condition.
    let mut l = lease("n2", 600);
    l["spec"]["renewTime"] = Value::Null;
    assert_eq!(failed(&defaults(&evidence(Some(lost_node("n2", 600)), Some(l)), true)), ["lease-stale"]);
    let mut n = lost_node("n2", 600);
    n["status"]["conditions"][0]["lastTransitionTime"] = Value::Null;
    let d = defaults(&evidence(Some(n), Some(lease("n2", 600))), true);
    assert!(detail(&d, "not-ready").contains("without lastTransitionTime"), "{d:?}");
    let n = with(lost_node("n2", 600), json!({ "status": { "conditions": [] } }));
    assert_eq!(failed(&defaults(&evidence(Some(n), Some(lease("n2", 600))), true)), ["not-ready"]);
}

#[test]
fn the_clock_is_the_api_servers() {
    let mut ev = lost(600);
    ev.clock = Clock { server_time: None, local_skew_seconds: None };
    assert_eq!(failed(&defaults(&ev, true)), ["clock"]);
    ev.clock = Clock { server_time: Some(now()), local_skew_seconds: Some(-190) };
    let d = defaults(&ev, true);
    assert!(d.allowed());
    assert!(d.warnings[0].starts_with("the local clock is 3m10s behind the API server's"), "{:?}", d.warnings);
    let sent = now() + SignedDuration::from_secs(100);
    let (clock, at) = Clock::from_date_header(Some(now()), sent, sent + SignedDuration::from_millis(400));
    assert_eq!((clock.local_skew_seconds, at), (Some(100), now()));
    let (clock, at) = Clock::from_date_header(None, sent, sent);
    assert_eq!((clock.server_time, at), (None, sent));
}

#[test]
fn attachments_on_the_lost_node_are_a_warning() {
    let attachment = |node: &str| Attachment {
        name: "csi-1".into(),
        volume: "pv-data-web-1".into(),
        node: node.into(),
        attacher: "ebs.csi.aws.com".into(),
        attached: true,
        deleting: false,
        detach_error: None,
    };
    let mut ev = lost(600);
    ev.attachments = Ok(vec![attachment("n2")]);
    let d = defaults(&ev, true);
    assert!(d.allowed());
    let c = d.check("volume-attachments").unwrap();
    assert_eq!((c.ok, c.detail.as_str()), (false, "pv-data-web-1 attached to n2 by ebs.csi.aws.com"));
    assert!(d.warnings.iter().any(|w| w.contains("Multi-Attach")));
    ev.attachments = Ok(vec![attachment("n3")]);
    assert!(defaults(&ev, true).check("volume-attachments").unwrap().ok);
    ev.attachments = Ok(vec![]);
    assert_eq!(detail(&defaults(&ev, true), "volume-attachments"), "none for pv-data-web-1");
    ev.attachments = Err("forbidden".into());
    assert_eq!(detail(&defaults(&ev, true), "volume-attachments"), "cannot list VolumeAttachments: forbidden");
}

mod plans;
mod recheck;
mod status;
