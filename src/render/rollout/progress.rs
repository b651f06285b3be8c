//! The live display while following a rollout: an indicatif bar with a status line on a terminal,
//! plain lines on change otherwise (no timestamps, no ages in what triggers a line, so logs and
//! snapshots stay readable).

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::time::Duration;

use anyhow::Result;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::cli::OutputFormat;
use crate::model::names::pod_ordinal;
use crate::render::compact::pods;
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
        if !format.is_table() {
            Mode::Stderr
        } else if std::io::stdout().is_terminal() && std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Stdout
        }
    }
}

/// What makes a new line: the phase, what the controller does next (or, when it has nothing to do,
/// which pod the rollout waits for, and whether the controller observed the spec), the partition,
/// the revision.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    phase: Phase,
    next: NextStep,
    blocking_pod: Option<String>,
    observed: bool,
    partition: Option<i32>,
    update_revision: Option<String>,
}

pub struct Progress {
    mode: Mode,
    bar: Option<ProgressBar>,
    /// On a terminal for a big StatefulSet: lines redrawn above the bar instead of a log.
    block: Option<Block>,
    last: Option<Key>,
    /// Pods counted as updated (update revision, Ready, available) at the last update.
    updated: BTreeSet<String>,
    started: bool,
}

impl Progress {
    pub fn new(mode: Mode) -> Progress {
        Progress { mode, bar: None, block: None, last: None, updated: BTreeSet::new(), started: false }
    }

    /// Shows `status`: on a terminal redraws the bar; otherwise prints what changed.
    pub fn update(&mut self, status: &RolloutStatus) -> Result<()> {
        let first = !self.started;
        let lines = self.changes(status);
        match self.mode {
            Mode::Bar if self.block.is_some() || (self.bar.is_none() && super::block::big(status)) => {
                let block = self.block.get_or_insert_with(Block::new);
                let bar = self.bar.get_or_insert_with(|| block.multi.add(new_bar(0)));
                bar.set_length(status.progress.total.max(0) as u64);
                bar.set_position(status.progress.updated.max(0) as u64);
                bar.set_message(String::new());
                for (line, text) in block.lines.iter().zip(super::block::lines(status)) {
                    line.set_message(text);
                }
                // No log of every pod: the block says where things stand; only the first line stays.
                if let Some(line) = lines.first().filter(|_| first) {
                    block.multi.println(line)?;
                }
            }
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

    /// The lines `status` adds to what was shown before.
    fn changes(&mut self, status: &RolloutStatus) -> Vec<String> {
        let mut lines = Vec::new();
        let first = !self.started;
        if first {
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
        let revision = update.as_deref().unwrap_or("-");
        let total = status.progress.total;
        let newly: Vec<&String> = updated.difference(&self.updated).collect();
        let lost: Vec<&String> = self.updated.difference(&updated).collect();
        // A big StatefulSet: pods that change together make one line naming their ordinals.
        let name = &status.statefulset.name;
        let folded = |pods: &[&String]| {
            let ordinals: Option<Vec<i32>> = pods.iter().map(|p| pod_ordinal(name, p)).collect();
            ordinals.filter(|o| o.len() > 1 && super::block::big(status)).map(|o| self::pods(name, &o))
        };
        match folded(&lost) {
            Some(pods) => lines.push(format!("{pods} are no longer Ready on the update revision")),
            None => {
                for pod in lost {
                    lines.push(format!("{pod} is no longer Ready on the update revision"));
                }
            }
        }
        if let Some(pods) = folded(&newly).filter(|_| !first) {
            lines.push(format!("{pods} updated to {revision} and Ready ({}/{total})", updated.len()));
        } else if first && let Some(pods) = folded(&newly) {
            lines.push(format!("already updated to {revision} and Ready: {pods} ({}/{total})", updated.len()));
        } else if first && !newly.is_empty() {
            // Updated before the follow began: where it starts, not news.
            let names: Vec<&str> = newly.iter().map(|p| p.as_str()).collect();
            lines.push(format!(
                "already updated to {revision} and Ready: {} ({}/{total})",
                names.join(", "),
                updated.len()
            ));
        } else {
            // Highest first, the order the controller updates in; each with the count once it is.
            let mut count = updated.len() - newly.len();
            for pod in newly.into_iter().rev() {
                count += 1;
                lines.push(format!("{pod} updated to {revision} and Ready ({count}/{total})"));
            }
        }
        self.updated = updated;
        let s = &status.statefulset;
        let key = Key {
            phase: status.phase,
            next: status.controller_next.clone(),
            blocking_pod: status.blocking_pod.clone(),
            observed: s.observed_generation.is_some_and(|g| g >= s.generation),
            partition: s.partition,
            update_revision: update,
        };
        if self.last.as_ref() != Some(&key) {
            lines.push(format!("{}: {}", status.phase.label(), status.reason));
            self.last = Some(key);
        }
        lines
    }

    /// A line of its own (e.g. "partition set to 1"), above the bar on a terminal.
    pub fn say(&self, line: &str) -> Result<()> {
        if let Some(block) = &self.block {
            block.multi.println(line)?;
            return Ok(());
        }
        match (&self.bar, self.mode) {
            (Some(bar), _) => bar.println(line),
            (None, Mode::Stdout | Mode::Bar) => write_stdout(line)?,
            (None, Mode::Stderr) => eprintln!("{line}"),
        }
        Ok(())
    }

    /// A warning line on stderr (above the bar on a terminal) in every mode: stdout has the report.
    pub fn warn(&self, text: &str) {
        let line = format!("warning: {text}");
        if let Some(block) = &self.block {
            let _ = block.multi.println(&line);
            return;
        }
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// Removes the bar (the final report follows).
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if let Some(block) = self.block.take() {
            for line in &block.lines {
                line.finish_and_clear();
            }
            let _ = block.multi.clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The lines of [`super::block::lines`], redrawn above the bar.
struct Block {
    multi: MultiProgress,
    lines: Vec<ProgressBar>,
}

impl Block {
    fn new() -> Block {
        let multi = MultiProgress::new();
        let style = ProgressStyle::with_template("{wide_msg}").unwrap_or_else(|_| ProgressStyle::default_spinner());
        let lines = (0..3).map(|_| multi.add(ProgressBar::new_spinner().with_style(style.clone()))).collect();
        Block { multi, lines }
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::{ago, on_revision, pod, sts, with};

    fn status(set: serde_json::Value, pods: Vec<serde_json::Value>) -> RolloutStatus {
        crate::rollout::tests::run_with(set, pods, Ok(vec![]))
    }

    #[test]
    fn a_new_wait_is_a_new_line_even_when_the_controller_has_nothing_to_do() {
        // `kubectl scale --replicas 2` of a Parallel StatefulSet, followed: first the controller has
        // not observed it, then it deleted web-2, which still terminates. Both: nothing to do.
        let parallel = with(sts("web", 2), json!({ "spec": { "podManagementPolicy": "Parallel" } }));
        let pods: Vec<serde_json::Value> = (0..3).map(|i| pod("web", i, "n1")).collect();
        let unobserved = with(parallel.clone(), json!({ "metadata": { "generation": 2 } }));
        let mut terminating = pods.clone();
        terminating[2] = with(pods[2].clone(), json!({ "metadata": { "deletionTimestamp": ago(-20) } }));
        let observed =
            with(parallel, json!({ "metadata": { "generation": 2 }, "status": { "observedGeneration": 2 } }));

        let mut progress = Progress::new(Mode::Stdout);
        let first = progress.changes(&status(unobserved, pods));
        assert_eq!(
            first.last().unwrap(),
            "progressing: waiting for the controller to observe generation 2 (observed: 1)"
        );
        let second = progress.changes(&status(observed.clone(), terminating.clone()));
        assert_eq!(
            second,
            ["progressing: waiting for web-2 (Terminating), outside the ordinal range [0, 2), to be gone"]
        );
        // The same wait again: no new line.
        assert!(progress.changes(&status(observed, terminating)).is_empty());
    }

    #[test]
    fn each_update_line_counts_the_pods_updated_by_then() {
        // web rolls to web-r2 at partition 1 of 4; web-3 was updated before the follow began.
        let set = with(
            sts("web", 4),
            json!({ "metadata": { "generation": 2 },
                    "spec": { "updateStrategy": { "rollingUpdate": { "partition": 1 } } },
                    "status": { "observedGeneration": 2, "updateRevision": "web-r2" } }),
        );
        let on_r2 = |i: i32| on_revision(pod("web", i, "n1"), "web-r2");
        let pods = |updated: &[i32]| -> Vec<serde_json::Value> {
            (0..4).map(|i| if updated.contains(&i) { on_r2(i) } else { pod("web", i, "n1") }).collect()
        };
        let mut progress = Progress::new(Mode::Stdout);
        let lines = progress.changes(&status(set.clone(), pods(&[3])));
        assert_eq!(lines[1], "already updated to web-r2 and Ready: web-3 (1/3)");
        // Two more seen at once (a watch that reconnects): each line has its own count.
        let lines = progress.changes(&status(set.clone(), pods(&[1, 2, 3])));
        assert_eq!(lines[..2], ["web-2 updated to web-r2 and Ready (2/3)", "web-1 updated to web-r2 and Ready (3/3)"]);
        // One lost, none gained.
        let mut back = pods(&[1, 2, 3]);
        back[2] = with(
            back[2].clone(),
            json!({ "status": { "conditions": [{ "type": "Ready", "status": "False", "lastTransitionTime": ago(5) }] } }),
        );
        let lines = progress.changes(&status(set, back));
        assert_eq!(lines[0], "web-2 is no longer Ready on the update revision");
    }

    #[test]
    fn a_big_statefulset_folds_the_pods_that_change_together() {
        let set = with(
            sts("web", 60),
            json!({ "metadata": { "generation": 2 },
                    "status": { "observedGeneration": 2, "updateRevision": "web-r2" } }),
        );
        let pods = |from: i32| -> Vec<serde_json::Value> {
            let on_r2 = json!({ "metadata": { "labels": { "controller-revision-hash": "web-r2" } } });
            (0..60)
                .map(|i| if i >= from { with(pod("web", i, "n1"), on_r2.clone()) } else { pod("web", i, "n1") })
                .collect()
        };
        let mut progress = Progress::new(Mode::Stdout);
        let lines = progress.changes(&status(set.clone(), pods(57)));
        assert_eq!(lines[1], "already updated to web-r2 and Ready: web-57–59 (3 pods) (3/60)");
        let lines = progress.changes(&status(set.clone(), pods(50)));
        assert_eq!(lines[0], "web-50–56 (7 pods) updated to web-r2 and Ready (10/60)");
        let lines = progress.changes(&status(set, pods(58)));
        assert_eq!(lines[0], "web-50–57 (8 pods) are no longer Ready on the update revision");
    }
}
