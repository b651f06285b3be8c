use serde_json::json;

use super::*;
use crate::ordinals::diagnose;
use crate::testing::*;

/// 1000 Ready pods on n1…n2, but web-500 and web-997 crash-loop and web-998, web-999 are gone.
fn big() -> OrdinalsReport {
    let mut objects = healthy("web", 1000);
    let crashing = json!({ "status": {
        "conditions": [{ "type": "Ready", "status": "False" }],
        "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 7, "image": "app:1", "imageID": "",
                                "state": { "waiting": { "reason": "CrashLoopBackOff" } } }] } });
    patch(&mut objects, "Pod", "web-500", crashing.clone());
    patch(&mut objects, "Pod", "web-997", crashing);
    remove(&mut objects, "Pod", "web-998");
    remove(&mut objects, "Pod", "web-999");
    let snap = snapshot(objects);
    let sts = snap.statefulsets[0].clone();
    diagnose(&snap, &sts)
}

#[test]
fn a_thousand_ordinals_fold_into_a_handful_of_lines() {
    let r = big();
    let out = table(&r, Style::plain(), View { compact: true, map_width: None });
    let table: Vec<&str> =
        out.lines().skip_while(|l| !l.starts_with("ORDINALS")).take_while(|l| !l.is_empty()).collect();
    assert_eq!(table.len(), 6, "{out}");
    assert!(
        table[1].starts_with(
            "0–499      500    Running                      true    update     n1,n2   Ready         published       -"
        ),
        "{out}"
    );
    assert!(table[2].starts_with("500        1      Running (CrashLoopBackOff)   false   update     n1      Ready         not published   container-waiting"), "{out}");
    assert!(table[3].starts_with("501–996    496    Running "), "{out}");
    assert!(table[5].starts_with("998–999    2      Missing                      -       -          -       -             -               waiting-for-lower-ordinal"), "{out}");
    assert!(out.contains("1000 ordinals in 5 lines: 996 Running and Ready, 2 Running, not Ready, 2 Missing"), "{out}");
    // Alike explanations name their pods together.
    assert!(
        out.contains(
            "\nweb-500, 997 (2 pods): container waiting: CrashLoopBackOff\nweb-998–999 (2 pods): waiting for web-500 "
        ),
        "{out}"
    );
    assert!(!out.contains('█'), "no map without a terminal: {out}");
}

#[test]
fn on_a_terminal_a_map_shows_every_ordinal() {
    let r = big();
    let out = table(&r, Style::plain(), View { compact: true, map_width: Some(120) });
    // 3 columns of ordinal, then 10 groups of ten a line: 10 lines for 1000 ordinals.
    let map: Vec<&str> = out.lines().filter(|l| l.contains('█')).collect();
    assert_eq!(map.len(), 11, "ten lines and the legend: {out}");
    assert!(map[5].starts_with("500 ▒█████████ "), "{out}");
    assert!(map[9].ends_with(" ███████▒··"), "{out}");
    assert_eq!(map[10], "█ 996 Ready   ▒ 2 Running, not Ready   · 2 Missing");
}

#[test]
fn the_view_follows_the_threshold_and_wide() {
    let r = big();
    let compact = super::super::ordinals::view(&r, now(), Style::plain(), View::choose(1000, false, None));
    assert!(compact.lines().count() < 25, "{compact}");
    let wide = super::super::ordinals::view(&r, now(), Style::plain(), View::choose(1000, true, None));
    assert!(wide.lines().count() > 1000, "one row per ordinal with --wide");
    assert!(wide.contains("   web-999   Missing "), "{wide}");
}
