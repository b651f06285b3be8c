//! The API server's clock for judgements that run over time (`rollout`: "not Ready for longer than
//! --stuck-after"): read once from the Date header of GET /version, then carried forward on the
//! local clock with the offset measured then. Pod timestamps are the server's; a laptop whose
//! clock runs 5 minutes fast must not turn unready pods into stuck ones.

use jiff::{SignedDuration, Timestamp};

use super::evidence::ServerClock;
use super::{ApiError, Cluster};
use crate::model::ServerVersion;

#[derive(Debug, Clone, Default)]
pub struct ServerTime {
    /// API server time minus local time (zero when the server sent no Date header).
    offset: SignedDuration,
    pub version: Option<ServerVersion>,
    /// Local clock minus the API server's, in whole seconds; None without a Date header.
    pub local_skew_seconds: Option<i64>,
}

impl ServerTime {
    /// The local clock, for when the server's is unknown.
    pub fn local() -> ServerTime {
        ServerTime::default()
    }

    pub fn from_clock(server: &ServerClock) -> ServerTime {
        let skew = server.clock.local_skew_seconds;
        ServerTime {
            offset: SignedDuration::from_secs(-skew.unwrap_or(0)),
            version: server.version.clone(),
            local_skew_seconds: skew,
        }
    }

    /// The API server's time now.
    pub fn now(&self) -> Timestamp {
        self.at(Timestamp::now())
    }

    /// The API server's time when the local clock reads `local`.
    pub fn at(&self, local: Timestamp) -> Timestamp {
        local.checked_add(self.offset).unwrap_or(local)
    }
}

impl Cluster {
    /// GET /version once: the API server's clock and version.
    pub async fn server_time(&self) -> Result<ServerTime, ApiError> {
        // Without a Date header `local_skew_seconds` is None, which the reports note.
        let server = self.server_clock().await?;
        Ok(ServerTime::from_clock(&server))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::force_delete::Clock;

    #[test]
    fn carries_the_server_clock_forward() {
        let local: Timestamp = "2026-03-01T12:05:00Z".parse().unwrap();
        let server = ServerClock {
            clock: Clock { server_time: Some("2026-03-01T12:00:00Z".parse().unwrap()), local_skew_seconds: Some(300) },
            now: "2026-03-01T12:00:00Z".parse().unwrap(),
            version: ServerVersion::parse("v1.20.2", "1", "20"),
        };
        let time = ServerTime::from_clock(&server);
        assert_eq!(time.at(local).to_string(), "2026-03-01T12:00:00Z");
        assert_eq!(time.version.as_ref().map(|v| v.minor), Some(20));
        assert_eq!(ServerTime::local().at(local), local);
    }
}
