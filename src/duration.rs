//! Durations: parsing flag values ("30s", "5m", "1h30m", "300") and printing ages the way kubectl does.

use std::fmt;
use std::str::FromStr;

use jiff::{SignedDuration, Timestamp};

/// A non-negative duration given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HumanDuration(pub SignedDuration);

impl HumanDuration {
    pub fn as_std(self) -> std::time::Duration {
        self.0.unsigned_abs()
    }
    pub fn as_secs(self) -> i64 {
        self.0.as_secs()
    }
}

impl FromStr for HumanDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        // A bare number is seconds, as in kubectl's --timeout=300.
        let parsed = match s.parse::<i64>() {
            Ok(secs) => Ok(SignedDuration::from_secs(secs)),
            Err(_) => s.parse::<SignedDuration>(),
        };
        match parsed {
            Ok(d) if d.is_negative() => Err(format!("duration {s:?} is negative")),
            Ok(d) => Ok(HumanDuration(d)),
            Err(_) => Err(format!("invalid duration {s:?} (examples: 30s, 5m, 1h30m)")),
        }
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&human(self.0))
    }
}

/// Time elapsed from `then` to `now`, kubectl-style (see [`human`]).
pub fn age(then: Timestamp, now: Timestamp) -> String {
    human(now.duration_since(then))
}

/// "5m ago", or "90s ahead of now" for a time in the future (a writer's clock ahead).
pub fn ago(then: Timestamp, now: Timestamp) -> String {
    if then > now {
        format!("{} ahead of now", human(then.duration_since(now)))
    } else {
        format!("{} ago", human(now.duration_since(then)))
    }
}

/// Seconds elapsed from `then` to `now` (negative when `then` is in the future: clock skew).
pub fn secs_since(then: Timestamp, now: Timestamp) -> i64 {
    now.duration_since(then).as_secs()
}

/// A local clock at least this far from the API server's is worth saying so.
const SKEW_NOTE_SECONDS: i64 = 10;

/// "the local clock is 5m ahead of the API server's", when the skew (local minus server, in
/// seconds) is worth a note.
pub fn clock_skew(local_skew_seconds: Option<i64>) -> Option<String> {
    let skew = local_skew_seconds.filter(|s| s.abs() >= SKEW_NOTE_SECONDS)?;
    let direction = if skew > 0 { "ahead of" } else { "behind" };
    Some(format!("the local clock is {} {direction} the API server's", human(SignedDuration::from_secs(skew.abs()))))
}

/// The note when the API server sent no Date header, so that `what` ("ages are") is judged on the
/// local clock.
pub fn local_clock_note(what: &str) -> String {
    format!("the API server sent no Date header: {what} judged on the local clock, which could not be checked")
}

/// A std duration for messages: "200ms" below a second, else as [`human`].
pub fn human_std(d: std::time::Duration) -> String {
    if d < std::time::Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        human(SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX))
    }
}

/// Formats like k8s.io/apimachinery/pkg/util/duration.HumanDuration, which kubectl uses for AGE.
pub fn human(d: SignedDuration) -> String {
    let seconds = d.as_secs();
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 { format!("{}d", hours / 24) } else { format!("{}d{h}h", hours / 24) };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 { format!("{}y", hours / 24 / 365) } else { format!("{}y{dy}d", hours / 24 / 365) };
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_flag_values() {
        assert_eq!("300".parse::<HumanDuration>().unwrap().as_secs(), 300);
        assert_eq!("5m".parse::<HumanDuration>().unwrap().as_secs(), 300);
        assert_eq!("1h30m".parse::<HumanDuration>().unwrap().as_secs(), 5400);
        assert_eq!("0s".parse::<HumanDuration>().unwrap().as_secs(), 0);
        assert!("-5m".parse::<HumanDuration>().unwrap_err().contains("negative"));
        assert!("soon".parse::<HumanDuration>().unwrap_err().contains("invalid duration"));
    }

    #[test]
    fn formats_like_kubectl() {
        let s = SignedDuration::from_secs;
        assert_eq!(human(s(-5)), "<invalid>");
        assert_eq!(human(s(0)), "0s");
        assert_eq!(human(s(119)), "119s");
        assert_eq!(human(s(125)), "2m5s");
        assert_eq!(human(s(600)), "10m");
        assert_eq!(human(s(3 * 3600 + 60)), "3h1m");
        assert_eq!(human(s(10 * 3600)), "10h");
        assert_eq!(human(s(50 * 3600)), "2d2h");
        assert_eq!(human(s(30 * 86400)), "30d");
        assert_eq!(human(s(3 * 365 * 86400 + 86400)), "3y1d");
    }
}
