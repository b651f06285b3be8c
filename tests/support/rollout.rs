//! Helpers for rollout tests: reading revisions off the StatefulSet and its pods, waiting for them.

use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Patch, PatchParams};
use serde_json::{Value, json};

use super::{Env, eventually};

/// A pod as a rollout sees it.
#[derive(Debug, Clone)]
pub struct PodView {
    pub uid: String,
    pub revision: String,
    pub phase: String,
    pub ready: bool,
    pub terminating: bool,
}

/// The StatefulSet's revisions and whether the controller observed its spec.
#[derive(Debug, Clone)]
pub struct Revisions {
    pub current: String,
    pub update: String,
    pub observed: bool,
}

impl Env {
    pub async fn pod_view(&self, name: &str) -> Option<PodView> {
        let pod = self.api::<Pod>().get_opt(name).await.ok()??;
        let status = pod.status.clone().unwrap_or_default();
        Some(PodView {
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            revision: pod
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("controller-revision-hash").cloned())
                .unwrap_or_default(),
            phase: status.phase.clone().unwrap_or_default(),
            ready: status.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True"),
            terminating: pod.metadata.deletion_timestamp.is_some(),
        })
    }

    pub async fn revisions(&self, sts: &str) -> Revisions {
        let s = self.api::<StatefulSet>().get(sts).await.expect("get statefulset");
        let status = s.status.clone().unwrap_or_default();
        Revisions {
            current: status.current_revision.clone().unwrap_or_default(),
            update: status.update_revision.clone().unwrap_or_default(),
            observed: status.observed_generation.unwrap_or(0) >= s.metadata.generation.unwrap_or(0),
        }
    }

    /// The partition of the StatefulSet's rolling update (0 when unset).
    pub async fn partition(&self, sts: &str) -> i64 {
        let s = self.api::<StatefulSet>().get(sts).await.expect("get statefulset");
        s.spec.unwrap().update_strategy.unwrap().rolling_update.unwrap().partition.unwrap_or(0).into()
    }

    /// The document of `rollout <sts> -o json` with `extra` arguments.
    pub async fn rollout_json(&self, sts: &str, extra: &[&str]) -> Value {
        let mut args = vec!["rollout", sts, "-o", "json"];
        args.extend(extra);
        super::json(&self.run(&args).await)
    }

    /// Sets the image of the first container (a template change: a new revision).
    pub async fn set_image(&self, sts: &str, image: &str) -> Revisions {
        // Strategic merge: containers merge by name, so setting the image back restores the exact
        // earlier template (and the controller re-uses its revision).
        let patch =
            json!({ "spec": { "template": { "spec": { "containers": [{ "name": "app", "image": image }] } } } });
        self.api::<StatefulSet>()
            .patch(sts, &PatchParams::default(), &Patch::Strategic(&patch))
            .await
            .expect("patch image");
        eventually("the controller to observe the new template", Duration::from_secs(60), || async {
            let r = self.revisions(sts).await;
            r.observed.then_some(r)
        })
        .await
    }

    /// Waits until `check` holds for pod `name`.
    pub async fn wait_pod(&self, name: &str, what: &str, check: impl Fn(&PodView) -> bool) -> PodView {
        eventually(&format!("{name}: {what}"), Duration::from_secs(90), || async {
            self.pod_view(name).await.filter(|p| check(p))
        })
        .await
    }
}

/// The plugin running in the background, its stdout read line by line as it comes.
pub struct Running {
    child: std::process::Child,
    lines: tokio::sync::mpsc::UnboundedReceiver<String>,
    seen: Vec<String>,
}

impl Env {
    /// Starts the plugin like [`Env::run`] without waiting for it.
    pub fn spawn(&self, args: &[&str]) -> Running {
        use std::io::BufRead;
        let mut child = super::plugin_command()
            .args(self.plugin_args(&self.kubeconfig, args))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn kubectl-sts_doctor");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, lines, seen: Vec::new() }
    }
}

impl Running {
    /// Waits for a line of stdout starting with `prefix` (lines before it are kept).
    pub async fn wait_for_line(&mut self, prefix: &str) {
        let found = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = self.lines.recv().await {
                let hit = line.starts_with(prefix);
                self.seen.push(line);
                if hit {
                    return true;
                }
            }
            false
        })
        .await;
        assert!(matches!(found, Ok(true)), "no line starting with {prefix:?} in:\n{}", self.seen.join("\n"));
    }

    /// Sends SIGINT, as Ctrl-C on a terminal does.
    pub fn interrupt(&self) {
        let status =
            std::process::Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().expect("run kill");
        assert!(status.success(), "kill -INT failed");
    }

    /// Waits for the process to exit: its exit code and its whole stdout.
    pub async fn finish(mut self) -> (Option<i32>, String, String) {
        let mut child = self.child;
        let (status, stderr) = tokio::task::spawn_blocking(move || {
            let status = child.wait().expect("wait");
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
            }
            (status, stderr)
        })
        .await
        .expect("join");
        while let Some(line) = self.lines.recv().await {
            self.seen.push(line);
        }
        (status.code(), self.seen.join("\n") + "\n", stderr)
    }
}
