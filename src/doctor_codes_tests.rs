//! The README's findings table, the claim flags and every suggested command against the code and
//! the real CLI.

use serde_json::json;

use super::super::*;
use crate::testing::*;

#[test]
fn the_readme_documents_every_finding_code_with_its_severity() {
    let readme = include_str!("../README.md");
    let table = &readme[readme.find("| code | severity | meaning |").expect("the README's findings table")..];
    let mut documented: Vec<(String, String)> = Vec::new();
    for line in table.lines().skip(2).take_while(|l| l.starts_with('|')) {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        for code in cols[1].split(',') {
            documented.push((code.trim().trim_matches('`').to_string(), cols[2].to_string()));
        }
    }
    let mut coded: Vec<(String, String)> = CODES.iter().map(|(c, s)| (c.to_string(), s.label().to_string())).collect();
    documented.sort();
    coded.sort();
    assert_eq!(documented, coded);
}

#[test]
fn every_claim_flag_kind_maps_to_a_documented_finding() {
    // The kinds the README's claims section lists...
    let readme = include_str!("../README.md");
    let list = &readme[readme.find("other's claims. Flags: ").expect("the README's claim flags")..];
    let list = &list[..list.find(". \"Mounted by\"").unwrap()];
    let documented: Vec<&'static str> = list.split('`').skip(1).step_by(2).collect();
    // ...include every kind `claims` flags in its source (the first string after `flag(` or `kind: `).
    for source in [include_str!("claims.rs"), include_str!("claims_orphans.rs"), include_str!("claims_size.rs")] {
        for marker in ["flag(", "kind: "] {
            for (at, _) in source.match_indices(marker) {
                let rest = &source[at + marker.len()..];
                let Some(open) = rest.find('"') else { continue };
                let literal = &rest[open + 1..];
                let kind = &literal[..literal.find('"').unwrap()];
                if !kind.is_empty() && kind.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                    assert!(documented.contains(&kind), "claim flag {kind} is not in the README's list");
                }
            }
        }
    }
    assert_eq!(documented.len(), 16, "{documented:?}");
    for kind in documented {
        for severity in [Severity::Error, Severity::Warning] {
            let flag = crate::claims::Flag { kind, severity, message: String::new() };
            if let Some((severity, code)) = claim_code(&flag) {
                assert!(CODES.contains(&(code, severity)), "claim flag {kind} maps to {code} ({severity:?})");
            }
        }
    }
}

/// `kubectl sts-doctor ...` as argv for the real CLI, without a trailing `# comment`.
fn argv(command: &str) -> Vec<std::ffi::OsString> {
    let command = command.split("  #").next().unwrap().trim();
    let rest = command.strip_prefix("kubectl sts-doctor ").unwrap_or_else(|| panic!("not ours: {command}"));
    std::iter::once("kubectl-sts_doctor").chain(rest.split_whitespace()).map(Into::into).collect()
}

/// Every command doctor (or ordinals) suggests, in the suggestion or quoted in the message,
/// parses with the real CLI, names the StatefulSet's namespace and the object concerned.
fn assert_commands_valid(snap: &Snapshot, r: &DoctorReport) -> Vec<String> {
    use crate::cli::Command;
    let mut seen = Vec::new();
    for s in &r.statefulsets {
        let sts = snap.statefulsets.iter().find(|x| x.name == s.name).unwrap();
        let rows = crate::ordinals::diagnose(snap, sts).ordinals;
        let quoted = s.findings.iter().flat_map(|f| {
            f.message.split('`').skip(1).step_by(2).filter(|q| q.starts_with("kubectl sts-doctor")).map(move |q| (f, q))
        });
        let suggested = s.findings.iter().filter_map(|f| Some((f, f.suggestion.as_deref()?)));
        let from_rows = rows.iter().filter_map(|r| r.suggestion.as_deref());
        for (command, subject) in
            quoted.chain(suggested).map(|(f, c)| (c, f.subject.clone())).chain(from_rows.map(|c| (c, None)))
        {
            // kubectl's own (a PodDisruptionBudget to create or patch): in the namespace too.
            if !command.starts_with("kubectl sts-doctor ") {
                assert!(command.starts_with(&format!("kubectl -n {} ", s.namespace)), "{command}");
                continue;
            }
            let cli = crate::cli::parse(argv(command)).unwrap_or_else(|e| panic!("{command}: {e}"));
            assert_eq!(cli.global.namespace.as_deref(), Some(s.namespace.as_str()), "{command}");
            match cli.command.unwrap_or_else(|| panic!("{command}: no subcommand")) {
                Command::ForceDelete(a) => {
                    assert!(subject.is_none_or(|p| p == a.pod) && a.pod.starts_with(&s.name), "{command}")
                }
                Command::Rollout(a) => assert_eq!(a.sts(), s.name, "{command}"),
                Command::Reclaim(a) => assert_eq!(a.name.as_deref(), Some(s.name.as_str()), "{command}"),
                Command::Ordinals(a) | Command::Claims(a) => assert_eq!(a.name, s.name, "{command}"),
                other => panic!("{command}: unexpected {other:?}"),
            }
            seen.push(
                argv(command).iter().skip(3).map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" "),
            );
        }
    }
    seen
}

#[test]
fn every_suggested_command_parses_with_the_cli_and_names_its_namespace() {
    let mut seen = Vec::new();
    let mut check = |objects: Vec<serde_json::Value>| {
        let snap = snapshot(objects);
        let r = diagnose(&snap, None);
        seen.extend(assert_commands_valid(&snap, &r));
    };
    // A pod on a lost node; a claim left by scale-down; a drifted claim; a pod not Ready.
    let mut objects = healthy("web", 3);
    remove(&mut objects, "Node", "n2");
    remove(&mut objects, "Lease", "n2");
    objects.extend([lost_node("n2", 900), lease("n2", 900)]);
    patch(&mut objects, "StatefulSet", "web", json!({ "spec": { "replicas": 2 }, "status": { "replicas": 2 } }));
    remove(&mut objects, "Pod", "web-2");
    patch(&mut objects, "PersistentVolumeClaim", "data-web-0", json!({ "status": { "phase": "Pending" } }));
    check(objects);
    // A paused canary, then the forced-rollback trap (a reverted template, a broken pod left).
    let mut objects = healthy("web", 3);
    let partitioned = json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": 2 } } },
                              "status": { "updateRevision": "web-r2" } });
    patch(&mut objects, "StatefulSet", "web", partitioned);
    patch(&mut objects, "Pod", "web-2", json!({ "metadata": { "labels": { "controller-revision-hash": "web-r2" } } }));
    check(objects.clone());
    let reverted = json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": 0 } } },
                           "status": { "updateRevision": "web-r1" } });
    patch(&mut objects, "StatefulSet", "web", reverted);
    let crashing = json!({ "status": { "conditions": [{ "type": "Ready", "status": "False", "lastTransitionTime": ago(900) }],
        "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 6, "image": "app:2", "imageID": "",
                                "state": { "waiting": { "reason": "CrashLoopBackOff" } } }] } });
    patch(&mut objects, "Pod", "web-2", crashing.clone());
    check(objects.clone());
    // The trap with web-2's node lost too, then a stuck rollout on the update revision.
    remove(&mut objects, "Node", "n1");
    remove(&mut objects, "Lease", "n1");
    objects.extend([lost_node("n1", 900), lease("n1", 900)]);
    check(objects);
    let mut objects = healthy("web", 3);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "status": { "updateRevision": "web-r2", "updatedReplicas": 1 } }),
    );
    patch(&mut objects, "Pod", "web-2", crashing);
    patch(&mut objects, "Pod", "web-2", json!({ "metadata": { "labels": { "controller-revision-hash": "web-r2" } } }));
    check(objects);
    // OnDelete with pods on the old template; a partition beyond replicas.
    let mut objects = healthy("web", 2);
    let on_delete = json!({ "spec": { "updateStrategy": { "type": "OnDelete", "rollingUpdate": null } },
                            "status": { "updateRevision": "web-r2" } });
    patch(&mut objects, "StatefulSet", "web", on_delete);
    check(objects);
    let mut objects = healthy("web", 2);
    patch(
        &mut objects,
        "StatefulSet",
        "web",
        json!({ "spec": { "updateStrategy": { "rollingUpdate": { "partition": 5 } } } }),
    );
    check(objects);

    for want in [
        "force-delete web-1 --node-fenced",
        "reclaim web",
        "claims web",
        "ordinals web",
        "rollout web --step 1",
        "rollout web --fix",
        "rollout web",
    ] {
        assert!(seen.iter().any(|s| s == want), "no suggestion {want:?} among {seen:?}");
    }
}
