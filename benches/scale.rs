//! Scale benchmark (not a test): run with scripts/bench.sh, which starts a control plane.
//!
//! Case 1: a 1000-replica StatefulSet with two claim templates; case 2: plus a namespace of 50
//! StatefulSets with 5000 pods and claims. All are made Running/Ready/Bound by the simulator.
//! Times `ordinals`, `claims`, `doctor` next to the kubectl commands a person would run for the
//! same answer and next to raw `curl` LISTs of the same objects (the floor: one unpaged LIST each,
//! thrown away), in the same run. Prints wall time (median of runs), API requests and peak RSS
//! (GNU time; the kubectl and curl figures are for the whole `sh -c` line, its largest process).

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::objects::sts;

const RUNS: usize = 5;

struct Figure {
    what: String,
    wall: Duration,
    requests: usize,
    rss_mb: f64,
}

/// Runs `cmd` once under GNU time; returns its output, wall time and peak RSS in KiB.
///
/// Not wait4 on a direct child: a child forked from this (large) process counts the parent's
/// pages in its high-water mark until exec, and exec does not reset it.
fn run_once(cmd: &Command) -> (Output, Duration, i64) {
    let rss_file = std::env::temp_dir().join(format!("stsd-bench-rss-{}", std::process::id()));
    let mut timed = Command::new("/usr/bin/time");
    timed.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(cmd.get_program()).args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    let start = Instant::now();
    let output = timed.output().expect("run /usr/bin/time");
    let wall = start.elapsed();
    let rss = std::fs::read_to_string(&rss_file).ok().and_then(|s| s.trim().lines().last()?.parse().ok()).unwrap_or(0);
    (output, wall, rss)
}

/// Median wall time over RUNS, request count and peak RSS of the last run.
fn measure(what: &str, mut make: impl FnMut() -> Command, count: impl Fn(&Output) -> usize) -> Figure {
    let mut walls = Vec::new();
    let (mut requests, mut rss) = (0, 0);
    for _ in 0..RUNS {
        let (out, wall, max_rss) = run_once(&make());
        assert!(
            out.status.code().is_some_and(|c| c != 1 && c != 2),
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        walls.push(wall);
        requests = count(&out);
        rss = max_rss;
    }
    walls.sort();
    Figure { what: what.into(), wall: walls[RUNS / 2], requests, rss_mb: rss as f64 / 1024.0 }
}

fn ours(kubeconfig: &str, args: &[&str]) -> impl FnMut() -> Command {
    let (kubeconfig, args): (String, Vec<String>) = (kubeconfig.into(), args.iter().map(|s| s.to_string()).collect());
    move || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kubectl-sts_doctor"));
        c.arg("--kubeconfig").arg(&kubeconfig).args(&args).env("STS_DOCTOR_STATS", "1").env("NO_COLOR", "1");
        c
    }
}

fn our_requests(out: &Output) -> usize {
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines().find_map(|l| l.strip_prefix("api-requests: ")).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
}

/// One shell line of kubectl commands, run with -v=6 so every request is logged.
fn kubectl(kubeconfig: &str, script: &str) -> impl FnMut() -> Command {
    let (kubeconfig, script) = (kubeconfig.to_string(), script.to_string());
    move || {
        let mut c = Command::new("sh");
        c.arg("-c").arg(&script).env("KUBECONFIG", &kubeconfig);
        c
    }
}

/// Raw LISTs of `paths` with curl, one after another, bodies discarded: the floor any client of
/// the same objects pays (the test cluster's admin token and CA, as in its kubeconfig).
fn curl(kubeconfig: &str, paths: &[String]) -> (impl FnMut() -> Command, usize) {
    let dir = std::path::Path::new(kubeconfig).parent().expect("kubeconfig dir").to_path_buf();
    let text = std::fs::read_to_string(kubeconfig).expect("read kubeconfig");
    let server =
        text.lines().find_map(|l| l.trim().strip_prefix("server: ")).expect("server in kubeconfig").to_string();
    let script: Vec<String> = paths
        .iter()
        .map(|p| {
            format!(
                "curl -sSf -o /dev/null --cacert {} -H 'Authorization: Bearer sts-doctor-admin-token' \
                 -H 'Accept: application/json' '{server}{p}'",
                dir.join("pki/ca.crt").display()
            )
        })
        .collect();
    let script = script.join(" && ");
    let count = paths.len();
    let make = move || {
        let mut c = Command::new("sh");
        c.arg("-c").arg(&script);
        c
    };
    (make, count)
}

fn curl_measure(what: &str, kubeconfig: &str, paths: &[String]) -> Figure {
    let (make, count) = curl(kubeconfig, paths);
    measure(what, make, move |_| count)
}

fn kubectl_requests(out: &Output) -> usize {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        // "GET https://…" before kubectl 1.3x, `"Response" verb="GET" url="https://…"` since.
        .filter(|l| l.contains("round_trippers") && (l.contains(" https://") || l.contains("url=\"https://")))
        .count()
}

async fn wait_ready(env: &support::Env, name: &str, replicas: i32) {
    use k8s_openapi::api::apps::v1::StatefulSet;
    let api = env.api::<StatefulSet>();
    let deadline = Instant::now() + Duration::from_secs(1200);
    loop {
        if let Ok(s) = api.get(name).await
            && s.status.and_then(|st| st.ready_replicas).unwrap_or(0) == replicas
        {
            return;
        }
        assert!(Instant::now() < deadline, "{name} not ready in time");
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

fn print(title: &str, figures: &[Figure]) {
    println!("\n{title}\n{:<48} {:>10} {:>9} {:>9}", "command", "wall (ms)", "requests", "RSS (MB)");
    for f in figures {
        println!("{:<48} {:>10} {:>9} {:>9.1}", f.what, f.wall.as_millis(), f.requests, f.rss_mb);
    }
}

#[tokio::main]
async fn main() {
    let big = support::env("bench-big").await.expect("no cluster: run scripts/bench.sh");
    let kubeconfig = big.kubeconfig.display().to_string();
    let nodes: Vec<String> = (0..20).map(|i| format!("n{i}")).collect();
    let nodes: Vec<&str> = nodes.iter().map(String::as_str).collect();
    let _k1 = big.kubelet(&nodes).await;

    // Case 1: one StatefulSet of 1000 replicas with two claim templates (2000 claims, 2000 PVs).
    let setup = Instant::now();
    big.create_sts(&sts("big", 1000).parallel().templates(&[("data", "1Gi"), ("logs", "1Gi")])).await;
    wait_ready(&big, "big", 1000).await;
    eprintln!("case 1: 1000 pods, 2000 claims ready in {:.0?}", setup.elapsed());
    let b = big.ns.as_str();
    let doctor_all = || {
        measure(
            "kubectl get sts,pods,pvc -A",
            kubectl(&kubeconfig, "kubectl -v=6 get sts,pods,pvc -A >/dev/null"),
            kubectl_requests,
        )
    };
    let pods_big = format!("/api/v1/namespaces/{b}/pods?labelSelector=app%3Dbig");
    let claims_big = format!("/api/v1/namespaces/{b}/persistentvolumeclaims");
    let everything = ["/apis/apps/v1/statefulsets", "/api/v1/pods", "/api/v1/persistentvolumeclaims"].map(String::from);
    let case1 = vec![
        measure("sts-doctor ordinals big", ours(&kubeconfig, &["-n", b, "ordinals", "big"]), our_requests),
        curl_measure("curl: LIST pods -l app=big", &kubeconfig, std::slice::from_ref(&pods_big)),
        measure(
            "kubectl get pods -l app=big -o wide",
            kubectl(&kubeconfig, &format!("kubectl -v=6 -n {b} get pods -l app=big -o wide >/dev/null")),
            kubectl_requests,
        ),
        measure("sts-doctor claims big", ours(&kubeconfig, &["-n", b, "claims", "big"]), our_requests),
        curl_measure("curl: LIST pods -l app=big; LIST pvc", &kubeconfig, &[pods_big.clone(), claims_big.clone()]),
        measure(
            "kubectl get pods -l app=big -o wide; get pvc",
            kubectl(
                &kubeconfig,
                &format!(
                    "kubectl -v=6 -n {b} get pods -l app=big -o wide >/dev/null && kubectl -v=6 -n {b} get pvc >/dev/null"
                ),
            ),
            kubectl_requests,
        ),
        measure("sts-doctor doctor -A", ours(&kubeconfig, &["doctor", "-A"]), our_requests),
        doctor_all(),
        curl_measure("curl: LIST sts, pods, pvc -A", &kubeconfig, &everything),
    ];

    // Case 2: add a namespace of 50 StatefulSets x 100 replicas (5000 pods, 5000 claims).
    let many = support::env("bench-many").await.expect("no cluster");
    // A node takes 110 pods (the kubelet's default max-pods): 5000 pods want 46 nodes at least.
    let many_nodes: Vec<String> = (0..50).map(|i| format!("n{i}")).collect();
    let many_nodes: Vec<&str> = many_nodes.iter().map(String::as_str).collect();
    let _k2 = many.kubelet(&many_nodes).await;
    let setup = Instant::now();
    for i in 0..50 {
        many.create_sts(&sts(&format!("app{i:02}"), 100).parallel()).await;
    }
    for i in 0..50 {
        wait_ready(&many, &format!("app{i:02}"), 100).await;
    }
    eprintln!("case 2: 5000 more pods and claims ready in {:.0?}", setup.elapsed());
    let m = many.ns.as_str();
    let case2 = vec![
        measure("sts-doctor doctor -n (50 sts, 5000 pods)", ours(&kubeconfig, &["-n", m, "doctor"]), our_requests),
        measure(
            "kubectl get sts,pods,pvc -n",
            kubectl(&kubeconfig, &format!("kubectl -v=6 -n {m} get sts,pods,pvc >/dev/null")),
            kubectl_requests,
        ),
        curl_measure(
            "curl: LIST sts, pods, pvc -n",
            &kubeconfig,
            &["apis/apps/v1", "api/v1", "api/v1"]
                .iter()
                .zip(["statefulsets", "pods", "persistentvolumeclaims"])
                .map(|(group, kind)| format!("/{group}/namespaces/{m}/{kind}"))
                .collect::<Vec<_>>(),
        ),
        measure("sts-doctor doctor -A (51 sts, 6000 pods)", ours(&kubeconfig, &["doctor", "-A"]), our_requests),
        doctor_all(),
        curl_measure("curl: LIST sts, pods, pvc -A", &kubeconfig, &everything),
    ];

    print("case 1: StatefulSet of 1000 replicas, 2 claim templates (2000 claims)", &case1);
    print("case 2: plus 50 StatefulSets x 100 replicas in another namespace (6000 pods, 7000 claims)", &case2);
    println!(
        "\n(median of {RUNS} runs each; server {}; kubectl {}; RSS = peak resident set)",
        big.client.apiserver_version().await.map(|v| v.git_version).unwrap_or_else(|_| "?".into()),
        kubectl_version()
    );
}

fn kubectl_version() -> String {
    Command::new("kubectl")
        .args(["version", "--client", "-o", "json"])
        .output()
        .ok()
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
        .and_then(|v| v["clientVersion"]["gitVersion"].as_str().map(String::from))
        .unwrap_or_else(|| "?".into())
}
