//! The namespaced objects of a snapshot besides pods and claims: the StatefulSets in scope (and,
//! for one, its neighbours), their ControllerRevisions, HorizontalPodAutoscalers, governing
//! services and warning events.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::autoscaling::v1 as autoscaling;
use k8s_openapi::api::core::v1 as core;
use kube::api::{Api, ListParams};

use super::{Scope, Want};
use crate::cluster::{ApiError, Cluster, Op, optional};
use crate::model;

impl Cluster {
    pub(super) async fn statefulsets(&self, scope: &Scope) -> Result<Vec<model::StatefulSet>, ApiError> {
        match scope {
            Scope::StatefulSet { namespace, name } => {
                let api: Api<apps::StatefulSet> = Api::namespaced(self.client.clone(), namespace);
                let op = Op::of::<apps::StatefulSet>("get").ns(namespace.clone()).name(name.clone());
                let sts = self.call(op, api.get(name)).await?;
                Ok(vec![model::StatefulSet::from(&sts)])
            }
            Scope::Namespace(namespace) => {
                self.list_into::<apps::StatefulSet, model::StatefulSet>(Some(namespace), ListParams::default(), None)
                    .await
            }
            Scope::AllNamespaces => {
                self.list_into::<apps::StatefulSet, model::StatefulSet>(None, ListParams::default(), None).await
            }
        }
    }

    /// With `want.other_statefulsets`, for one StatefulSet: the namespace's others.
    pub(super) async fn other_statefulsets(
        &self,
        scope: &Scope,
        want: Want,
    ) -> Result<Vec<model::StatefulSet>, ApiError> {
        let Scope::StatefulSet { namespace, name } = scope else { return Ok(vec![]) };
        if !want.other_statefulsets {
            return Ok(vec![]);
        }
        let mut all = self
            .list_into::<apps::StatefulSet, model::StatefulSet>(Some(namespace), ListParams::default(), None)
            .await?;
        all.retain(|s| &s.name != name);
        Ok(all)
    }

    /// ControllerRevisions in scope (a namespace, or all); the diagnoses match them to their
    /// StatefulSet by owner UID.
    pub(super) async fn revisions(
        &self,
        scope: &Scope,
        only: Option<&BTreeSet<String>>,
    ) -> Result<Vec<model::ControllerRevision>, ApiError> {
        let ns = match scope {
            Scope::StatefulSet { namespace, .. } | Scope::Namespace(namespace) => Some(namespace.as_str()),
            Scope::AllNamespaces => None,
        };
        self.list_into::<apps::ControllerRevision, model::ControllerRevision>(ns, ListParams::default(), only).await
    }

    /// HorizontalPodAutoscalers in scope, through autoscaling/v1 (served from 1.20 to today, for
    /// HPAs created through any version). Not readable (403), or not served (404): unknown, with
    /// the reason; callers decide how careful to be without them.
    pub(super) async fn autoscalers(
        &self,
        scope: &Scope,
        only: Option<&BTreeSet<String>>,
    ) -> Result<model::Part<Vec<model::Autoscaler>>, ApiError> {
        let ns = match scope {
            Scope::StatefulSet { namespace, .. } | Scope::Namespace(namespace) => Some(namespace.as_str()),
            Scope::AllNamespaces => None,
        };
        let listed = self
            .list_into::<autoscaling::HorizontalPodAutoscaler, model::Autoscaler>(ns, ListParams::default(), only)
            .await;
        match listed {
            Err(e) if e.is_not_found() => {
                Ok(Err(format!("{e}: the API server does not serve autoscaling/v1 HorizontalPodAutoscalers")))
            }
            other => optional(other),
        }
    }

    pub(super) async fn services(
        &self,
        scope: &Scope,
        statefulsets: &[model::StatefulSet],
        only: Option<&BTreeSet<String>>,
    ) -> Result<BTreeMap<(String, String), model::Service>, ApiError> {
        let to_map = |services: Vec<model::Service>| {
            services.into_iter().map(|s| ((s.namespace.clone(), s.name.clone()), s)).collect()
        };
        match (scope, statefulsets) {
            (Scope::StatefulSet { namespace, .. }, [sts]) if !sts.service_name.is_empty() => {
                let api: Api<core::Service> = Api::namespaced(self.client.clone(), namespace);
                let op = Op::of::<core::Service>("get").ns(namespace.clone()).name(sts.service_name.clone());
                let found = self.get_opt(&api, &sts.service_name, op).await?;
                Ok(to_map(found.iter().map(model::Service::from).collect()))
            }
            (Scope::StatefulSet { .. }, _) => Ok(BTreeMap::new()),
            (Scope::Namespace(ns), _) => Ok(to_map(
                self.list_into::<core::Service, model::Service>(Some(ns), ListParams::default(), None).await?,
            )),
            (Scope::AllNamespaces, _) => {
                Ok(to_map(self.list_into::<core::Service, model::Service>(None, ListParams::default(), only).await?))
            }
        }
    }

    /// Warning events about StatefulSets (FailedCreate explains a missing pod).
    pub(super) async fn events(
        &self,
        scope: &Scope,
        only: Option<&BTreeSet<String>>,
    ) -> Result<Vec<model::Event>, ApiError> {
        let mut fields = "involvedObject.kind=StatefulSet,type=Warning".to_string();
        let ns = match scope {
            Scope::StatefulSet { namespace, name } => {
                fields.push_str(&format!(",involvedObject.name={name}"));
                Some(namespace.as_str())
            }
            Scope::Namespace(namespace) => Some(namespace.as_str()),
            Scope::AllNamespaces => None,
        };
        self.list_into::<core::Event, model::Event>(ns, ListParams::default().fields(&fields), only).await
    }
}
