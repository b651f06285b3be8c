//! Error paths a real cluster does not produce on demand (mock API server via tower-test):
//! a server that never answers, 5xx answers, and a 403 on an optional part of a snapshot.

use std::time::Duration;

use http::{Request, Response, StatusCode};
use kube::client::Body;
use serde_json::{Value, json};
use tower_test::mock;

use super::snapshot::{Scope, Want};
use super::{ApiError, Cluster};

fn cluster(timeout: Duration) -> (Cluster, mock::Handle<Request<Body>, Response<Body>>) {
    let (service, handle) = mock::pair::<Request<Body>, Response<Body>>();
    let client = kube::Client::new(service, "shop");
    (Cluster { client, namespace: "shop".into(), server: "https://mock:6443".into(), timeout }, handle)
}

fn respond(status: StatusCode, body: Value) -> Response<Body> {
    Response::builder().status(status).body(Body::from(serde_json::to_vec(&body).unwrap())).unwrap()
}

fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({ "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code, "reason": reason, "message": message })
}

fn statefulset() -> Value {
    let mut sts = crate::testing::sts("web", 1);
    sts["metadata"]["namespace"] = json!("shop");
    sts
}

fn list(kind: &str, items: Vec<Value>) -> Value {
    json!({ "kind": format!("{kind}List"), "apiVersion": "v1", "metadata": { "resourceVersion": "1" }, "items": items })
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_with_the_server_named() {
    let (cluster, mut handle) = cluster(Duration::from_millis(200));
    // Accept the request but never respond.
    let server = tokio::spawn(async move {
        let pending = handle.next_request().await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(pending);
    });
    let err =
        cluster.snapshot(&Scope::StatefulSet { namespace: "shop".into(), name: "web".into() }, Want::default()).await;
    let err = err.unwrap_err();
    assert!(matches!(err, ApiError::Timeout { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot get statefulset \"web\" in namespace \"shop\": no answer from the API server at https://mock:6443 \
         within 200ms (raise --request-timeout?)"
    );
    server.abort();
}

#[tokio::test]
async fn a_server_error_is_one_line_with_its_reason() {
    let (cluster, mut handle) = cluster(Duration::from_secs(5));
    tokio::spawn(async move {
        let (_, send) = handle.next_request().await.unwrap();
        send.send_response(respond(
            StatusCode::SERVICE_UNAVAILABLE,
            status(503, "ServiceUnavailable", "etcdserver: leader changed"),
        ));
    });
    let err = cluster
        .snapshot(&Scope::StatefulSet { namespace: "shop".into(), name: "web".into() }, Want::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot get statefulset \"web\" in namespace \"shop\": ServiceUnavailable: etcdserver: leader changed"
    );
}

/// Nodes and Leases forbidden (a namespace-scoped user): the snapshot still succeeds and says why
/// those parts are missing.
#[tokio::test]
async fn forbidden_nodes_and_leases_degrade_to_unknown() {
    let (cluster, mut handle) = cluster(Duration::from_secs(5));
    tokio::spawn(async move {
        while let Some((request, send)) = handle.next_request().await {
            let path = request.uri().path().to_string();
            let response = if path.ends_with("/statefulsets/web") {
                respond(StatusCode::OK, statefulset())
            } else if path.ends_with("/pods") {
                respond(StatusCode::OK, list("Pod", vec![crate::testing::pod("web", 0, "n1")]))
            } else if path.contains("/nodes/") {
                respond(
                    StatusCode::FORBIDDEN,
                    status(403, "Forbidden", "nodes \"n1\" is forbidden: User \"dev\" cannot get resource \"nodes\""),
                )
            } else if path.contains("/leases/") {
                respond(StatusCode::FORBIDDEN, status(403, "Forbidden", "leases is forbidden"))
            } else {
                respond(StatusCode::NOT_FOUND, status(404, "NotFound", "not found"))
            };
            send.send_response(response);
        }
    });
    let want = Want { nodes: true, leases: true, ..Want::default() };
    let snap =
        cluster.snapshot(&Scope::StatefulSet { namespace: "shop".into(), name: "web".into() }, want).await.unwrap();
    assert_eq!(snap.pods.len(), 1);
    let reason = snap.nodes.as_ref().unwrap_err();
    assert!(
        reason.starts_with("cannot get node \"n1\": forbidden: the current user needs RBAC permission to get nodes"),
        "{reason}"
    );
    assert!(snap.leases.is_err());
    let report = crate::ordinals::diagnose(&snap, &snap.statefulsets[0]);
    assert_eq!(report.ordinals[0].node_health.as_ref().unwrap().state, "Unavailable");
    assert_eq!(report.notes.len(), 2, "{:?}", report.notes);
}
