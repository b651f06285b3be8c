//! Gathering what `force-delete` decides on, in two rounds of requests:
//! 1. GET /version (for the API server's clock, from the Date header, and its version) and GET the pod;
//! 2. GET its Node, GET its Lease in kube-node-lease, GET each of its claims, LIST VolumeAttachments
//!    (only when it mounts claims), and for --fence a metadata LIST of the pods bound to the node.
//!
//! A 403 on anything but the pod becomes missing evidence (the gate refuses and says which
//! permission is missing); a 404 on the Node means it is deleted.

use std::collections::BTreeSet;

use futures::future::join_all;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::coordination::v1 as coordination;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::storage::v1 as storage;
use kube::api::{Api, ListParams};
use serde::Deserialize;

use super::{ApiError, Cluster, Op, optional};
use crate::force_delete::{Attachment, Clock, Evidence, Lookup, PodStatusTimes, PodVolume};
use crate::model::ServerVersion;
use crate::model::{self, Part};

const LEASE_NAMESPACE: &str = "kube-node-lease";

/// The fields of /version we read (older servers may lack the rest of version.Info).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionInfo {
    #[serde(default)]
    git_version: String,
    #[serde(default)]
    major: String,
    #[serde(default)]
    minor: String,
}

/// The API server's clock and version.
#[derive(Debug, Clone)]
pub struct ServerClock {
    pub clock: Clock,
    /// The API server's time if it sent a Date header, else the local time.
    pub now: Timestamp,
    pub version: Option<ServerVersion>,
}

impl Cluster {
    /// GET /version: the Date header of the response gives the API server's clock (every response
    /// has one, so a refused /version still gives the time), the body its version.
    pub async fn server_clock(&self) -> Result<ServerClock, ApiError> {
        let op = Op::new("get", "", "version");
        let request = http::Request::get("/version")
            .body(kube::client::Body::empty())
            .map_err(|e| ApiError::Other { op: Box::new(op.clone()), code: 0, message: e.to_string() })?;
        let sent = Timestamp::now();
        let (date, body) = self
            .call(op, async {
                let response = self.client.send(request).await?;
                let date = response.headers().get(http::header::DATE).and_then(|v| v.to_str().ok()).map(String::from);
                let ok = response.status().is_success();
                let bytes = response.into_body().collect_bytes().await?;
                Ok((date, ok.then_some(bytes)))
            })
            .await?;
        let received = Timestamp::now();
        let date = date.as_deref().and_then(parse_http_date);
        let version = body
            .and_then(|b| serde_json::from_slice::<VersionInfo>(&b).ok())
            .and_then(|v| ServerVersion::parse(&v.git_version, &v.major, &v.minor));
        let (clock, now) = Clock::from_date_header(date, sent, received);
        Ok(ServerClock { clock, now, version })
    }

    pub async fn force_delete_evidence(&self, namespace: &str, pod: &str, fence: bool) -> Result<Evidence, ApiError> {
        let pods: Api<core::Pod> = Api::namespaced(self.client.clone(), namespace);
        let op = Op::of::<core::Pod>("get").ns(namespace.to_string()).name(pod);
        let started = Timestamp::now();
        let (server, found) = futures::join!(self.server_clock(), self.call(op, pods.get(pod)));
        let found = found?;
        let pod_finalizers = found.metadata.finalizers.clone().unwrap_or_default();
        let pod_status = PodStatusTimes::from_api(&found);
        let pod = model::Pod::from(&found);
        let server = server?;

        let node_name = pod.node.clone();
        let (node, lease, volumes, attachments, pods_on_node) = futures::join!(
            async {
                match &node_name {
                    Some(name) => {
                        let api: Api<core::Node> = Api::all(self.client.clone());
                        lookup(self.get_opt(&api, name, Op::of::<core::Node>("get").name(name.clone())).await)
                    }
                    None => Ok(Lookup::NotChecked),
                }
            },
            async {
                match &node_name {
                    Some(name) => {
                        let api: Api<coordination::Lease> = Api::namespaced(self.client.clone(), LEASE_NAMESPACE);
                        let op =
                            Op::of::<coordination::Lease>("get").ns(LEASE_NAMESPACE.to_string()).name(name.clone());
                        lookup(self.get_opt(&api, name, op).await)
                    }
                    None => Ok(Lookup::NotChecked),
                }
            },
            self.pod_volumes(namespace, &pod.claims),
            async { if pod.claims.is_empty() { Ok(Ok(vec![])) } else { optional(self.attachments().await) } },
            async {
                match (&node_name, fence) {
                    (Some(name), true) => Some(optional(self.pods_on_node(name).await)),
                    _ => None,
                }
            },
        );
        let volumes = volumes?;
        let placement = self.placement(&pod, &volumes).await?;
        // Only attachments of this pod's PVs matter.
        let pvs: BTreeSet<String> = volumes.iter().flatten().filter_map(|v| v.volume.clone()).collect();
        let attachments = attachments?.map(|all| all.into_iter().filter(|a| pvs.contains(&a.volume)).collect());
        Ok(Evidence {
            now: server.now,
            read_within: Timestamp::now().duration_since(started).max(SignedDuration::ZERO),
            clock: server.clock,
            server_version: server.version,
            pod,
            pod_status,
            pod_finalizers,
            node: node?.map(|n| model::Node::from(n)),
            lease: lease?.map(|l| model::Lease::from(l)),
            volumes,
            attachments,
            pods_on_node: pods_on_node.transpose()?,
            placement,
        })
    }

    /// The PV behind each claim (GETs; a missing claim has no PV).
    async fn pod_volumes(&self, namespace: &str, claims: &[String]) -> Result<Part<Vec<PodVolume>>, ApiError> {
        let api: Api<core::PersistentVolumeClaim> = Api::namespaced(self.client.clone(), namespace);
        let gets = claims.iter().map(|claim| {
            let op = Op::of::<core::PersistentVolumeClaim>("get").ns(namespace.to_string()).name(claim.clone());
            let api = api.clone();
            async move { (claim.clone(), self.get_opt(&api, claim, op).await) }
        });
        let mut out = Vec::new();
        for (claim, found) in join_all(gets).await {
            match found {
                Ok(found) => {
                    let volume = found.and_then(|c| c.spec?.volume_name).filter(|v| !v.is_empty());
                    out.push(PodVolume { claim, volume });
                }
                Err(e @ ApiError::Forbidden { .. }) => return Ok(Err(e.to_string())),
                Err(e) => return Err(e),
            }
        }
        Ok(Ok(out))
    }

    /// Every VolumeAttachment (paged LIST; they have no PV field selector).
    async fn attachments(&self) -> Result<Vec<Attachment>, ApiError> {
        let api: Api<storage::VolumeAttachment> = Api::all(self.client.clone());
        let mut out = Vec::new();
        self.list_each(&api, ListParams::default(), Op::of::<storage::VolumeAttachment>("list"), |va| {
            out.extend(Attachment::from_api(&va));
        })
        .await?;
        Ok(out)
    }

    /// "namespace/name" of every pod bound to `node` (metadata-only LIST with a field selector).
    async fn pods_on_node(&self, node: &str) -> Result<Vec<String>, ApiError> {
        let api: Api<core::Pod> = Api::all(self.client.clone());
        let params = ListParams::default().fields(&format!("spec.nodeName={node}"));
        let mut out = Vec::new();
        self.pages(
            params,
            Op::of::<core::Pod>("list"),
            |p| {
                let api = &api;
                async move { api.list_metadata(&p).await }
            },
            |m| {
                out.push(format!(
                    "{}/{}",
                    m.metadata.namespace.unwrap_or_default(),
                    m.metadata.name.unwrap_or_default()
                ))
            },
        )
        .await?;
        Ok(out)
    }

    /// The pod called `name`, if any (for --wait).
    pub async fn pod_opt(&self, namespace: &str, name: &str) -> Result<Option<model::Pod>, ApiError> {
        let api: Api<core::Pod> = Api::namespaced(self.client.clone(), namespace);
        let op = Op::of::<core::Pod>("get").ns(namespace.to_string()).name(name);
        Ok(self.get_opt(&api, name, op).await?.as_ref().map(model::Pod::from))
    }

    /// Events about the pod with `uid` (for --wait: FailedAttachVolume / Multi-Attach).
    pub async fn pod_events(&self, namespace: &str, uid: &str) -> Result<Vec<model::Event>, ApiError> {
        let api: Api<core::Event> = Api::namespaced(self.client.clone(), namespace);
        let params = ListParams::default().fields(&format!("involvedObject.uid={uid}"));
        let mut out = Vec::new();
        self.list_each(&api, params, Op::of::<core::Event>("list").ns(namespace.to_string()), |e| {
            out.push(model::Event::from(&e))
        })
        .await?;
        Ok(out)
    }
}

/// An HTTP Date header ("Mon, 23 Nov 2026 18:58:42 GMT", RFC 9110 IMF-fixdate).
fn parse_http_date(value: &str) -> Option<Timestamp> {
    jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(value.trim()).ok()
}

/// 404 → Absent, 403 → Forbidden (missing evidence, with the permission named), else an error.
fn lookup<T>(result: Result<Option<T>, ApiError>) -> Result<Lookup<T>, ApiError> {
    match result {
        Ok(Some(v)) => Ok(Lookup::Found(v)),
        Ok(None) => Ok(Lookup::Absent),
        Err(e @ ApiError::Forbidden { .. }) => Ok(Lookup::Forbidden(e.to_string())),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_date_header() {
        let t = parse_http_date("Mon, 23 Nov 2026 18:58:42 GMT").unwrap();
        assert_eq!(t.to_string(), "2026-11-23T18:58:42Z");
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn reads_old_and_provider_versions() {
        let v: VersionInfo = serde_json::from_str(r#"{"major":"1","minor":"20","gitVersion":"v1.20.2"}"#).unwrap();
        assert_eq!(ServerVersion::parse(&v.git_version, &v.major, &v.minor).unwrap().minor, 20);
        let v: VersionInfo = serde_json::from_str(r#"{"major":"1","minor":"28+","gitVersion":"v1.28.3-eks"}"#).unwrap();
        assert!(ServerVersion::parse(&v.git_version, &v.major, &v.minor).unwrap().at_least(1, 28));
        let v: VersionInfo = serde_json::from_str("{}").unwrap();
        assert_eq!(ServerVersion::parse(&v.git_version, &v.major, &v.minor), None);
    }
}
