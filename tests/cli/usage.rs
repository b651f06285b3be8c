use assert_cmd::Command;
use predicates::prelude::*;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("kubectl-sts_doctor").unwrap();
    // No cluster is reachable: anything that gets as far as connecting fails fast.
    cmd.env("KUBECONFIG", "/nonexistent/kubeconfig").env("NO_COLOR", "1");
    cmd
}

#[test]
fn help_and_version() {
    bin().arg("--help").assert().success().stdout(predicate::str::contains("Usage: kubectl sts-doctor"));
    bin().arg("--version").assert().success().stdout(predicate::str::starts_with("kubectl sts-doctor "));
    for sub in ["ordinals", "claims", "force-delete", "reclaim", "rollout", "doctor"] {
        bin().args([sub, "--help"]).assert().success();
    }
}

/// Big StatefulSets: the help tells of the compact view's threshold and of --wide / -o wide.
#[test]
fn help_tells_of_the_compact_view_and_wide() {
    for sub in ["ordinals", "claims"] {
        bin()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Above 50 ordinals the table is compact"))
            .stdout(predicate::str::contains("--wide"))
            .stdout(predicate::str::contains("wide (table with one row per ordinal"));
    }
    // -o wide is an output format like the others (it gets as far as connecting).
    bin().args(["ordinals", "web", "-o", "wide"]).assert().code(1);
    bin().args(["claims", "web", "--wide"]).assert().code(1);
    bin().args(["ordinals", "web", "-o", "wider"]).assert().code(2);
}

/// Each subcommand's help lists what it accepts: -A only where it applies.
#[test]
fn help_lists_only_the_flags_a_subcommand_accepts() {
    for sub in ["ordinals", "claims", "force-delete", "rollout", "completion"] {
        bin().args([sub, "--help"]).assert().success().stdout(predicate::str::contains("all-namespaces").not());
    }
    for sub in ["doctor", "reclaim"] {
        bin().args([sub, "--help"]).assert().success().stdout(predicate::str::contains("-A, --all-namespaces"));
    }
    bin().arg("--help").assert().success().stdout(predicate::str::contains("-A, --all-namespaces"));
    // Where it does not apply it is a usage error, before or after the subcommand.
    for args in [vec!["rollout", "web", "-A"], vec!["-A", "rollout", "web"], vec!["reclaim", "web", "-A"]] {
        bin().args(&args).assert().code(2).stderr(predicate::str::starts_with("error:"));
    }
    // After doctor it is doctor's: a name with it is refused, without one it gets as far as connecting.
    bin().args(["doctor", "web", "-A"]).assert().code(2).stderr(predicate::str::contains("-A/--all-namespaces"));
    bin().args(["doctor", "-A"]).assert().code(1);
    bin().args(["-A"]).assert().code(1);
    bin().args(["reclaim", "--deleted", "-A"]).assert().code(1);
}

#[test]
fn usage_errors_exit_2_without_a_backtrace() {
    for args in [
        vec!["ordinals"],
        vec!["ordinals", "web", "-o", "xml"],
        vec!["rollout", "web", "--timeout", "soon"],
        vec!["force-delete", "web-0", "--not-ready-for", "-5m"],
        vec!["--bogus"],
        vec!["reclaim"],
        vec!["-n", "Shop", "ordinals", "web"],
        vec!["-n", "a/b", "doctor"],
        vec!["--request-timeout", "0s", "doctor"],
    ] {
        bin()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("backtrace").not())
            .stderr(predicate::str::starts_with("error:"));
    }
}

#[test]
fn invalid_names_are_rejected_before_connecting() {
    for (args, kind) in [(vec!["ordinals", "Web"], "statefulset"), (vec!["claims", "web_1"], "statefulset")] {
        bin().args(&args).assert().code(2).stderr(predicate::str::starts_with(format!("error: invalid {kind} name")));
    }
}

#[test]
fn no_configuration_is_one_clear_line() {
    let out = bin().args(["ordinals", "web"]).env_remove("KUBERNETES_SERVICE_HOST").assert().code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: no Kubernetes configuration found"), "{err}");
}

#[test]
fn unreachable_server_names_the_server() {
    let dir = std::env::temp_dir().join(format!("stsd-unreachable-{}", std::process::id()));
    let kubeconfig = unreachable_kubeconfig(&dir);
    let out = bin().args(["ordinals", "web"]).env("KUBECONFIG", &kubeconfig).assert().code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: cannot reach the API server at https://127.0.0.1:9"), "{err}");
}

/// A kubeconfig for a server that refuses connections: port 9 (discard) on loopback, where nothing
/// listens, so the connection is refused at once.
fn unreachable_kubeconfig(dir: &std::path::Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("config");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:9'}\nusers:\n\
         - name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u, namespace: shop}\n\
         current-context: x\n",
    )
    .unwrap();
    path
}

#[test]
fn kubeconfig_list_skips_missing_files_like_kubectl() {
    let dir = std::env::temp_dir().join(format!("stsd-kclist-{}", std::process::id()));
    let good = unreachable_kubeconfig(&dir);
    let list = std::env::join_paths([dir.join("missing"), good]).unwrap();
    let out = bin().args(["ordinals", "web"]).env("KUBECONFIG", &list).assert().code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    // It got as far as the server named in the file that exists.
    assert!(err.starts_with("error: cannot reach the API server at https://127.0.0.1:9"), "{err}");
}

#[test]
fn broken_kubeconfig_is_named_not_quoted() {
    let dir = std::env::temp_dir().join(format!("stsd-kcbroken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config");
    std::fs::write(&path, "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: SECRET-TOKEN\n  bad: [\n").unwrap();
    for explicit in [true, false] {
        let mut cmd = bin();
        if explicit {
            cmd.arg("--kubeconfig").arg(&path);
        } else {
            cmd.env("KUBECONFIG", &path);
        }
        let out = cmd.args(["ordinals", "web"]).env_remove("KUBERNETES_SERVICE_HOST").assert().code(1);
        let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(err.starts_with(&format!("error: cannot parse kubeconfig {}", path.display())), "{err}");
        assert!(!err.contains("SECRET"), "the error quotes the kubeconfig: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
