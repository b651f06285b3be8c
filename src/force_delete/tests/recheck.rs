//! After a confirmation at the prompt: the evidence judged again, the confirmed plan held to.

use serde_json::json;

use super::*;

fn confirmed_delete(before: &Evidence) -> Action {
    plan(before, &defaults(before, true), false).unwrap()
}

fn changed(stale: Stale) -> String {
    match stale {
        Stale::Changed(m) => m,
        Stale::Refused(m) => panic!("refused, not changed: {m}"),
    }
}

fn refused(stale: Stale) -> String {
    match stale {
        Stale::Refused(m) => m,
        Stale::Changed(m) => panic!("changed, not refused: {m}"),
    }
}

#[test]
fn recheck_after_confirmation_goes_ahead_with_the_confirmed_preconditions() {
    let before = lost(600);
    let confirmed = confirmed_delete(&before);
    // A minute later, the pod untouched: the same action, the same preconditions.
    let after = lost(660);
    let fresh = recheck(&before, &after, &Thresholds::default(), true, false, &confirmed).unwrap();
    assert_eq!(fresh, confirmed);
}

/// The plan names resourceVersion 200; a label edited during the prompt makes it 201. The person
/// confirmed deleting the pod as it was checked, so nothing is deleted, and the refusal says what
/// changed (the old behaviour adopted 201 silently and deleted).
#[test]
fn recheck_refuses_a_pod_changed_since_the_plan_and_says_what_changed() {
    let before = lost(600);
    let confirmed = confirmed_delete(&before);
    let mut after = lost(660);
    set_pod(
        &mut after,
        with(pod("web", 1, "n2"), json!({ "metadata": { "resourceVersion": "201", "labels": { "tier": "db" } } })),
    );
    let message = changed(recheck(&before, &after, &Thresholds::default(), true, false, &confirmed).unwrap_err());
    assert_eq!(
        message,
        "pod shop/web-1 changed since the plan (resourceVersion 200 -> 201: labels changed (tier)): nothing was \
         deleted; run the command again to judge it afresh"
    );

    // Its kubelet came back: Ready again, its container restarted. The gate refuses too, and says so.
    let mut after = lost(660);
    set_pod(
        &mut after,
        with(
            pod("web", 1, "n2"),
            json!({ "metadata": { "resourceVersion": "207" }, "status": {
                "conditions": [{ "type": "Ready", "status": "True", "lastTransitionTime": ago(0) }],
                "containerStatuses": [{ "name": "app", "ready": true, "restartCount": 1, "image": "app:1", "imageID": "",
                                        "state": { "running": { "startedAt": ago(0) } } }] } }),
        ),
    );
    let mut before = lost(600);
    set_pod(
        &mut before,
        with(pod("web", 1, "n2"), json!({ "status": { "conditions": [{ "type": "Ready", "status": "False" }] } })),
    );
    let confirmed = confirmed_delete(&before);
    let message = changed(recheck(&before, &after, &Thresholds::default(), true, false, &confirmed).unwrap_err());
    assert!(
        message.starts_with(
            "pod shop/web-1 changed since the plan (resourceVersion 200 -> 207: Ready false -> true, restarts 0 -> 1, \
             a container started or finished); node loss is no longer confirmed either: status-silent: Ready turned \
             True at"
        ),
        "{message}"
    );
    assert!(message.ends_with("nothing was deleted; run the command again to judge it afresh"), "{message}");
}

#[test]
fn recheck_says_when_what_changed_is_not_in_the_evidence() {
    let before = lost(600);
    let confirmed = confirmed_delete(&before);
    let mut after = lost(660);
    after.pod.resource_version = "201".into();
    let message = changed(recheck(&before, &after, &Thresholds::default(), true, false, &confirmed).unwrap_err());
    assert!(
        message.contains("(resourceVersion 200 -> 201: not in phase, readiness, node, labels, deletion"),
        "{message}"
    );
    after.pod.deleting = Some(now());
    after.pod_finalizers = vec!["example.com/backup".into()];
    let message = changed(recheck(&before, &after, &Thresholds::default(), true, false, &confirmed).unwrap_err());
    assert!(
        message.contains("-> 201: deletion requested (deletionTimestamp 2026-03-01T12:00:00Z), finalizers changed)"),
        "{message}"
    );
}

#[test]
fn recheck_refuses_when_the_node_came_back_meanwhile() {
    let before = lost(600);
    let confirmed = confirmed_delete(&before);
    let after = evidence(Some(node("n2")), Some(lease("n2", 2)));
    let refusal = refused(recheck(&before, &after, &Thresholds::default(), true, false, &confirmed).unwrap_err());
    assert!(
        refusal.starts_with("the evidence changed while waiting for confirmation: node loss is no longer confirmed"),
        "{refusal}"
    );
}

#[test]
fn recheck_refuses_a_replaced_pod_or_a_recreated_node() {
    let before = lost(600);
    let confirmed = confirmed_delete(&before);
    let mut replaced = lost(600);
    replaced.pod.uid = "uid-new".into();
    let message = changed(recheck(&before, &replaced, &Thresholds::default(), true, false, &confirmed).unwrap_err());
    assert_eq!(
        message,
        "pod shop/web-1 was replaced since the plan (uid uid-web-1 is now uid-new): nothing was deleted; run the \
         command again to judge the new pod"
    );
    let mut renewed_node = lost(600);
    if let Lookup::Found(n) = &mut renewed_node.node {
        n.uid = "uid-n2-again".into();
    }
    let refusal =
        refused(recheck(&before, &renewed_node, &Thresholds::default(), true, false, &confirmed).unwrap_err());
    assert!(refusal.contains("the Node object was deleted or re-created"), "{refusal}");
}

#[test]
fn recheck_of_a_fence_holds_the_node_to_the_plan() {
    let before = lost(600);
    let confirmed = plan(&before, &defaults(&before, true), true).unwrap();
    let Action::Fence { resource_version, .. } = &confirmed else { panic!("{confirmed:?}") };
    assert_eq!(resource_version, "500");
    // The pod changing does not matter to a taint on the node; the gate judges it again.
    let mut after = lost(660);
    after.pod.resource_version = "201".into();
    assert!(matches!(
        recheck(&before, &after, &Thresholds::default(), true, true, &confirmed),
        Ok(Action::Fence { ref resource_version, .. }) if resource_version == "500"
    ));
    if let Lookup::Found(n) = &mut after.node {
        n.resource_version = "501".into();
    }
    let message = changed(recheck(&before, &after, &Thresholds::default(), true, true, &confirmed).unwrap_err());
    assert_eq!(
        message,
        "node n2 changed since the plan (resourceVersion 500 -> 501): nothing was changed; run the command again to \
         judge it afresh"
    );
}
