//! `rollout` flags the binary must survive without a cluster to talk to.

use assert_cmd::Command;
use predicates::prelude::*;

/// A kubeconfig for a server that refuses connections: a command gets as far as its first request.
fn unreachable_kubeconfig(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("sts-doctor-{name}-{}.kubeconfig", std::process::id()));
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n\
         contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n    namespace: shop\n\
         current-context: c\nusers:\n- name: u\n  user:\n    token: t\n",
    )
    .unwrap();
    path
}

#[test]
fn durations_too_long_to_count_do_not_panic() {
    let kubeconfig = unreachable_kubeconfig("rollout-durations");
    for args in [
        vec!["rollout", "web", "--timeout", "9223372036854775807", "--watch"],
        vec!["rollout", "web", "--to", "0", "--yes", "--timeout", "9223372036854775807"],
        vec![
            "rollout",
            "web",
            "--step",
            "1",
            "--until",
            "0",
            "--yes",
            "--pause",
            "9223372036854775807",
            "--timeout",
            "9223372036854775807",
        ],
        vec!["rollout", "web", "--stuck-after", "9223372036854775807", "--no-watch"],
    ] {
        Command::cargo_bin("kubectl-sts_doctor")
            .unwrap()
            .env("NO_COLOR", "1")
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .arg("--request-timeout")
            .arg("2s")
            .args(&args)
            .assert()
            // The first request fails (nothing listens): exit 1, one line, no panic (101).
            .code(1)
            .stderr(predicate::str::starts_with("error:"))
            .stderr(predicate::str::contains("panicked").not());
    }
    let _ = std::fs::remove_file(kubeconfig);
}
