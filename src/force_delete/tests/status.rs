//! `status-silent`: pod status written after the node went silent refuses.

use serde_json::{Value, json};

use super::*;

/// n2 Unknown for 13m, its Lease 13m stale, out-of-service taint: everything else allows.
fn lost_13m() -> Evidence {
    let mut ev = lost(780);
    with_taint(&mut ev, model::infra::TAINT_OUT_OF_SERVICE);
    ev
}

/// web-1 with `status` merged into its status.
fn web_1(status: Value) -> Value {
    with(pod("web", 1, "n2"), json!({ "status": status }))
}

/// `pod` with managedFields as the API server keeps them: the kubelet's status writes last
/// changed it `secs` ago, the node lifecycle controller's just now.
fn kubelet_wrote(pod: Value, secs: i64) -> Value {
    with(
        pod,
        json!({ "metadata": { "managedFields": [
            { "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": ago(0),
              "fieldsType": "FieldsV1", "fieldsV1": { "f:status": {} } },
            { "manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": ago(secs),
              "fieldsType": "FieldsV1", "fieldsV1": { "f:status": {} } },
            { "manager": "kube-scheduler", "operation": "Update", "apiVersion": "v1", "time": ago(0),
              "fieldsType": "FieldsV1", "fieldsV1": { "f:status": {} } }
        ] } }),
    )
}

fn container(name: &str, state: Value) -> Value {
    json!({ "name": name, "ready": true, "restartCount": 0, "image": "app:1", "imageID": "", "state": state })
}

#[test]
fn a_pod_reported_running_again_after_the_node_went_unknown_is_refused() {
    // What a kubelet coming back writes: Running, Ready since now, its container started now.
    let mut ev = lost_13m();
    set_pod(
        &mut ev,
        web_1(json!({ "phase": "Running",
            "conditions": [{ "type": "Ready", "status": "True", "lastTransitionTime": ago(0) }],
            "containerStatuses": [container("app", json!({ "running": { "startedAt": ago(0) } }))] })),
    );
    let d = defaults(&ev, false);
    assert_eq!(d.verdict, Verdict::Refused);
    assert_eq!(failed(&d), ["status-silent"]);
    assert_eq!(
        detail(&d, "status-silent"),
        "Ready turned True at 2026-03-01T12:00:00Z (0s ago, conditions[Ready].lastTransitionTime); container app \
         started at 2026-03-01T12:00:00Z (0s ago, containerStatuses[app].state.running.startedAt), after n2 went \
         Unknown at 2026-03-01T11:47:00Z (13m ago, Ready lastTransitionTime): something on n2 still writes this \
         pod's status (its kubelet, back or never gone), so the pod may still run there"
    );
    assert!(d.missing.iter().any(|m| m.starts_with("status-silent: Ready turned True at")), "{:?}", d.missing);
    let refusal = plan(&ev, &d, false).unwrap_err();
    assert!(refusal.contains("Missing evidence: status-silent: "), "{refusal}");
    // --node-fenced does not outweigh it: the operator's statement is contradicted.
    assert_eq!(failed(&defaults(&ev, true)), ["status-silent"]);
}

#[test]
fn each_kubelet_written_time_counts_on_its_own() {
    let cases = [
        (
            json!({ "conditions": [{ "type": "Ready", "status": "True", "lastTransitionTime": ago(60) }] }),
            "Ready turned True at 2026-03-01T11:59:00Z (60s ago, conditions[Ready].lastTransitionTime)",
        ),
        (
            json!({ "containerStatuses": [container("app", json!({ "running": { "startedAt": ago(60) } }))] }),
            "container app started at 2026-03-01T11:59:00Z (60s ago, containerStatuses[app].state.running.startedAt)",
        ),
        (
            json!({ "containerStatuses": [container("app", json!({ "terminated": { "exitCode": 0,
                "startedAt": ago(3500), "finishedAt": ago(60) } }))] }),
            "container app finished at 2026-03-01T11:59:00Z (60s ago, containerStatuses[app].state.terminated.finishedAt)",
        ),
        (
            json!({ "containerStatuses": [with(container("app", json!({ "waiting": { "reason": "CrashLoopBackOff" } })),
                json!({ "lastState": { "terminated": { "exitCode": 1, "finishedAt": ago(60) } } }))] }),
            "container app last finished at 2026-03-01T11:59:00Z (60s ago, \
             containerStatuses[app].lastState.terminated.finishedAt)",
        ),
        (
            json!({ "initContainerStatuses": [container("init-db", json!({ "terminated": { "exitCode": 0,
                "finishedAt": ago(60) } }))] }),
            "init container init-db finished at 2026-03-01T11:59:00Z (60s ago, \
             initContainerStatuses[init-db].state.terminated.finishedAt)",
        ),
    ];
    for (status, evidence) in cases {
        let mut ev = lost_13m();
        set_pod(&mut ev, web_1(status));
        let d = defaults(&ev, false);
        assert_eq!(failed(&d), ["status-silent"], "{evidence}");
        assert!(detail(&d, "status-silent").starts_with(&format!("{evidence}, after n2 went Unknown")), "{d:?}");
    }
}

#[test]
fn what_the_node_lifecycle_controller_and_pod_gc_write_does_not_count() {
    // Marked not Ready (nodeutil.MarkPodsNotReady) just now, a DisruptionTarget condition and
    // phase Failed (pod GC, taint manager on newer servers): none of it is the kubelet's.
    let mut ev = lost_13m();
    set_pod(
        &mut ev,
        web_1(json!({ "phase": "Failed",
            "conditions": [
                { "type": "Ready", "status": "False", "lastTransitionTime": ago(0) },
                { "type": "ContainersReady", "status": "False", "lastTransitionTime": ago(0) },
                { "type": "DisruptionTarget", "status": "True", "reason": "DeletionByPodGC", "lastTransitionTime": ago(0) }
            ] })),
    );
    let d = defaults(&ev, false);
    assert!(d.allowed(), "{:?}", d.missing);
    // Its container started before the node went Unknown; Ready is no longer True.
    assert_eq!(
        detail(&d, "status-silent"),
        "no pod status written after n2 went Unknown at 2026-03-01T11:47:00Z (13m ago, Ready lastTransitionTime): \
         kubelet writes by managedFields not checked (the pod has none: the server does not track them, or they \
         were stripped), a container last started or finished 58m ago"
    );
}

#[test]
fn times_up_to_the_nodes_transition_are_from_before_it_went_silent() {
    let mut ev = lost_13m();
    let check = |ev: &Evidence| defaults(ev, false).check("status-silent").cloned().unwrap();
    let c = check(&ev);
    assert!(c.required && c.ok, "{c:?}");
    assert!(c.detail.ends_with("stripped), a container last started or finished 58m ago, Ready turned True 58m ago"));
    // At the very second of the transition: not after it.
    set_pod(
        &mut ev,
        web_1(json!({ "containerStatuses": [container("app", json!({ "running": { "startedAt": ago(780) } }))] })),
    );
    assert!(check(&ev).ok);
    set_pod(
        &mut ev,
        web_1(json!({ "containerStatuses": [container("app", json!({ "running": { "startedAt": ago(779) } }))] })),
    );
    assert!(!check(&ev).ok);
    // A kubelet clock ahead of the API server's puts the time in the future: still a write.
    set_pod(
        &mut ev,
        web_1(json!({ "containerStatuses": [container("app", json!({ "running": { "startedAt": ago(-90) } }))] })),
    );
    assert!(check(&ev).detail.starts_with("container app started at 2026-03-01T12:01:30Z (90s ahead of now, "));
}

#[test]
fn a_deleted_node_went_silent_when_its_lease_expired() {
    // Lease renewed 10m ago with a 40s duration: silent since 9m20s ago, by the kubelet's clock.
    let mut ev = evidence(None, Some(lease("n2", 600)));
    let started = |secs: i64| {
        web_1(json!({ "containerStatuses": [container("app", json!({ "running": { "startedAt": ago(secs) } }))] }))
    };
    // Started after the last renewal but within the Lease's duration: a write of a live kubelet
    // just before the node went away.
    set_pod(&mut ev, started(590));
    let d = defaults(&ev, false);
    assert!(d.allowed(), "{:?}", d.missing);
    assert!(detail(&d, "status-silent").starts_with(
        "no pod status written after the deleted node's Lease expired at 2026-03-01T11:50:40Z (9m20s ago, renewTime \
         2026-03-01T11:50:00Z + leaseDurationSeconds 40)"
    ));
    set_pod(&mut ev, started(30));
    let d = defaults(&ev, false);
    assert_eq!(failed(&d), ["status-silent"]);
    assert!(detail(&d, "status-silent").contains("after the deleted node's Lease expired at"), "{d:?}");

    // Node and Lease both gone: nothing tells when the node went silent, so the window the gate
    // wants a node down for counts: a kubelet write within the last --not-ready-for refuses.
    let mut ev = evidence(None, None);
    set_pod(&mut ev, started(30));
    let d = defaults(&ev, false);
    assert_eq!(failed(&d), ["status-silent"]);
    assert_eq!(
        detail(&d, "status-silent"),
        "container app started at 2026-03-01T11:59:30Z (30s ago, containerStatuses[app].state.running.startedAt), \
         after 2026-03-01T11:55:00Z (now minus --not-ready-for 5m: neither the Node nor its Lease is left to tell \
         when the node went silent): something on n2 still writes this pod's status (its kubelet, back or never \
         gone), so the pod may still run there"
    );
    set_pod(&mut ev, kubelet_wrote(web_1(json!({})), 60));
    assert_eq!(failed(&defaults(&ev, false)), ["status-silent"]);
    // Nothing written within the window: allowed (with the warning that nothing dates the loss).
    set_pod(&mut ev, kubelet_wrote(started(400), 400));
    let d = defaults(&ev, false);
    assert!(d.allowed(), "{:?}", d.missing);
    let c = d.check("status-silent").unwrap();
    assert!(c.required && c.ok);
    assert!(c.detail.starts_with("no pod status written after 2026-03-01T11:55:00Z (now minus --not-ready-for 5m"));
    assert!(c.detail.contains(": the kubelet last wrote it 6m40s ago (managedFields), a container"), "{c:?}");
}

#[test]
fn a_kubelet_write_after_the_node_went_silent_refuses_even_with_old_times_in_it() {
    // The most common write of a kubelet coming back: Ready=True with its cached, old
    // lastTransitionTime, containers as they were. Only managedFields dates it.
    let mut ev = lost_13m();
    set_pod(&mut ev, kubelet_wrote(pod("web", 1, "n2"), 30));
    let d = defaults(&ev, false);
    assert_eq!(failed(&d), ["status-silent"]);
    assert_eq!(
        detail(&d, "status-silent"),
        "the kubelet wrote this pod at 2026-03-01T11:59:30Z (30s ago, metadata.managedFields[manager=kubelet].time, \
         the API server's clock), after n2 went Unknown at 2026-03-01T11:47:00Z (13m ago, Ready \
         lastTransitionTime): something on n2 still writes this pod's status (its kubelet, back or never gone), so \
         the pod may still run there"
    );
    assert_eq!(failed(&defaults(&ev, true)), ["status-silent"], "--node-fenced does not outweigh it");
    // A deleted Node whose Lease expired 9m20s ago: a kubelet write since refuses too.
    let mut ev = evidence(None, Some(lease("n2", 600)));
    set_pod(&mut ev, kubelet_wrote(pod("web", 1, "n2"), 60));
    let d = defaults(&ev, false);
    assert_eq!(failed(&d), ["status-silent"]);
    assert!(detail(&d, "status-silent").contains("after the deleted node's Lease expired at"), "{d:?}");
}

#[test]
fn a_kubelet_write_before_the_node_went_silent_is_no_evidence_and_other_managers_never_count() {
    // The kubelet last wrote the pod 14m ago, before n2 went Unknown 13m ago; the node lifecycle
    // controller (marking it not Ready) and others wrote it just now.
    let mut ev = lost_13m();
    set_pod(&mut ev, kubelet_wrote(pod("web", 1, "n2"), 840));
    let d = defaults(&ev, false);
    assert!(d.allowed(), "{:?}", d.missing);
    assert_eq!(
        detail(&d, "status-silent"),
        "no pod status written after n2 went Unknown at 2026-03-01T11:47:00Z (13m ago, Ready lastTransitionTime): \
         the kubelet last wrote it 14m ago (managedFields), a container last started or finished 58m ago, Ready \
         turned True 58m ago"
    );
    // At the very second of the transition: not after it.
    set_pod(&mut ev, kubelet_wrote(pod("web", 1, "n2"), 780));
    assert!(defaults(&ev, false).allowed());
    set_pod(&mut ev, kubelet_wrote(pod("web", 1, "n2"), 779));
    assert_eq!(failed(&defaults(&ev, false)), ["status-silent"]);
    // managedFields without a kubelet entry: nothing of the kubelet's to date.
    let others = with(
        pod("web", 1, "n2"),
        json!({ "metadata": { "managedFields": [{ "manager": "kube-controller-manager", "operation": "Update",
            "apiVersion": "v1", "time": ago(0), "fieldsType": "FieldsV1", "fieldsV1": {} }] } }),
    );
    set_pod(&mut ev, others);
    let d = defaults(&ev, false);
    assert!(d.allowed(), "{:?}", d.missing);
    assert!(detail(&d, "status-silent").contains("Ready lastTransitionTime): no managedFields entry of the kubelet, "));
}

#[test]
fn without_managed_fields_the_kubelet_writes_are_not_checked_and_it_says_so() {
    let ev = lost_13m();
    let d = defaults(&ev, false);
    assert!(d.allowed(), "{:?}", d.missing);
    assert!(
        detail(&d, "status-silent").contains(
            "Ready lastTransitionTime): kubelet writes by managedFields not checked (the pod has none: the server \
             does not track them, or they were stripped), a container"
        ),
        "{d:?}"
    );
}

#[test]
fn a_node_that_is_not_unknown_is_refused_by_not_ready_not_here() {
    let mut ev = evidence(Some(node("n2")), Some(lease("n2", 600)));
    set_pod(
        &mut ev,
        web_1(json!({ "containerStatuses": [container("app", json!({ "running": { "startedAt": ago(0) } }))] })),
    );
    let d = defaults(&ev, true);
    assert_eq!(failed(&d), ["not-ready"]);
    assert!(detail(&d, "status-silent").starts_with("not checked: the node is not Ready=Unknown"), "{d:?}");
}

#[test]
fn the_times_are_part_of_the_evidence_document() {
    let mut ev = lost_13m();
    set_pod(
        &mut ev,
        web_1(
            json!({ "initContainerStatuses": [container("init", json!({ "terminated": { "exitCode": 0, "finishedAt": ago(3550) } }))] }),
        ),
    );
    let v = serde_json::to_value(&ev).unwrap();
    assert_eq!(
        v["podStatus"],
        json!({ "readyTrueSince": ago(3500), "containers": [
            { "name": "init", "list": "initContainerStatuses", "started": null, "finished": ago(3550), "lastFinished": null },
            { "name": "app", "list": "containerStatuses", "started": ago(3500), "finished": null, "lastFinished": null }
        ], "kubeletWrote": null, "managedFields": false })
    );
    set_pod(&mut ev, kubelet_wrote(pod("web", 1, "n2"), 840));
    let v = serde_json::to_value(&ev).unwrap();
    assert_eq!((&v["podStatus"]["kubeletWrote"], &v["podStatus"]["managedFields"]), (&json!(ago(840)), &json!(true)));
}
