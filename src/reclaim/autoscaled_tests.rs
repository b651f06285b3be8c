//! Unit tests of autoscaled StatefulSets: claims a HorizontalPodAutoscaler's scale-up reuses are
//! no orphans, for `reclaim` (scale-down and `--deleted`) and for `doctor`; autoscalers that
//! cannot be read hold back every claim they might reuse.

use super::*;

fn hpa_with(name: &str, target: &str, max: i32, target_ref: Value) -> Value {
    with(hpa(name, target, 1, max), json!({ "spec": { "scaleTargetRef": target_ref } }))
}

#[test]
fn claims_an_autoscaler_may_reuse_are_skipped() {
    // web scaled from 6 to 2; its HPA may take it back up to 4: data-web-2 and -3 are reused then.
    let mut objects = scaled_down(6, 2);
    objects.push(hpa("web", "web", 2, 4));
    let p = plan_of(objects);
    assert_eq!(p.refusal, None);
    assert_eq!(names(&p), ["data-web-4", "data-web-5"]);
    let s = skip_of(&p, "data-web-3");
    assert_eq!(s.kind, "autoscaled");
    assert_eq!(
        s.reason,
        "kept for HorizontalPodAutoscaler web: it scales web between 2 and 4 replicas, up to ordinals [0, 4), and a \
         scale-up reuses this claim (ordinal 3); lower its maxReplicas first if the claim is really unwanted"
    );
    assert_eq!(skip_of(&p, "data-web-2").kind, "autoscaled");
}

#[test]
fn the_range_counts_from_ordinals_start() {
    // 1.26+ ordinals.start 2, 1 replica: [2, 3). maxReplicas 3 reaches [2, 5); 0 and 1 are below the
    // start (scaling never reuses them), 5 is beyond maxReplicas.
    let mut objects = vec![sts("web", 1), node("n1"), pod("web", 2, "n1")];
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "ordinals": { "start": 2 } } }));
    for i in 0..6 {
        objects.push(claim("data", "web", i));
    }
    objects.push(hpa("web-hpa", "web", 1, 3));
    let p = plan_of(objects);
    assert_eq!(names(&p), ["data-web-0", "data-web-1", "data-web-5"]);
    let s = skip_of(&p, "data-web-4");
    assert_eq!(s.kind, "autoscaled");
    assert!(s.reason.contains("up to ordinals [2, 5)"), "{}", s.reason);
    assert_eq!(skip_of(&p, "data-web-3").kind, "autoscaled");
}

#[test]
fn only_autoscalers_of_this_statefulset_count() {
    let mut objects = scaled_down(3, 1);
    // Another StatefulSet, a Deployment named web, a StatefulSet of another API group (an
    // operator's): none of them scales apps/v1 StatefulSet web.
    objects.push(hpa("other", "web-1", 1, 5));
    objects.push(hpa_with("deploy", "web", 5, json!({ "apiVersion": "apps/v1", "kind": "Deployment" })));
    objects.push(hpa_with("kruise", "web", 5, json!({ "apiVersion": "apps.kruise.io/v1beta1" })));
    let mut elsewhere = hpa("elsewhere", "web", 1, 5);
    merge(&mut elsewhere, json!({ "metadata": { "namespace": "other" } }));
    objects.push(elsewhere);
    assert_eq!(names(&plan_of(objects.clone())), ["data-web-1", "data-web-2"]);

    // Any version of the apps group counts (the HPA controller maps group and kind only); of
    // several autoscalers the one allowing most replicas decides.
    objects.push(hpa_with("old-api", "web", 2, json!({ "apiVersion": "apps/v1beta2" })));
    objects.push(hpa("bigger", "web", 1, 3));
    let p = plan_of(objects);
    assert!(p.candidates.is_empty(), "{:?}", names(&p));
    assert!(skip_of(&p, "data-web-1").reason.starts_with("kept for HorizontalPodAutoscaler bigger:"));
}

#[test]
fn unreadable_autoscalers_refuse_what_they_might_reuse() {
    let forbidden = "cannot list horizontalpodautoscalers in namespace \"shop\": forbidden";
    let mut snap = snapshot(scaled_down(3, 1));
    snap.autoscalers = Err(forbidden.into());
    let web = snap.statefulsets[0].clone();
    let p = plan(&snap, &web, &PlanOptions::default());
    assert!(p.candidates.is_empty(), "{:?}", names(&p));
    assert_eq!(
        p.refusal.as_deref(),
        Some(
            "autoscalers could not be checked (cannot list horizontalpodautoscalers in namespace \"shop\": \
             forbidden): a HorizontalPodAutoscaler may scale web back up over ordinals 1, 2 and reuse their claims, \
             so none is reclaimed without knowing"
        )
    );
    let s = skip_of(&p, "data-web-1");
    assert_eq!(
        (s.kind, s.reason.as_str()),
        ("refused", "not reclaimed as autoscalers could not be checked (see the refusal)")
    );
    assert!(p.notes.iter().any(|n| n.starts_with("HorizontalPodAutoscalers cannot be read")), "{:?}", p.notes);

    // Nothing it could reuse: no refusal (a claim in use is skipped anyway; one below ordinals.start
    // is never reused by scaling).
    let mut objects = scaled_down(2, 1);
    objects.push(with(
        pod("backup", 0, "n1"),
        json!({ "metadata": { "name": "backup", "ownerReferences": null, "labels": { "role": "backup" } },
                "spec": { "volumes": [{ "name": "d", "persistentVolumeClaim": { "claimName": "data-web-1" } }] } }),
    ));
    let mut snap = snapshot(objects);
    snap.autoscalers = Err(forbidden.into());
    let p = plan(&snap, &snap.statefulsets[0], &PlanOptions::default());
    assert_eq!((p.refusal.as_deref(), skip_of(&p, "data-web-1").kind), (None, "in-use"));

    let mut objects = vec![sts("web", 1), node("n1"), pod("web", 2, "n1"), claim("data", "web", 0)];
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "ordinals": { "start": 2 } } }));
    let mut snap = snapshot(objects);
    snap.autoscalers = Err(forbidden.into());
    let p = plan(&snap, &snap.statefulsets[0], &PlanOptions::default());
    assert_eq!((p.refusal.as_deref(), names(&p)), (None, vec!["data-web-0"]));
}

#[test]
fn an_autoscaler_created_after_the_plan_stops_the_delete() {
    let planned = plan_of(scaled_down(3, 1)).candidates;
    let mut objects = scaled_down(3, 1);
    objects.push(hpa("web", "web", 1, 2));
    let (go, changed) = revalidate(&planned, &plan_of(objects));
    assert_eq!(go.iter().map(|c| c.claim.as_str()).collect::<Vec<_>>(), ["data-web-2"]);
    assert_eq!((changed[0].claim.as_str(), changed[0].outcome), ("data-web-1", ClaimOutcome::Conflict));
    assert!(
        changed[0].message.starts_with("since the plan: kept for HorizontalPodAutoscaler web:"),
        "{}",
        changed[0].message
    );
}

#[test]
fn a_deleted_statefulset_an_autoscaler_still_targets_is_left_alone() {
    // old was deleted (perhaps with --cascade=orphan, to be recreated); its HPA still targets it.
    let mut objects = healthy("web", 1);
    for i in 0..2 {
        objects.push(claim("data", "old", i));
    }
    objects.push(claim("data", "gone", 0));
    objects.push(hpa("old", "old", 1, 3));
    let p = plan_deleted(&snapshot(objects.clone()), Some("shop"), None, &PlanOptions::default());
    assert_eq!(names(&p), ["data-gone-0"]);
    let s = skip_of(&p, "data-old-1");
    assert_eq!(s.kind, "autoscaled");
    assert_eq!(
        s.reason,
        "HorizontalPodAutoscaler old still targets StatefulSet old (1 to 3 replicas), which does not exist: it is \
         probably being recreated (deleted with --cascade=orphan), and would reuse this claim; delete the autoscaler \
         first if old is gone for good"
    );

    // Autoscalers unknown: refused while there is anything to reclaim.
    let mut snap = snapshot(objects);
    snap.autoscalers = Err("forbidden".into());
    let p = plan_deleted(&snap, Some("shop"), None, &PlanOptions::default());
    assert!(p.candidates.is_empty());
    assert!(p.refusal.as_deref().unwrap().starts_with("autoscalers could not be checked (forbidden): "), "{p:#?}");
    assert_eq!(skip_of(&p, "data-gone-0").kind, "refused");
}

#[test]
fn doctor_agrees_on_which_claims_are_orphans() {
    let mut objects = scaled_down(4, 1);
    objects.push(hpa("web", "web", 1, 3));
    let snap = snapshot(objects);
    let findings = crate::doctor::findings(&snap, &snap.statefulsets[0]);
    let orphaned: Vec<&str> =
        findings.iter().filter(|f| f.code == "claims-orphaned").map(|f| f.message.as_str()).collect();
    assert_eq!(orphaned, ["1 claim(s) left by scale-down, which reclaim would delete: data-web-3"]);
    let p = plan(&snap, &snap.statefulsets[0], &PlanOptions::default());
    assert_eq!(names(&p), ["data-web-3"]);

    // Scaled to zero, autoscaling is off: every claim keeps its data, as reclaim says.
    let mut objects = scaled_down(3, 0);
    objects.push(hpa("web", "web", 1, 3));
    let snap = snapshot(objects);
    let findings = crate::doctor::findings(&snap, &snap.statefulsets[0]);
    let kept: Vec<&str> =
        findings.iter().filter(|f| f.code == "scaled-to-zero-claims-kept").map(|f| f.message.as_str()).collect();
    assert_eq!(kept, ["replicas 0: 3 claim(s) keep their data: data-web-0, data-web-1, data-web-2"]);
    let p = plan(&snap, &snap.statefulsets[0], &PlanOptions::default());
    assert_eq!(skip_of(&p, "data-web-0").kind, "scaled-to-zero");

    // All within maxReplicas: nothing orphaned at all.
    let mut objects = scaled_down(3, 1);
    objects.push(hpa("web", "web", 1, 3));
    let snap = snapshot(objects);
    let findings = crate::doctor::findings(&snap, &snap.statefulsets[0]);
    assert!(!findings.iter().any(|f| f.code == "claims-orphaned"), "{findings:#?}");
}
