//! Turning `kube::Error` into one actionable line that says which request failed and what to do.

use std::fmt;

/// What a request was trying to do: used in every error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// RBAC verb: get, list, watch, create, patch, delete.
    pub verb: &'static str,
    /// Resource, plural as in RBAC rules: "pods", "statefulsets", "leases".
    pub resource: String,
    /// API group as in RBAC rules ("" for core).
    pub group: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

impl Op {
    pub fn new(verb: &'static str, group: &str, resource: &str) -> Self {
        Op { verb, resource: resource.into(), group: group.into(), namespace: None, name: None }
    }
    /// The operation `verb` on the resource type `K`.
    pub fn of<K: kube::Resource<DynamicType = ()>>(verb: &'static str) -> Self {
        Op::new(verb, &K::group(&()), &K::plural(&()))
    }
    pub fn ns(mut self, namespace: impl Into<Option<String>>) -> Self {
        self.namespace = namespace.into();
        self
    }
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    fn scope(&self) -> String {
        match &self.namespace {
            Some(ns) => format!(" in namespace {ns:?}"),
            None => String::new(),
        }
    }
    /// "statefulset \"web\"" or "pods".
    fn object(&self) -> String {
        match &self.name {
            Some(name) => format!("{} {name:?}", singular(&self.resource)),
            None => self.resource.clone(),
        }
    }
}

/// "storageclasses" -> "storageclass", "policies" -> "policy", "pods" -> "pod".
fn singular(resource: &str) -> String {
    if let Some(stem) = resource.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = resource.strip_suffix("sses") {
        format!("{stem}ss")
    } else {
        resource.strip_suffix('s').unwrap_or(resource).to_string()
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}{}", self.verb, self.object(), self.scope())
    }
}

/// A failed API request, classified so callers can match (404 vs 409 vs the rest).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{} not found{}", .op.object(), .op.scope())]
    NotFound { op: Box<Op> },
    #[error("cannot {op}: forbidden: the current user needs RBAC permission to {} {}{} ({message})",
        .op.verb, .op.resource, group_suffix(&.op.group))]
    Forbidden { op: Box<Op>, message: String },
    #[error(
        "cannot {op}: the API server at {server} rejected the credentials (401); log in again or check the kubeconfig user"
    )]
    Unauthorized { op: Box<Op>, server: String },
    #[error("cannot {op}: conflict: {message}")]
    Conflict { op: Box<Op>, message: String },
    #[error("cannot {op}: no answer from the API server at {server} within {} (raise --request-timeout?)",
        crate::duration::human_std(*.after))]
    Timeout { op: Box<Op>, server: String, after: std::time::Duration },
    #[error(
        "cannot reach the API server at {server} ({cause}); check --context/--kubeconfig and that the cluster is up"
    )]
    Unreachable { server: String, cause: String },
    #[error("cannot {op}: {message}")]
    Other { op: Box<Op>, code: u16, message: String },
}

fn group_suffix(group: &str) -> String {
    if group.is_empty() { String::new() } else { format!(".{group}") }
}

impl ApiError {
    pub fn classify(op: Op, server: &str, err: kube::Error) -> ApiError {
        let op = Box::new(op);
        match err {
            kube::Error::Api(status) => {
                let message = status.message.clone();
                match status.code {
                    404 => ApiError::NotFound { op },
                    403 => ApiError::Forbidden { op, message },
                    401 => ApiError::Unauthorized { op, server: server.to_string() },
                    409 => ApiError::Conflict { op, message },
                    code => ApiError::Other { op, code, message: with_reason(&status.reason, message) },
                }
            }
            kube::Error::HyperError(e) => ApiError::Unreachable { server: server.into(), cause: root_cause(&e) },
            kube::Error::Service(e) => ApiError::Unreachable { server: server.into(), cause: root_cause(e.as_ref()) },
            other => ApiError::Other { op, code: 0, message: root_cause(&other) },
        }
    }

    /// The request that found nothing, for a 404.
    pub fn not_found_op(&self) -> Option<&Op> {
        match self {
            ApiError::NotFound { op } => Some(op),
            _ => None,
        }
    }
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::NotFound { .. })
    }
    pub fn is_conflict(&self) -> bool {
        matches!(self, ApiError::Conflict { .. })
    }

    /// The API server turned the request down (4xx): a mutation that failed so changed nothing.
    /// After a timeout, a dropped connection, a server error (a 504 or an etcd timeout may still
    /// commit) or an answer that could not be read, it may have been carried out.
    pub fn rejected(&self) -> bool {
        match self {
            ApiError::NotFound { .. }
            | ApiError::Forbidden { .. }
            | ApiError::Unauthorized { .. }
            | ApiError::Conflict { .. } => true,
            ApiError::Other { code, .. } => (400..500).contains(code),
            ApiError::Timeout { .. } | ApiError::Unreachable { .. } => false,
        }
    }

    /// What became of a mutation that failed with this error, for messages: "nothing was
    /// {verb}" only when the server turned it down.
    pub fn outcome(&self, verb: &str) -> String {
        if self.rejected() {
            format!("nothing was {verb}")
        } else {
            "outcome unknown: the request may have been carried out; run the command again to check".into()
        }
    }
}

fn with_reason(reason: &str, message: String) -> String {
    if reason.is_empty() || message.contains(reason) { message } else { format!("{reason}: {message}") }
}

/// The innermost message of an error chain ("Connection refused (os error 111)").
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: u16, reason: &str, message: &str) -> kube::Error {
        let mut status = kube::core::Status::failure(message, reason);
        status.code = code;
        kube::Error::Api(Box::new(status))
    }

    #[test]
    fn not_found_names_the_object() {
        let op = Op::new("get", "apps", "statefulsets").ns("shop".to_string()).name("web");
        let e = ApiError::classify(op, "https://k", api(404, "NotFound", "statefulsets.apps \"web\" not found"));
        assert!(e.is_not_found());
        assert_eq!(e.to_string(), "statefulset \"web\" not found in namespace \"shop\"");
    }

    #[test]
    fn forbidden_says_which_permission_is_missing() {
        let op = Op::new("list", "", "pods").ns("shop".to_string());
        let e =
            ApiError::classify(op, "https://k", api(403, "Forbidden", "pods is forbidden: User \"bob\" cannot list"));
        assert_eq!(
            e.to_string(),
            "cannot list pods in namespace \"shop\": forbidden: the current user needs RBAC permission to \
             list pods (pods is forbidden: User \"bob\" cannot list)"
        );
        let op = Op::new("list", "coordination.k8s.io", "leases");
        let e = ApiError::classify(op, "https://k", api(403, "Forbidden", "no"));
        assert!(e.to_string().contains("to list leases.coordination.k8s.io"), "{e}");
    }

    #[test]
    fn singular_names() {
        let op = Op::new("delete", "", "persistentvolumeclaims").name("data-web-0");
        assert_eq!(op.to_string(), "delete persistentvolumeclaim \"data-web-0\"");
        let op = Op::new("get", "storage.k8s.io", "storageclasses").name("fast");
        assert_eq!(op.to_string(), "get storageclass \"fast\"");
    }

    #[test]
    fn conflict_is_matchable() {
        let op = Op::new("delete", "", "pods").name("web-0");
        let e = ApiError::classify(op, "https://k", api(409, "Conflict", "Precondition failed: UID in precondition"));
        assert!(e.is_conflict());
    }
}
