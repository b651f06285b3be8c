use serde_json::json;

use super::*;
use crate::testing::*;

fn report(objects: Vec<serde_json::Value>) -> OrdinalsReport {
    let snap = snapshot(objects);
    let sts = snap.statefulsets[0].clone();
    diagnose(&snap, &sts)
}

fn why<'a>(r: &'a OrdinalsReport, pod: &str) -> &'a str {
    r.ordinals.iter().find(|o| o.pod == pod).and_then(|o| o.why.as_deref()).unwrap_or("")
}

#[test]
fn healthy_statefulset_has_one_clean_row_per_ordinal() {
    let r = report(healthy("web", 3));
    let pods: Vec<&str> = r.ordinals.iter().map(|o| o.pod.as_str()).collect();
    assert_eq!(pods, ["web-0", "web-1", "web-2"]);
    assert!(r.ordinals.iter().all(|o| o.state == PodState::Running && o.why.is_none() && o.in_range));
    // Nothing rolling: the current revision is the update revision, and is called so.
    assert_eq!(r.ordinals[1].revision.as_deref(), Some("update"));
    assert_eq!(r.ordinals[1].node_health.as_ref().unwrap().state, "Ready");
    assert_eq!(r.ordinals[2].dns.as_deref(), Some("web-2.web.shop.svc"));
    assert_eq!(r.statefulset.service.problem, None);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
}

#[test]
fn ordered_ready_missing_pod_waits_for_the_first_unready_lower_ordinal() {
    let mut objects = healthy("web", 3);
    patch(
        &mut objects,
        "Pod",
        "web-1",
        json!({ "status": {
        "conditions": [{ "type": "Ready", "status": "False" }],
        "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 7, "image": "app:1", "imageID": "",
                                "state": { "waiting": { "reason": "CrashLoopBackOff" } } }] } }),
    );
    remove(&mut objects, "Pod", "web-2");
    let r = report(objects);
    assert_eq!(r.ordinals[2].state, PodState::Missing);
    assert_eq!(
        why(&r, "web-2"),
        "waiting for web-1 to be Running and Ready (it is Running, not Ready, CrashLoopBackOff): OrderedReady \
         creates pods one at a time, in ordinal order"
    );
    assert_eq!(why(&r, "web-1"), "container waiting: CrashLoopBackOff");
    assert_eq!(r.ordinals[1].restarts, Some(7));
}

#[test]
fn parallel_missing_pod_shows_the_failed_create_event() {
    let mut objects = healthy("web", 3);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "podManagementPolicy": "Parallel" } }));
    patch(&mut objects, "Pod", "web-0", json!({ "status": { "phase": "Pending", "conditions": null } }));
    remove(&mut objects, "Pod", "web-1");
    objects.push(event(
        "web",
        "FailedCreate",
        "create Pod web-1 in StatefulSet web failed error: pods \"web-1\" is forbidden: exceeded quota: pods",
    ));
    let r = report(objects);
    assert_eq!(
        why(&r, "web-1"),
        "creating it fails: create Pod web-1 in StatefulSet web failed error: pods \"web-1\" is forbidden: \
         exceeded quota: pods (4x, last 30s ago)"
    );
}

#[test]
fn ordinals_start_from_newer_servers_shifts_the_range() {
    let mut objects = vec![sts("web", 2), service("web", true), node("n1"), lease("n1", 1)];
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "ordinals": { "start": 5 } } }));
    objects.push(pod("web", 5, "n1"));
    objects.push(pod("web", 6, "n1"));
    objects.push(pod("web", 0, "n1"));
    let r = report(objects);
    let rows: Vec<(i32, bool)> = r.ordinals.iter().map(|o| (o.ordinal, o.in_range)).collect();
    assert_eq!(rows, [(5, true), (6, true), (0, false)]);
    assert_eq!((r.statefulset.ordinals_start, r.statefulset.ordinals_end), (5, 7));
    assert_eq!(why(&r, "web-0"), "ordinal 0 is outside [5, 7): next to be removed by scale-down");
}

#[test]
fn a_foreign_pod_holding_the_name_blocks_the_ordinal() {
    let mut objects = healthy("web", 3);
    patch(
        &mut objects,
        "Pod",
        "web-1",
        json!({ "metadata": {
        "labels": { "app": "debug" }, "ownerReferences": null } }),
    );
    let r = report(objects);
    assert_eq!(r.ordinals[1].state, PodState::Foreign);
    assert!(why(&r, "web-1").contains("its labels do not match the selector app=web"), "{}", why(&r, "web-1"));
    assert!(why(&r, "web-2").is_empty(), "web-2 exists and is healthy");
}

/// A pod the controller cannot create ends its sync there (UpdateStatefulSet returns the error):
/// nothing after it is created, with Parallel too, and before 1.25 the status is not written
/// either, so the generation stays unobserved. That is no stopped controller.
#[test]
fn a_failing_create_blocks_the_ordinals_after_it_and_freezes_the_status() {
    let foreign = json!({ "metadata": { "labels": { "app": "debug" }, "ownerReferences": null } });
    let scenario = |policy: &str, version: &str, observed: i64| {
        let mut objects = healthy("web", 4);
        patch(
            &mut objects,
            "StatefulSet",
            "web",
            json!({ "metadata": { "generation": 2 },
            "spec": { "podManagementPolicy": policy }, "status": { "observedGeneration": observed } }),
        );
        patch(&mut objects, "Pod", "web-1", foreign.clone());
        remove(&mut objects, "Pod", "web-2");
        remove(&mut objects, "Pod", "web-3");
        let mut snap = snapshot(objects);
        snap.server_version = crate::model::ServerVersion::parse(version, "1", &version[3..5]);
        diagnose(&snap, &snap.statefulsets[0].clone())
    };
    // 1.20, Parallel: as seen on the real controller, web-2 and web-3 are never created.
    let r = scenario("Parallel", "v1.20.2", 1);
    for pod in ["web-2", "web-3"] {
        let row = r.ordinals.iter().find(|o| o.pod == pod).unwrap();
        assert_eq!(row.issue, Some(Issue::WaitingForLowerOrdinal), "{pod}: {:?}", row.why);
        assert!(why(&r, pod).starts_with("waiting for web-1, whose create fails"), "{}", why(&r, pod));
        assert!(why(&r, pod).contains("generation 2 is not observed"), "{}", why(&r, pod));
    }
    // OrderedReady: the same, not "is kube-controller-manager running?".
    let r = scenario("OrderedReady", "v1.20.2", 1);
    assert_eq!(r.ordinals[2].issue, Some(Issue::WaitingForLowerOrdinal), "{:?}", r.ordinals[2].why);
    assert!(why(&r, "web-2").contains("its name is taken by a pod this StatefulSet does not control"));
    // 1.30 writes the status anyway, and creates Parallel pods in batches of 1, 2, 4...: web-2 is
    // in web-1's batch and gets created, web-3 is not.
    let r = scenario("Parallel", "v1.30.1", 2);
    assert_eq!(r.ordinals[2].issue, Some(Issue::NotCreatedYet), "{:?}", r.ordinals[2].why);
    assert_eq!(r.ordinals[3].issue, Some(Issue::WaitingForLowerOrdinal), "{:?}", r.ordinals[3].why);
    assert!(why(&r, "web-3").contains("batch"), "{}", why(&r, "web-3"));
    // There an unobserved generation means the controller has not seen the spec.
    let r = scenario("Parallel", "v1.30.1", 1);
    assert_eq!(r.ordinals[3].issue, Some(Issue::ControllerBehind), "{:?}", r.ordinals[3].why);
}

#[test]
fn a_failed_create_event_explains_an_unobserved_generation() {
    // Before 1.25 a failing create leaves the status untouched: a new StatefulSet whose first pod
    // cannot be created never gets an observedGeneration.
    let mut objects = healthy("web", 1);
    patch(&mut objects, "StatefulSet", "web", json!({ "status": { "observedGeneration": null } }));
    remove(&mut objects, "Pod", "web-0");
    objects.push(event("web", "FailedCreate", "create Pod web-0 in StatefulSet web failed error: exceeded quota"));
    let r = report(objects);
    assert_eq!(r.ordinals[0].issue, Some(Issue::CreateFailing), "{:?}", r.ordinals[0].why);
}

#[test]
fn statefulsets_whose_names_prefix_each_other_do_not_mix() {
    let mut objects = healthy("web", 2);
    objects.push(pod("web-1", 0, "n1"));
    let mut other = sts("web-1", 1);
    merge(&mut other, json!({ "spec": { "selector": { "matchLabels": { "app": "web-1" } } } }));
    objects.push(other);
    let r = report(objects);
    let pods: Vec<&str> = r.ordinals.iter().map(|o| o.pod.as_str()).collect();
    assert_eq!(pods, ["web-0", "web-1"]);
}

#[test]
fn scale_down_waits_for_pods_in_range_and_goes_highest_first() {
    let mut objects = healthy("web", 5);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 2 } }));
    let r = report(objects.clone());
    assert_eq!(why(&r, "web-4"), "ordinal 4 is outside [0, 2): next to be removed by scale-down");
    assert_eq!(
        why(&r, "web-2"),
        "ordinal 2 is outside [0, 2): removed after web-3 (scale-down removes the highest ordinal first)"
    );

    patch(
        &mut objects,
        "Pod",
        "web-0",
        json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } }),
    );
    let r = report(objects);
    assert_eq!(
        why(&r, "web-4"),
        "ordinal 4 is outside [0, 2): scale-down is waiting for every pod in range to be Running and Ready, and \
         web-0 is Running, not Ready"
    );
}

#[test]
fn scale_down_blocked_by_an_unhealthy_pod_that_is_not_the_lowest_unhealthy() {
    let mut objects = healthy("web", 5);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 2 } }));
    remove(&mut objects, "Pod", "web-4");
    for p in ["web-2", "web-3"] {
        patch(&mut objects, "Pod", p, json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } }));
    }
    let r = report(objects);
    assert_eq!(
        why(&r, "web-3"),
        "ordinal 3 is outside [0, 2): scale-down is blocked: web-3 is Running, not Ready and OrderedReady only \
         removes an unhealthy pod when it is the lowest unhealthy one (web-2 is unhealthy too)"
    );
}

#[test]
fn pod_on_a_lost_node_points_to_force_delete() {
    let mut objects = healthy("web", 2);
    remove(&mut objects, "Node", "n2");
    remove(&mut objects, "Lease", "n2");
    objects.push(lost_node("n2", 600));
    objects.push(lease("n2", 600));
    let r = report(objects);
    let h = r.ordinals[1].node_health.as_ref().unwrap();
    assert!(h.suspect_lost);
    assert_eq!(
        why(&r, "web-1"),
        "node n2 looks lost (Unknown 9m20s, lease 10m old): the pod cannot be replaced until it is deleted"
    );
    assert_eq!(
        r.ordinals[1].suggestion.as_deref(),
        Some(
            "kubectl sts-doctor -n shop force-delete web-1 --node-fenced  # only if the node is really gone (powered \
             off or cut from its storage): the API does not confirm it"
        )
    );
    // The Node deleted: a strong signal, force-delete needs no --node-fenced.
    let mut objects = healthy("web", 2);
    remove(&mut objects, "Node", "n2");
    remove(&mut objects, "Lease", "n2");
    let r = report(objects);
    assert_eq!(
        r.ordinals[1].suggestion.as_deref(),
        Some("kubectl sts-doctor -n shop force-delete web-1  # if the node is really gone")
    );
}

#[test]
fn governing_service_problems_are_reported() {
    let mut objects = healthy("web", 1);
    remove(&mut objects, "Service", "web");
    let r = report(objects.clone());
    assert_eq!(r.statefulset.service.exists, Some(false));
    assert!(r.ordinals[0].dns.is_none());
    objects.push(service("web", false));
    let r = report(objects.clone());
    assert_eq!(r.statefulset.service.headless, Some(false));
    assert!(r.statefulset.service.problem.as_deref().unwrap().contains("not headless"));
    assert!(r.ordinals[0].dns.is_none(), "no per-pod DNS records through a ClusterIP service");

    // Headless, but selecting no pod of the StatefulSet, or nothing at all: no endpoints, no records.
    remove(&mut objects, "Service", "web");
    objects.push(with(service("web", true), json!({ "spec": { "selector": { "app": "other" } } })));
    let r = report(objects.clone());
    let problem = r.statefulset.service.problem.clone().unwrap_or_default();
    assert!(problem.contains("selects app=other but none of the StatefulSet's pods"), "{problem}");
    assert!(r.ordinals[0].dns.is_none());
    remove(&mut objects, "Service", "web");
    objects.push(with(service("web", true), json!({ "spec": { "selector": null } })));
    let r = report(objects);
    assert!(r.statefulset.service.problem.as_deref().unwrap_or_default().contains("has no selector"));
    assert!(r.ordinals[0].dns.is_none());
}

#[test]
fn revisions_during_a_rollout() {
    let mut objects = healthy("web", 3);
    patch(&mut objects, "StatefulSet", "web", json!({ "status": { "updateRevision": "web-r2" } }));
    patch(&mut objects, "Pod", "web-2", json!({ "metadata": { "labels": { "controller-revision-hash": "web-r2" } } }));
    patch(&mut objects, "Pod", "web-0", json!({ "metadata": { "labels": { "controller-revision-hash": "web-r0" } } }));
    let r = report(objects);
    let kinds: Vec<&str> = r.ordinals.iter().map(|o| o.revision.as_deref().unwrap()).collect();
    assert_eq!(kinds, ["other", "current", "update"]);
}

#[test]
fn old_server_without_newer_fields_reads_as_defaults() {
    let r = report(healthy("web", 1));
    let sts = &snapshot(healthy("web", 1)).statefulsets[0];
    assert_eq!(sts.ordinals_start, 0);
    assert_eq!(sts.min_ready_seconds, None);
    assert_eq!(sts.retention, None);
    assert_eq!(sts.effective_retention().when_scaled, "Retain");
    assert_eq!(r.statefulset.replicas.available, None);
}

#[test]
fn stuck_terminating_pod_is_explained() {
    let mut objects = healthy("web", 2);
    patch(
        &mut objects,
        "Pod",
        "web-1",
        json!({ "metadata": {
        "deletionTimestamp": ago(300), "deletionGracePeriodSeconds": 30 } }),
    );
    let r = report(objects);
    assert_eq!(r.ordinals[1].state, PodState::Terminating);
    assert!(why(&r, "web-1").starts_with("terminating for 5m past its 30s grace period"), "{}", why(&r, "web-1"));
}

#[test]
fn terminating_age_counts_from_the_deletion_request_not_the_end_of_the_grace_period() {
    // Deleted 10s ago with a 600s grace period: deletionTimestamp is 590s in the future.
    let mut objects = healthy("web", 2);
    let deadline = (now() + jiff::SignedDuration::from_secs(590)).to_string();
    patch(
        &mut objects,
        "Pod",
        "web-1",
        json!({ "metadata": { "deletionTimestamp": deadline, "deletionGracePeriodSeconds": 600 } }),
    );
    let r = report(objects);
    assert_eq!(r.ordinals[1].terminating_since, Some(now() - jiff::SignedDuration::from_secs(10)));
    let table = crate::render::ordinals::table(&r, now(), crate::render::style::Style::plain());
    assert!(table.contains("web-1   Terminating 10s "), "{table}");
    assert_eq!(why(&r, "web-1"), "", "within its grace period: nothing wrong yet");
}

#[test]
fn unreadable_nodes_become_a_note_not_a_failure() {
    let mut snap = snapshot(healthy("web", 1));
    snap.nodes = Err("cannot list nodes: forbidden".into());
    let sts = snap.statefulsets[0].clone();
    let r = diagnose(&snap, &sts);
    assert_eq!(r.ordinals[0].node_health.as_ref().unwrap().state, "Unavailable");
    assert_eq!(r.notes, ["node health unknown: cannot list nodes: forbidden"]);
}

#[test]
fn waiting_for_a_higher_ordinal_to_go_is_the_normal_order_of_a_scale_down() {
    let issue = |r: &OrdinalsReport, pod: &str| r.ordinals.iter().find(|o| o.pod == pod).and_then(|o| o.issue);
    let mut objects = healthy("web", 5);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 3 } }));
    patch(
        &mut objects,
        "Pod",
        "web-4",
        json!({ "metadata": { "deletionTimestamp": ago(-20), "deletionGracePeriodSeconds": 30 } }),
    );
    let r = report(objects);
    assert_eq!(issue(&r, "web-4"), Some(Issue::ScaleDownPending));
    assert_eq!(issue(&r, "web-3"), Some(Issue::ScaleDownPending), "waits for web-4: no warning");
}

#[test]
fn each_explanation_carries_a_stable_issue_code() {
    let issue = |r: &OrdinalsReport, pod: &str| r.ordinals.iter().find(|o| o.pod == pod).and_then(|o| o.issue);
    let mut objects = healthy("web", 5);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 3 } }));
    patch(&mut objects, "Pod", "web-1", json!({ "status": { "phase": "Pending", "conditions": null } }));
    remove(&mut objects, "Pod", "web-2");
    let r = report(objects);
    assert_eq!(issue(&r, "web-0"), None);
    assert_eq!(issue(&r, "web-1"), Some(Issue::Pending));
    assert_eq!(issue(&r, "web-2"), Some(Issue::WaitingForLowerOrdinal));
    assert_eq!(issue(&r, "web-3"), Some(Issue::ScaleDownWaiting));
    assert_eq!(issue(&r, "web-4"), Some(Issue::ScaleDownWaiting));
    let doc = serde_json::to_value(&r).unwrap();
    assert_eq!(doc["ordinals"][2]["issue"], "waiting-for-lower-ordinal");
}

#[test]
fn ordered_ready_waits_for_min_ready_seconds_where_the_server_has_them() {
    // web-1 Ready for 10s of minReadySeconds 30 (1.25+: isRunningAndAvailable): web-2 waits for it.
    let mut objects = healthy("web", 3);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "minReadySeconds": 30 } }));
    patch(
        &mut objects,
        "Pod",
        "web-1",
        json!({ "status": { "conditions": [{ "type": "Ready", "status": "True", "lastTransitionTime": ago(10) }] } }),
    );
    remove(&mut objects, "Pod", "web-2");
    let r = report(objects.clone());
    assert_eq!(r.ordinals[2].issue, Some(Issue::WaitingForLowerOrdinal));
    assert_eq!(
        why(&r, "web-2"),
        "waiting for web-1 to be available (Ready for minReadySeconds 30): OrderedReady creates pods one at a \
         time, in ordinal order"
    );
    // Scale-down waits for it too.
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 2 } }));
    objects.push(pod("web", 2, "n1"));
    let r = report(objects.clone());
    assert_eq!(
        why(&r, "web-2"),
        "ordinal 2 is outside [0, 2): scale-down is waiting for every pod in range to be Running and Ready, and \
         web-1 is Ready but not available yet (minReadySeconds 30)"
    );
    // A 1.20 server has no minReadySeconds: Ready is enough.
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "minReadySeconds": null, "replicas": 3 } }));
    remove(&mut objects, "Pod", "web-2");
    let r = report(objects);
    assert_eq!(why(&r, "web-2"), "not created yet: the controller should create it on its next sync");
}

#[test]
fn a_failed_lower_ordinal_is_recreated_first() {
    let mut objects = healthy("web", 3);
    patch(&mut objects, "Pod", "web-0", json!({ "status": { "phase": "Failed", "reason": "Evicted" } }));
    remove(&mut objects, "Pod", "web-1");
    let r = report(objects);
    assert_eq!(
        why(&r, "web-1"),
        "waiting for web-0 to be deleted and created again (it is Failed, Evicted): OrderedReady creates pods one at \
         a time, in ordinal order"
    );
}
