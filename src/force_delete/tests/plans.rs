//! Plans and their words, --fence follow-ups, --wait, and the evidence document.

use serde_json::{Value, json};

use super::super::wait::{WaitState, volume_trouble};
use super::*;
use crate::model::Event;

#[test]
fn plans_delete_with_the_uid_and_fence_keeping_taints() {
    let ev = lost(600);
    let d = defaults(&ev, true);
    let delete = plan(&ev, &d, false).unwrap();
    assert_eq!(
        delete,
        Action::Delete {
            namespace: "shop".into(),
            pod: "web-1".into(),
            uid: "uid-web-1".into(),
            resource_version: "200".into()
        }
    );
    assert!(
        steps(&delete, &ev)[0].contains("gracePeriodSeconds=0 and preconditions uid=uid-web-1, resourceVersion=200")
    );
    let Action::Fence { node, resource_version, keep, add } = plan(&ev, &d, true).unwrap() else { panic!() };
    assert_eq!((node.as_str(), resource_version.as_str(), keep.len()), ("n2", "500", 2));
    assert_eq!(
        (add.value.as_deref(), add.effect.as_str(), add.added),
        (Some("nodeshutdown"), "NoExecute", Some(now()))
    );

    let mut fenced = ev.clone();
    with_taint(&mut fenced, model::infra::TAINT_OUT_OF_SERVICE);
    let d = defaults(&fenced, false);
    assert_eq!(plan(&fenced, &d, true).unwrap(), Action::AlreadyFenced { node: "n2".into() });

    let gone = evidence(None, None);
    let err = plan(&gone, &defaults(&gone, false), true).unwrap_err();
    assert!(err.contains("node n2 is deleted; pod GC already force-deletes"), "{err}");

    let refused = plan(&ev, &defaults(&ev, false), false).unwrap_err();
    assert!(refused.starts_with(
        "refused to force-delete shop/web-1: node loss is not confirmed. Missing evidence: strong-signal: none"
    ));
}

#[test]
fn fence_warns_on_servers_that_ignore_the_taint() {
    let mut ev = lost(600);
    let warnings = |ev: &Evidence| fence_followups(ev, "n2").1;
    assert!(warnings(&ev)[0].starts_with("the API server is v1.20.2: Kubernetes before 1.24 treats the out-of-service taint like any NoExecute taint: the taint manager evicts"));
    ev.server_version = ServerVersion::parse("v1.25.3", "1", "25");
    assert!(warnings(&ev)[0].contains("NodeOutOfServiceVolumeDetach=true"));
    ev.server_version = ServerVersion::parse("v1.28.1-gke.100", "1", "28+");
    assert!(warnings(&ev).is_empty());
    assert!(fence_followups(&ev, "n2").0[3].ends_with("kubectl taint node n2 node.kubernetes.io/out-of-service-"));
}

#[test]
fn wait_follows_the_ordinal_to_a_new_ready_pod() {
    let old = to_pod(pod("web", 1, "n2"));
    assert_eq!(WaitState::of("uid-web-1", Some(&old)), WaitState::OldPodPresent { terminating: false });
    assert_eq!(WaitState::of("uid-web-1", None), WaitState::Gone);
    let new = to_pod(with(
        pod("web", 1, "n1"),
        json!({ "metadata": { "uid": "new" }, "status": { "phase": "Pending", "conditions": null, "containerStatuses": null } }),
    ));
    let state = WaitState::of("uid-web-1", Some(&new));
    assert_eq!(state.new_uid(), Some("new"));
    assert_eq!(state.describe("web-1"), "web-1: recreated, Pending on n1, not Ready yet");
    let ready = to_pod(with(pod("web", 1, "n1"), json!({ "metadata": { "uid": "new" } })));
    let state = WaitState::of("uid-web-1", Some(&ready));
    assert!(state.is_ready());
    assert_eq!(state.describe("web-1"), "web-1: recreated and Running, Ready on n1");
}

#[test]
fn multi_attach_events_are_reported_once() {
    let event = |reason: &str, message: &str| Event {
        namespace: "shop".into(),
        object: "web-1".into(),
        reason: reason.into(),
        message: message.into(),
        last_seen: None,
        count: 1,
    };
    let events = vec![
        event("Scheduled", "Successfully assigned"),
        event("FailedAttachVolume", "Multi-Attach error for volume \"pv-1\" Volume is already exclusively attached"),
        event("FailedAttachVolume", "Multi-Attach error for volume \"pv-1\" Volume is already exclusively attached"),
        event("FailedMount", "Unable to attach or mount volumes: timed out"),
    ];
    let trouble = volume_trouble(&events);
    assert_eq!(trouble.len(), 2, "{trouble:?}");
    assert!(trouble[0].starts_with("FailedAttachVolume: Multi-Attach error") && trouble[0].contains("6 minutes"));
}

#[test]
fn evidence_parts_serialize_as_status_documents_not_rust_results() {
    let mut ev = lost(600);
    ev.attachments = Err("forbidden: list volumeattachments".into());
    ev.pods_on_node = Some(Ok(vec!["shop/web-1".into()]));
    let v = serde_json::to_value(&ev).unwrap();
    assert_eq!(
        v["volumes"],
        json!({ "status": "found", "value": [{ "claim": "data-web-1", "volume": "pv-data-web-1" }] })
    );
    assert_eq!(v["attachments"], json!({ "status": "unavailable", "reason": "forbidden: list volumeattachments" }));
    assert_eq!(v["podsOnNode"], json!({ "status": "found", "value": ["shop/web-1"] }));
    assert_eq!(v["node"]["status"], "found");
    ev.pods_on_node = None;
    assert_eq!(serde_json::to_value(&ev).unwrap()["podsOnNode"], Value::Null);
}

/// A template or a local volume that pins the pod to the lost node: the replacement cannot start
/// anywhere else, and the plan says so instead of promising a new pod on another node.
#[test]
fn the_plan_says_when_the_replacement_is_pinned_to_the_lost_node() {
    let mut ev = lost(600);
    let d = defaults(&ev, true);
    let delete = plan(&ev, &d, false).unwrap();
    assert_eq!(
        steps(&delete, &ev)[1],
        "the StatefulSet controller then creates a new web-1 on another node, with the same claims"
    );
    ev.placement = Ok(crate::force_delete::Placement {
        volumes: vec![("pv-data-web-1".into(), vec!["n2".into()])],
        ..Default::default()
    });
    assert_eq!(
        steps(&delete, &ev)[1],
        "the StatefulSet controller then creates a new web-1 with the same claims, but it cannot start on another \
         node: PV pv-data-web-1 has node affinity to n2 only (its data is on that node's disk); it stays Pending \
         until n2 is back (or the pin is removed)"
    );
    ev.placement = Err("statefulsets.apps \"web\" is forbidden".into());
    assert!(steps(&delete, &ev)[1].ends_with("(that could not be read: statefulsets.apps \"web\" is forbidden)"));
}
