//! doctor's findings for claims outside the range: what reclaim would delete, refuses to, or
//! keeps, and what is no problem at all (a scale-down under way, an autoscaler's claims).

use serde_json::json;

use super::tests::codes;
use super::*;
use crate::testing::*;

/// `web` scaled from 5 to 1 and settled, with a claim for each of the ways reclaim keeps one.
fn scaled_down_with_kept_claims() -> Vec<serde_json::Value> {
    let mut objects = healthy("web", 5);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 1 }, "status": { "replicas": 1 } }));
    for i in 1..5 {
        remove(&mut objects, "Pod", &format!("web-{i}"));
    }
    let mounting = |name: &str, claim: &str, phase: &str| {
        with(
            pod(name, 0, "n1"),
            json!({ "metadata": { "name": name, "ownerReferences": null, "labels": { "role": "backup" } },
                    "spec": { "volumes": [{ "name": "d", "persistentVolumeClaim": { "claimName": claim } }] },
                    "status": { "phase": phase } }),
        )
    };
    objects.push(mounting("backup", "data-web-2", "Running"));
    objects.push(mounting("backup-job-x1", "data-web-4", "Succeeded"));
    // Made with kubectl (ahead of a scale-up, say), named and labelled like the controller's.
    let by_hand = json!([{ "manager": "kubectl-create", "operation": "Update", "apiVersion": "v1",
                           "fieldsType": "FieldsV1", "fieldsV1": { "f:spec": { "f:accessModes": {} } } }]);
    patch(&mut objects, "PersistentVolumeClaim", "data-web-3", json!({ "metadata": { "managedFields": by_hand } }));
    objects
}

#[test]
fn doctor_points_to_reclaim_only_for_claims_reclaim_deletes() {
    let snap = snapshot(scaled_down_with_kept_claims());
    let r = diagnose(&snap, Some("shop"));
    let findings = &r.statefulsets[0].findings;
    let orphaned: Vec<&Finding> = findings.iter().filter(|f| f.code == "claims-orphaned").collect();
    assert_eq!(orphaned.len(), 1, "{findings:#?}");
    assert_eq!(orphaned[0].message, "1 claim(s) left by scale-down, which reclaim would delete: data-web-1");
    assert_eq!(orphaned[0].suggestion.as_deref(), Some("kubectl sts-doctor -n shop reclaim web"));
    // The one rule: what reclaim itself plans.
    let plan = crate::reclaim::plan(&snap, &snap.statefulsets[0], &crate::reclaim::PlanOptions::default());
    assert_eq!(plan.candidates.iter().map(|c| c.claim.as_str()).collect::<Vec<_>>(), ["data-web-1"]);

    let kept: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f.code == "claim-orphan-kept")
        .map(|f| (f.subject.as_deref().unwrap(), f.message.as_str()))
        .collect();
    assert_eq!(kept.len(), 3, "{findings:#?}");
    // One finding for data-web-2: not also claim-shared (mounted by backup, out of range).
    assert_eq!(findings.iter().filter(|f| f.subject.as_deref() == Some("data-web-2")).count(), 1, "{findings:#?}");
    assert_eq!(
        kept[0],
        (
            "data-web-2",
            "data-web-2: outside [0, 1), but reclaim keeps it (in-use): used by pod backup (Running): never deleted \
             while a pod uses it"
        )
    );
    assert!(
        kept[1].1.starts_with(
            "data-web-3: outside [0, 1), but reclaim keeps it (not-controller-made): created by kubectl-create"
        ),
        "{}",
        kept[1].1
    );
    assert!(kept[2].1.starts_with("data-web-4: outside [0, 1), but reclaim keeps it (in-use): referenced by finished pod backup-job-x1 (Succeeded)"), "{}", kept[2].1);
    for f in findings.iter().filter(|f| f.code == "claim-orphan-kept") {
        assert_eq!(
            (f.severity, f.suggestion.as_deref()),
            (Severity::Warning, Some("kubectl sts-doctor -n shop claims web"))
        );
    }
    assert!(
        findings.iter().all(|f| f.suggestion.as_deref() != Some("kubectl sts-doctor -n shop reclaim web")
            || f.code == "claims-orphaned")
    );
}

#[test]
fn while_reclaim_refuses_doctor_quotes_the_refusal_and_suggests_nothing() {
    let mut objects = scaled_down_with_kept_claims();
    // The controller has not caught up: status.replicas still 2.
    patch(&mut objects, "StatefulSet", "web", json!({ "status": { "replicas": 2 } }));
    let r = diagnose(&snapshot(objects.clone()), Some("shop"));
    let orphaned: Vec<&Finding> = r.statefulsets[0].findings.iter().filter(|f| f.code == "claims-orphaned").collect();
    assert_eq!(orphaned.len(), 1);
    assert_eq!(
        orphaned[0].message,
        "1 claim(s) left by scale-down: data-web-1; reclaim refuses to delete them for now: StatefulSet web is \
         mid-scale: status.replicas is 2 but spec.replicas is 1; re-run once the scale-down has finished"
    );
    assert_eq!(orphaned[0].suggestion, None);

    // Autoscalers unreadable: one may reuse the claim, so reclaim refuses, and doctor says why.
    patch(&mut objects, "StatefulSet", "web", json!({ "status": { "replicas": 1 } }));
    let mut snap = snapshot(objects);
    snap.autoscalers = Err("forbidden".into());
    let r = diagnose(&snap, Some("shop"));
    let orphaned = r.statefulsets[0].findings.iter().find(|f| f.code == "claims-orphaned").unwrap();
    assert!(
        orphaned.message.contains("reclaim refuses to delete them for now: autoscalers could not be checked"),
        "{}",
        orphaned.message
    );
    assert_eq!(orphaned.suggestion, None);
}

/// `doctor NAME` reads the namespace's other StatefulSets too: a claim another one's naming rule
/// also produces is kept by reclaim (ambiguous), and doctor says so rather than pointing to reclaim.
#[test]
fn a_claim_another_statefulsets_name_also_produces_is_kept_for_one_statefulset_too() {
    let mut objects = healthy("web-1", 2);
    patch(&mut objects, "StatefulSet", "web-1", json!({ "spec": { "replicas": 1 }, "status": { "replicas": 1 } }));
    remove(&mut objects, "Pod", "web-1-1");
    // Template data-web of StatefulSet "1" names its ordinal 1's claim data-web-1-1 too.
    objects.push(with(
        sts("1", 1),
        json!({ "spec": { "selector": { "matchLabels": { "app": "web-1" } },
                "volumeClaimTemplates": [{ "metadata": { "name": "data-web" },
                    "spec": { "resources": { "requests": { "storage": "1Gi" } } } }] } }),
    ));
    let mut snap = snapshot(objects);
    // As `doctor web-1` fetches it: the one StatefulSet, and its neighbours beside it.
    let other = snap.statefulsets.pop().unwrap();
    let alone = findings(&snap, &snap.statefulsets[0]);
    assert!(alone.iter().any(|f| f.code == "claims-orphaned"), "without its neighbours it looks reclaimable");
    snap.other_statefulsets = Ok(vec![other]);
    let found = findings(&snap, &snap.statefulsets[0]);
    let kept = found.iter().find(|f| f.code == "claim-orphan-kept").unwrap_or_else(|| panic!("{found:#?}"));
    assert!(kept.message.contains("(ambiguous): also the name of StatefulSet 1's claim"), "{}", kept.message);
    assert!(!found.iter().any(|f| f.code == "claims-orphaned"), "{found:#?}");

    // A Role granting `get` on web-1 only: the neighbours cannot be listed. Nothing is called
    // reclaimable then: reclaim's refusal is quoted, and no suggestion points to it.
    snap.other_statefulsets = Err("forbidden: list statefulsets".into());
    let found = findings(&snap, &snap.statefulsets[0]);
    let orphaned = found.iter().find(|f| f.code == "claims-orphaned").unwrap_or_else(|| panic!("{found:#?}"));
    assert!(orphaned.message.contains("other StatefulSets could not be listed (forbidden"), "{}", orphaned.message);
    assert_eq!(orphaned.suggestion, None);
    assert_eq!(snap.unavailable().iter().map(|u| u.part).collect::<Vec<_>>(), ["statefulsets"]);
}

#[test]
fn scaled_to_zero_keeps_claims_as_info() {
    let mut objects = healthy("web", 2);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 0 } }));
    remove(&mut objects, "Pod", "web-0");
    remove(&mut objects, "Pod", "web-1");
    let r = diagnose(&snapshot(objects), Some("shop"));
    assert_eq!(codes(&r, "web"), ["scaled-to-zero-claims-kept"]);
    assert_eq!(r.summary.worst, Some(Severity::Info));
}

#[test]
fn a_claim_used_by_its_own_pod_during_scale_down_is_no_kept_orphan() {
    let mut objects = healthy("web", 2);
    // Scaled 2 -> 1: web-1 is still there (being removed), mounting its own claim.
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 1 } }));
    let snap = snapshot(objects);
    let claims = crate::claims::diagnose(&snap, &snap.statefulsets[0]);
    let row = claims.claims.iter().find(|r| r.claim == "data-web-1").unwrap();
    assert_eq!(row.mounted_by, ["web-1"], "the fixture's pod mounts its claim");
    let r = diagnose(&snap, Some("shop"));
    let findings = &r.statefulsets[0].findings;
    assert!(!findings.iter().any(|f| f.code == "claim-orphan-kept"), "{findings:#?}");
}

#[test]
fn a_claim_the_garbage_collector_deletes_with_its_pod_is_no_orphan() {
    let snap = snapshot(crate::claims::tests::condemned_with_its_claim());
    let r = diagnose(&snap, Some("shop"));
    let findings = &r.statefulsets[0].findings;
    assert!(!findings.iter().any(|f| f.subject.as_deref() == Some("data-web-1")), "{findings:#?}");
    assert!(!findings.iter().any(|f| f.code == "claims-orphaned"), "{findings:#?}");
    assert!(findings.iter().all(|f| f.severity == Severity::Info), "{findings:#?}");
}

#[test]
fn a_claim_used_by_a_foreign_pod_named_like_its_ordinal_is_still_reported() {
    let mut objects = healthy("web", 2);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 1 } }));
    // web-1 is not the StatefulSet's: no owner. Its use of data-web-1 is no scale-down under way.
    patch(&mut objects, "Pod", "web-1", json!({ "metadata": { "ownerReferences": null } }));
    let r = diagnose(&snapshot(objects), Some("shop"));
    let findings = &r.statefulsets[0].findings;
    assert!(
        findings.iter().any(|f| f.code == "claim-orphan-kept" && f.subject.as_deref() == Some("data-web-1")),
        "{findings:#?}"
    );
}

#[test]
fn a_hand_made_claim_an_autoscaler_reuses_is_no_kept_orphan() {
    // data-web-3 made with kubectl ahead of a scale-up the HPA (up to 4) may make.
    let mut objects = scaled_down_with_kept_claims();
    objects.push(hpa("web-hpa", "web", 1, 4));
    let r = diagnose(&snapshot(objects), Some("shop"));
    let findings = &r.statefulsets[0].findings;
    assert!(!findings.iter().any(|f| f.subject.as_deref() == Some("data-web-3")), "{findings:#?}");
}
