//! The live display while following a rollout: an indicatif bar with a status line on a terminal,
//! plain lines on change otherwise (no timestamps, no ages in what triggers a line, so logs and
//! snapshots stay readable).

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::time::Duration;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::OutputFormat;
use crate::render::write_stdout;
use crate::rollout::{NextStep, Phase, RolloutStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A bar and a status line on stderr (terminal).
    Bar,
    /// A line per change on stdout (table output, no terminal).
    Stdout,
    /// A line per change on stderr (JSON/YAML keep stdout for the document).
    Stderr,
}

impl Mode {
    pub fn detect(format: OutputFormat) -> Mode {
        if format != OutputFormat::Table {
            Mode::Stderr
        } else if std::io::stdout().is_terminal() && std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Stdout
        }
    }
}

/// What makes a new line: the phase, what the controller does next, the partition, the revision.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    phase: Phase,
    next: NextStep,
    partition: Option<i32>,
    update_revision: Option<String>,
}

pub struct Progress {
    mode: Mode,
    bar: Option<ProgressBar>,
    last: Option<Key>,
    /// Pods counted as updated (update revision, Ready, available) at the last update.
    updated: BTreeSet<String>,
    started: bool,
}

impl Progress {
    pub fn new(mode: Mode) -> Progress {
        Progress { mode, bar: None, last: None, updated: BTreeSet::new(), started: false }
    }

    /// Shows `status`: on a terminal redraws the bar; otherwise prints what changed.
    pub fn update(&mut self, status: &RolloutStatus) -> Result<()> {
        let mut lines = Vec::new();
        if !self.started {
            self.started = true;
            let s = &status.statefulset;
            lines.push(format!(
                "following statefulset {}/{}: {}{}, {}, {} replicas, update revision {}",
                s.namespace,
                s.name,
                s.update_strategy,
                s.partition.map(|p| format!(" partition {p}")).unwrap_or_default(),
                s.pod_management_policy,
                s.replicas,
                s.update_revision.as_ref().map_or("-", |r| r.name.as_str())
            ));
        }
        let update = status.statefulset.update_revision.as_ref().map(|r| r.name.clone());
        let updated: BTreeSet<String> = status
            .ordinals
            .iter()
            .filter(|r| r.in_range && r.wants == crate::rollout::Wants::Update && r.settled)
            .map(|r| r.pod.clone())
            .collect();
        // Highest first, the order the controller updates in.
        for pod in updated.difference(&self.updated).collect::<Vec<_>>().into_iter().rev() {
            lines.push(format!(
                "{pod} updated to {} and Ready ({}/{})",
                update.as_deref().unwrap_or("-"),
                status.progress.updated,
                status.progress.total
            ));
        }
        for pod in self.updated.difference(&updated) {
            lines.push(format!("{pod} is no longer Ready on the update revision"));
        }
        self.updated = updated;
        let key = Key {
            phase: status.phase,
            next: status.controller_next.clone(),
            partition: status.statefulset.partition,
            update_revision: update,
        };
        if self.last.as_ref() != Some(&key) {
            lines.push(format!("{}: {}", status.phase.label(), status.reason));
            self.last = Some(key);
        }
        match self.mode {
            Mode::Bar => {
                let bar = self.bar.get_or_insert_with(|| new_bar(status.progress.total.max(0) as u64));
                bar.set_length(status.progress.total.max(0) as u64);
                bar.set_position(status.progress.updated.max(0) as u64);
                bar.set_message(format!("{}: {}", status.phase.label(), status.reason));
                for line in lines {
                    bar.println(line);
                }
            }
            Mode::Stdout => {
                for line in lines {
                    write_stdout(&line)?;
                }
            }
            Mode::Stderr => {
                for line in lines {
                    eprintln!("{line}");
                }
            }
        }
        Ok(())
    }

    /// A line of its own (e.g. "partition set to 1"), above the bar on a terminal.
    pub fn say(&self, line: &str) -> Result<()> {
        match (&self.bar, self.mode) {
            (Some(bar), _) => bar.println(line),
            (None, Mode::Stdout | Mode::Bar) => write_stdout(line)?,
            (None, Mode::Stderr) => eprintln!("{line}"),
        }
        Ok(())
    }

    /// Removes the bar (the final report follows).
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn new_bar(length: u64) -> ProgressBar {
    let bar = ProgressBar::new(length);
    let style = ProgressStyle::with_template("{spinner} [{bar:24}] {pos}/{len} updated  {wide_msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
