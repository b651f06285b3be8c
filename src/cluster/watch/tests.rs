//! Watch interruptions reach the operator: once per interruption, never for a routine 410.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::testing::mock_api::{self, failure, respond};
use crate::testing::{rollout_inputs, sts};

fn op() -> Box<Op> {
    Box::new(Op::of::<core::Pod>("watch").ns("shop".to_string()))
}

#[test]
fn an_interruption_is_said_once_until_the_watch_delivers_again() {
    let mut i = Interruptions::default();
    let unavailable =
        ApiError::Other { op: op(), code: 503, message: "ServiceUnavailable: etcdserver: leader changed".into() };
    i.on_error(PODS, &unavailable);
    i.on_error(PODS, &unavailable);
    assert_eq!(i.warnings.len(), 1, "{:?}", i.warnings);
    assert!(
        i.warnings[0].starts_with("watching its pods was interrupted (cannot watch pods in namespace"),
        "{:?}",
        i.warnings
    );
    assert!(i.warnings[0].ends_with("retrying: what is shown may lag behind until it reconnects"), "{:?}", i.warnings);
    assert_eq!(i.down, [false, true, false]);

    // Events again: a later interruption is said again.
    i.on_event(PODS);
    i.warnings.clear();
    i.on_error(PODS, &unavailable);
    assert_eq!(i.warnings.len(), 1);

    // 410 Gone: the server's history moved on and the watcher lists again, as designed.
    let mut i = Interruptions::default();
    i.on_error(STS, &ApiError::Other { op: op(), code: 410, message: "Expired: too old resource version".into() });
    assert!(i.warnings.is_empty() && i.down == [false; 3]);
}

fn list(kind: &str, items: Vec<Value>) -> Value {
    json!({ "kind": format!("{kind}List"), "apiVersion": "v1", "metadata": { "resourceVersion": "1" }, "items": items })
}

/// The three watches list, then their watch requests fail once (a 503 while the API server
/// restarts); the retries hang. Each interruption is a warning for the operator, and the status
/// is known to lag on all three.
#[tokio::test]
async fn a_failed_watch_after_the_listing_is_a_warning() {
    let set = sts("web", 1);
    let (cluster, mut handle) = mock_api::cluster();
    let server_set = set.clone();
    tokio::spawn(async move {
        let mut failed = BTreeSet::new();
        let mut held = Vec::new();
        while let Some((request, send)) = handle.next_request().await {
            let (path, query) = (request.uri().path().to_string(), request.uri().query().unwrap_or("").to_string());
            if !query.contains("watch=true") {
                let items = if path.ends_with("/statefulsets") { vec![server_set.clone()] } else { vec![] };
                send.send_response(respond(200, list("Thing", items)));
            } else if failed.insert(path) {
                let status = failure(503, "ServiceUnavailable", "etcdserver: leader changed");
                send.send_response(respond(503, status));
            } else {
                held.push(send);
            }
        }
    });
    let inputs = rollout_inputs(set, vec![]);
    let mut follower = Follower::start(&cluster, inputs, Duration::from_millis(10));
    let mut warnings = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while warnings.len() < 3 && tokio::time::Instant::now() < deadline {
        follower.next().await.unwrap();
        warnings.extend(follower.take_warnings());
    }
    warnings.sort();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    for (warning, what) in warnings.iter().zip(["its ControllerRevisions", "its pods", "the StatefulSet"]) {
        assert!(warning.starts_with(&format!("watching {what} was interrupted (")), "{warning}");
        assert!(warning.contains("ServiceUnavailable: etcdserver: leader changed"), "{warning}");
    }
    assert_eq!(follower.interrupted(), WHAT.to_vec());
}

/// A pod the controller should create does not appear: after `holders::FIRST` the follower lists
/// the namespace's pods (metadata only, once) and finds the pod of another owner holding its name,
/// which the pod watch (by selector) cannot see; a pod of that name the watch then reports wins.
#[tokio::test(start_paused = true)]
async fn a_missing_pod_is_looked_for_among_the_namespaces_pods_after_a_while() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let set = sts("web", 1);
    let (cluster, mut handle) = mock_api::cluster();
    let server_set = set.clone();
    let metadata_lists = Arc::new(AtomicUsize::new(0));
    let counted = metadata_lists.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Some((request, send)) = handle.next_request().await {
            let (path, query) = (request.uri().path().to_string(), request.uri().query().unwrap_or("").to_string());
            let metadata = request
                .headers()
                .get("accept")
                .is_some_and(|a| a.to_str().unwrap().contains("as=PartialObjectMetadataList"));
            if query.contains("watch=true") {
                held.push(send);
            } else if metadata {
                counted.fetch_add(1, Ordering::SeqCst);
                let holder = json!({ "apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata",
                    "metadata": { "name": "web-0", "namespace": "shop", "uid": "uid-debug", "resourceVersion": "7",
                                  "labels": { "app": "debug" } } });
                let other = json!({ "apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata",
                    "metadata": { "name": "backup", "namespace": "shop", "uid": "uid-backup", "resourceVersion": "8" } });
                send.send_response(respond(
                    200,
                    json!({ "kind": "PartialObjectMetadataList",
                    "apiVersion": "meta.k8s.io/v1", "metadata": { "resourceVersion": "9" }, "items": [holder, other] }),
                ));
            } else {
                let items = if path.ends_with("/statefulsets") { vec![server_set.clone()] } else { vec![] };
                send.send_response(respond(200, list("Thing", items)));
            }
        }
    });
    let inputs = rollout_inputs(set, vec![]);
    let started = tokio::time::Instant::now();
    let mut follower = Follower::start(&cluster, inputs, Duration::from_secs(1));
    follower.awaiting_creates(BTreeSet::from(["web-0".to_string()]));
    let mut found = None;
    while found.is_none() && started.elapsed() < Duration::from_secs(30) {
        let inputs = follower.next().await.unwrap();
        found = inputs.pods.iter().find(|p| p.name == "web-0").map(|p| (p.uid.clone(), started.elapsed()));
    }
    let (uid, after) = found.expect("the holder of web-0 is found");
    assert_eq!(uid, "uid-debug");
    assert!(after >= holders::FIRST && after < holders::FIRST * 2, "{after:?}");
    assert_eq!(metadata_lists.load(Ordering::SeqCst), 1);

    // The controller's own web-0 shows up through the watch: it replaces what was listed.
    let mut own: core::Pod = serde_json::from_value(crate::testing::pod("web", 0, "n1")).unwrap();
    own.metadata.uid = Some("uid-own".into());
    assert!(follower.on_pod(Event::Apply(own)));
    let pods = follower.inputs().pods;
    assert_eq!(pods.iter().map(|p| p.uid.as_str()).collect::<Vec<_>>(), ["uid-own"]);
    // Once it is gone, the holder listed before it is not brought back.
    let own: core::Pod = serde_json::from_value(crate::testing::pod("web", 0, "n1")).unwrap();
    assert!(follower.on_pod(Event::Delete(own)));
    assert!(follower.inputs().pods.is_empty());
}
