//! The fixed block `rollout --watch` redraws on a terminal for a big StatefulSet (more than
//! [`COMPACT_ABOVE`] replicas), instead of a line per pod: the ordinals counted by state, the
//! ordinals in flight as ranges, and what the rollout waits for.

use crate::fold::ranges;
use crate::render::compact::COMPACT_ABOVE;
use crate::rollout::{RolloutStatus, Row, Wants};

/// Whether the status is of a StatefulSet big enough for the block and folded lines.
pub fn big(status: &RolloutStatus) -> bool {
    status.statefulset.replicas.max(0) as usize > COMPACT_ABOVE
}

/// Where an ordinal stands in the rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stand {
    /// On the update revision, Ready and available.
    Updated,
    /// On the current revision below the partition, Ready: stays there.
    Held,
    /// On an old revision, Ready: waits its turn.
    ToUpdate,
    /// Being replaced: missing, pending, terminating or not Ready.
    InFlight,
    /// Outside the range: scale-down removes it.
    ToRemove,
}

fn stand(r: &Row) -> Stand {
    match r.wants {
        Wants::Removal => Stand::ToRemove,
        _ if r.settled && r.wants == Wants::Update => Stand::Updated,
        _ if r.settled => Stand::Held,
        _ if r.exists && r.state == "Running" && r.ready == Some(true) && r.revision.as_deref() != Some("update") => {
            Stand::ToUpdate
        }
        _ => Stand::InFlight,
    }
}

/// The block's three lines: counts by state, the ordinals in flight, what it waits for.
pub fn lines(status: &RolloutStatus) -> [String; 3] {
    let stands: Vec<(i32, Stand)> = status.ordinals.iter().map(|r| (r.ordinal, stand(r))).collect();
    let count = |s: Stand| stands.iter().filter(|(_, x)| *x == s).count();
    let of = |s: Stand| stands.iter().filter(|(_, x)| *x == s).map(|(o, _)| *o).collect::<Vec<i32>>();
    let mut counts = vec![format!("{}/{} updated", status.progress.updated, status.progress.total)];
    for (s, label) in [
        (Stand::InFlight, "in flight"),
        (Stand::ToUpdate, "to update"),
        (Stand::Held, "held below the partition"),
        (Stand::ToRemove, "to remove"),
    ] {
        let n = count(s);
        if n > 0 {
            counts.push(format!("{n} {label}"));
        }
    }
    let flying = of(Stand::InFlight);
    let in_flight = if flying.is_empty() {
        "in flight: none".to_string()
    } else {
        let detail: Vec<String> = status
            .ordinals
            .iter()
            .filter(|r| stand(r) == Stand::InFlight)
            .take(3)
            .map(|r| format!("{} {}", r.ordinal, state(r)))
            .collect();
        let more = if flying.len() > 3 { ", …" } else { "" };
        format!("in flight: {} ({}{more})", ranges(&flying), detail.join(", "))
    };
    [counts.join(" · "), in_flight, format!("{}: {}", status.phase.label(), status.reason)]
}

/// "Pending", "Running, not Ready", "Terminating", "Running (CrashLoopBackOff)".
fn state(r: &Row) -> String {
    let mut text = match (r.state.as_str(), r.ready) {
        ("Running", Some(false)) => "Running, not Ready".to_string(),
        (state, _) => state.to_string(),
    };
    if let Some(waiting) = &r.waiting {
        text.push_str(&format!(" ({waiting})"));
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::{on_revision, pod, sts, with};

    #[test]
    fn a_thousand_replicas_in_three_lines() {
        // web rolls to web-r2 at partition 100 of 1000: 997–999 updated, 996 on its way, 995
        // deleted, the rest wait or are held below the partition.
        let set = with(
            sts("web", 1000),
            json!({ "metadata": { "generation": 2 },
                    "spec": { "updateStrategy": { "rollingUpdate": { "partition": 100 } } },
                    "status": { "observedGeneration": 2, "updateRevision": "web-r2" } }),
        );
        let on_r2 = |i: i32| on_revision(pod("web", i, "n1"), "web-r2");
        let mut pods: Vec<serde_json::Value> =
            (0..995).map(|i| pod("web", i, "n1")).chain((997..1000).map(on_r2)).collect();
        pods.push(with(
            on_r2(996),
            json!({ "status": { "phase": "Pending", "conditions": [{ "type": "Ready", "status": "False" }] } }),
        ));
        let status = crate::rollout::tests::run_with(set, pods, Ok(vec![]));
        assert!(big(&status));
        let [counts, flying, waits] = lines(&status);
        assert_eq!(counts, "3/900 updated · 2 in flight · 895 to update · 100 held below the partition");
        assert_eq!(flying, "in flight: 995–996 (995 Missing, 996 Pending)");
        assert!(waits.contains(": web-996 on update revision web-r2 "), "{waits}");
    }
}
