//! Whether a namespace exists: asked only after an empty answer or a 404 in it, so that a typo in
//! `-n` is an error that names the namespace, not an empty report or a missing object.

use k8s_openapi::api::core::v1::Namespace;
use kube::Api;

use super::{ApiError, Cluster, Op};

/// What one GET of a namespace told.
pub enum NamespaceCheck {
    Exists,
    /// Its 404.
    Missing(ApiError),
    /// Not known: forbidden (users with rights in their namespaces only may not read
    /// namespaces), or any other failure, with the reason.
    Unknown(String),
}

impl Cluster {
    pub async fn check_namespace(&self, namespace: &str) -> NamespaceCheck {
        let api: Api<Namespace> = Api::all(self.client.clone());
        let op = Op::of::<Namespace>("get").name(namespace);
        match self.call(op, api.get_metadata(namespace)).await {
            Ok(_) => NamespaceCheck::Exists,
            Err(e) if e.is_not_found() => NamespaceCheck::Missing(e),
            Err(e) => NamespaceCheck::Unknown(e.to_string()),
        }
    }

    /// The namespace's 404 when it does not exist; otherwise (found, forbidden, any other
    /// failure) None, and nothing more is said.
    pub async fn missing_namespace(&self, namespace: &str) -> Option<ApiError> {
        match self.check_namespace(namespace).await {
            NamespaceCheck::Missing(e) => Some(e),
            _ => None,
        }
    }
}
