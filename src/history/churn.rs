//! Revision churn: two templates that differ only by what the API server fills in or leaves out
//! on its own, such as `metadata.creationTimestamp: null`, which 1.34 stopped writing and so rolled
//! every StatefulSet after a control-plane upgrade (kubernetes#134773), or defaults a newer server
//! adds. Such a revision changes nothing a pod runs.

use serde_json::Value;

/// The issue about the spurious rollout on a control-plane upgrade.
pub const CHURN_ISSUE: &str = "kubernetes/kubernetes#134773";

/// Fields the API server defaults in a pod template, with their defaults as JSON (a field may
/// have more than one: imagePullPolicy depends on the image's tag).
const DEFAULTS: &[(&str, &str)] = &[
    ("terminationMessagePath", "\"/dev/termination-log\""),
    ("terminationMessagePolicy", "\"File\""),
    ("imagePullPolicy", "\"IfNotPresent\""),
    ("imagePullPolicy", "\"Always\""),
    ("protocol", "\"TCP\""),
    ("restartPolicy", "\"Always\""),
    ("dnsPolicy", "\"ClusterFirst\""),
    ("schedulerName", "\"default-scheduler\""),
    ("securityContext", "{}"),
    ("resources", "{}"),
    ("terminationGracePeriodSeconds", "30"),
    ("timeoutSeconds", "1"),
    ("periodSeconds", "10"),
    ("successThreshold", "1"),
    ("failureThreshold", "3"),
    ("scheme", "\"HTTP\""),
    ("defaultMode", "420"),
    ("enableServiceLinks", "true"),
    ("hostNetwork", "false"),
    ("mountPropagation", "\"None\""),
    ("recursiveReadOnly", "\"Disabled\""),
];

/// A field present on one side only that means the same as its absence: null, or the server's
/// default for that field.
fn is_default(key: &str, value: &Value) -> bool {
    value.is_null()
        || DEFAULTS.iter().any(|(k, v)| *k == key && serde_json::from_str::<Value>(v).is_ok_and(|d| &d == value))
}

/// Whether `a` and `b` differ, and only by fields one of them lacks that hold null or the
/// server's default: the same pods, a new revision.
pub fn defaults_only(a: &Value, b: &Value) -> bool {
    a != b && same_but_defaults(a, b)
}

fn same_but_defaults(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.iter().all(|(k, v)| match y.get(k) {
                Some(w) => same_but_defaults(v, w),
                None => is_default(k, v),
            }) && y.iter().all(|(k, w)| x.contains_key(k) || is_default(k, w))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_but_defaults(v, w))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::defaults_only;

    #[test]
    fn a_dropped_null_creation_timestamp_is_churn() {
        let old = json!({ "metadata": { "creationTimestamp": null, "labels": { "app": "web" } },
                          "spec": { "containers": [{ "name": "app", "image": "app:1" }] } });
        let new = json!({ "metadata": { "labels": { "app": "web" } },
                          "spec": { "containers": [{ "name": "app", "image": "app:1" }] } });
        assert!(defaults_only(&old, &new));
        assert!(defaults_only(&new, &old));
    }

    #[test]
    fn an_added_default_is_churn_but_a_changed_or_added_setting_is_not() {
        let old = json!({ "spec": { "containers": [{ "name": "app", "image": "app:1" }] } });
        let defaulted = json!({ "spec": { "containers": [{ "name": "app", "image": "app:1",
                                "terminationMessagePolicy": "File", "resources": {} }] } });
        assert!(defaults_only(&old, &defaulted));
        let image = json!({ "spec": { "containers": [{ "name": "app", "image": "app:2" }] } });
        assert!(!defaults_only(&old, &image));
        let env = json!({ "spec": { "containers": [{ "name": "app", "image": "app:1", "env": [] }] } });
        assert!(!defaults_only(&old, &env));
        let policy = json!({ "spec": { "containers": [{ "name": "app", "image": "app:1",
                             "terminationMessagePolicy": "FallbackToLogsOnError" }] } });
        assert!(!defaults_only(&old, &policy));
        // Equal templates are no churn: no new revision at all.
        assert!(!defaults_only(&old, &old));
        // A second container is a change, defaults or not.
        let two =
            json!({ "spec": { "containers": [{ "name": "app", "image": "app:1" }, { "name": "b", "image": "b" }] } });
        assert!(!defaults_only(&old, &two));
    }
}
