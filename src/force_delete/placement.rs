//! Where the StatefulSet's replacement pod can run: a template that pins the lost node (nodeName,
//! a nodeSelector or required node affinity on its hostname) or a claim whose PV has node
//! affinity to it (a local volume) keeps the replacement Pending until that node is back, however
//! it was deleted. The plan says so instead of promising a pod on another node.

use std::collections::BTreeMap;

use serde::Serialize;

use k8s_openapi::api::core::v1 as core;

use crate::model::infra::LABEL_HOSTNAME;

/// One requirement of a required node-affinity term (matchExpressions or matchFields).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

/// The placement rules of the pod the controller creates, and of its claims' PVs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Placement {
    /// The template's spec.nodeName.
    pub node_name: Option<String>,
    /// The template's spec.nodeSelector.
    pub node_selector: BTreeMap<String, String>,
    /// The template's required node-affinity terms (any one of them suffices).
    pub required_terms: Vec<Vec<Requirement>>,
    /// PVs of the pod's claims with the hostnames their node affinity allows (kubernetes.io/hostname In).
    pub volumes: Vec<(String, Vec<String>)>,
}

impl Placement {
    /// The placement rules of a pod template's spec (claims' PVs are added by the caller).
    pub fn of_template(spec: Option<&core::PodSpec>) -> Placement {
        let Some(spec) = spec else { return Placement::default() };
        let required = spec
            .affinity
            .as_ref()
            .and_then(|a| a.node_affinity.as_ref()?.required_during_scheduling_ignored_during_execution.as_ref());
        let requirement = |r: &core::NodeSelectorRequirement| Requirement {
            key: r.key.clone(),
            operator: r.operator.clone(),
            values: r.values.clone().unwrap_or_default(),
        };
        let required_terms = required
            .map(|r| {
                r.node_selector_terms
                    .iter()
                    .map(|t| {
                        let expressions = t.match_expressions.iter().flatten().map(requirement);
                        expressions.chain(t.match_fields.iter().flatten().map(requirement)).collect()
                    })
                    .collect()
            })
            .unwrap_or_default();
        Placement {
            node_name: spec.node_name.clone().filter(|n| !n.is_empty()),
            node_selector: spec.node_selector.clone().unwrap_or_default(),
            required_terms,
            volumes: vec![],
        }
    }
}

/// Why the replacement can only run on `node` (its hostname label `hostname`, when known): one
/// sentence per pin; empty when nothing pins it there.
pub fn pins(p: &Placement, node: &str, hostname: Option<&str>) -> Vec<String> {
    let is_lost = |v: &str| v == node || Some(v) == hostname;
    let mut out = Vec::new();
    if p.node_name.as_deref() == Some(node) {
        out.push(format!("the template sets nodeName {node}"));
    }
    if let Some(v) = p.node_selector.get(LABEL_HOSTNAME).filter(|v| is_lost(v)) {
        out.push(format!("the template's nodeSelector asks for {LABEL_HOSTNAME}={v}"));
    }
    // Terms are alternatives: pinned only when every one of them allows the lost node alone.
    let term_pins = |term: &Vec<Requirement>| {
        term.iter().any(|r| {
            let named = r.key == LABEL_HOSTNAME || r.key == "metadata.name";
            named && r.operator == "In" && !r.values.is_empty() && r.values.iter().all(|v| is_lost(v))
        })
    };
    if !p.required_terms.is_empty() && p.required_terms.iter().all(term_pins) {
        out.push(format!("the template's required node affinity allows only {node}"));
    }
    for (pv, hosts) in &p.volumes {
        if !hosts.is_empty() && hosts.iter().all(|h| is_lost(h)) {
            out.push(format!("PV {pv} has node affinity to {node} only (its data is on that node's disk)"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostname_in(values: &[&str]) -> Vec<Requirement> {
        vec![Requirement {
            key: LABEL_HOSTNAME.into(),
            operator: "In".into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }]
    }

    #[test]
    fn a_template_or_a_local_volume_pins_the_replacement_to_the_lost_node() {
        assert!(pins(&Placement::default(), "n2", Some("n2")).is_empty());
        let by_name = Placement { node_name: Some("n2".into()), ..Placement::default() };
        assert_eq!(pins(&by_name, "n2", None), ["the template sets nodeName n2"]);
        let selector = Placement {
            node_selector: [(LABEL_HOSTNAME.to_string(), "host-2".to_string())].into(),
            ..Placement::default()
        };
        assert_eq!(
            pins(&selector, "n2", Some("host-2")),
            ["the template's nodeSelector asks for kubernetes.io/hostname=host-2"]
        );
        let affinity = Placement { required_terms: vec![hostname_in(&["n2"])], ..Placement::default() };
        assert_eq!(pins(&affinity, "n2", None), ["the template's required node affinity allows only n2"]);
        // Another node allowed, by the same term or an alternative one: not pinned.
        let two = Placement { required_terms: vec![hostname_in(&["n2", "n3"])], ..Placement::default() };
        assert!(pins(&two, "n2", None).is_empty());
        let alt =
            Placement { required_terms: vec![hostname_in(&["n2"]), hostname_in(&["n3"])], ..Placement::default() };
        assert!(pins(&alt, "n2", None).is_empty());
        let local = Placement { volumes: vec![("pv-1".into(), vec!["n2".into()])], ..Placement::default() };
        assert_eq!(
            pins(&local, "n2", None),
            ["PV pv-1 has node affinity to n2 only (its data is on that node's disk)"]
        );
        let elsewhere = Placement { volumes: vec![("pv-1".into(), vec!["n3".into()])], ..Placement::default() };
        assert!(pins(&elsewhere, "n2", None).is_empty());
    }
}
