//! Printing reports: kubectl-style tables for people, a versioned JSON/YAML document for scripts.
//!
//! Every `-o json|yaml` document has the same envelope: `apiVersion: sts-doctor.io/v1`, a `kind`
//! naming the subcommand, then the report's own fields (documented in README.md).

pub mod claims;
pub mod claims_compact;
pub mod compact;
pub mod doctor;
pub mod drain;
pub mod force_delete;
pub mod history;
pub mod ordinals;
pub mod ordinals_compact;
pub mod reclaim;
pub mod rollout;
pub mod style;
pub mod table;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::cli::OutputFormat;

/// Version of the JSON/YAML schema; bumped only on incompatible changes.
pub const API_VERSION: &str = "sts-doctor.io/v1";

#[derive(Serialize)]
struct Document<'a, T: Serialize> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    #[serde(flatten)]
    body: &'a T,
}

/// The report as a JSON or YAML document; `None` for table output.
pub fn document<T: Serialize>(format: OutputFormat, kind: &'static str, body: &T) -> Result<Option<String>> {
    let doc = Document { api_version: API_VERSION, kind, body };
    Ok(match format {
        OutputFormat::Table | OutputFormat::Wide => None,
        OutputFormat::Json => Some(serde_json::to_string_pretty(&doc).context("cannot encode JSON")? + "\n"),
        OutputFormat::Yaml => Some(serde_saphyr::to_string(&doc).context("cannot encode YAML")?),
    })
}

/// Prints the report in the chosen format: `table` builds the human form only when asked for.
pub fn emit<T: Serialize>(
    format: OutputFormat,
    kind: &'static str,
    body: &T,
    table: impl FnOnce() -> String,
) -> Result<()> {
    match document(format, kind, body)? {
        Some(doc) => write_stdout(&doc),
        None => write_stdout(&table()),
    }
}

/// Set once stdout turned out to be closed (`| head`, `| grep -q`).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes to stdout. A closed pipe is not an error: the rest of the output is dropped and the
/// command goes on, so its exit code (doctor's severity, a refusal) is still the real one; but
/// [`crate::prompt::confirm`] refuses to act on a plan whose output was cut off, and repeats on
/// the terminal a plan that went to a redirected stdout.
pub fn write_stdout(text: &str) -> Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    crate::prompt::record_stdout(text);
    match write_all(&mut std::io::stdout().lock(), text) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        other => Ok(other?),
    }
}

/// Whether an earlier write found stdout closed.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

fn write_all(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(text.as_bytes())?;
    if !text.is_empty() && !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    out.flush()
}
