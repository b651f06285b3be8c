//! Error paths a real cluster does not produce on demand (mock API server via tower-test):
//! a server that never answers, 5xx answers, and a 403 on an optional part of a snapshot.

use std::time::Duration;

use http::{Response, StatusCode};
use kube::client::Body;
use serde_json::{Value, json};

use super::snapshot::{Scope, Want};
use super::{ApiError, Cluster};
use crate::testing::mock_api::{self, Handle, failure, respond};

fn cluster(timeout: Duration) -> (Cluster, Handle) {
    let (mut cluster, handle) = mock_api::cluster();
    cluster.timeout = timeout;
    (cluster, handle)
}

/// As a real API server answers: with a Date header (its clock).
fn dated(mut response: Response<Body>) -> Response<Body> {
    let date = jiff::fmt::rfc2822::DateTimePrinter::new().timestamp_to_rfc9110_string(&jiff::Timestamp::now()).unwrap();
    response.headers_mut().insert(http::header::DATE, date.parse().unwrap());
    response
}

fn version() -> Value {
    json!({ "major": "1", "minor": "20", "gitVersion": "v1.20.2" })
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
        while let Some((request, send)) = handle.next_request().await {
            send.send_response(if request.uri().path() == "/version" {
                respond(StatusCode::OK, version())
            } else {
                respond(
                    StatusCode::SERVICE_UNAVAILABLE,
                    failure(503, "ServiceUnavailable", "etcdserver: leader changed"),
                )
            });
        }
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
                    failure(403, "Forbidden", "nodes \"n1\" is forbidden: User \"dev\" cannot get resource \"nodes\""),
                )
            } else if path.contains("/leases/") {
                respond(StatusCode::FORBIDDEN, failure(403, "Forbidden", "leases is forbidden"))
            } else {
                respond(StatusCode::NOT_FOUND, failure(404, "NotFound", "not found"))
            };
            send.send_response(dated(response));
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

/// Ages are judged on the API server's clock (Date header), and a skewed local clock is noted.
#[tokio::test]
async fn the_snapshot_runs_on_the_api_servers_clock() {
    let (cluster, mut handle) = cluster(Duration::from_secs(5));
    let server_now = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    tokio::spawn(async move {
        while let Some((request, send)) = handle.next_request().await {
            let path = request.uri().path().to_string();
            let mut response = if path == "/version" {
                respond(StatusCode::OK, version())
            } else if path.ends_with("/statefulsets/web") {
                respond(StatusCode::OK, statefulset())
            } else {
                respond(StatusCode::OK, list("Pod", vec![]))
            };
            let date = jiff::fmt::rfc2822::DateTimePrinter::new().timestamp_to_rfc9110_string(&server_now).unwrap();
            response.headers_mut().insert(http::header::DATE, date.parse().unwrap());
            send.send_response(response);
        }
    });
    let snap = cluster
        .snapshot(&Scope::StatefulSet { namespace: "shop".into(), name: "web".into() }, Want::default())
        .await
        .unwrap();
    assert!(snap.now.duration_since(server_now).abs() < jiff::SignedDuration::from_secs(5), "{}", snap.now);
    assert_eq!(snap.server_version.as_ref().map(|v| v.minor), Some(20));
    assert_eq!(
        snap.unavailable_notes(),
        ["the local clock is 60m ahead of the API server's: ages are judged on the API server's clock"]
    );
}

/// A server (or a proxy in front of it) that sends no Date header: ages fall back to the local
/// clock, and the report says so instead of a log line nobody sees.
#[tokio::test]
async fn without_a_date_header_the_local_clock_is_noted() {
    let (cluster, mut handle) = cluster(Duration::from_secs(5));
    tokio::spawn(async move {
        while let Some((request, send)) = handle.next_request().await {
            let path = request.uri().path().to_string();
            send.send_response(if path == "/version" {
                respond(StatusCode::OK, version())
            } else if path.ends_with("/statefulsets/web") {
                respond(StatusCode::OK, statefulset())
            } else {
                respond(StatusCode::OK, list("Pod", vec![]))
            });
        }
    });
    let snap = cluster
        .snapshot(&Scope::StatefulSet { namespace: "shop".into(), name: "web".into() }, Want::default())
        .await
        .unwrap();
    assert_eq!(
        snap.unavailable_notes(),
        ["the API server sent no Date header: ages are judged on the local clock, which could not be checked"]
    );
    let report = crate::ordinals::diagnose(&snap, &snap.statefulsets[0]);
    assert!(report.notes.iter().any(|n| n.contains("no Date header")), "{:?}", report.notes);
}

#[tokio::test]
async fn a_hung_connection_is_a_timeout_not_unreachable() {
    /// What hyper's connector returns when hyper-timeout's connect timeout fires.
    #[derive(Debug, thiserror::Error)]
    #[error("client error (Connect)")]
    struct Connect(#[source] std::io::Error);

    let io = |e| std::io::Error::new(std::io::ErrorKind::TimedOut, e);
    let (cluster, _handle) = cluster(Duration::from_secs(2));
    let elapsed = tokio::time::timeout(Duration::ZERO, std::future::pending::<()>()).await.unwrap_err();
    let op = super::Op::new("get", "apps", "statefulsets").ns("shop".to_string()).name("web");
    let err = cluster.call(op, async { Err::<(), _>(kube::Error::Service(Box::new(Connect(io(elapsed))))) }).await;
    assert_eq!(
        err.unwrap_err().to_string(),
        "cannot get statefulset \"web\" in namespace \"shop\": no answer from the API server at https://mock:6443 \
         within 2s (raise --request-timeout?)"
    );
}

/// After an empty answer or a 404: the namespace is said to be missing only on its own 404, never
/// when it may not be read.
#[tokio::test]
async fn a_namespace_is_missing_only_when_its_get_is_a_404() {
    let (cluster, mut handle) = cluster(Duration::from_secs(5));
    tokio::spawn(async move {
        while let Some((request, send)) = handle.next_request().await {
            let response = match request.uri().path() {
                "/api/v1/namespaces/shop" => respond(
                    StatusCode::OK,
                    json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": "shop" } }),
                ),
                "/api/v1/namespaces/hidden" => {
                    respond(StatusCode::FORBIDDEN, failure(403, "Forbidden", "namespaces \"hidden\" is forbidden"))
                }
                _ => respond(StatusCode::NOT_FOUND, failure(404, "NotFound", "namespaces \"nosuchns\" not found")),
            };
            send.send_response(response);
        }
    });
    assert!(cluster.missing_namespace("shop").await.is_none());
    assert!(cluster.missing_namespace("hidden").await.is_none(), "forbidden: nothing more is said");
    let missing = cluster.missing_namespace("nosuchns").await.expect("a 404");
    assert_eq!(missing.to_string(), "namespace \"nosuchns\" not found");
}
