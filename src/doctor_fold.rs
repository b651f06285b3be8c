//! A big StatefulSet's alike findings as one: findings of one code whose messages say the same
//! after the pod's name, with the same suggestion, fold into one finding that names the ordinals
//! as ranges and counts them; `pods` keeps the list (JSON).

use super::Finding;
use crate::fold::ranges;
use crate::model::names::pod_ordinal;

/// Folds `findings` of StatefulSet `sts` (order kept: a folded finding takes its first one's place).
pub(super) fn fold(sts: &str, findings: Vec<Finding>) -> Vec<Finding> {
    // (code, cause, suggestion) -> index in `out` of the finding folding them.
    let mut out: Vec<Finding> = Vec::new();
    let mut groups: Vec<(usize, Vec<(i32, String)>)> = Vec::new();
    for f in findings {
        let Some((ordinal, cause)) = pod_cause(sts, &f) else {
            out.push(f);
            continue;
        };
        let key = |g: &Finding| g.code == f.code && g.suggestion == f.suggestion && g.severity == f.severity;
        match groups.iter_mut().find(|(i, members)| key(&out[*i]) && cause_of(&out[*i], &members[0].1) == cause) {
            Some((_, members)) => members.push((ordinal, f.subject.clone().unwrap_or_default())),
            None => {
                groups.push((out.len(), vec![(ordinal, f.subject.clone().unwrap_or_default())]));
                out.push(f);
            }
        }
    }
    for (i, members) in groups.into_iter().filter(|(_, m)| m.len() > 1) {
        let f = &mut out[i];
        let cause = cause_of(f, &members[0].1).to_string();
        let ordinals: Vec<i32> = members.iter().map(|(o, _)| *o).collect();
        f.message = format!("{} pods (ordinals {}): {cause}", members.len(), ranges(&ordinals));
        f.subject = None;
        f.pods = members.into_iter().map(|(_, p)| p).collect();
    }
    out
}

/// The finding's pod ordinal and what it says about the pod ("web-3: not scheduled" → "not scheduled").
fn pod_cause(sts: &str, f: &Finding) -> Option<(i32, String)> {
    let pod = f.subject.as_deref()?;
    let ordinal = pod_ordinal(sts, pod)?;
    let cause = f.message.strip_prefix(pod)?.strip_prefix(": ")?;
    Some((ordinal, cause.to_string()))
}

fn cause_of<'a>(f: &'a Finding, pod: &str) -> &'a str {
    f.message.strip_prefix(pod).and_then(|m| m.strip_prefix(": ")).unwrap_or(&f.message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::severity::Severity;

    fn pending(pod: &str) -> Finding {
        Finding {
            severity: Severity::Warning,
            code: "pod-pending",
            subject: Some(pod.into()),
            message: format!("{pod}: Pending: not scheduled to a node yet"),
            suggestion: Some("kubectl sts-doctor -n shop ordinals web".into()),
            pods: vec![],
        }
    }

    #[test]
    fn alike_pod_findings_fold_into_one_naming_ranges() {
        let mut findings: Vec<Finding> = (0..1000).map(|o| pending(&format!("web-{o}"))).collect();
        findings[997].message = "web-997: Pending: 0/3 nodes are available".into();
        let folded = fold("web", findings);
        assert_eq!(folded.len(), 2, "{folded:?}");
        assert_eq!(folded[0].message, "999 pods (ordinals 0–996, 998–999): Pending: not scheduled to a node yet");
        assert_eq!((folded[0].subject.as_deref(), folded[0].pods.len()), (None, 999));
        assert_eq!(folded[0].pods[..2], ["web-0".to_string(), "web-1".to_string()]);
        assert_eq!(folded[1].subject.as_deref(), Some("web-997"));
        assert!(folded[1].pods.is_empty());
        // One alone is not folded; findings without a pod are left as they are.
        let one = fold("web", vec![pending("web-3")]);
        assert_eq!(one[0].message, "web-3: Pending: not scheduled to a node yet");
    }
}
