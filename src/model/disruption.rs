//! PodDisruptionBudgets, reduced to what decides whether a voluntary eviction (a node drain) of a
//! StatefulSet's pod goes through. Read as policy/v1 (1.21+) or, on servers without it (1.20),
//! as policy/v1beta1: both map to this one type (v1beta1's JSON is a subset of v1's).

use k8s_openapi::api::policy::v1 as policy;
use serde::Serialize;

use super::{LabelSelector, Labels};

pub const V1: &str = "policy/v1";
pub const V1BETA1: &str = "policy/v1beta1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DisruptionBudget {
    pub namespace: String,
    pub name: String,
    /// The API version it was read through: `policy/v1` or `policy/v1beta1`.
    pub api_version: String,
    /// spec.selector; None when unset (selects no pod).
    pub selector: Option<LabelSelector>,
    /// spec.minAvailable as written ("2", "50%").
    pub min_available: Option<String>,
    /// spec.maxUnavailable as written.
    pub max_unavailable: Option<String>,
    /// spec.unhealthyPodEvictionPolicy; None when unset (the server then behaves as
    /// IfHealthyBudget) or when the API version lacks it (see `api_version`).
    pub unhealthy_pod_eviction_policy: Option<String>,
    pub generation: Option<i64>,
    pub observed_generation: Option<i64>,
    pub disruptions_allowed: i32,
    pub current_healthy: i32,
    pub desired_healthy: i32,
    pub expected_pods: i32,
    /// The DisruptionAllowed condition's reason and message (e.g. InsufficientPods), when set.
    pub condition: Option<String>,
}

impl DisruptionBudget {
    /// Whether the server it was read from has `unhealthyPodEvictionPolicy` (policy/v1 only).
    pub fn knows_eviction_policy(&self) -> bool {
        self.api_version == V1
    }

    /// Whether it selects a pod with `labels` (in its namespace). policy/v1: an empty selector
    /// selects every pod of the namespace; policy/v1beta1: none. An unset one selects none.
    pub fn selects(&self, namespace: &str, labels: &Labels) -> bool {
        let Some(selector) = &self.selector else { return false };
        if self.namespace != namespace || (selector.is_empty() && self.api_version != V1) {
            return false;
        }
        selector.matches(labels)
    }

    /// Whether its spec forbids every voluntary disruption of `replicas` pods, whatever their
    /// health: maxUnavailable 0 (or 0%), or minAvailable of all of them (or 100%).
    pub fn forbids_all(&self, replicas: i32) -> Option<String> {
        let zero = |v: &str| v == "0" || v == "0%";
        if let Some(max) = self.max_unavailable.as_deref().filter(|v| zero(v)) {
            return Some(format!("maxUnavailable {max}"));
        }
        let min = self.min_available.as_deref()?;
        let all = match min.strip_suffix('%') {
            Some(pct) => pct.parse::<i64>().is_ok_and(|p| p >= 100),
            None => replicas > 0 && min.parse::<i64>().is_ok_and(|n| n >= i64::from(replicas)),
        };
        all.then(|| format!("minAvailable {min} of {replicas} replica(s)"))
    }

    /// Its spec in one phrase: "minAvailable 2", "maxUnavailable 1".
    pub fn budget(&self) -> String {
        match (&self.min_available, &self.max_unavailable) {
            (Some(min), _) => format!("minAvailable {min}"),
            (None, Some(max)) => format!("maxUnavailable {max}"),
            (None, None) => "no minAvailable or maxUnavailable".into(),
        }
    }
}

impl From<&policy::PodDisruptionBudget> for DisruptionBudget {
    fn from(p: &policy::PodDisruptionBudget) -> Self {
        let spec = p.spec.as_ref();
        let status = p.status.as_ref();
        let int_or_string = |v: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString| {
            use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
            match v {
                IntOrString::Int(i) => i.to_string(),
                IntOrString::String(s) => s.clone(),
            }
        };
        let condition = status.and_then(|s| s.conditions.as_ref()?.iter().find(|c| c.type_ == "DisruptionAllowed"));
        DisruptionBudget {
            namespace: p.metadata.namespace.clone().unwrap_or_default(),
            name: p.metadata.name.clone().unwrap_or_default(),
            api_version: V1.into(),
            selector: spec.and_then(|s| s.selector.as_ref()).map(LabelSelector::from),
            min_available: spec.and_then(|s| s.min_available.as_ref()).map(int_or_string),
            max_unavailable: spec.and_then(|s| s.max_unavailable.as_ref()).map(int_or_string),
            unhealthy_pod_eviction_policy: spec.and_then(|s| s.unhealthy_pod_eviction_policy.clone()),
            generation: p.metadata.generation,
            observed_generation: status.and_then(|s| s.observed_generation),
            disruptions_allowed: status.map_or(0, |s| s.disruptions_allowed),
            current_healthy: status.map_or(0, |s| s.current_healthy),
            desired_healthy: status.map_or(0, |s| s.desired_healthy),
            expected_pods: status.map_or(0, |s| s.expected_pods),
            condition: condition.filter(|c| c.status != "True").map(|c| {
                format!(
                    "{}{}",
                    c.reason,
                    Some(&c.message).filter(|m| !m.is_empty()).map(|m| format!(": {m}")).unwrap_or_default()
                )
            }),
        }
    }
}

impl DisruptionBudget {
    /// A policy/v1beta1 object (as JSON, e.g. a `DynamicObject`): the same fields as policy/v1's
    /// but for unhealthyPodEvictionPolicy, which it never has.
    pub fn from_v1beta1(mut object: serde_json::Value) -> Result<Self, serde_json::Error> {
        // k8s-openapi checks apiVersion and kind when decoding.
        object["apiVersion"] = V1.into();
        object["kind"] = "PodDisruptionBudget".into();
        let typed: policy::PodDisruptionBudget = serde_json::from_value(object)?;
        let mut budget = DisruptionBudget::from(&typed);
        budget.api_version = V1BETA1.into();
        budget.unhealthy_pod_eviction_policy = None;
        Ok(budget)
    }
}
