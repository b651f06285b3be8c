//! The binary as scripts meet it: output closed early (`| head`, `| grep -q`).

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::support::objects::sts;
use crate::support::{Env, assert_exit, env, lost, plugin_command, stderr};

/// Runs the plugin with stdout a pipe whose reading end is closed at once, as `| head -0` or a
/// `grep -q` that has already matched would leave it.
async fn run_with_stdout_closed(env: &Env, args: &[&str]) -> Output {
    let full = env.plugin_args(&env.kubeconfig, args);
    tokio::task::spawn_blocking(move || {
        let mut child = plugin_command()
            .args(&full)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run kubectl-sts_doctor");
        // Closed before the plugin's first write, which comes only after its API requests.
        drop(child.stdout.take());
        child.wait_with_output().expect("wait")
    })
    .await
    .expect("join")
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_stdout_keeps_the_exit_code_and_never_acts_on_an_unread_plan() {
    let Some(env) = env("cli-closed-stdout").await else { return };
    let kubelet = env.kubelet(&["n1", "n2"]).await;
    kubelet.schedule_only_on(&["n1"]).await;
    env.create_sts(&sts("web", 2).no_service()).await;
    kubelet.place(&[("web-0", "n1"), ("web-1", "n2")]).await;
    env.wait_ready("web", 2).await;

    // doctor: the missing service is a warning, whoever reads the output.
    let out = run_with_stdout_closed(&env, &["doctor"]).await;
    assert_exit(&out, 6);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    // force-delete on a lost node with --yes: allowed, but its checklist and plan went nowhere.
    kubelet.lose_node("n2").await;
    let uid = env.pod_uid("web-1").await.unwrap();
    let out = run_with_stdout_closed(&env, &lost(&["force-delete", "web-1", "--node-fenced", "--yes"])).await;
    assert_exit(&out, 3);
    assert!(stderr(&out).starts_with("error: not confirmed: the output was closed"), "{}", stderr(&out));
    assert_eq!(env.pod_uid("web-1").await, Some(uid), "nothing may be deleted");
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_following_is_one_line_and_exit_130() {
    let Some(env) = env("cli-ctrl-c").await else { return };
    // No kubelet: web-0 stays Pending, so the rollout is followed until interrupted.
    env.create_sts(&sts("web", 1)).await;
    let args = env.plugin_args(&env.kubeconfig, &["rollout", "web", "--watch", "--stuck-after", "1h"]);
    let out = tokio::task::spawn_blocking(move || {
        let child = plugin_command()
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run kubectl-sts_doctor");
        std::thread::sleep(Duration::from_secs(2));
        let kill = Command::new("sh").args(["-c", "kill -INT \"$0\"", &child.id().to_string()]).status().unwrap();
        assert!(kill.success());
        child.wait_with_output().expect("wait")
    })
    .await
    .expect("join");
    assert_exit(&out, 130);
    let err = stderr(&out);
    assert!(err.lines().last().is_some_and(|l| l.starts_with("error: interrupted")), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pod_name_for_a_statefulset_and_back_says_which_it_is() {
    let Some(env) = env("cli-wrong-kind").await else { return };
    env.create_sts(&sts("web", 1)).await;
    env.wait_pods(&["web-0"]).await;

    for command in ["ordinals", "claims", "rollout", "doctor"] {
        let out = env.run(&[command, "web-0"]).await;
        assert_exit(&out, 1);
        let err = stderr(&out);
        assert_eq!(
            err,
            format!(
                "error: statefulset \"web-0\" not found in namespace \"{}\", but pod web-0 is one of StatefulSet web: \
                 pass web\n",
                env.ns
            ),
            "{command}"
        );
    }
    let out = env.run(&["force-delete", "web"]).await;
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("but StatefulSet web exists: pass one of its pods (web-0"), "{}", stderr(&out));
    // Nothing of either kind: the plain 404.
    let out = env.run(&["ordinals", "nope-0"]).await;
    assert_eq!(stderr(&out), format!("error: statefulset \"nope-0\" not found in namespace \"{}\"\n", env.ns));
}

/// A typo in -n: the namespace does not exist, and the command says so (exit 1) instead of an
/// empty report (exit 0) or only a missing object. A user who may not read namespaces gets the
/// plain answer.
#[tokio::test(flavor = "multi_thread")]
async fn a_namespace_that_does_not_exist_is_named() {
    use crate::support::{eventually, run_binary};

    let Some(env) = env("cli-no-namespace").await else { return };
    let missing = format!("{}-typo", env.ns);
    let run = |args: &[&str]| {
        let mut full =
            vec!["--kubeconfig".to_string(), env.kubeconfig.display().to_string(), "-n".into(), missing.clone()];
        full.extend(args.iter().map(|s| s.to_string()));
        run_binary(full, &[])
    };
    let gone = format!("error: namespace \"{missing}\" not found");
    for args in [&["doctor"][..], &["doctor", "-o", "json"], &["reclaim", "--deleted"]] {
        let out = run(args).await;
        assert_exit(&out, 1);
        assert_eq!(stderr(&out), format!("{gone}\n"), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
    }
    for (args, object) in [
        (&["ordinals", "web"][..], "statefulset \"web\""),
        (&["claims", "web"], "statefulset \"web\""),
        (&["rollout", "web"], "statefulset \"web\""),
        (&["doctor", "web"], "statefulset \"web\""),
        (&["reclaim", "web"], "statefulset \"web\""),
        (&["force-delete", "web-0"], "pod \"web-0\""),
    ] {
        let out = run(args).await;
        assert_exit(&out, 1);
        assert_eq!(stderr(&out), format!("{gone}: {object} not found in namespace \"{missing}\"\n"), "{args:?}");
    }

    // The namespace exists and is empty: doctor is clean (exit 0), whoever asks; a user who may
    // not read namespaces gets the plain 404 too.
    env.grant_viewer_rules(
        "viewer-ns",
        "- apiGroups: [apps]\n  resources: [statefulsets, controllerrevisions]\n  verbs: [get, list]\n\
         - apiGroups: [\"\"]\n  resources: [pods, persistentvolumeclaims, services, events]\n  verbs: [get, list]\n",
    )
    .await;
    let viewer = env.viewer_kubeconfig();
    let out = env.run(&["doctor"]).await;
    assert_exit(&out, 0);
    let out = eventually("the viewer's role to apply", Duration::from_secs(10), || async {
        let out = env.run_as(&viewer, &["doctor"]).await;
        (out.status.code() == Some(0)).then_some(out)
    })
    .await;
    let text = crate::support::stdout(&out);
    assert!(text.starts_with(&format!("no StatefulSets in namespace {}\n", env.ns)), "{text}");
    // It cannot tell an empty namespace from a typo, and says so.
    assert!(text.contains(&format!("whether namespace {} exists could not be checked (", env.ns)), "{text}");
    let out = env.run_as(&viewer, &["ordinals", "web"]).await;
    assert_exit(&out, 1);
    assert_eq!(stderr(&out), format!("error: statefulset \"web\" not found in namespace \"{}\"\n", env.ns));
}
