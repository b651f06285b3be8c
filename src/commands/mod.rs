//! One module per subcommand, each split like kubectl's Complete/Validate/Run: fill in defaults,
//! reject bad input before any request, then fetch → diagnose (pure) → render → apply.

pub mod claims;
pub mod doctor;
pub mod drain_check;
pub mod force_delete;
pub mod ordinals;
pub mod reclaim;
pub mod rollout;

use anyhow::Result;

use crate::cli::{Command, GlobalArgs, OutputFormat};
use crate::cluster::Cluster;
use crate::error::Outcome;
use crate::render::style::Style;

/// What every command needs besides its own arguments.
pub struct Context {
    pub cluster: Cluster,
    pub output: OutputFormat,
    pub style: Style,
    pub all_namespaces: bool,
}

impl Context {
    pub fn new(global: &GlobalArgs, cluster: Cluster) -> Self {
        Context {
            cluster,
            output: global.output,
            style: Style::detect(global.no_color),
            all_namespaces: global.all_namespaces,
        }
    }

    pub fn namespace(&self) -> &str {
        &self.cluster.namespace
    }
}

/// Object names must be DNS-1123 subdomains; checked before any request so typos fail fast.
pub fn validate_name(kind: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric();
    if ok {
        Ok(())
    } else {
        Err(Outcome::Usage(format!(
            "invalid {kind} name {name:?}: must be lower-case letters, digits, '-' or '.', starting and ending with a letter or digit"
        ))
        .into())
    }
}

/// Checks arguments before anything talks to the cluster.
pub fn validate(command: &Command, global: &GlobalArgs) -> Result<()> {
    validate_global(global)?;
    match command {
        Command::Ordinals(args) => ordinals::validate(global, args),
        Command::Claims(args) => claims::validate(global, args),
        Command::Doctor(args) => doctor::validate(global, args),
        Command::DrainCheck(args) => validate_name("node", &args.node),
        Command::ForceDelete(args) => force_delete::validate(global, args),
        Command::Reclaim(args) => reclaim::validate(global, args),
        Command::Rollout(args) => rollout::validate(global, args),
        _ => Ok(()),
    }
}

/// Flags every command shares.
pub fn validate_global(global: &GlobalArgs) -> Result<()> {
    if let Some(ns) = &global.namespace {
        // A namespace is a DNS-1123 label: it goes into request paths.
        let label = !ns.is_empty()
            && ns.len() <= 63
            && ns.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !ns.starts_with('-')
            && !ns.ends_with('-');
        if !label {
            return Err(Outcome::Usage(format!(
                "invalid namespace {ns:?}: must be lower-case letters, digits or '-', starting and ending with a \
                 letter or digit, at most 63 characters"
            ))
            .into());
        }
    }
    if global.request_timeout.as_std().is_zero() {
        return Err(Outcome::Usage("--request-timeout must be more than 0s".into()).into());
    }
    Ok(())
}

/// -A makes sense only for commands that look at many StatefulSets.
pub fn reject_all_namespaces(global: &GlobalArgs, command: &str) -> Result<()> {
    if global.all_namespaces {
        return Err(Outcome::Usage(format!(
            "{command} works on one namespace; -A/--all-namespaces is not supported here"
        ))
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::validate_name;

    #[test]
    fn names_are_checked_before_any_request() {
        assert!(validate_name("statefulset", "web-1").is_ok());
        assert!(validate_name("statefulset", "db.prod").is_ok());
        for bad in ["", "Web", "web_1", "-web", "web-", "a/b"] {
            let err = validate_name("statefulset", bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid statefulset name"), "{bad}: {err}");
        }
    }
}
