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
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "json\ntable\nwide\nyaml\n:4\n");

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

/// The generated bash script completes past the subcommand (clap_complete's own script does not
/// for a bin name with a hyphen) and never offers the internal `__complete`.
#[test]
fn bash_script_completes_subcommand_flags_and_values() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kubectl-sts_doctor.bash");
    let complete = |words: &[&str]| -> String {
        let cword = words.len() - 1;
        let (cur, prev) = (words[cword], if cword > 0 { words[cword - 1] } else { "" });
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let program = format!(
            "source '{}'; COMP_WORDS=({}); COMP_CWORD={cword}; _kubectl__sts_doctor kubectl-sts_doctor '{cur}' '{prev}'; \
             echo \"${{COMPREPLY[*]}}\"",
            script.display(),
            quoted.join(" ")
        );
        let out = std::process::Command::new("bash").args(["-c", &program]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    assert_eq!(complete(&["kubectl-sts_doctor", "force-delete", "--no"]), "--node-fenced --not-ready-for --no-color");
    assert_eq!(complete(&["kubectl-sts_doctor", "ordinals", "-o", ""]), "table wide json yaml");
    let top = complete(&["kubectl-sts_doctor", ""]);
    assert!(top.contains("ordinals") && !top.contains("__complete"), "{top}");
}
