//! Table form of the `reclaim` report: the plan (candidates, skipped claims), then per-claim results.

use std::collections::BTreeSet;

use super::style::Style;
use super::table::{or_dash, render};
use crate::reclaim::{Candidate, ClaimOutcome, Confidence, DataFate, Mode, ReclaimReport};

pub fn table(report: &ReclaimReport, style: Style) -> String {
    let plan = &report.plan;
    let all_namespaces = plan.namespace.is_none();
    let deleted = plan.mode == Mode::Deleted;
    let mut out = header(report);
    if plan.candidates.is_empty() {
        out.push_str(if plan.refusal.is_some() {
            "no claims reclaimed now: refused (see the error below)\n"
        } else {
            "no claims to reclaim\n"
        });
    } else {
        let mut headers = vec![];
        if all_namespaces {
            headers.push("namespace");
        }
        headers.push("claim");
        if deleted {
            headers.push("statefulset");
        }
        headers.extend(["size", "volume", "reclaim", "age", "last pod", "confidence"]);
        let rows = plan
            .candidates
            .iter()
            .map(|c| {
                let mut row = vec![];
                if all_namespaces {
                    row.push(c.namespace.clone());
                }
                row.push(c.claim.clone());
                if deleted {
                    row.push(c.statefulset.clone().unwrap_or_else(|| "?".into()));
                }
                row.extend([
                    or_dash(c.size.as_ref()),
                    or_dash(c.volume.as_ref()),
                    reclaim_cell(c, style),
                    or_dash(c.age.as_ref()),
                    or_dash(c.last_pod.as_ref()),
                    match c.confidence {
                        Confidence::High => "high".into(),
                        Confidence::Low => style.yellow("low"),
                    },
                ]);
                row
            })
            .collect();
        out.push_str(&render(&headers, rows));
        out.push('\n');
        // Details the short RECLAIM cell cannot carry, and the evidence behind low confidence.
        let mut details = BTreeSet::new();
        for c in &plan.candidates {
            if matches!(c.data_fate, DataFate::Unaffected | DataFate::Unknown) {
                details.insert(format!("{}: {}", qualified(all_namespaces, &c.namespace, &c.claim), c.reclaim));
            }
            if c.confidence == Confidence::Low {
                details.insert(format!("low confidence: {}", c.evidence));
            }
        }
        for line in details {
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(
            "LAST POD is the pod of the claim's ordinal: Kubernetes does not record which pod last mounted a claim.\n",
        );
    }
    if !plan.skipped.is_empty() {
        out.push_str(&format!("\nskipped ({}):\n", plan.skipped.len()));
        for s in &plan.skipped {
            out.push_str(&format!("  {}: {}\n", qualified(all_namespaces, &s.namespace, &s.claim), s.reason));
        }
    }
    if !plan.notes.is_empty() {
        out.push('\n');
        for note in &plan.notes {
            out.push_str(&format!("note: {note}\n"));
        }
    }
    if !report.delete && !plan.candidates.is_empty() && plan.refusal.is_none() {
        let n = plan.candidates.len();
        let destroyed = plan.candidates.iter().any(|c| c.data_fate == DataFate::Destroyed);
        out.push_str(&format!(
            "\nplan only, nothing changed: add --delete to delete {}{}\n",
            if n == 1 { "this claim".to_string() } else { format!("these {n} claims") },
            match (destroyed, n) {
                (false, _) => "",
                (true, 1) => " (with --keep-volume its PV and data are kept)",
                (true, _) => " (with --keep-volume their PVs and data are kept)",
            }
        ));
    }
    out
}

/// After --delete: one line per claim, a summary, and what Kubernetes still does.
pub fn results(report: &ReclaimReport, style: Style) -> String {
    let all_namespaces = report.plan.namespace.is_none();
    let results = report.results.as_deref().unwrap_or_default();
    let mut out = String::from("\n");
    for r in results {
        let label = match r.outcome {
            ClaimOutcome::Deleted => style.green("deleted"),
            ClaimOutcome::WouldDelete => "would delete (dry run)".to_string(),
            ClaimOutcome::AlreadyGone => "already gone".to_string(),
            ClaimOutcome::Conflict => style.red("conflict"),
            ClaimOutcome::InUse => style.red("in use"),
            ClaimOutcome::Failed => style.red("failed"),
            ClaimOutcome::Unknown => style.red("outcome unknown"),
        };
        out.push_str(&format!("{}: {label}: {}\n", qualified(all_namespaces, &r.namespace, &r.claim), r.message));
    }
    let failed = results.iter().filter(|r| !r.outcome.is_ok()).count();
    let count = |outcome| results.iter().filter(|r| r.outcome == outcome).count();
    let mut summary = vec![];
    for (outcome, word) in [
        (ClaimOutcome::Deleted, "deleted"),
        (ClaimOutcome::WouldDelete, "would be deleted (dry run: nothing changed)"),
        (ClaimOutcome::AlreadyGone, "already gone"),
    ] {
        let n = count(outcome);
        if n > 0 {
            summary.push(format!("{n} {word}"));
        }
    }
    if failed > 0 {
        summary.push(format!("{failed} not reclaimed"));
    }
    if !summary.is_empty() {
        out.push_str(&format!("\n{}\n", summary.join(", ")));
    }
    if count(ClaimOutcome::Deleted) > 0 {
        out.push_str(
            "note: Kubernetes removes a deleted claim once no pod uses it (kubernetes.io/pvc-protection): a claim a \
             pod started using after this plan stays Terminating until that pod is gone.\n",
        );
    }
    out
}

fn header(report: &ReclaimReport) -> String {
    let plan = &report.plan;
    if let Some(s) = &plan.statefulset {
        let templates = if s.templates.is_empty() { "none".to_string() } else { s.templates.join(", ") };
        return format!(
            "statefulset {}/{}: ordinals [{}, {}) (spec.replicas {}, status.replicas {}); templates: {templates}\n\
             claim retention: whenDeleted={} whenScaled={}{}\n\n",
            s.namespace,
            s.name,
            s.ordinals_start,
            s.ordinals_end,
            s.replicas,
            s.status_replicas,
            s.retention.when_deleted,
            s.retention.when_scaled,
            if s.retention_field_present { "" } else { " (server default)" }
        );
    }
    let whose = match &plan.deleted_name {
        Some(name) => format!("StatefulSet {name} (deleted)"),
        None => "deleted StatefulSets".into(),
    };
    let place = match &plan.namespace {
        Some(ns) => format!("namespace {ns}"),
        None => "all namespaces".into(),
    };
    format!("claims of {whose} in {place}: low confidence, inferred from claim names and shared labels\n\n")
}

/// What deleting the claim does to the data, in a few words.
fn reclaim_cell(c: &Candidate, style: Style) -> String {
    let policy = c.reclaim_policy.as_deref().unwrap_or("?");
    match c.data_fate {
        DataFate::Destroyed => style.red(&format!("{policy}: data destroyed")),
        DataFate::Kept if policy == "Retain" => style.green("Retain: PV kept"),
        DataFate::Kept => style.green(&format!("{policy}->Retain: PV kept")),
        DataFate::NoVolume if c.volume.is_some() => "PV gone".into(),
        DataFate::NoVolume => "no volume".into(),
        DataFate::Unaffected => "PV not this claim's".into(),
        DataFate::Unknown => style.yellow("unknown"),
    }
}

fn qualified(all_namespaces: bool, namespace: &str, claim: &str) -> String {
    if all_namespaces { format!("{namespace}/{claim}") } else { claim.to_string() }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::reclaim::{ClaimResult, PlanOptions, plan_deleted};
    use crate::testing::*;

    fn report(plan: crate::reclaim::ReclaimPlan, results: Option<Vec<ClaimResult>>) -> ReclaimReport {
        let mut report = ReclaimReport::new(plan, results.is_some(), false, false);
        report.results = results;
        report
    }

    #[test]
    fn all_namespaces_show_namespace_and_statefulset_columns() {
        let mut objects = vec![claim("data", "old", 0), claim("data", "old", 1), claim("data", "old", 2)];
        objects.push(volume("data-old-0"));
        objects.push(with(volume("data-old-1"), json!({ "spec": { "claimRef": { "name": "data-new-1" } } })));
        let mut elsewhere = claim("data", "gone", 0);
        merge(&mut elsewhere, json!({ "metadata": { "namespace": "other", "labels": null } }));
        objects.push(elsewhere);
        let plan = plan_deleted(&snapshot(objects), None, None, &PlanOptions::default());
        let text = table(&report(plan, None), Style::plain());
        assert_eq!(
            text,
            "claims of deleted StatefulSets in all namespaces: low confidence, inferred from claim names and shared labels\n\
             \n\
             NAMESPACE   CLAIM        STATEFULSET   SIZE   VOLUME          RECLAIM                  AGE    LAST POD   CONFIDENCE\n\
             shop        data-old-0   old           1Gi    pv-data-old-0   Delete: data destroyed   120m   old-0      low\n\
             shop        data-old-1   old           1Gi    pv-data-old-1   PV not this claim's      120m   old-1      low\n\
             shop        data-old-2   old           1Gi    pv-data-old-2   PV gone                  120m   old-2      low\n\
             \n\
             low confidence: family data-old-{0,1,2} sharing labels app=old, written only by kube-controller-manager; no \
             StatefulSet old in shop; inferred from names, labels and managed fields\n\
             shop/data-old-1: PV pv-data-old-1 (Bound) belongs to shop/data-new-1, not this claim: not affected\n\
             LAST POD is the pod of the claim's ordinal: Kubernetes does not record which pod last mounted a claim.\n\
             \n\
             skipped (1):\n  other/data-gone-0: no labels: the StatefulSet controller copies its selector's matchLabels \
             onto every claim it makes; without any this may not be a StatefulSet's claim\n\
             \n\
             plan only, nothing changed: add --delete to delete these 3 claims (with --keep-volume their PVs and data \
             are kept)\n"
        );
    }

    #[test]
    fn results_say_what_happened_per_claim() {
        let plan = plan_deleted(&snapshot(vec![claim("data", "old", 0)]), Some("shop"), None, &PlanOptions::default());
        let result = |claim: &str, outcome, message: &str| ClaimResult {
            namespace: "shop".into(),
            claim: claim.into(),
            outcome,
            retained_volume: None,
            message: message.into(),
            volume_switched: false,
        };
        let results = vec![
            result(
                "data-old-0",
                ClaimOutcome::Deleted,
                "PV pv-a has reclaimPolicy Delete: Kubernetes deletes the volume and its data",
            ),
            result(
                "data-old-1",
                ClaimOutcome::Conflict,
                "changed since the plan, not deleted (re-run to plan again): x",
            ),
            result("data-old-2", ClaimOutcome::AlreadyGone, "deleted earlier (by a previous run or someone else)"),
        ];
        let text = results_text(&report(plan, Some(results)));
        assert_eq!(
            text,
            "\ndata-old-0: deleted: PV pv-a has reclaimPolicy Delete: Kubernetes deletes the volume and its data\n\
             data-old-1: conflict: changed since the plan, not deleted (re-run to plan again): x\n\
             data-old-2: already gone: deleted earlier (by a previous run or someone else)\n\
             \n1 deleted, 1 already gone, 1 not reclaimed\n\
             note: Kubernetes removes a deleted claim once no pod uses it (kubernetes.io/pvc-protection): a claim a \
             pod started using after this plan stays Terminating until that pod is gone.\n"
        );
    }

    fn results_text(report: &ReclaimReport) -> String {
        results(report, Style::plain())
    }
}
