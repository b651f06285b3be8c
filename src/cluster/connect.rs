//! Building the client the way kubectl would: --kubeconfig, else the files in $KUBECONFIG (merged,
//! missing ones skipped), else ~/.kube/config; in-cluster only when there is no kubeconfig at
//! all; --context picks the context; the namespace defaults to the context's.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use kube::Config;
use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};

use super::{Cluster, count_request};
use crate::cli::GlobalArgs;

pub async fn connect(global: &GlobalArgs) -> Result<Cluster> {
    let options = KubeConfigOptions { context: global.context.clone(), cluster: None, user: None };
    let mut config = match load_kubeconfig(global.kubeconfig.as_deref())? {
        Some(Loaded { kubeconfig, from }) => {
            match &global.context {
                Some(context) if !kubeconfig.contexts.iter().any(|c| &c.name == context) => {
                    let known: Vec<&str> = kubeconfig.contexts.iter().map(|c| c.name.as_str()).collect();
                    bail!("cannot use {from}: context {context:?} not found (contexts: {})", known.join(", "));
                }
                None if kubeconfig.current_context.as_deref().is_none_or(str::is_empty) => {
                    bail!("{from} has no current-context: pass --context (or run `kubectl config use-context`)");
                }
                _ => {}
            }
            Config::from_custom_kubeconfig(kubeconfig, &options).await.with_context(|| format!("cannot use {from}"))?
        }
        None => {
            if let Some(context) = &global.context {
                bail!("cannot use context {context:?}: no kubeconfig file found (set KUBECONFIG or pass --kubeconfig)");
            }
            in_cluster()?
        }
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

/// The pod's service account; only when no kubeconfig exists, as kubectl does.
fn in_cluster() -> Result<Config> {
    const NONE: &str = "no Kubernetes configuration found (set KUBECONFIG, pass --kubeconfig, or run inside a cluster)";
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_none() {
        bail!(NONE);
    }
    Config::incluster().context("cannot use the in-cluster service account")
}

/// A kubeconfig read from disk, and where from (for messages).
pub struct Loaded {
    pub kubeconfig: Kubeconfig,
    pub from: String,
}

/// Reads the kubeconfig like kubectl's loading rules: an explicit path must exist; the files of
/// $KUBECONFIG are merged (first one wins) and missing ones are skipped; otherwise ~/.kube/config.
/// `None` when there is no kubeconfig, or only empty ones: then (and only then) in-cluster is
/// tried. A file that exists but cannot be read or parsed is an error, never a silent fallback to
/// another cluster. Errors never quote the file's contents (it holds tokens and keys).
pub fn load_kubeconfig(explicit: Option<&Path>) -> Result<Option<Loaded>> {
    let home = std::env::home_dir();
    load_from(&search_paths(explicit, std::env::var_os("KUBECONFIG"), home), explicit.is_some())
}

/// The files to read, in precedence order.
fn search_paths(explicit: Option<&Path>, env: Option<OsString>, home: Option<PathBuf>) -> Vec<PathBuf> {
    if let Some(path) = explicit {
        return vec![path.to_path_buf()];
    }
    let listed: Vec<PathBuf> = env
        .map(|value| std::env::split_paths(&value).filter(|p| !p.as_os_str().is_empty()).collect())
        .unwrap_or_default();
    if !listed.is_empty() {
        return listed;
    }
    home.map(|h| h.join(".kube").join("config")).into_iter().collect()
}

fn load_from(paths: &[PathBuf], explicit: bool) -> Result<Option<Loaded>> {
    let mut merged: Option<Kubeconfig> = None;
    let mut read = Vec::new();
    for path in paths {
        if !explicit && !path.exists() {
            continue;
        }
        let next = Kubeconfig::read_from(path).map_err(|e| anyhow!("{}", describe(path, &e)))?;
        merged = Some(match merged {
            None => next,
            Some(m) => m.merge(next).map_err(|e| anyhow!("cannot merge kubeconfig {}: {e}", path.display()))?,
        });
        read.push(path.display().to_string());
    }
    let Some(kubeconfig) = merged else { return Ok(None) };
    let empty = kubeconfig.clusters.is_empty()
        && kubeconfig.auth_infos.is_empty()
        && kubeconfig.contexts.is_empty()
        && kubeconfig.current_context.as_deref().is_none_or(str::is_empty);
    if empty && !explicit {
        return Ok(None);
    }
    let from = match read.as_slice() {
        [one] => format!("kubeconfig {one}"),
        many => format!("kubeconfig {}", many.join(":")),
    };
    Ok(Some(Loaded { kubeconfig, from }))
}

/// One line naming the file; a parse error without the source snippet kube-rs would quote.
fn describe(path: &Path, err: &KubeconfigError) -> String {
    let reason = match err {
        KubeconfigError::ReadConfig(io, _) => io.to_string(),
        KubeconfigError::Parse(parse) => format!("not a valid kubeconfig: {}", parse.without_snippet()),
        other => other.to_string(),
    };
    let reason = reason.lines().next().unwrap_or_default().trim();
    let action = if matches!(err, KubeconfigError::ReadConfig(..)) { "read" } else { "parse" };
    format!("cannot {action} kubeconfig {}: {reason}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:9'}\n\
                        users:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n\
                        current-context: x\n";

    fn dir(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("stsd-connect-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn missing_files_in_kubeconfig_are_skipped_like_kubectl() {
        let d = dir("skip");
        std::fs::write(d.join("good"), GOOD).unwrap();
        let env = std::env::join_paths([d.join("missing"), d.join("good")]).unwrap();
        let paths = search_paths(None, Some(env), None);
        let loaded = load_from(&paths, false).unwrap().expect("the existing file is used");
        assert_eq!(loaded.kubeconfig.current_context.as_deref(), Some("x"));
        assert_eq!(loaded.from, format!("kubeconfig {}", d.join("good").display()));
        // Nothing there at all: no kubeconfig (in-cluster may be tried).
        assert!(load_from(&search_paths(None, Some(d.join("missing").into()), None), false).unwrap().is_none());
    }

    #[test]
    fn a_broken_kubeconfig_is_an_error_that_does_not_quote_it() {
        let d = dir("broken");
        let path = d.join("config");
        std::fs::write(&path, "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: SECRET-TOKEN\n  bad: [\n")
            .unwrap();
        for explicit in [true, false] {
            let Err(e) = load_from(std::slice::from_ref(&path), explicit) else { panic!("a broken file must fail") };
            let text = format!("{e:#}");
            assert!(text.starts_with(&format!("cannot parse kubeconfig {}: ", path.display())), "{text}");
            assert!(!text.contains("SECRET"), "the error quotes the kubeconfig: {text}");
            assert_eq!(text.lines().count(), 1, "{text}");
        }
    }

    #[test]
    fn explicit_path_must_exist_and_empty_files_mean_no_kubeconfig() {
        let d = dir("explicit");
        let Err(e) = load_from(&search_paths(Some(&d.join("nope")), None, None), true) else { panic!() };
        assert!(e.to_string().starts_with("cannot read kubeconfig "), "{e}");
        std::fs::write(d.join("empty"), "").unwrap();
        assert!(load_from(&[d.join("empty")], false).unwrap().is_none());
        // The default path only when KUBECONFIG lists nothing.
        let home = Some(PathBuf::from("/home/u"));
        assert_eq!(search_paths(None, Some("".into()), home.clone()), [PathBuf::from("/home/u/.kube/config")]);
        assert_eq!(search_paths(None, Some("/a".into()), home), [PathBuf::from("/a")]);
    }
}
