//! Whether a namespace exists: asked only after an empty answer or a 404 in it, so that a typo in
//! `-n` is an error that names the namespace, not an empty report or a missing object.

use k8s_openapi::api::core::v1::Namespace;
use kube::Api;

use super::{ApiError, Cluster, Op};

impl Cluster {
    /// One GET of the namespace: its 404 when it does not exist. Found, forbidden (users with
    /// rights in their namespaces only may not read namespaces), or any other failure: None, and
    /// nothing more is said.
    pub async fn missing_namespace(&self, namespace: &str) -> Option<ApiError> {
        let api: Api<Namespace> = Api::all(self.client.clone());
        let op = Op::of::<Namespace>("get").name(namespace);
        match self.call(op, api.get_metadata(namespace)).await {
            Err(e) if e.is_not_found() => Some(e),
            _ => None,
        }
    }
}
