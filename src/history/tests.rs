//! `web` (3 replicas, OrderedReady) changed its image twice: revisions web-r1 (app:1), web-r2
//! (app:2), web-r3 (app:3); it rolls from web-r2 to web-r3 with web-2 updated, unless a test says
//! otherwise.

use serde_json::{Value, json};

use super::*;
use crate::model::history::{RevisionHistory, RevisionTemplate};
use crate::model::{self, ControllerRevision};
use crate::testing::{ago, now, pod, sts, with};

fn template(image: &str) -> Value {
    json!({ "metadata": { "creationTimestamp": null, "labels": { "app": "web" } },
            "spec": { "containers": [{ "name": "app", "image": image }] } })
}

fn revision(number: i64, template: Value, cause: Option<&str>) -> RevisionTemplate {
    let r = json!({
        "apiVersion": "apps/v1", "kind": "ControllerRevision",
        "metadata": { "name": format!("web-r{number}"), "namespace": "shop", "uid": format!("uid-r{number}"),
                      "creationTimestamp": ago(3600 * (4 - number)), "labels": { "app": "web" },
                      "ownerReferences": [{ "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web",
                                            "uid": "uid-web", "controller": true }] },
        "revision": number, "data": {}
    });
    let revision = ControllerRevision::from(&serde_json::from_value(r).unwrap());
    RevisionTemplate::new(revision, cause, template)
}

fn on(ordinal: i32, rev: &str) -> model::Pod {
    let p = with(pod("web", ordinal, "n1"), json!({ "metadata": { "labels": { "controller-revision-hash": rev } } }));
    model::Pod::from(&serde_json::from_value(p).unwrap())
}

/// Rolling from web-r2 to web-r3; `pods` on the given revisions by ordinal.
fn rolling(pods: &[&str], live: Value) -> RevisionHistory {
    let set = with(
        sts("web", pods.len() as i32),
        json!({ "metadata": { "generation": 3 },
                "status": { "observedGeneration": 3, "currentRevision": "web-r2", "updateRevision": "web-r3" } }),
    );
    let sts = model::StatefulSet::from(&serde_json::from_value(set).unwrap());
    let revisions = vec![
        revision(3, template("app:3"), Some("kubectl set image sts/web app=app:3")),
        revision(1, template("app:1"), None),
        revision(2, template("app:2"), None),
    ];
    let pods = pods.iter().enumerate().map(|(i, rev)| on(i as i32, rev)).collect();
    RevisionHistory::new(sts, live, revisions, pods)
}

#[test]
fn history_lists_revisions_oldest_first_with_markers_and_ordinals() {
    let h = rolling(&["web-r2", "web-r2", "web-r3"], template("app:3"));
    let report = history(&h);
    let numbers: Vec<i64> = report.revisions.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [1, 2, 3]);
    let r = &report.revisions;
    assert!(!r[0].current && !r[0].update && r[0].ordinals.is_empty());
    assert!(r[1].current && !r[1].update);
    assert_eq!(r[1].ordinals, [0, 1]);
    assert_eq!(r[1].pods, ["web-0", "web-1"]);
    assert!(r[2].update && r[2].live);
    assert_eq!(r[2].ordinals, [2]);
    assert_eq!(r[2].change_cause.as_deref(), Some("kubectl set image sts/web app=app:3"));
    assert_eq!(
        report.summary,
        "statefulset shop/web: 3 revision(s); rolling out web-r2 (2) -> web-r3 (3): ordinal 2 on the update \
         revision, ordinals 0–1 on the current one"
    );
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let table = crate::render::history::history(&report, now(), crate::render::style::Style::plain());
    assert!(table.contains("2          web-r2   120m   current   0–1"), "{table}");
}

#[test]
fn a_pod_on_a_revision_no_longer_in_the_history_is_noted() {
    let h = rolling(&["web-gone", "web-r2", "web-r3"], template("app:3"));
    let report = history(&h);
    assert_eq!(report.notes, ["web-0 runs revision web-gone, which is not in the history (deleted)"]);
}

#[test]
fn a_revision_that_only_drops_a_null_creation_timestamp_is_churn() {
    let mut h = rolling(&["web-r3", "web-r3", "web-r3"], template("app:3"));
    let mut upgraded = template("app:3");
    upgraded["metadata"].as_object_mut().unwrap().remove("creationTimestamp");
    h.revisions.push(revision(4, upgraded, None));
    let report = history(&h);
    assert_eq!(report.revisions[3].defaults_only_since, Some(3));
    assert!(report.revisions[..3].iter().all(|r| r.defaults_only_since.is_none()));
    assert!(report.notes[0].starts_with("revision 4 differs from 3 only by fields the API server fills in"));
    assert_eq!(churn(&h).len(), 1);
}

#[test]
fn the_diff_of_current_and_update_shows_the_image_line() {
    let h = rolling(&["web-r2", "web-r2", "web-r3"], template("app:3"));
    let from = diff::default_side(&h, true).unwrap();
    let to = diff::default_side(&h, false).unwrap();
    let report = diff::diff(&h, from, to);
    assert!(!report.identical && !report.defaults_only);
    assert!(report.diff.starts_with("--- web-r2 (2)\n+++ web-r3 (3)\n@@"), "{}", report.diff);
    assert!(report.diff.contains("\n-  - image: app:2\n+  - image: app:3\n"), "{}", report.diff);
    // By number, by name, by hash, or the live template.
    assert_eq!(diff::side(&h, "1").unwrap().label, "web-r1 (1)");
    assert_eq!(diff::side(&h, "web-r1").unwrap().label, "web-r1 (1)");
    assert_eq!(diff::side(&h, "r1").unwrap().label, "web-r1 (1)");
    let live = diff::side(&h, "live").unwrap();
    assert!(live.live);
    assert!(diff::diff(&h, diff::side(&h, "3").unwrap(), live).identical);
    assert_eq!(
        diff::side(&h, "7").unwrap_err(),
        "revision 7 not found in the history of web: it has 1, 2, 3 (or use `live`)"
    );
    let colored = crate::render::history::colored_diff(&report.diff, crate::render::style::Style { color: true });
    assert!(colored.contains("\x1b[32m+  - image: app:3\x1b[0m"), "{colored}");
}

#[test]
fn undo_restores_the_previous_revision_by_default_with_a_resource_version_precondition() {
    let h = rolling(&["web-r2", "web-r2", "web-r3"], template("app:3"));
    let plan = undo::plan(&h, 0).unwrap();
    assert_eq!(plan.to, RevRef { number: 2, name: "web-r2".into() });
    assert_eq!(plan.from, Some(RevRef { number: 3, name: "web-r3".into() }));
    assert_eq!(plan.patch["metadata"], json!({ "resourceVersion": "100" }));
    assert_eq!(plan.patch["spec"]["template"]["$patch"], "replace");
    assert_eq!(plan.patch["spec"]["template"]["spec"]["containers"][0]["image"], "app:2");
    assert_eq!(plan.replaces, ["web-2"]);
    assert_eq!(
        plan.effect,
        "the controller re-uses ControllerRevision web-r2 as revision 4 and replaces web-2 with it, highest first"
    );
    assert!(plan.diff.contains("-  - image: app:3\n+  - image: app:2\n"), "{}", plan.diff);
    assert!(plan.warnings.is_empty());
    let to_one = undo::plan(&h, 1).unwrap();
    assert_eq!(to_one.replaces, ["web-2", "web-1", "web-0"]);
}

#[test]
fn undo_refuses_a_no_op_and_an_unknown_revision() {
    let h = rolling(&["web-r2", "web-r2", "web-r3"], template("app:3"));
    assert_eq!(undo::plan(&h, 3).unwrap_err(), "nothing to undo: the template of web is already revision web-r3 (3)'s");
    assert_eq!(undo::plan(&h, 9).unwrap_err(), "revision 9 not found in the history of web: it has 1, 2, 3");
    let mut single = h.clone();
    single.revisions.truncate(1);
    assert_eq!(undo::plan(&single, 0).unwrap_err(), "no previous revision to roll back to: web has 1 revision(s)");
}

#[test]
fn undo_warns_about_a_broken_pod_of_the_abandoned_revision() {
    let mut h = rolling(&["web-r2", "web-r2", "web-r3"], template("app:3"));
    let broken = with(
        pod("web", 2, "n1"),
        json!({ "metadata": { "labels": { "controller-revision-hash": "web-r3" } },
                "status": { "conditions": [{ "type": "Ready", "status": "False", "lastTransitionTime": ago(600) }],
                            "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 4, "image": "app:3",
                                                    "imageID": "", "state": { "waiting": { "reason": "CrashLoopBackOff" } } }] } }),
    );
    h.pods[2] = model::Pod::from(&serde_json::from_value(broken).unwrap());
    let plan = undo::plan(&h, 0).unwrap();
    assert_eq!(plan.trapped, ["web-2"]);
    assert!(
        plan.warnings[0].starts_with("web-2 (revision web-r3) is broken (CrashLoopBackOff): with OrderedReady"),
        "{}",
        plan.warnings[0]
    );
    assert!(plan.warnings[0].ends_with("(or `kubectl sts-doctor -n shop rollout web --fix`)"));
}

#[test]
fn undo_with_on_delete_replaces_nothing_by_itself() {
    let mut h = rolling(&["web-r2", "web-r2", "web-r3"], template("app:3"));
    h.sts.update_strategy = "OnDelete".into();
    let plan = undo::plan(&h, 0).unwrap();
    assert!(plan.replaces.is_empty());
    assert!(plan.effect.ends_with("OnDelete: no pod is replaced until it is deleted; not on it yet: web-2"));
}
