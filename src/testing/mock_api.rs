//! A mock API server for unit tests (tower-test): a `Cluster` whose requests the test answers,
//! and answers as a real API server writes them.

use std::time::Duration;

use http::{Request, Response, StatusCode};
use kube::client::Body;
use serde::Serialize;
use serde_json::{Value, json};
use tower_test::mock;

use crate::cluster::Cluster;

/// Where a test takes the cluster's requests and sends their answers.
pub type Handle = mock::Handle<Request<Body>, Response<Body>>;

/// A cluster in namespace "shop" on a mock API server (https://mock:6443, 5s request timeout), and
/// the handle that answers its requests.
pub fn cluster() -> (Cluster, Handle) {
    let (service, handle) = mock::pair::<Request<Body>, Response<Body>>();
    let client = kube::Client::new(service, "shop");
    let timeout = Duration::from_secs(5);
    (Cluster { client, namespace: "shop".into(), server: "https://mock:6443".into(), timeout }, handle)
}

/// An answer with `status` and `body` as JSON.
pub fn respond<S>(status: S, body: impl Serialize) -> Response<Body>
where
    S: TryInto<StatusCode>,
    S::Error: std::fmt::Debug,
{
    let status = status.try_into().expect("an HTTP status code");
    Response::builder().status(status).body(Body::from(serde_json::to_vec(&body).unwrap())).unwrap()
}

/// The Status object an API server sends with an error.
pub fn failure(code: u16, reason: &str, message: &str) -> Value {
    json!({ "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code, "reason": reason, "message": message })
}
