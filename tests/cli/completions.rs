use std::path::Path;

use assert_cmd::Command;

/// completions/ holds what `completion SHELL` prints; UPDATE_COMPLETIONS=1 rewrites the files.
#[test]
fn completion_scripts_are_current() {
    for (shell, file) in
        [("bash", "kubectl-sts_doctor.bash"), ("zsh", "_kubectl-sts_doctor"), ("fish", "kubectl-sts_doctor.fish")]
    {
        let out = Command::cargo_bin("kubectl-sts_doctor").unwrap().args(["completion", shell]).output().unwrap();
        assert!(out.status.success());
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions").join(file);
        if std::env::var_os("UPDATE_COMPLETIONS").is_some() {
            std::fs::write(&path, &out.stdout).unwrap();
            continue;
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "completions/{file} is stale: run `UPDATE_COMPLETIONS=1 cargo test --test cli completions`"
        );
    }
}

#[test]
fn kubectl_plugin_completion_shim_forwards_to_the_binary() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kubectl_complete-sts_doctor");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("#!/bin/sh\n"));
    assert!(text.contains("exec kubectl-sts_doctor __complete \"$@\""));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o111 != 0, "shim must be executable");
    }
}

/// The protocol kubectl speaks with the shim: candidates, then `:<directive>`.
#[test]
fn complete_protocol_without_a_cluster() {
    let out = Command::cargo_bin("kubectl-sts_doctor")
        .unwrap()
        .env("KUBECONFIG", "/nonexistent")
        .args(["__complete", "ro"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, "rollout\tShow or follow a (partitioned) rolling update; step the partition as a canary\n:4\n");

    let out = Command::cargo_bin("kubectl-sts_doctor")
        .unwrap()
        .env("KUBECONFIG", "/nonexistent")
        .args(["__complete", "ordinals", "-o", ""])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "json\ntable\nyaml\n:4\n");

    // A StatefulSet name with no cluster reachable: no candidates, no error output.
    let out = Command::cargo_bin("kubectl-sts_doctor")
        .unwrap()
        .env("KUBECONFIG", "/nonexistent")
        .args(["__complete", "ordinals", ""])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), ":4\n");
    assert!(out.stderr.is_empty());
}
