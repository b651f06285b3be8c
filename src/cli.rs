//! Command-line types (clap derive). No behaviour here: `app` dispatches on these.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::duration::HumanDuration;

/// Diagnose and safely repair Kubernetes StatefulSets.
///
/// Run without a subcommand to check every StatefulSet in the namespace (same as `doctor`).
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-sts_doctor",
    bin_name = "kubectl sts-doctor",
    display_name = "kubectl sts-doctor",
    version,
    propagate_version = true,
    after_help = "Exit codes: 0 ok, 1 error, 2 usage, 3 refused/declined, 4 partial, 5 rollout not done, \
                  6 doctor found warnings, 7 doctor found errors, 130 interrupted \
                  (drain-check: 0 a drain would go through, 3 it would not)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Parses the command line. After `__complete` (kubectl's completion protocol) the words are the
/// user's partial command line, flags included, and are taken verbatim rather than parsed as ours.
pub fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    if args.get(1).is_some_and(|a| a == "__complete") {
        let mut cli = Cli::try_parse_from(&args[..1])?;
        let words = args[2..].iter().map(|a| a.to_string_lossy().into_owned()).collect();
        cli.command = Some(Command::Complete { words });
        return Ok(cli);
    }
    let mut cli = Cli::try_parse_from(args)?;
    // -A is a flag of the subcommands that take it (and of the bare command, which is doctor), so
    // that every other subcommand's help leaves it out; the commands read it in one place.
    match &cli.command {
        Some(Command::Doctor(DoctorArgs { all_namespaces: true, .. }))
        | Some(Command::Reclaim(ReclaimArgs { all_namespaces: true, .. }))
        | Some(Command::DrainCheck(DrainCheckArgs { all_namespaces: true, .. })) => cli.global.all_namespaces = true,
        _ => {}
    }
    Ok(cli)
}

/// The heading of the flags every subcommand accepts, apart from its own.
const GLOBAL: &str = "Global options";

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Namespace to use (default: the namespace of the current context).
    #[arg(short = 'n', long, global = true, help_heading = GLOBAL, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Check every namespace (the bare command is doctor).
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,

    /// Kubeconfig context to use (default: current-context).
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "CONTEXT")]
    pub context: Option<String>,

    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// Output format: table, wide (table with one row per ordinal, however many), json or yaml.
    #[arg(short = 'o', long, global = true, help_heading = GLOBAL, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,

    /// Disable colours (also honoured: the NO_COLOR environment variable).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub no_color: bool,

    /// Give up on a single API request after this long (e.g. 30s, 2m).
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "DURATION", default_value = "30s")]
    pub request_timeout: HumanDuration,

    /// More logging on stderr: -v info, -vv debug (API requests), -vvv trace.
    #[arg(short = 'v', long = "verbose", global = true, help_heading = GLOBAL, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    /// The table with one row per ordinal, also for big StatefulSets (see `--wide`).
    Wide,
    Json,
    Yaml,
}

impl OutputFormat {
    /// Table or wide: output for people.
    pub fn is_table(self) -> bool {
        matches!(self, OutputFormat::Table | OutputFormat::Wide)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every ordinal of a StatefulSet: pod state, revision, node health, why a pod is missing.
    ///
    /// Above 50 ordinals the table is compact: consecutive ordinals in the same state fold into
    /// one line, exceptions keep a line each (--wide or -o wide: one row per ordinal).
    Ordinals(ListArgs),

    /// Every claim of a StatefulSet: PVC, PV, sizes, who mounts it, orphans and drift.
    ///
    /// Above 50 ordinals the table is compact: consecutive alike claims fold into one line,
    /// flagged claims keep a line each (--wide or -o wide: one row per claim).
    Claims(ListArgs),

    /// Force-delete a pod, only after node loss is confirmed from the API.
    ForceDelete(ForceDeleteArgs),

    /// Find (and with --delete, remove) claims left behind by scale-down.
    Reclaim(ReclaimArgs),

    /// Show or follow a (partitioned) rolling update; step the partition as a canary.
    Rollout(RolloutArgs),

    /// Check every StatefulSet in the namespace (or -A) and list findings by severity.
    Doctor(DoctorArgs),

    /// What draining a node would do to StatefulSets (read-only): evictions, pods that cannot
    /// move, ordinals down together, and a careful order.
    ///
    /// Exit 0: a drain would go through now; 3: it would be refused or hang, or leave a pod unable
    /// to run elsewhere.
    DrainCheck(DrainCheckArgs),

    /// Print a shell completion script (bash, zsh, fish).
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Completion protocol used by kubectl (>= 1.26) through `kubectl_complete-sts_doctor`:
    /// `__complete WORDS...`, the words after `kubectl sts-doctor`, the last one being completed.
    /// Recognised by [`parse`] before clap, so it is no subcommand of clap's: the generated
    /// completion scripts and `help` do not offer it.
    #[command(skip)]
    Complete { words: Vec<String> },
}

/// A StatefulSet, by name.
#[derive(Debug, Clone, Args)]
pub struct StsArg {
    /// Name of the StatefulSet.
    #[arg(value_name = "STATEFULSET")]
    pub name: String,
}

/// A StatefulSet whose ordinals (or claims) are listed.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Name of the StatefulSet.
    #[arg(value_name = "STATEFULSET")]
    pub name: String,

    /// One row per ordinal even above 50 ordinals, where the table is otherwise compact (as -o wide).
    #[arg(long)]
    pub wide: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ConfirmArgs {
    /// Do not prompt; proceed (for scripts). Safety checks still apply.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// Ask the API server to validate the change without persisting it (server-side dry run).
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ForceDeleteArgs {
    /// Name of the pod.
    #[arg(value_name = "POD")]
    pub pod: String,

    #[command(flatten)]
    pub confirm: ConfirmArgs,

    /// Instead of deleting the pod, taint its node with node.kubernetes.io/out-of-service
    /// (Kubernetes >= 1.28 then deletes its pods and force-detaches volumes).
    #[arg(long)]
    pub fence: bool,

    /// State that the node is fenced (powered off or isolated from storage) outside Kubernetes.
    /// Counts as the strong signal; recorded in the output.
    #[arg(long)]
    pub node_fenced: bool,

    /// How long the node's Ready condition must have been Unknown.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub not_ready_for: HumanDuration,

    /// How long the node's Lease must have gone unrenewed.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub lease_stale_for: HumanDuration,

    /// After deleting, wait until the StatefulSet has recreated the pod and it is Ready.
    #[arg(long)]
    pub wait: bool,

    /// Give up waiting after this long.
    #[arg(long, value_name = "DURATION", default_value = "10m")]
    pub timeout: HumanDuration,
}

#[derive(Debug, Clone, Args)]
pub struct ReclaimArgs {
    /// Name of the StatefulSet (omit with --deleted to scan for every deleted StatefulSet).
    #[arg(value_name = "STATEFULSET", required_unless_present = "deleted")]
    pub name: Option<String>,

    /// Look for claims of StatefulSets that no longer exist (lower confidence).
    #[arg(long)]
    pub deleted: bool,

    /// With --deleted: look in every namespace.
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,

    /// Delete the listed claims (default: show the plan only).
    #[arg(long)]
    pub delete: bool,

    /// Switch each bound PV to reclaimPolicy Retain before deleting its claim, so the data survives.
    #[arg(long)]
    pub keep_volume: bool,

    /// Also reclaim claims matched by name only (the StatefulSet's selector has no matchLabels, so
    /// its claims carry no labels to verify them with); they are marked low confidence.
    #[arg(long)]
    pub include_name_only: bool,

    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

/// `rollout STS [flags]` shows, follows or steps a rollout; `rollout history|diff|undo STS` work
/// on its ControllerRevisions. A StatefulSet named like one of those words is addressed after
/// `--`: `rollout -- history`.
#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct RolloutArgs {
    #[command(subcommand)]
    pub action: Option<RolloutAction>,

    /// Name of the StatefulSet (after `--` when it is named history, diff or undo).
    #[arg(value_name = "STATEFULSET", required = true)]
    pub name: Option<String>,

    #[command(flatten)]
    pub follow: FollowArgs,

    /// Canary: lower the partition by N, once, when the already-updated pods are Ready
    /// (with --until, step by step down to P).
    #[arg(long, value_name = "N", conflicts_with = "to")]
    pub step: Option<i32>,

    /// Set the partition to P once the already-updated pods are Ready.
    #[arg(long, value_name = "P")]
    pub to: Option<i32>,

    /// With --step: keep stepping until the partition reaches this value, then follow the rollout
    /// to its end (also without a terminal; --no-watch returns after the last patch).
    #[arg(long, value_name = "P", requires = "step")]
    pub until: Option<i32>,

    /// With --step --until: wait this long between steps once updated pods are Ready.
    #[arg(long, value_name = "DURATION", default_value = "0s", requires = "until")]
    pub pause: HumanDuration,

    /// Delete the pod that holds the rollout in the forced-rollback trap (kubernetes#67250).
    #[arg(long)]
    pub fix: bool,

    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

impl RolloutArgs {
    /// The StatefulSet named, by `rollout STS` or by its subcommand (clap requires one of them).
    pub fn sts(&self) -> &str {
        match &self.action {
            Some(RolloutAction::History(a)) => &a.name,
            Some(RolloutAction::Diff(a)) => &a.name,
            Some(RolloutAction::Undo(a)) => &a.name,
            None => self.name.as_deref().unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum RolloutAction {
    /// The StatefulSet's ControllerRevisions: number, age, change-cause, which ordinals run each.
    History(StsArg),

    /// Unified diff of two revisions' pod templates (default: current -> update revision).
    Diff(DiffArgs),

    /// Restore an earlier revision's pod template (default: the previous one), diff shown first.
    Undo(UndoArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// Name of the StatefulSet.
    #[arg(value_name = "STATEFULSET")]
    pub name: String,

    /// Old side: a revision number, a ControllerRevision name, or `live` (the StatefulSet's
    /// spec.template now). Default: the current revision.
    #[arg(long, value_name = "REV")]
    pub from: Option<String>,

    /// New side, as --from. Default: the update revision.
    #[arg(long, value_name = "REV")]
    pub to: Option<String>,
}

/// How a rollout is followed (`rollout STS`, and after `rollout undo`).
#[derive(Debug, Clone, Args)]
pub struct FollowArgs {
    /// Follow the rollout until done or stuck (default when stdout is a terminal).
    #[arg(short = 'w', long, overrides_with = "no_watch")]
    pub watch: bool,

    /// Do not follow: print the status once and return.
    #[arg(long, overrides_with = "watch")]
    pub no_watch: bool,

    /// Give up following after this long (exit code 5); 0 follows without a limit.
    #[arg(long, value_name = "DURATION", default_value = "15m")]
    pub timeout: HumanDuration,

    /// An updated pod not Ready for this long makes the rollout stuck.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub stuck_after: HumanDuration,
}

#[derive(Debug, Clone, Args)]
pub struct UndoArgs {
    /// Name of the StatefulSet.
    #[arg(value_name = "STATEFULSET")]
    pub name: String,

    /// The revision whose template to restore; 0 (the default) is the previous revision, as in
    /// `kubectl rollout undo`.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub to_revision: i64,

    /// After the undo, delete a pod of the abandoned revision that holds the rollout in the
    /// forced-rollback trap (kubernetes#67250), as `rollout --fix` does.
    #[arg(long)]
    pub fix: bool,

    #[command(flatten)]
    pub follow: FollowArgs,

    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Clone, Args, Default)]
pub struct DoctorArgs {
    /// Only check this StatefulSet.
    #[arg(value_name = "STATEFULSET")]
    pub name: Option<String>,

    /// Check the StatefulSets of every namespace.
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DrainCheckArgs {
    /// Name of the node.
    #[arg(value_name = "NODE")]
    pub node: String,

    /// Look at the StatefulSets of every namespace (a drain evicts them all).
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,
}
