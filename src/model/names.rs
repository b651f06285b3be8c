//! StatefulSet naming rules: pod `<sts>-<ordinal>`, claim `<template>-<sts>-<ordinal>`.
//!
//! Parsing is strict so that StatefulSets whose names prefix each other (`web`, `web-1`) never
//! match each other's objects: the suffix after the exact prefix must be a canonical decimal
//! ordinal (what the controller writes with strconv.Itoa), nothing more.

/// `<sts>-<ordinal>`
pub fn pod_name(sts: &str, ordinal: i32) -> String {
    format!("{sts}-{ordinal}")
}

/// `<template>-<sts>-<ordinal>`
pub fn claim_name(template: &str, sts: &str, ordinal: i32) -> String {
    format!("{template}-{sts}-{ordinal}")
}

/// The ordinal of `pod` if it is named like a pod of StatefulSet `sts`.
pub fn pod_ordinal(sts: &str, pod: &str) -> Option<i32> {
    parse_ordinal(pod.strip_prefix(sts)?.strip_prefix('-')?)
}

/// The ordinal of `claim` if it is named like claim template `template` of StatefulSet `sts`.
pub fn claim_ordinal(template: &str, sts: &str, claim: &str) -> Option<i32> {
    let rest = claim.strip_prefix(template)?.strip_prefix('-')?;
    pod_ordinal(sts, rest)
}

/// A canonical non-negative decimal: "0", "7", "12" (not "07", "+1", "-1", "1e3").
pub fn parse_ordinal(s: &str) -> Option<i32> {
    let canonical = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if canonical { s.parse().ok() } else { None }
}

/// Splits a name ending in `-<ordinal>` into its stem and ordinal: "data-web-3" -> ("data-web", 3).
pub fn split_ordinal(name: &str) -> Option<(&str, i32)> {
    let (stem, suffix) = name.rsplit_once('-')?;
    if stem.is_empty() {
        return None;
    }
    Some((stem, parse_ordinal(suffix)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_sharing_statefulsets_do_not_match_each_other() {
        assert_eq!(pod_ordinal("web", "web-1"), Some(1));
        assert_eq!(pod_ordinal("web", "web-1-0"), None);
        assert_eq!(pod_ordinal("web-1", "web-1-0"), Some(0));
        assert_eq!(pod_ordinal("web-1", "web-10"), None);
        assert_eq!(pod_ordinal("web", "webby-0"), None);
        assert_eq!(claim_ordinal("data", "web", "data-web-1-0"), None);
        assert_eq!(claim_ordinal("data", "web-1", "data-web-1-0"), Some(0));
        assert_eq!(claim_ordinal("data", "web", "data-web-12"), Some(12));
    }

    #[test]
    fn hyphens_in_template_and_statefulset_names() {
        assert_eq!(claim_name("my-data", "pg-main", 2), "my-data-pg-main-2");
        assert_eq!(claim_ordinal("my-data", "pg-main", "my-data-pg-main-2"), Some(2));
        assert_eq!(claim_ordinal("my", "data-pg-main", "my-data-pg-main-2"), Some(2));
        assert_eq!(claim_ordinal("my-data", "pg", "my-data-pg-main-2"), None);
    }

    #[test]
    fn only_canonical_ordinals() {
        assert_eq!(parse_ordinal("0"), Some(0));
        assert_eq!(parse_ordinal("10"), Some(10));
        for bad in ["", "01", "+1", "-1", "1a", "99999999999"] {
            assert_eq!(parse_ordinal(bad), None, "{bad}");
        }
        assert_eq!(split_ordinal("data-web-3"), Some(("data-web", 3)));
        assert_eq!(split_ordinal("-3"), None);
        assert_eq!(split_ordinal("web"), None);
    }
}
