//! Building the client the way kubectl would: --kubeconfig, else $KUBECONFIG / ~/.kube/config,
//! else in-cluster; --context picks the context; the namespace defaults to the context's.

use std::time::Duration;

use anyhow::{Context, Result};
use kube::Config;
use kube::config::{KubeConfigOptions, Kubeconfig};

use super::{Cluster, count_request};
use crate::cli::GlobalArgs;

pub async fn connect(global: &GlobalArgs) -> Result<Cluster> {
    let options = KubeConfigOptions { context: global.context.clone(), cluster: None, user: None };
    let mut config = match (&global.kubeconfig, &global.context) {
        (Some(path), _) => {
            let kubeconfig =
                Kubeconfig::read_from(path).with_context(|| format!("cannot read kubeconfig {}", path.display()))?;
            Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .with_context(|| format!("cannot use kubeconfig {}", path.display()))?
        }
        // An explicit context only makes sense in a kubeconfig: don't fall back to in-cluster.
        (None, Some(context)) => Config::from_kubeconfig(&options)
            .await
            .with_context(|| format!("cannot use context {context:?} from the kubeconfig"))?,
        (None, None) => Config::infer().await.context(
            "no Kubernetes configuration found (set KUBECONFIG, pass --kubeconfig, or run inside a cluster)",
        )?,
    };
    let timeout = global.request_timeout.as_std().max(Duration::from_secs(1));
    config.connect_timeout = Some(timeout);

    let namespace = global.namespace.clone().unwrap_or_else(|| config.default_namespace.clone());
    let server = config.cluster_url.to_string().trim_end_matches('/').to_string();
    tracing::info!(%server, %namespace, "connecting");
    let client = kube::client::ClientBuilder::try_from(config)
        .context("cannot set up the API client")?
        .with_layer(&tower::util::MapRequestLayer::new(count_request))
        .build();
    Ok(Cluster { client, namespace, server, timeout })
}
