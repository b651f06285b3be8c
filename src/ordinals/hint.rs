//! The command suggested for a pod on a node that looks lost: `ordinals` and `doctor` print the
//! same one.
//!
//! Looking lost (`NodeHealth::suspect_lost`) is not what `force-delete` needs: it also wants a
//! strong signal that the node will not come back (the Node deleted, a shutdown or out-of-service
//! taint), or the operator's word that it is fenced (`--node-fenced`). Without a signal in the API
//! the suggestion carries `--node-fenced`, with the condition under which to pass it: a bare
//! `force-delete` would only be refused.

use jiff::Timestamp;

use crate::duration::human;
use crate::force_delete::Thresholds;
use crate::health::NodeHealth;
use crate::model::infra::{TAINT_OUT_OF_SERVICE, TAINT_SHUTDOWN};

/// `kubectl sts-doctor -n NS force-delete POD ...  # when`, for `pod` on the node `health` describes.
///
/// The command is suggested only once force-delete's default thresholds would pass (Ready Unknown
/// for `--not-ready-for`, the Lease unrenewed for `--lease-stale-for`): before that it says when,
/// and which flags lower them, instead of a command that would be refused.
pub fn force_delete_hint(namespace: &str, pod: &str, health: &NodeHealth, now: Timestamp) -> String {
    // With the namespace: pasted under another default namespace, it must not name a different pod.
    let command = format!("kubectl sts-doctor -n {namespace} force-delete {pod}");
    let signal =
        health.state == "Deleted" || health.taints.iter().any(|t| t == TAINT_SHUTDOWN || t == TAINT_OUT_OF_SERVICE);
    let command = if signal {
        // The API says the node is gone; force-delete still checks how long for.
        format!("{command}  # if the node is really gone")
    } else {
        format!(
            "{command} --node-fenced  # only if the node is really gone (powered off or cut from its storage): \
             the API does not confirm it"
        )
    };
    match passes_at(health, &Thresholds::default()) {
        Some(at) if at > now => {
            let wait = human(at.duration_since(now));
            let at = at.strftime("%H:%M:%SZ");
            format!(
                "in {wait} (at {at}; force-delete refuses before: it needs the node Unknown and its Lease unrenewed \
                 for 5m each, which --not-ready-for and --lease-stale-for lower): {command}"
            )
        }
        _ => command,
    }
}

/// When force-delete's time checks pass for this node with thresholds `t`: Ready Unknown since
/// `since + not_ready_for` (a deleted Node counts as not Ready), the Lease renewed before
/// `renewed + lease_stale_for` (a Lease gone with a deleted Node passes). None when there is no
/// time to wait for (or none known).
fn passes_at(health: &NodeHealth, t: &Thresholds) -> Option<Timestamp> {
    let ready = match health.state.as_str() {
        "Unknown" => health.since.and_then(|s| s.checked_add(t.not_ready_for).ok()),
        _ => None,
    };
    let lease = health.lease_renewed.and_then(|r| r.checked_add(t.lease_stale_for).ok());
    ready.into_iter().chain(lease).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-01-01T12:00:00Z".parse().unwrap()
    }

    fn minus(secs: i64) -> Option<Timestamp> {
        Some(now() - jiff::SignedDuration::from_secs(secs))
    }

    fn health(state: &str, taints: &[&str]) -> NodeHealth {
        NodeHealth {
            node: "n2".into(),
            state: state.into(),
            since: minus(600),
            lease_renewed: minus(640),
            lease_stale: true,
            taints: taints.iter().map(|t| t.to_string()).collect(),
            suspect_lost: true,
        }
    }

    #[test]
    fn without_a_strong_signal_the_hint_needs_the_operators_word() {
        let stale = health("Unknown", &[crate::model::infra::TAINT_UNREACHABLE]);
        let hint = force_delete_hint("shop", "web-1", &stale, now());
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
                force_delete_hint("shop", "web-1", &signalled, now()),
                "kubectl sts-doctor -n shop force-delete web-1  # if the node is really gone"
            );
        }
    }

    /// At "Unknown 4m4s" force-delete refuses ("needs 5m"): the hint says when it will pass, and
    /// which flags lower the threshold, instead of a command that would be refused.
    #[test]
    fn before_the_thresholds_pass_the_hint_says_when() {
        let mut early = health("Unknown", &[crate::model::infra::TAINT_UNREACHABLE]);
        early.since = minus(244);
        early.lease_renewed = minus(284);
        let hint = force_delete_hint("shop", "web-1", &early, now());
        assert!(
            hint.starts_with(
                "in 56s (at 12:00:56Z; force-delete refuses before: it needs the node Unknown and its Lease \
                 unrenewed for 5m each, which --not-ready-for and --lease-stale-for lower): kubectl sts-doctor -n \
                 shop force-delete web-1 --node-fenced"
            ),
            "{hint}"
        );
        // The later of the two: the Lease stale for only 4m30s.
        early.since = minus(400);
        early.lease_renewed = minus(270);
        assert!(force_delete_hint("shop", "web-1", &early, now()).starts_with("in 30s (at 12:00:30Z;"));
        // Both past 5m: the command itself.
        early.lease_renewed = minus(300);
        assert!(force_delete_hint("shop", "web-1", &early, now()).starts_with("kubectl sts-doctor"));
        // A deleted Node whose Lease went with it: nothing to wait for.
        let mut gone = health("Deleted", &[]);
        (gone.since, gone.lease_renewed) = (None, None);
        assert!(force_delete_hint("shop", "web-1", &gone, now()).starts_with("kubectl sts-doctor"));
    }
}
