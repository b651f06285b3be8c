//! Exit codes and the typed errors that select them.
//!
//! Commands return `anyhow::Result<Exit>`. A failure carries an [`Outcome`] (or an
//! [`crate::cluster::ApiError`]) somewhere in its chain; `exit_code_for` finds it. Everything else
//! is exit code 1. Messages are printed on one line: the chain joined with ": ".

use std::fmt::Write as _;

/// Process exit codes (documented in README.md; scripts rely on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Exit {
    /// Success; for `doctor`: nothing worse than info.
    Ok = 0,
    /// The command failed: API, kubeconfig, network, I/O.
    Error = 1,
    /// Bad flags or arguments.
    Usage = 2,
    /// A safety check refused, or the confirmation was declined. Nothing was changed.
    Refused = 3,
    /// Some changes were applied and some failed.
    Partial = 4,
    /// A rollout is stuck, or --timeout passed before it was done.
    NotDone = 5,
    /// `doctor`: the worst finding is a warning.
    Warnings = 6,
    /// `doctor`: the worst finding is an error.
    Errors = 7,
    /// Interrupted (Ctrl-C), as a shell reports SIGINT (128 + 2).
    Interrupted = 130,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// Failures a caller matches on, each with its own exit code.
#[derive(Debug, thiserror::Error)]
pub enum Outcome {
    /// Bad input that clap could not catch (e.g. an invalid object name).
    #[error("{0}")]
    Usage(String),
    /// A safety gate said no; the message lists the missing evidence.
    #[error("{0}")]
    Refused(String),
    /// The operator answered no, or there was no terminal to ask and no --yes.
    #[error("{0}")]
    Declined(String),
    /// Some mutations failed after others succeeded.
    #[error("{0}")]
    Partial(String),
    /// The rollout did not finish.
    #[error("{0}")]
    NotDone(String),
    /// Ctrl-C: stopped wherever the command was.
    #[error("{0}")]
    Interrupted(String),
}

impl Outcome {
    pub fn exit(&self) -> Exit {
        match self {
            Outcome::Usage(_) => Exit::Usage,
            Outcome::Refused(_) | Outcome::Declined(_) => Exit::Refused,
            Outcome::Partial(_) => Exit::Partial,
            Outcome::NotDone(_) => Exit::NotDone,
            Outcome::Interrupted(_) => Exit::Interrupted,
        }
    }
}

/// The exit code for a failed command.
pub fn exit_code_for(err: &anyhow::Error) -> Exit {
    err.chain().find_map(|cause| cause.downcast_ref::<Outcome>()).map_or(Exit::Error, Outcome::exit)
}

/// Output closed early (`| head`): not an error worth a message.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}

/// The whole error chain on one line, without repeating a cause its parent already quoted.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        let text = text.trim();
        if text.is_empty() || out.contains(text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        let _ = write!(out, "{text}");
    }
    out.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn exit_code_comes_from_the_outcome_anywhere_in_the_chain() {
        let err = anyhow::Error::new(Outcome::Refused("node is Ready".into())).context("force-delete web-0");
        assert_eq!(exit_code_for(&err), Exit::Refused);
        assert_eq!(exit_code_for(&anyhow::anyhow!("boom")), Exit::Error);
    }

    #[test]
    fn one_line_joins_the_chain_and_skips_repeats() {
        let err: anyhow::Result<()> = Err(std::io::Error::other("connection refused").into());
        let err = err.context("cannot reach the API server").unwrap_err();
        assert_eq!(one_line(&err), "cannot reach the API server: connection refused");
        let nested = anyhow::anyhow!("a\nb");
        assert_eq!(one_line(&nested), "a b");
    }
}
