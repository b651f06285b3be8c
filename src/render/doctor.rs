//! Text form of the `doctor` report: an overview table, then each StatefulSet's findings.

use super::style::Style;
use super::table::render;
use crate::doctor::{DoctorReport, Finding, StatefulSetFindings};
use crate::severity::Severity;

pub fn table(report: &DoctorReport, style: Style) -> String {
    if report.statefulsets.is_empty() {
        let scope = report.namespace.as_ref().map_or("any namespace".to_string(), |ns| format!("namespace {ns}"));
        let mut out = format!("no StatefulSets in {scope}\n");
        notes(report, &mut out);
        return out;
    }
    let rows = report
        .statefulsets
        .iter()
        .map(|s| {
            vec![
                format!("{}/{}", s.namespace, s.name),
                format!("{}/{}", s.ready_replicas, s.replicas),
                counts(s, style),
            ]
        })
        .collect();
    let mut out = render(&["statefulset", "ready", "findings"], rows);
    for s in report.statefulsets.iter().filter(|s| !s.findings.is_empty()) {
        out.push_str(&format!("\n{}\n", style.bold(&format!("{}/{}", s.namespace, s.name))));
        for f in &s.findings {
            out.push_str(&line(f, style));
        }
    }
    let sum = &report.summary;
    out.push_str(&format!(
        "\n{} statefulset(s): {} error(s), {} warning(s), {} info{}\n",
        sum.statefulsets,
        sum.errors,
        sum.warnings,
        sum.infos,
        incomplete(report, style)
    ));
    notes(report, &mut out);
    out
}

/// "; incomplete: nodes and leases unreadable, not checked: pod-on-lost-node, ..." (the notes
/// that follow give the reasons).
fn incomplete(report: &DoctorReport, style: Style) -> String {
    let sum = &report.summary;
    if !sum.incomplete {
        return String::new();
    }
    let parts: Vec<&str> = sum.unavailable.iter().map(|u| u.part).collect();
    let parts = match parts.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    let unchecked =
        if sum.unchecked.is_empty() { String::new() } else { format!(", not checked: {}", sum.unchecked.join(", ")) };
    format!("; {}", style.yellow(&format!("incomplete: {parts} unreadable{unchecked}")))
}

fn notes(report: &DoctorReport, out: &mut String) {
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
}

fn label(severity: Severity, style: Style) -> String {
    let text = format!("{:<7}", severity.label());
    match severity {
        Severity::Error => style.red(&text),
        Severity::Warning => style.yellow(&text),
        Severity::Info => text,
    }
}

fn line(f: &Finding, style: Style) -> String {
    let mut out = format!("  {}  {}: {}\n", label(f.severity, style), f.code, f.message);
    if let Some(s) = &f.suggestion {
        out.push_str(&format!("           {} {s}\n", style.dim("→")));
    }
    out
}

fn counts(s: &StatefulSetFindings, style: Style) -> String {
    let n = |sev| s.findings.iter().filter(|f| f.severity == sev).count();
    let parts: Vec<String> = [(Severity::Error, "error"), (Severity::Warning, "warning"), (Severity::Info, "info")]
        .into_iter()
        .filter(|(sev, _)| n(*sev) > 0)
        .map(|(sev, word)| {
            let text = format!("{} {word}{}", n(sev), if n(sev) > 1 && word != "info" { "s" } else { "" });
            match sev {
                Severity::Error => style.red(&text),
                Severity::Warning => style.yellow(&text),
                Severity::Info => text,
            }
        })
        .collect();
    if parts.is_empty() { style.green("ok") } else { parts.join(", ") }
}
