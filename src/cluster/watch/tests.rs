//! Watch interruptions reach the operator: once per interruption, never for a routine 410.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::cluster::server_time::ServerTime;
use crate::testing::mock_api::{self, failure, respond};
use crate::testing::{now, sts};

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
    let inputs = RolloutInputs {
        now: now(),
        server: ServerTime::default(),
        sts: model::StatefulSet::from(&serde_json::from_value(set).unwrap()),
        pods: vec![],
        revisions: Ok(vec![]),
    };
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
