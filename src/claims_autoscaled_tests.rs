//! Claims outside the range that a HorizontalPodAutoscaler's scale-up reuses: reserved (info),
//! not orphans, as `reclaim` and `doctor` judge them; autoscalers that cannot be read leave them
//! orphans, saying one may reuse them.

use serde_json::json;

use super::tests::{kinds, report};
use super::*;
use crate::testing::*;

/// `web` scaled from `from` to `to` replicas, settled: the pods above are gone, their claims stay.
fn scaled_down(from: i32, to: i32) -> Vec<serde_json::Value> {
    let mut objects = healthy("web", from);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": to }, "status": { "replicas": to } }));
    for i in to..from {
        remove(&mut objects, "Pod", &format!("web-{i}"));
    }
    objects
}

fn flag<'a>(r: &'a ClaimsReport, claim: &str) -> &'a Flag {
    let row = r.claims.iter().find(|c| c.claim == claim).unwrap_or_else(|| panic!("no row {claim}"));
    assert_eq!(row.flags.len(), 1, "{:?}", row.flags);
    &row.flags[0]
}

const PLAIN_ORPHAN: &str = "left by scale-down, reused if the StatefulSet scales back up";

#[test]
fn a_claim_an_autoscaler_reuses_is_reserved_not_an_orphan() {
    // web scaled from 4 to 1; its HPA may take it back up to 3: data-web-1 and -2 are reused then.
    let mut objects = scaled_down(4, 1);
    objects.push(hpa("web-hpa", "web", 1, 3));
    let r = report(objects);
    for claim in ["data-web-1", "data-web-2"] {
        let f = flag(&r, claim);
        assert_eq!((f.kind, f.severity), ("autoscaler-reserved", Severity::Info), "{claim}");
    }
    assert_eq!(
        flag(&r, "data-web-2").message,
        "reserved for an autoscaler: ordinal 2 is outside [0, 1), but HorizontalPodAutoscaler web-hpa (minReplicas 1, \
         maxReplicas 3) may scale web back up over ordinals [0, 3), and that scale-up reuses this claim; reclaim \
         leaves it alone"
    );
    // The table marks them reserved, not orphans, and prints the flag as info.
    let table = crate::render::claims::table(&r, now(), crate::render::style::Style::plain());
    assert!(table.contains("\n2 (reserved)  "), "{table}");
    assert!(table.contains("\n3 (orphan)    "), "{table}");
    assert!(table.contains("data-web-1: info: reserved for an autoscaler: ordinal 1 is outside [0, 1)"), "{table}");
    assert!(r.unavailable.is_empty() && r.notes.is_empty(), "{:?} {:?}", r.unavailable, r.notes);
}

#[test]
fn beyond_max_replicas_a_claim_is_an_orphan() {
    let mut objects = scaled_down(4, 1);
    objects.push(hpa("web-hpa", "web", 1, 3));
    let r = report(objects);
    let f = flag(&r, "data-web-3");
    assert_eq!((f.kind, f.severity), ("orphan", Severity::Warning));
    assert_eq!(f.message, format!("orphan: ordinal 3 is outside [0, 1); {PLAIN_ORPHAN}"));

    // The range counts from ordinals.start (1.26+): start 2, 1 replica, maxReplicas 3 reaches [2, 5);
    // 0 and 1 are below the start (scaling never reuses them), 5 is beyond maxReplicas.
    let mut objects = vec![sts("web", 1), node("n1"), pod("web", 2, "n1")];
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "ordinals": { "start": 2 } } }));
    objects.extend((0..6).map(|i| claim("data", "web", i)));
    objects.push(hpa("web-hpa", "web", 1, 3));
    let r = report(objects);
    let judged: Vec<(&str, Vec<&str>)> = r.claims.iter().map(|c| (c.claim.as_str(), kinds(&r, &c.claim))).collect();
    assert_eq!(
        judged,
        [
            ("data-web-2", vec![]),
            ("data-web-0", vec!["orphan"]),
            ("data-web-1", vec!["orphan"]),
            ("data-web-3", vec!["autoscaler-reserved"]),
            ("data-web-4", vec!["autoscaler-reserved"]),
            ("data-web-5", vec!["orphan"]),
        ]
    );
    assert!(flag(&r, "data-web-4").message.contains("may scale web back up over ordinals [2, 5)"));

    // Scaled to zero, autoscaling is off (the HPA controller leaves a target at 0 alone).
    let mut objects = scaled_down(2, 0);
    objects.push(hpa("web-hpa", "web", 1, 3));
    let r = report(objects);
    assert_eq!((kinds(&r, "data-web-0"), kinds(&r, "data-web-1")), (vec!["orphan"], vec!["orphan"]));
}

#[test]
fn an_autoscaler_of_another_target_reserves_nothing() {
    let mut objects = scaled_down(3, 1);
    // Another StatefulSet, a Deployment named web, a StatefulSet of another API group, another
    // namespace: none of them scales apps/v1 StatefulSet web of shop.
    objects.push(hpa("other", "web-1", 1, 5));
    objects.push(with(hpa("deploy", "web", 1, 5), json!({ "spec": { "scaleTargetRef": { "kind": "Deployment" } } })));
    objects.push(with(
        hpa("kruise", "web", 1, 5),
        json!({ "spec": { "scaleTargetRef": { "apiVersion": "apps.kruise.io/v1beta1" } } }),
    ));
    objects.push(with(hpa("elsewhere", "web", 1, 5), json!({ "metadata": { "namespace": "other" } })));
    let r = report(objects);
    for claim in ["data-web-1", "data-web-2"] {
        let f = flag(&r, claim);
        assert_eq!((f.kind, f.severity), ("orphan", Severity::Warning), "{claim}");
        assert!(f.message.ends_with(PLAIN_ORPHAN), "{}", f.message);
    }
}

#[test]
fn unreadable_autoscalers_leave_an_orphan_that_one_may_reserve() {
    let forbidden = "cannot list horizontalpodautoscalers in namespace \"shop\": forbidden";
    let mut snap = snapshot(scaled_down(3, 1));
    snap.autoscalers = Err(forbidden.into());
    let r = diagnose(&snap, &snap.statefulsets[0]);
    let f = flag(&r, "data-web-2");
    assert_eq!((f.kind, f.severity), ("orphan", Severity::Warning));
    assert_eq!(
        f.message,
        format!(
            "orphan: ordinal 2 is outside [0, 1); {PLAIN_ORPHAN}; autoscalers could not be checked, so it may be \
             reserved for a HorizontalPodAutoscaler that scales web back up over it (reclaim refuses to delete it \
             until they can be read)"
        )
    );
    assert_eq!(kinds(&r, "data-web-1"), ["orphan"]);
    // The report says what it could not read, as for nodes or volumes.
    assert_eq!(r.unavailable, [Unavailable { part: "autoscalers", reason: forbidden.into() }]);
    assert_eq!(r.notes, [format!("autoscalers unknown: {forbidden}")]);

    // Below ordinals.start scaling never reuses a claim: a plain orphan, autoscalers or not.
    let mut objects = vec![sts("web", 1), node("n1"), pod("web", 2, "n1"), claim("data", "web", 0)];
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "ordinals": { "start": 2 } } }));
    let mut snap = snapshot(objects);
    snap.autoscalers = Err(forbidden.into());
    let r = diagnose(&snap, &snap.statefulsets[0]);
    assert_eq!(
        flag(&r, "data-web-0").message,
        "orphan: ordinal 0 is outside [2, 3); below spec.ordinals.start 2: no scale-up ever reuses it (ordinals \
         count up from the start)"
    );
}

#[test]
fn doctor_reports_no_finding_for_a_reserved_claim() {
    let mut objects = scaled_down(4, 1);
    objects.push(hpa("web-hpa", "web", 1, 3));
    let snap = snapshot(objects);
    let findings = crate::doctor::findings(&snap, &snap.statefulsets[0]);
    let claim_findings: Vec<(&str, &str)> =
        findings.iter().filter(|f| f.code.contains("claim")).map(|f| (f.code, f.message.as_str())).collect();
    assert_eq!(
        claim_findings,
        [("claims-orphaned", "1 claim(s) left by scale-down, which reclaim would delete: data-web-3")]
    );
}
