//! Text form of `drain-check`: the verdict, the pods as a table, the StatefulSets' exposure, the
//! steps in order.

use super::style::Style;
use super::table::render;
use crate::drain::DrainReport;

pub fn table(report: &DrainReport, style: Style) -> String {
    let verdict = if report.would_complete { style.green(&report.verdict) } else { style.red(&report.verdict) };
    let mut out = format!("{verdict}\n");
    if !report.pods.is_empty() {
        let rows = report
            .pods
            .iter()
            .map(|p| {
                let elsewhere = match p.runs_elsewhere {
                    Some(true) => "yes".to_string(),
                    Some(false) => format!("no: {}", p.elsewhere_reason),
                    None => format!("unknown: {}", p.elsewhere_reason),
                };
                vec![
                    format!("{}/{}", p.namespace, p.pod),
                    if p.ready { "yes".into() } else { "no".into() },
                    format!("{}: {}", p.eviction, p.eviction_reason),
                    elsewhere,
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&render(&["pod", "ready", "eviction", "runs elsewhere"], rows));
    }
    if !report.statefulsets.is_empty() {
        out.push('\n');
        for s in &report.statefulsets {
            out.push_str(&format!("{}/{}: {}\n", s.namespace, s.name, s.message));
        }
    }
    if report.other_pods > 0 {
        out.push_str(&format!("{} other pod(s) on the node belong to no StatefulSet in scope\n", report.other_pods));
    }
    if !report.pods.is_empty() {
        out.push_str("\nsteps:\n");
        for (i, step) in report.steps.iter().enumerate() {
            out.push_str(&format!("  {}. {}\n", i + 1, step.text));
            if let Some(command) = &step.command {
                out.push_str(&format!("     {}\n", style.dim(command)));
            }
        }
    }
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}
