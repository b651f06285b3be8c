//! Unit tests of the mid-scale refusal: it names what is actually in flight, and what to wait for.

use super::*;

fn refusal(objects: Vec<Value>) -> String {
    plan_of(objects).refusal.expect("a refusal")
}

#[test]
fn a_scale_up_in_flight_is_called_a_scale_up() {
    // Scaled from 1 to 3: web-1 exists, web-2 not yet; data-web-3 is an older orphan.
    let mut objects = healthy("web", 2);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 3 }, "status": { "replicas": 2 } }));
    objects.push(claim("data", "web", 3));
    assert_eq!(
        refusal(objects),
        "StatefulSet web is mid-scale: status.replicas is 2 but spec.replicas is 3; re-run once the scale-up has \
         finished"
    );
}

#[test]
fn a_scale_down_in_flight_is_called_a_scale_down() {
    let mut objects = healthy("web", 3);
    settle(&mut objects, "web", 1);
    remove(&mut objects, "Pod", "web-1");
    assert_eq!(
        refusal(objects),
        "StatefulSet web is mid-scale: pods outside [0, 1) still exist: web-2 (Running); re-run once the scale-down \
         has finished"
    );
}

#[test]
fn an_unobserved_spec_waits_for_the_controller() {
    let mut objects = scaled_down(3, 1);
    patch(&mut objects, "StatefulSet", "web", json!({ "metadata": { "generation": 2 } }));
    let p = plan_of(objects);
    assert_eq!(
        p.refusal.as_deref(),
        Some(
            "StatefulSet web has a spec change in flight: the controller has not observed the latest spec yet \
             (generation 2, observedGeneration 1); re-run once the controller has observed generation 2"
        )
    );
    let s = skip_of(&p, "data-web-1");
    assert_eq!(
        (s.kind, s.reason.as_str()),
        ("refused", "not reclaimed while web has a spec change in flight (see the refusal)")
    );
}

#[test]
fn several_things_in_flight_are_all_waited_for() {
    let mut objects = healthy("web", 3);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "metadata": { "generation": 2 }, "spec": { "replicas": 1 }, "status": { "replicas": 3 } }),
    );
    assert_eq!(
        refusal(objects),
        "StatefulSet web is mid-scale: the controller has not observed the latest spec yet (generation 2, \
         observedGeneration 1); status.replicas is 3 but spec.replicas is 1; pods outside [0, 1) still exist: web-1 \
         (Running), web-2 (Running); re-run once the controller has observed generation 2 and the scale-down has \
         finished"
    );
}

#[test]
fn a_statefulset_being_deleted_points_to_reclaim_deleted() {
    let mut objects = scaled_down(3, 1);
    patch(&mut objects, "StatefulSet", "web", json!({ "metadata": { "deletionTimestamp": ago(5) } }));
    let p = plan_of(objects);
    assert_eq!(
        p.refusal.as_deref(),
        Some(
            "StatefulSet web is being deleted (5s ago); once it is gone, `reclaim --deleted web` looks at the claims \
             it leaves"
        )
    );
    let s = skip_of(&p, "data-web-1");
    assert_eq!(s.reason, "not reclaimed while web is being deleted (see the refusal)");
}

#[test]
fn a_refusal_for_unreadable_volumes_is_not_called_mid_scale() {
    let mut snap = snapshot(scaled_down(3, 1));
    snap.volumes = Err("forbidden".into());
    let sts = snap.statefulsets[0].clone();
    let p = plan(&snap, &sts, &PlanOptions { keep_volume: true, ..PlanOptions::default() });
    let s = skip_of(&p, "data-web-1");
    assert_eq!(s.reason, "not reclaimed as --keep-volume cannot read PersistentVolumes (see the refusal)");
}
