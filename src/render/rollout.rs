//! Table form of the `rollout` report.
