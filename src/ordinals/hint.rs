//! The command suggested for a pod on a node that looks lost: `ordinals` and `doctor` print the
//! same one.
//!
//! Looking lost (`NodeHealth::suspect_lost`) is not what `force-delete` needs: it also wants a
//! strong signal that the node will not come back (the Node deleted, a shutdown or out-of-service
//! taint), or the operator's word that it is fenced (`--node-fenced`). Without a signal in the API
//! the suggestion carries `--node-fenced`, with the condition under which to pass it: a bare
//! `force-delete` would only be refused.

use crate::health::NodeHealth;
use crate::model::infra::{TAINT_OUT_OF_SERVICE, TAINT_SHUTDOWN};

/// `kubectl sts-doctor -n NS force-delete POD ...  # when`, for `pod` on the node `health` describes.
pub fn force_delete_hint(namespace: &str, pod: &str, health: &NodeHealth) -> String {
    // With the namespace: pasted under another default namespace, it must not name a different pod.
    let command = format!("kubectl sts-doctor -n {namespace} force-delete {pod}");
    let signal =
        health.state == "Deleted" || health.taints.iter().any(|t| t == TAINT_SHUTDOWN || t == TAINT_OUT_OF_SERVICE);
    if signal {
        // The API says the node is gone; force-delete still checks how long for.
        format!("{command}  # if the node is really gone")
    } else {
        format!(
            "{command} --node-fenced  # only if the node is really gone (powered off or cut from its storage): \
             the API does not confirm it"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(state: &str, taints: &[&str]) -> NodeHealth {
        NodeHealth {
            node: "n2".into(),
            state: state.into(),
            since: None,
            lease_renewed: None,
            lease_stale: true,
            taints: taints.iter().map(|t| t.to_string()).collect(),
            suspect_lost: true,
        }
    }

    #[test]
    fn without_a_strong_signal_the_hint_needs_the_operators_word() {
        let stale = health("Unknown", &[crate::model::infra::TAINT_UNREACHABLE]);
        let hint = force_delete_hint("shop", "web-1", &stale);
        assert!(
            hint.starts_with(
                "kubectl sts-doctor -n shop force-delete web-1 --node-fenced  # only if the node is really gone"
            ),
            "{hint}"
        );
        for signalled in
            [health("Deleted", &[]), health("Unknown", &[TAINT_SHUTDOWN]), health("Unknown", &[TAINT_OUT_OF_SERVICE])]
        {
            assert_eq!(
                force_delete_hint("shop", "web-1", &signalled),
                "kubectl sts-doctor -n shop force-delete web-1  # if the node is really gone"
            );
        }
    }
}
