//! From an allowed decision to exactly one action, and the words that say what it will do.

use serde::Serialize;

use super::Decision;
use super::evidence::{Evidence, Lookup};
use super::placement::pins;
use crate::model::Taint;
use crate::model::infra::TAINT_OUT_OF_SERVICE;

/// Value of the out-of-service taint, as in the Kubernetes documentation.
pub const OUT_OF_SERVICE_VALUE: &str = "nodeshutdown";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Action {
    /// DELETE the pod with gracePeriodSeconds 0 and UID and resourceVersion preconditions.
    #[serde(rename_all = "camelCase")]
    Delete { namespace: String, pod: String, uid: String, resource_version: String },
    /// Add the out-of-service taint to the node, keeping its taints, with a resourceVersion precondition.
    #[serde(rename_all = "camelCase")]
    Fence { node: String, resource_version: String, keep: Vec<Taint>, add: Taint },
    /// --fence on a node that already has the taint: nothing to change.
    #[serde(rename_all = "camelCase")]
    AlreadyFenced { node: String },
}

/// The action for `decision`; `Err` says why there is none (a refusal).
pub fn plan(ev: &Evidence, decision: &Decision, fence: bool) -> Result<Action, String> {
    if !decision.allowed() {
        return Err(format!(
            "refused to force-delete {}/{}: node loss is not confirmed. Missing evidence: {}. Nothing was changed",
            ev.pod.namespace,
            ev.pod.name,
            decision.missing.join("; ")
        ));
    }
    if !fence {
        return Ok(Action::Delete {
            namespace: ev.pod.namespace.clone(),
            pod: ev.pod.name.clone(),
            uid: ev.pod.uid.clone(),
            resource_version: ev.pod.resource_version.clone(),
        });
    }
    let node_name = ev.pod.node.clone().unwrap_or_default();
    match &ev.node {
        Lookup::Found(node) => {
            let fenced = node.taints.iter().any(|t| t.key == TAINT_OUT_OF_SERVICE && t.effect == "NoExecute");
            if fenced {
                return Ok(Action::AlreadyFenced { node: node_name });
            }
            Ok(Action::Fence {
                node: node_name,
                resource_version: node.resource_version.clone(),
                keep: node.taints.clone(),
                add: Taint {
                    key: TAINT_OUT_OF_SERVICE.into(),
                    value: Some(OUT_OF_SERVICE_VALUE.into()),
                    effect: "NoExecute".into(),
                    added: Some(ev.now),
                },
            })
        }
        _ => Err(format!(
            "refused: --fence taints the Node, but node {node_name} is deleted; pod GC already force-deletes pods \
             bound to a deleted node (after about 40s). Run without --fence to delete {} now. Nothing was changed",
            ev.pod.name
        )),
    }
}

/// What the action does, step by step, for the plan shown before confirming.
pub fn steps(action: &Action, ev: &Evidence) -> Vec<String> {
    match action {
        Action::Delete { namespace, pod, uid, resource_version } => {
            let removed = if ev.pod_finalizers.is_empty() {
                "the pod object is removed at once".to_string()
            } else {
                format!(
                    "the pod object is marked deleted at once, and removed once its finalizers ({}) are gone",
                    ev.pod_finalizers.join(", ")
                )
            };
            let mut steps = vec![format!(
                "delete pod {namespace}/{pod} with gracePeriodSeconds=0 and preconditions uid={uid}, \
                 resourceVersion={resource_version}: {removed}, without waiting for its kubelet. Only the pod as \
                 checked here is deleted: if it changes in any way first (its kubelet reports status, a label is \
                 edited) or a pod of the same name replaces it, nothing is deleted and the command refuses (after a \
                 confirmation at the prompt, the pod and its node are read and judged again first; the API server \
                 enforces the preconditions on the DELETE itself)"
            )];
            match &ev.pod.controller {
                Some(o) if o.kind == "StatefulSet" => steps.push(replacement(ev, pod)),
                _ => steps.push(format!("nothing recreates {pod}: it is not owned by a StatefulSet")),
            }
            steps
        }
        Action::Fence { node, resource_version, keep, add } => {
            let mut steps = vec![format!(
                "add taint {}={}:{} to node {node} (keeping its {} other taint(s)), with precondition \
                 resourceVersion={resource_version}: if the Node changes in any way first, nothing is changed and \
                 the command refuses (after a confirmation at the prompt, the pod and its node are read and judged \
                 again first; the API server enforces the precondition on the PATCH itself)",
                add.key,
                add.value.as_deref().unwrap_or_default(),
                add.effect,
                keep.len()
            )];
            steps.push(match &ev.pods_on_node {
                Some(Ok(pods)) => format!(
                    "it affects every pod bound to {node}, not only {}: {} pod(s): {}",
                    ev.pod.name,
                    pods.len(),
                    pods.join(", ")
                ),
                Some(Err(reason)) => {
                    format!(
                        "it affects every pod bound to {node}, not only {} (cannot list them: {reason})",
                        ev.pod.name
                    )
                }
                None => format!("it affects every pod bound to {node}, not only {}", ev.pod.name),
            });
            steps
        }
        Action::AlreadyFenced { node } => {
            vec![format!("nothing to change: node {node} already has the {TAINT_OUT_OF_SERVICE} NoExecute taint")]
        }
    }
}

/// What the StatefulSet controller's replacement will do: run elsewhere, unless its template or a
/// local volume pins it to the lost node.
fn replacement(ev: &Evidence, pod: &str) -> String {
    let node = ev.pod.node.as_deref().unwrap_or_default();
    let hostname = ev.node.found().and_then(|n| n.hostname.as_deref());
    match &ev.placement {
        Ok(placement) => {
            let pins = pins(placement, node, hostname);
            if pins.is_empty() {
                format!("the StatefulSet controller then creates a new {pod} on another node, with the same claims")
            } else {
                format!(
                    "the StatefulSet controller then creates a new {pod} with the same claims, but it cannot start \
                     on another node: {}; it stays Pending until {node} is back (or the pin is removed)",
                    pins.join("; ")
                )
            }
        }
        Err(reason) => format!(
            "the StatefulSet controller then creates a new {pod} with the same claims, on another node unless its \
             template or a local volume pins it to {node} (that could not be read: {reason})"
        ),
    }
}

/// What follows a fence, and what depends on the server version.
pub fn fence_followups(ev: &Evidence, node: &str) -> (Vec<String>, Vec<String>) {
    let follows = vec![
        "pods on the node that do not tolerate the taint are marked for deletion (NoExecute)".to_string(),
        "pod GC then force-deletes the terminating pods of a not-Ready node with this taint, and the \
         attach/detach controller detaches their volumes without its usual 6-minute wait"
            .to_string(),
        "the StatefulSet controller recreates the pods elsewhere".to_string(),
        format!(
            "remove the taint once the node is recovered or decommissioned: kubectl taint node {node} \
             {TAINT_OUT_OF_SERVICE}-"
        ),
    ];
    let mut warnings = Vec::new();
    match &ev.server_version {
        Some(v) if v.at_least(1, 26) => {}
        Some(v) if v.at_least(1, 24) => warnings.push(format!(
            "the API server is {}: out-of-service handling is alpha there and works only if kube-controller-manager \
             runs with --feature-gates=NodeOutOfServiceVolumeDetach=true (on by default from 1.26, GA in 1.28)",
            v.git_version
        )),
        Some(v) => warnings.push(format!(
            "the API server is {}: Kubernetes before 1.24 treats the out-of-service taint like any NoExecute taint: \
             the taint manager evicts the pods that do not tolerate it, but pod GC will not force-delete them and \
             volumes will not be force-detached (from 1.26 on by default, GA in 1.28): the pod stays Terminating \
             until it is deleted, e.g. by running this command without --fence",
            v.git_version
        )),
        None => warnings.push(
            "the API server version is unknown: out-of-service handling needs Kubernetes >= 1.26 (GA in 1.28)".into(),
        ),
    }
    (follows, warnings)
}
