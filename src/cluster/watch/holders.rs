//! Noticing, while following, a pod of another owner that holds an ordinal's name (the rollout is
//! blocked then: `rollout::holder`). The pod watch is by selector and cannot see such a pod; a
//! watch of every pod of the namespace would stream every change of every pod there. So the
//! follower starts from what `Cluster::pods_of` read (the holders of missing ordinals included)
//! and lists the namespace's pods again (metadata only, `Cluster::name_holders`) only when the
//! status says the controller creates pods that do not appear: first [`FIRST`] after it started
//! to wait for them (a working controller creates a pod within a second), then at doubling
//! intervals up to [`LONGEST`] while they stay missing. Nothing is listed while no create is
//! awaited, so a normal rollout sends none of these, and a 15-minute follow at most about 20.

use std::collections::BTreeSet;
use std::time::Duration;

use tokio::time::Instant;

use super::Follower;

/// How long a pod the controller should create may stay missing before the name is checked.
pub(super) const FIRST: Duration = Duration::from_secs(5);
/// The longest interval between two checks while pods stay missing.
pub(super) const LONGEST: Duration = Duration::from_secs(60);

/// When to list the namespace's pods for holders of names the controller should create.
#[derive(Debug, Default)]
pub(super) struct HolderCheck {
    /// The pods the controller creates next, as the last status said.
    awaited: BTreeSet<String>,
    /// When to list next; None while no create is awaited.
    due: Option<Instant>,
    interval: Duration,
}

impl HolderCheck {
    /// The status now says the controller creates `pods` (none: empty).
    pub fn awaiting(&mut self, pods: BTreeSet<String>, now: Instant) {
        if pods.is_empty() {
            self.due = None;
        } else if !pods.is_subset(&self.awaited) || self.due.is_none() {
            // Pods it had not waited for: a new wait, checked after FIRST. (Fewer of the same
            // pods, as a Parallel controller creates them: the same wait goes on.)
            self.due = now.checked_add(FIRST);
            self.interval = FIRST;
        }
        self.awaited = pods;
    }

    pub fn is_due(&self, now: Instant) -> bool {
        self.due.is_some_and(|due| now >= due)
    }

    /// A check starts now: the next one after twice the last interval, at most LONGEST.
    pub fn checking(&mut self, now: Instant) {
        self.interval = (self.interval * 2).min(LONGEST);
        self.due = now.checked_add(self.interval);
    }

    pub fn awaited(&self) -> &BTreeSet<String> {
        &self.awaited
    }
}

impl Follower {
    /// Tells the follower which pods the status says the controller creates next (see the module).
    pub fn awaiting_creates(&mut self, pods: BTreeSet<String>) {
        self.holder_check.awaiting(pods, Instant::now());
    }

    /// Lists the holders again if it is time to.
    pub(super) async fn check_holders(&mut self) {
        let now = Instant::now();
        if !self.holder_check.is_due(now) {
            return;
        }
        self.holder_check.checking(now);
        let present: BTreeSet<String> = self.pods.keys().cloned().collect();
        match self.cluster.name_holders(&self.sts, &present).await {
            Ok(found) => {
                self.holders = found.into_iter().map(|p| (p.name.clone(), p)).collect();
            }
            Err(e) => {
                let awaited: Vec<&str> = self.holder_check.awaited().iter().map(String::as_str).collect();
                tracing::info!("listing pods for holders of {awaited:?} failed: {e}");
                self.interruptions.warnings.push(format!(
                    "cannot check whether a pod of another owner holds the name of {} ({e}); trying again later",
                    awaited.join(", ")
                ));
            }
        }
    }

    /// A pod of that name matches the selector now (or was deleted): what was listed is outdated.
    pub(super) fn forget_holder(&mut self, name: &str) {
        self.holders.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_create_awaited_is_checked_after_a_while_then_less_and_less_often() {
        let t0 = Instant::now();
        let mut check = HolderCheck::default();
        assert!(!check.is_due(t0 + LONGEST * 10), "nothing awaited, nothing listed");
        check.awaiting(names(&["db-3"]), t0);
        assert!(!check.is_due(t0 + FIRST - Duration::from_millis(1)));
        assert!(check.is_due(t0 + FIRST));
        // Each check doubles the interval, up to LONGEST.
        let mut at = t0 + FIRST;
        let mut intervals = Vec::new();
        for _ in 0..6 {
            check.checking(at);
            let next = (1..=120).map(|s| at + Duration::from_secs(s)).find(|&t| check.is_due(t)).unwrap();
            intervals.push((next - at).as_secs());
            at = next;
        }
        assert_eq!(intervals, [10, 20, 40, 60, 60, 60]);
        // The same wait (statuses recomputed every second) does not start over.
        check.checking(at);
        check.awaiting(names(&["db-3"]), at);
        assert!(check.is_due(at + LONGEST));
        assert!(!check.is_due(at + FIRST));
    }

    #[test]
    fn a_new_wait_starts_over_and_fewer_of_the_same_pods_do_not() {
        let t0 = Instant::now();
        let mut check = HolderCheck::default();
        check.awaiting(names(&["db-3", "db-4"]), t0);
        check.checking(t0 + FIRST);
        // db-3 was created: the same wait.
        check.awaiting(names(&["db-4"]), t0 + FIRST);
        assert!(!check.is_due(t0 + FIRST * 2));
        // Nothing to create (the controller waits for db-4 to be Ready), then db-5: a new wait.
        check.awaiting(BTreeSet::new(), t0 + FIRST * 3);
        assert!(!check.is_due(t0 + LONGEST * 10));
        check.awaiting(names(&["db-5"]), t0 + FIRST * 3);
        assert!(check.is_due(t0 + FIRST * 4));
    }
}
