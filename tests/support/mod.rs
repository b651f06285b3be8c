//! Test support for end-to-end tests against the real control plane started by tests/run.sh.
//!
//! There is no kubelet or scheduler: [`Kubelet`] plays both (binds pending pods to healthy fake
//! nodes once their claims are Bound, reports them Running/Ready, finishes graceful deletions,
//! renews node Leases) and acts as a volume provisioner (creates a PV pre-bound to each pending
//! claim; the real PV controller binds them). Nodes can be "lost": the simulator stops acting for
//! them and their status/Lease/taints are rewritten to look like a partition that started some
//! time ago.
#![allow(dead_code)]

pub mod claims;
pub mod evidence;
pub mod kubelet;
pub mod normalize;
pub mod objects;
pub mod pod_status;
pub mod pty;
pub mod pty_interrupt;
pub mod rbac;
pub mod rollout;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::Value;

pub use kubelet::Kubelet;

/// The label of a test's nodes naming its namespace (the namespace's pods go only there).
pub const NODE_LABEL: &str = "sts-doctor.test/namespace";

/// Env var naming the admin kubeconfig of the test cluster (set by tests/run.sh).
pub const KUBECONFIG_ENV: &str = "STS_DOCTOR_TEST_KUBECONFIG";

/// A namespace of its own on the test cluster, deleted when dropped.
pub struct Env {
    pub client: Client,
    pub kubeconfig: PathBuf,
    pub ns: String,
}

/// Connects to the test cluster and creates a fresh namespace; `None` (test skipped) when no
/// cluster is configured, unless STS_DOCTOR_REQUIRE_CLUSTER=1 (CI) makes that a failure.
pub async fn env(test: &str) -> Option<Env> {
    let Some(path) = std::env::var_os(KUBECONFIG_ENV).map(PathBuf::from) else {
        if std::env::var("STS_DOCTOR_REQUIRE_CLUSTER").as_deref() == Ok("1") {
            panic!("{KUBECONFIG_ENV} is not set: run the tests with tests/run.sh");
        }
        eprintln!("skipping {test}: no test cluster ({KUBECONFIG_ENV} unset; tests/run.sh sets it)");
        return None;
    };
    let kubeconfig = Kubeconfig::read_from(&path).expect("read test kubeconfig");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await.expect("config");
    let client = Client::try_from(config).expect("client");
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let ns = format!(
        "{}-{}-{}",
        test.replace('_', "-").chars().take(40).collect::<String>().trim_end_matches('-'),
        std::process::id() % 10000,
        SEQ.fetch_add(1, Ordering::Relaxed)
    );
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let mut object = Namespace::default();
    object.metadata.name = Some(ns.clone());
    // The PodNodeSelector admission plugin (start.sh) gives every pod of the namespace this
    // selector: the real scheduler puts this test's pods on this test's nodes only.
    let selector = format!("{NODE_LABEL}={ns}");
    object.metadata.annotations = Some([("scheduler.alpha.kubernetes.io/node-selector".to_string(), selector)].into());
    namespaces.create(&PostParams::default(), &object).await.expect("create namespace");
    wait_until_pods_are_admitted(&client, &ns).await;
    Some(Env { client, kubeconfig: path, ns })
}

/// Waits until pods can be created in `ns`. The 1.20 ServiceAccount admission plugin refuses a pod
/// ("No API token found for service account \"default\", retry after the token is automatically
/// created", a 500) until the token controller has made the account's token secret and the
/// plugin's informer has seen it: the StatefulSet controller would record FailedCreate events, a
/// test's own pod would fail. A server-side dry run goes through admission and stores nothing.
async fn wait_until_pods_are_admitted(client: &Client, ns: &str) {
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(client.clone(), ns);
    let probe = serde_json::from_value(serde_json::json!({
        "metadata": { "name": "admission-probe" },
        "spec": { "containers": [{ "name": "c", "image": "registry.example/probe:1" }] }
    }))
    .expect("probe pod");
    let params = PostParams { dry_run: true, ..PostParams::default() };
    let what = format!(
        "pods to be admitted in {ns} (default service account and its token: is kube-controller-manager running?)"
    );
    eventually(&what, Duration::from_secs(30), || async { pods.create(&params, &probe).await.ok().map(drop) }).await;
}

impl Drop for Env {
    fn drop(&mut self) {
        if std::env::var_os("STS_DOCTOR_KEEP_NAMESPACES").is_some() {
            return;
        }
        let (client, ns) = (self.client.clone(), self.ns.clone());
        let delete = async move {
            let _ = Api::<Namespace>::all(client).delete(&ns, &DeleteParams::default()).await;
        };
        // Synchronously (a task spawned here would die with the test's runtime); the namespace
        // controller removes the contents. Only multi-threaded runtimes can block in place.
        if let Ok(handle) = tokio::runtime::Handle::try_current()
            && handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
        {
            tokio::task::block_in_place(|| handle.block_on(delete));
        }
    }
}

impl Env {
    pub fn api<K>(&self) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        <K as kube::Resource>::DynamicType: Default,
    {
        Api::namespaced(self.client.clone(), &self.ns)
    }

    pub fn cluster_api<K>(&self) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::ClusterResourceScope>,
        <K as kube::Resource>::DynamicType: Default,
    {
        Api::all(self.client.clone())
    }

    /// A simulated kubelet for this namespace with `nodes` healthy fake nodes (names made unique).
    pub async fn kubelet(&self, nodes: &[&str]) -> Kubelet {
        Kubelet::start(self.client.clone(), &self.ns, nodes).await
    }

    /// A cluster connection of the library's on this namespace, for tests that drive it directly.
    pub fn cluster(&self, timeout: Duration) -> sts_doctor::cluster::Cluster {
        sts_doctor::cluster::Cluster {
            client: self.client.clone(),
            namespace: self.ns.clone(),
            server: "test".into(),
            timeout,
        }
    }

    /// The plugin's arguments for `args` as typed by a user, in this namespace with `kubeconfig`.
    pub fn plugin_args(&self, kubeconfig: &Path, args: &[&str]) -> Vec<String> {
        let mut full: Vec<String> = vec!["--kubeconfig".into(), kubeconfig.display().to_string()];
        full.extend(["-n".to_string(), self.ns.clone()]);
        full.extend(args.iter().map(|s| s.to_string()));
        full
    }

    /// Runs the plugin binary with this namespace and the test kubeconfig; `args` as typed by a user.
    pub async fn run(&self, args: &[&str]) -> Output {
        run_binary(self.plugin_args(&self.kubeconfig, args), &[]).await
    }

    /// Like [`Env::run`] with extra environment variables.
    pub async fn run_with_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        run_binary(self.plugin_args(&self.kubeconfig, args), vars).await
    }
}

/// The plugin binary as tests start it: without colours, and without the environment's
/// KUBECONFIG (each run names its cluster with --kubeconfig).
pub fn plugin_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubectl-sts_doctor"));
    cmd.env("NO_COLOR", "1").env_remove("KUBECONFIG");
    cmd
}

/// Runs the binary off the async runtime (the simulator keeps running meanwhile).
pub async fn run_binary(args: Vec<String>, vars: &[(&str, &str)]) -> Output {
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = plugin_command();
        cmd.args(&args);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd.output().expect("run kubectl-sts_doctor")
    })
    .await
    .expect("join")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Stdout as the one JSON document it must be (a second document, or anything else, fails),
/// showing both streams when it is not.
#[track_caller]
pub fn json(out: &Output) -> Value {
    match serde_json::from_slice(&out.stdout) {
        Ok(doc) => doc,
        Err(e) => panic!("not one JSON document ({e}): {}\n{}", stdout(out), stderr(out)),
    }
}

/// Asserts the exit code, showing both streams when it differs.
#[track_caller]
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
        stdout(out),
        stderr(out)
    );
}

/// `insta::assert_snapshot!` with the test server's version as the snapshot's suffix
/// (`name@v1.37.snap`): each server's output is kept, and compared, on its own, since the
/// controllers and API fields differ by release. A macro, so that insta names the snapshot after
/// the calling test's module.
#[macro_export]
macro_rules! server_snapshot {
    ($env:expr, $name:expr, $value:expr) => {{
        let suffix = format!("v1.{}", $env.server_minor().await);
        insta::with_settings!({ snapshot_suffix => suffix }, { insta::assert_snapshot!($name, $value) });
    }};
}

/// Polls `check` every 200 ms until it returns `Some`, or panics with `what` after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// force-delete's loss thresholds for a node lost in real time (the test cluster's controllers
/// act within seconds, so a loss is seconds old, not the 5 minutes the defaults want).
pub const LOSS_THRESHOLDS: [&str; 4] = ["--not-ready-for", "1s", "--lease-stale-for", "1s"];

/// `args` with [`LOSS_THRESHOLDS`] added: a force-delete of a pod on a node lost seconds ago.
pub fn lost<'a>(args: &[&'a str]) -> Vec<&'a str> {
    args.iter().copied().chain(LOSS_THRESHOLDS).collect()
}

/// The thresholds of [`LOSS_THRESHOLDS`], for tests that drive the library.
pub fn short_thresholds() -> sts_doctor::force_delete::Thresholds {
    let second = jiff::SignedDuration::from_secs(1);
    sts_doctor::force_delete::Thresholds { not_ready_for: second, lease_stale_for: second }
}

impl Env {
    /// The test server's minor version (GET /version): where the controllers differ by release,
    /// a test asserts what this server's do.
    pub async fn server_minor(&self) -> u32 {
        let info = self.client.apiserver_version().await.expect("GET /version");
        info.minor.trim_end_matches('+').parse().expect("numeric minor version")
    }
}
