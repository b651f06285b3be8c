//! Steering the real scheduler as an operator would: by cordoning nodes (`spec.unschedulable`),
//! never by binding pods. A test that needs ordinal N on a given node makes only that node
//! schedulable while the controller creates it.

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

use super::Kubelet;

impl Kubelet {
    /// Cordons every node of this test but `shorts`, and uncordons those.
    pub async fn schedule_only_on(&self, shorts: &[&str]) {
        let names: Vec<String> = self.state.lock().unwrap().nodes.keys().cloned().collect();
        let keep: Vec<String> = shorts.iter().map(|s| self.node(s)).collect();
        for name in names {
            self.set_unschedulable(&name, !keep.contains(&name)).await;
        }
    }

    /// Lets the scheduler put each pod of `placements` (pod, node short name) on that node, in
    /// order: only that node is schedulable until the pod is bound, then none until the next one.
    /// For pods created one after another (OrderedReady ordinals, a test's own pods); every node
    /// is schedulable again at the end.
    pub async fn place(&self, placements: &[(&str, &str)]) {
        for (pod, node) in placements {
            self.schedule_only_on(&[node]).await;
            let bound = self.node_of(pod).await;
            self.schedule_only_on(&[]).await;
            assert_eq!(&bound, node, "{pod} was bound before the placement could steer it");
        }
        self.schedule_anywhere().await;
    }

    /// Places the ordinals of OrderedReady StatefulSet `sts` round-robin over this test's nodes
    /// (ordinal i on the i-th node, in name order), as the simulator used to by itself. Call
    /// [`Kubelet::schedule_only_on`] with the first node before the StatefulSet is created.
    pub async fn spread_ordinals(&self, sts: &str, replicas: i32) {
        let prefix = format!("{}-", self.ns);
        let shorts: Vec<String> =
            self.state.lock().unwrap().nodes.keys().map(|n| n.strip_prefix(&prefix).unwrap_or(n).to_string()).collect();
        let pods: Vec<String> = (0..replicas).map(|i| format!("{sts}-{i}")).collect();
        let placements: Vec<(&str, &str)> =
            pods.iter().enumerate().map(|(i, p)| (p.as_str(), shorts[i % shorts.len()].as_str())).collect();
        self.place(&placements).await;
    }

    /// The first of this test's nodes, in name order.
    pub fn first_node(&self) -> String {
        let prefix = format!("{}-", self.ns);
        let st = self.state.lock().unwrap();
        let first = st.nodes.keys().next().expect("a node");
        first.strip_prefix(&prefix).unwrap_or(first).to_string()
    }

    /// Uncordons every node of this test.
    pub async fn schedule_anywhere(&self) {
        let names: Vec<String> = self.state.lock().unwrap().nodes.keys().cloned().collect();
        for name in names {
            self.set_unschedulable(&name, false).await;
        }
    }

    /// Cordons node `short` (kubectl cordon).
    pub async fn cordon(&self, short: &str) {
        self.set_unschedulable(&self.node(short), true).await;
    }

    async fn set_unschedulable(&self, name: &str, unschedulable: bool) {
        let nodes: Api<Node> = Api::all(self.client.clone());
        let patch = json!({ "spec": { "unschedulable": if unschedulable { json!(true) } else { json!(null) } } });
        // A node already deleted by the test is left alone.
        let _ = nodes.patch(name, &PatchParams::default(), &Patch::Merge(&patch)).await;
    }

    /// The short name of the node pod `pod` is bound to, once the scheduler has bound it.
    pub async fn node_of(&self, pod: &str) -> String {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.ns);
        let prefix = format!("{}-", self.ns);
        crate::support::eventually(&format!("{pod} bound to a node"), std::time::Duration::from_secs(60), || {
            let pods = pods.clone();
            let prefix = prefix.clone();
            async move {
                let node = pods.get_opt(pod).await.ok()??.spec?.node_name?;
                Some(node.strip_prefix(&prefix).unwrap_or(&node).to_string())
            }
        })
        .await
    }
}
