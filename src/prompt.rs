//! Confirmation before a mutation: a prompt on a terminal, `--yes` for scripts, refusal otherwise.
//!
//! The prompt is asked on stderr and answered on stdin; the plan it asks about went to stdout
//! (with tables). When stdout is redirected (`> plan.txt`, `| tee log`) but the question can still
//! be asked, the operator would answer a plan they never saw (as with `kubectl delete -i`, which
//! writes its list to stdout): what went to stdout is then repeated on stderr before the question.

use std::io::{IsTerminal, Write};
use std::sync::{Mutex, OnceLock};

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
    let terminals = terminals();
    if !terminals.can_ask() {
        return Err(Outcome::Declined(
            "not confirmed: no terminal to ask on; pass --yes to proceed non-interactively (nothing was changed)"
                .into(),
        )
        .into());
    }
    if !terminals.stdout {
        let shown = std::mem::take(&mut *transcript());
        if let Err(why) = shown.repeat(&mut std::io::stderr().lock()) {
            return Err(Outcome::Declined(format!("not confirmed: {why} (nothing was changed)")).into());
        }
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

/// Keeps what is written to stdout while a prompt would not be seen there (see the module doc);
/// called by [`crate::render::write_stdout`]. Does nothing in every other case.
pub fn record_stdout(text: &str) {
    if terminals().asks_blind() {
        transcript().push(text);
    }
}

/// Which standard streams are terminals, looked at once.
#[derive(Debug, Clone, Copy)]
struct Terminals {
    stdin: bool,
    stdout: bool,
    stderr: bool,
}

impl Terminals {
    /// The question goes to stderr and the answer comes from stdin.
    fn can_ask(self) -> bool {
        self.stdin && self.stderr
    }

    /// A prompt could be shown, but not what went to stdout before it.
    fn asks_blind(self) -> bool {
        self.can_ask() && !self.stdout
    }
}

fn terminals() -> Terminals {
    static TERMINALS: OnceLock<Terminals> = OnceLock::new();
    *TERMINALS.get_or_init(|| Terminals {
        stdin: std::io::stdin().is_terminal(),
        stdout: std::io::stdout().is_terminal(),
        stderr: std::io::stderr().is_terminal(),
    })
}

/// More than this is not kept (a command that never prompts, such as `doctor`, may print a lot):
/// a plan cut short is not repeated, and the prompt declines instead.
const TRANSCRIPT_LIMIT: usize = 1 << 20;

/// What went to stdout since the last question.
#[derive(Debug, Default)]
struct Transcript {
    text: String,
    overflowed: bool,
}

impl Transcript {
    fn push(&mut self, text: &str) {
        if self.overflowed || self.text.len() + text.len() > TRANSCRIPT_LIMIT {
            self.overflowed = true;
            self.text = String::new();
            return;
        }
        self.text.push_str(text);
        if !text.is_empty() && !text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// Writes the output so far to `out` (the terminal) before the question; an error when it
    /// cannot be shown in full.
    fn repeat(&self, out: &mut impl Write) -> Result<(), String> {
        if self.overflowed {
            return Err(format!(
                "stdout is not a terminal and the plan printed there is too long to repeat here (over {} MiB): read \
                 it where stdout went, then re-run with --yes",
                TRANSCRIPT_LIMIT >> 20
            ));
        }
        if self.text.trim().is_empty() {
            return Ok(());
        }
        let header = "stdout is not a terminal: what was printed there, repeated here before the question:\n";
        out.write_all(header.as_bytes())
            .and_then(|()| out.write_all(self.text.as_bytes()))
            .and_then(|()| out.flush())
            .map_err(|e| format!("cannot show the plan on the terminal ({e})"))
    }
}

fn transcript() -> std::sync::MutexGuard<'static, Transcript> {
    static TRANSCRIPT: Mutex<Transcript> = Mutex::new(Transcript { text: String::new(), overflowed: false });
    // A panic while holding it leaves a transcript that is still text: use it.
    TRANSCRIPT.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_is_blind_only_when_it_can_be_asked_but_stdout_is_elsewhere() {
        let t = |stdin, stdout, stderr| Terminals { stdin, stdout, stderr };
        assert!(t(true, false, true).asks_blind());
        assert!(!t(true, true, true).asks_blind(), "everything on the terminal");
        assert!(!t(false, false, true).asks_blind(), "no question without a terminal to answer on");
        assert!(!t(true, false, false).asks_blind(), "no question without a terminal to ask on");
        assert!(t(true, false, true).can_ask() && !t(true, true, false).can_ask());
    }

    #[test]
    fn what_went_to_stdout_is_repeated_before_the_question() {
        let mut shown = Transcript::default();
        shown.push("checklist\nverdict: allowed");
        shown.push("\nplan:\n  1. delete pod shop/web-1\n");
        let mut terminal = Vec::new();
        shown.repeat(&mut terminal).unwrap();
        assert_eq!(
            String::from_utf8(terminal).unwrap(),
            "stdout is not a terminal: what was printed there, repeated here before the question:\n\
             checklist\nverdict: allowed\n\nplan:\n  1. delete pod shop/web-1\n"
        );

        // Nothing printed (-o json: the plan went to stderr already): nothing to repeat.
        let mut terminal = Vec::new();
        Transcript::default().repeat(&mut terminal).unwrap();
        assert!(terminal.is_empty());
    }

    #[test]
    fn a_plan_too_long_to_repeat_declines() {
        let mut shown = Transcript::default();
        shown.push(&"x".repeat(TRANSCRIPT_LIMIT));
        shown.push("plan:\n");
        assert!(shown.overflowed && shown.text.is_empty());
        let mut terminal = Vec::new();
        let err = shown.repeat(&mut terminal).unwrap_err();
        assert!(err.contains("too long to repeat here") && err.contains("re-run with --yes"), "{err}");
        assert!(terminal.is_empty());
    }
}
