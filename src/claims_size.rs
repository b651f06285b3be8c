//! Claim sizes: requested vs template vs capacity, and the state of a resize.

use crate::model::quantity::Quantity;
use crate::model::{Claim, ClaimTemplate};
use crate::severity::Severity;

/// Requested vs template vs capacity.
pub(super) fn size_flags(
    template: &ClaimTemplate,
    claim: &Claim,
    flag: &mut impl FnMut(&'static str, Severity, String),
) {
    let parse = |q: &Option<String>| q.as_deref().and_then(Quantity::parse);
    let (want, req, cap) = (parse(&template.storage), parse(&claim.requested), parse(&claim.capacity));
    if let (Some(want), Some(req)) = (&want, &req) {
        let (requested, template_size) =
            (claim.requested.as_deref().unwrap_or_default(), template.storage.as_deref().unwrap_or_default());
        if req > want {
            // A claim made by hand at 5Gi next to a 1Gi template was never expanded: say so only
            // with evidence.
            let how = match expansion_evidence(claim) {
                Some(evidence) => format!("expanded to {requested} beyond the template's {template_size} ({evidence})"),
                None => format!(
                    "requests {requested}, more than the template's {template_size} (expanded, or created larger)"
                ),
            };
            flag(
                "size-drift",
                Severity::Warning,
                format!(
                    "{how}: claims for new ordinals get {template_size} (expand them too, or recreate the \
                     StatefulSet with a bigger template, orphaning pods)"
                ),
            );
        } else if req < want {
            flag(
                "size-drift",
                Severity::Warning,
                format!(
                    "requests {requested}, less than the template's {template_size} (the template is newer than \
                     the claim, or the claim was created smaller): the controller never resizes an existing claim"
                ),
            );
        }
    }
    if let (Some(req), Some(cap)) = (&req, &cap) {
        let infeasible = claim.resize_status.as_deref().filter(|s| s.ends_with("Infeasible"));
        if let (true, Some(status)) = (cap < req, infeasible) {
            flag(
                "resize-failed",
                Severity::Warning,
                format!(
                    "resize failed ({status}): capacity stays {} below the requested {}; the request can be lowered \
                     back to a size that works",
                    claim.capacity.as_deref().unwrap_or_default(),
                    claim.requested.as_deref().unwrap_or_default()
                ),
            );
        } else if cap < req {
            let states: Vec<&str> =
                claim.resize_conditions.iter().map(String::as_str).chain(claim.resize_status.as_deref()).collect();
            let conditions = if states.is_empty() { String::new() } else { format!(" ({})", states.join(", ")) };
            flag(
                "resize-pending",
                Severity::Warning,
                format!(
                    "resize pending: capacity {} is below the requested {}{conditions}",
                    claim.capacity.as_deref().unwrap_or_default(),
                    claim.requested.as_deref().unwrap_or_default()
                ),
            );
        }
    }
}

/// Why the claim's request is known to have been raised after it was created, if it is: a resize
/// the volume machinery reports (conditions, allocatedResourceStatuses), or a request last set by
/// another field manager than the claim's creator (an update that changes a field takes it over).
/// Sizes alone prove nothing: a claim made larger by hand looks the same.
fn expansion_evidence(claim: &Claim) -> Option<String> {
    let states: Vec<&str> =
        claim.resize_conditions.iter().map(String::as_str).chain(claim.resize_status.as_deref()).collect();
    if !states.is_empty() {
        return Some(format!("resize reported: {}", states.join(", ")));
    }
    let (creators, setters) = (&claim.creators, &claim.size_managers);
    if !creators.is_empty() && !setters.is_empty() && setters.iter().all(|m| !creators.contains(m)) {
        return Some(format!(
            "managedFields: its storage request was last set by {}, not by its creator {}",
            setters.join(", "),
            creators.join(", ")
        ));
    }
    None
}

#[cfg(test)]
#[path = "claims_size_tests.rs"]
mod tests;
