//! Confirmation before a mutation: a prompt on a terminal, `--yes` for scripts, refusal otherwise.

use std::io::IsTerminal;

use anyhow::Result;

use crate::error::Outcome;

/// Asks `question`; `Ok(())` means go ahead. Without a terminal and without `--yes`, declines:
/// a script must opt in explicitly.
pub fn confirm(question: &str, yes: bool) -> Result<()> {
    // The plan was printed before this question: never act on one the reader did not get.
    if crate::render::stdout_closed() {
        return Err(Outcome::Declined(
            "not confirmed: the output was closed before the plan was printed in full (nothing was changed)".into(),
        )
        .into());
    }
    if yes {
        return Ok(());
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Outcome::Declined(
            "not confirmed: no terminal to ask on; pass --yes to proceed non-interactively (nothing was changed)"
                .into(),
        )
        .into());
    }
    let answer = dialoguer::Confirm::new().with_prompt(question).default(false).interact_opt();
    match answer {
        Ok(Some(true)) => Ok(()),
        Ok(_) => Err(Outcome::Declined("not confirmed: nothing was changed".into()).into()),
        Err(e) => {
            // dialoguer hides the cursor while it waits and shows it again only on an answer: on
            // Ctrl-C (read as "interrupted") or a read error, give the terminal its cursor back.
            eprintln!("\x1b[?25h");
            let why = match &e {
                dialoguer::Error::IO(io) if io.kind() == std::io::ErrorKind::Interrupted => "interrupted".to_string(),
                other => other.to_string(),
            };
            Err(Outcome::Declined(format!("not confirmed ({why}): nothing was changed")).into())
        }
    }
}
