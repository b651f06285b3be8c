//! After a confirmation at the prompt: the evidence judged again, the confirmed plan held to.

use super::*;

#[test]
fn recheck_after_confirmation_goes_ahead_with_fresh_preconditions() {
    let before = lost(600);
    let d = defaults(&before, true);
    let confirmed = plan(&before, &d, false).unwrap();
    let mut after = lost(660);
    after.pod.resource_version = "201".into();
    let fresh = recheck(&before, &after, &Thresholds::default(), true, false, &confirmed).unwrap();
    assert!(matches!(fresh, Action::Delete { ref resource_version, .. } if resource_version == "201"), "{fresh:?}");
}

#[test]
fn recheck_refuses_when_the_node_came_back_meanwhile() {
    let before = lost(600);
    let confirmed = plan(&before, &defaults(&before, true), false).unwrap();
    let after = evidence(Some(node("n2")), Some(lease("n2", 2)));
    let refusal = recheck(&before, &after, &Thresholds::default(), true, false, &confirmed).unwrap_err();
    assert!(
        refusal.starts_with("the evidence changed while waiting for confirmation: node loss is no longer confirmed"),
        "{refusal}"
    );
}

#[test]
fn recheck_refuses_a_replaced_pod_or_a_recreated_node() {
    let before = lost(600);
    let confirmed = plan(&before, &defaults(&before, true), false).unwrap();
    let mut replaced = lost(600);
    replaced.pod.uid = "uid-new".into();
    let refusal = recheck(&before, &replaced, &Thresholds::default(), true, false, &confirmed).unwrap_err();
    assert!(refusal.contains("the pod was replaced (uid uid-web-1 is now uid-new)"), "{refusal}");
    let mut renewed_node = lost(600);
    if let Lookup::Found(n) = &mut renewed_node.node {
        n.uid = "uid-n2-again".into();
    }
    let refusal = recheck(&before, &renewed_node, &Thresholds::default(), true, false, &confirmed).unwrap_err();
    assert!(refusal.contains("the Node object was deleted or re-created"), "{refusal}");
}
