//! The only code that talks to the Kubernetes API.
//!
//! `Cluster` wraps a `kube::Client` with: the resolved namespace, the server address (for error
//! messages), a per-request timeout, one-line error classification and paged LISTs. Fetchers in
//! `snapshot` build plain-data snapshots; mutations live in `crate::apply` and go through
//! [`Cluster::call`] too.

mod api_error;
mod connect;
pub mod evidence;
pub mod history;
mod namespaces;
mod node_lookup;
mod placement;
pub mod pods;
pub mod revisions;
pub mod server_time;
pub mod snapshot;
pub mod watch;

#[cfg(test)]
mod mock_tests;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kube::api::{Api, ListParams, ObjectList};
use serde::de::DeserializeOwned;

pub use api_error::{ApiError, Op};
pub use connect::{Loaded, connect, load_kubeconfig};
pub use namespaces::NamespaceCheck;

use crate::model::Part;

/// Requests sent by this process (reported with STS_DOCTOR_STATS=1; used by the benchmark).
static REQUESTS: AtomicUsize = AtomicUsize::new(0);

pub fn requests_sent() -> usize {
    REQUESTS.load(Ordering::Relaxed)
}

/// Page size for LISTs: bounded memory on namespaces with thousands of pods, like kubectl's --chunk-size.
const PAGE_SIZE: u32 = 500;

#[derive(Clone)]
pub struct Cluster {
    pub client: kube::Client,
    /// The namespace from -n, else the context's, else "default".
    pub namespace: String,
    /// API server URL, for error messages.
    pub server: String,
    pub timeout: Duration,
}

impl Cluster {
    /// Runs one API request with the timeout and turns failures into [`ApiError`].
    pub async fn call<T>(&self, op: Op, request: impl Future<Output = kube::Result<T>>) -> Result<T, ApiError> {
        let timeout = |op: Op| ApiError::Timeout { op: Box::new(op), server: self.server.clone(), after: self.timeout };
        match tokio::time::timeout(self.timeout, request).await {
            // The connect timeout (set to the same duration) fired: a TCP or TLS handshake hung.
            Ok(Err(e)) if timed_out(&e) => Err(timeout(op)),
            Ok(result) => result.map_err(|e| ApiError::classify(op, &self.server, e)),
            Err(_) => Err(timeout(op)),
        }
    }

    /// GET that maps 404 to `None`.
    pub async fn get_opt<K>(&self, api: &Api<K>, name: &str, op: Op) -> Result<Option<K>, ApiError>
    where
        K: Clone + DeserializeOwned + std::fmt::Debug,
    {
        match self.call(op, api.get(name)).await {
            Ok(obj) => Ok(Some(obj)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// LISTs every object in pages of [`PAGE_SIZE`], handing each to `keep` as it is decoded so
    /// the caller can reduce it to plain data. A page is read as text and split into raw items;
    /// items are decoded one at a time, so peak memory is one page of text plus one object
    /// (not a page of full objects, managedFields and all).
    pub async fn list_each<K, F>(&self, api: &Api<K>, params: ListParams, op: Op, mut keep: F) -> Result<(), ApiError>
    where
        K: kube::Resource + DeserializeOwned,
        F: FnMut(K),
    {
        let mut params = params.limit(PAGE_SIZE);
        let decode_error = |e: serde_json::Error| ApiError::Other {
            op: Box::new(op.clone()),
            code: 0,
            message: format!("cannot decode the response: {e}"),
        };
        loop {
            let request = kube::core::Request::new(api.resource_url())
                .list(&params)
                .map_err(|e| ApiError::classify(op.clone(), &self.server, kube::Error::BuildRequest(e)))?;
            let text = self.call(op.clone(), self.client.request_text(request)).await?;
            let page: RawPage<'_> = serde_json::from_str(&text).map_err(decode_error)?;
            for item in page.items {
                keep(serde_json::from_str(item.get()).map_err(decode_error)?);
            }
            match page.metadata.continue_.filter(|token| !token.is_empty()) {
                Some(token) => params = params.continue_token(&token),
                None => return Ok(()),
            }
        }
    }

    /// Like [`Cluster::list_each`] for any paged list call (e.g. `list_metadata`).
    pub async fn pages<T, F, Fut>(
        &self,
        params: ListParams,
        op: Op,
        fetch: impl Fn(ListParams) -> Fut,
        mut keep: F,
    ) -> Result<(), ApiError>
    where
        T: Clone,
        F: FnMut(T),
        Fut: Future<Output = kube::Result<ObjectList<T>>>,
    {
        let mut params = params.limit(PAGE_SIZE);
        loop {
            let page = self.call(op.clone(), fetch(params.clone())).await?;
            let next = page.metadata.continue_.clone().filter(|token| !token.is_empty());
            page.items.into_iter().for_each(&mut keep);
            match next {
                Some(token) => params = params.continue_token(&token),
                None => return Ok(()),
            }
        }
    }
}

/// Whether a client error comes from a timer running out (the connect timeout, which
/// hyper-timeout reports as an io::Error of kind TimedOut) rather than from the network or the
/// server.
fn timed_out(err: &kube::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        let io_timeout = e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut);
        if io_timeout || e.is::<tokio::time::error::Elapsed>() {
            return true;
        }
        cause = e.source();
    }
    false
}

/// A LIST response with its items left undecoded.
#[derive(serde::Deserialize)]
struct RawPage<'a> {
    #[serde(default)]
    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta,
    #[serde(borrow, default)]
    items: Vec<&'a serde_json::value::RawValue>,
}

/// Counts every request that leaves the client (a tower layer added in `connect`).
fn count_request<B>(req: http::Request<B>) -> http::Request<B> {
    REQUESTS.fetch_add(1, Ordering::Relaxed);
    req
}

/// A part the user may be forbidden to read: keep going without it, saying why.
pub(crate) fn optional<T>(result: Result<T, ApiError>) -> Result<Part<T>, ApiError> {
    match result {
        Ok(v) => Ok(Ok(v)),
        Err(e @ ApiError::Forbidden { .. }) => Ok(Err(e.to_string())),
        Err(e) => Err(e),
    }
}
