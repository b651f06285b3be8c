//! Big StatefulSets made readable (issue 14): above 50 ordinals `ordinals` and `claims` fold
//! consecutive alike rows into ranges; --wide and -o wide keep one row each; JSON is unchanged.

use crate::support::objects::sts;
use crate::support::{assert_exit, env, json, stdout};

#[tokio::test(flavor = "multi_thread")]
async fn sixty_replicas_print_compact_and_wide_prints_every_row() {
    let Some(env) = env("compact").await else { return };
    let _kubelet = env.kubelet(&["n1", "n2"]).await;
    env.create_sts(&sts("web", 60).parallel()).await;
    env.wait_ready("web", 60).await;
    let claims: Vec<String> = (0..60).map(|i| format!("data-web-{i}")).collect();
    env.wait_claims_bound(&claims.iter().map(String::as_str).collect::<Vec<_>>()).await;

    let out = env.run(&["ordinals", "web"]).await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("\n60 ordinals in 1 line: 60 Running and Ready (--wide for one row each)\n"), "{text}");
    assert!(text.contains("\nORDINALS   PODS   STATE "), "{text}");
    assert!(text.contains("\n0–59       60     Running   true    update     "), "{text}");
    assert!(text.contains(&format!(" {0}-n1,{0}-n2 ", env.ns)), "two nodes: {text}");
    assert!(!text.contains("web-0 "), "no row per pod: {text}");
    assert!(!text.contains('█'), "no map without a terminal: {text}");
    assert!(text.lines().count() < 15, "{text}");

    for wide in [&["ordinals", "web", "--wide"][..], &["ordinals", "web", "-o", "wide"]] {
        let out = env.run(wide).await;
        assert_exit(&out, 0);
        let text = stdout(&out);
        assert!(text.contains("\nORDINAL   POD "), "{wide:?}: {text}");
        let row = |l: &&str| l.starts_with("59 ") && l.contains(" web-59 ") && l.contains(" Running ");
        assert!(text.lines().any(|l| row(&l)), "{wide:?}: {text}");
        assert!(text.lines().count() > 60, "{wide:?}: {text}");
    }

    let out = env.run(&["claims", "web"]).await;
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("\n60 claims of 60 ordinals in 1 line: 60 Bound (--wide for one row each)\n"), "{text}");
    assert!(text.contains("\n0–59       data       60       Bound "), "{text}");
    assert!(text.lines().count() < 15, "{text}");
    for wide in [&["claims", "web", "--wide"][..], &["claims", "web", "-o", "wide"]] {
        let out = env.run(wide).await;
        assert_exit(&out, 0);
        let text = stdout(&out);
        assert!(text.lines().any(|l| l.starts_with("59 ") && l.contains(" data-web-59 ")), "{wide:?}: {text}");
        assert!(text.lines().count() > 60, "{wide:?}: {text}");
    }

    // JSON keeps every row.
    let doc = json(&env.run(&["ordinals", "web", "-o", "json"]).await);
    assert_eq!(doc["ordinals"].as_array().unwrap().len(), 60);
    let doc = json(&env.run(&["claims", "web", "-o", "json"]).await);
    assert_eq!(doc["claims"].as_array().unwrap().len(), 60);
}
