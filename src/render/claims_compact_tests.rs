use super::*;
use crate::claims::diagnose;
use crate::testing::*;

/// 1000 ordinals with their claims bound, but data-web-500's is gone; 100 claims left behind by a
/// scale-down from 1100.
fn big() -> ClaimsReport {
    let mut objects = healthy("web", 1000);
    remove(&mut objects, "PersistentVolumeClaim", "data-web-500");
    for i in 1000..1100 {
        let c = claim("data", "web", i);
        objects.push(volume(c["metadata"]["name"].as_str().unwrap()));
        objects.push(c);
    }
    let snap = snapshot(objects);
    let sts = snap.statefulsets[0].clone();
    diagnose(&snap, &sts)
}

#[test]
fn a_thousand_claims_fold_into_a_handful_of_lines() {
    let r = big();
    let out = table(&r, Style::plain());
    let lines: Vec<&str> =
        out.lines().skip_while(|l| !l.starts_with("ORDINALS")).take_while(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert!(lines[1].starts_with("0–499                data       500      Bound     1Gi       fast    RWO      Delete    -           own pod      -"), "{out}");
    assert!(lines[2].starts_with("500                  data       1        Missing   tpl 1Gi   -       -        -         -           -            missing"), "{out}");
    assert!(lines[4].starts_with("1000–1099 (orphan)   data       100      Bound  "), "{out}");
    assert!(out.contains("1100 claims of 1100 ordinals in 4 lines: 1099 Bound, 1 Missing"), "{out}");
    assert!(out.contains("\ndata-web-500: error: claim data-web-500 does not exist but pod web-500 does\n"), "{out}");
    // Five orphan lines, then the count of the others.
    assert_eq!(out.matches(": warning: orphan: ").count(), 5, "{out}");
    assert!(out.contains("\n… and 95 more claims flagged orphan (data-web-1005–1099): --wide lists each\n"), "{out}");
}

#[test]
fn the_view_follows_the_threshold_and_wide() {
    let r = big();
    let compact = super::super::claims::view(&r, now(), Style::plain(), View::choose(1100, false, None));
    assert!(compact.lines().count() < 25, "{compact}");
    let wide = super::super::claims::view(&r, now(), Style::plain(), View::choose(1100, true, None));
    assert!(wide.lines().count() > 1100, "one row per claim with --wide");
}
