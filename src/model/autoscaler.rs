//! HorizontalPodAutoscalers, reduced to what decides which replica counts a StatefulSet may get.

use k8s_openapi::api::autoscaling::v1 as autoscaling;
use serde::Serialize;

/// An autoscaler and the range of replicas it sets on its target (autoscaling/v1, which every
/// server from 1.20 to today serves, for HPAs created through any version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Autoscaler {
    pub namespace: String,
    pub name: String,
    /// scaleTargetRef.kind
    pub target_kind: String,
    /// The API group of scaleTargetRef.apiVersion ("apps" for apps/v1, "" for a bare version).
    pub target_group: String,
    /// scaleTargetRef.name
    pub target_name: String,
    /// spec.minReplicas (1 when unset, as the HPA controller defaults it).
    pub min_replicas: i32,
    pub max_replicas: i32,
}

impl Autoscaler {
    /// Whether it scales the StatefulSet `name` of `namespace`. The HPA controller resolves its
    /// target by group and kind only (`reconcileAutoscaler`: `RESTMappings` of the group parsed
    /// from apiVersion), so any version of the `apps` group counts.
    pub fn scales_statefulset(&self, namespace: &str, name: &str) -> bool {
        self.scales_statefulsets_in(namespace) && self.target_name == name
    }

    /// Whether its target is a StatefulSet (apps, any version) of `namespace`.
    pub fn scales_statefulsets_in(&self, namespace: &str) -> bool {
        self.namespace == namespace && self.target_kind == "StatefulSet" && self.target_group == "apps"
    }
}

impl From<&autoscaling::HorizontalPodAutoscaler> for Autoscaler {
    fn from(h: &autoscaling::HorizontalPodAutoscaler) -> Self {
        let spec = h.spec.as_ref();
        let target = spec.map(|s| &s.scale_target_ref);
        let api_version = target.and_then(|t| t.api_version.as_deref()).unwrap_or_default();
        Autoscaler {
            namespace: h.metadata.namespace.clone().unwrap_or_default(),
            name: h.metadata.name.clone().unwrap_or_default(),
            target_kind: target.map(|t| t.kind.clone()).unwrap_or_default(),
            // "apps/v1" -> "apps"; "v1" (core) -> "".
            target_group: api_version.split_once('/').map(|(group, _)| group.to_string()).unwrap_or_default(),
            target_name: target.map(|t| t.name.clone()).unwrap_or_default(),
            min_replicas: spec.and_then(|s| s.min_replicas).unwrap_or(1),
            max_replicas: spec.map_or(0, |s| s.max_replicas),
        }
    }
}
