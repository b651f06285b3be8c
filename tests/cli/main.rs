//! Tests of the binary that need no cluster: usage errors, completions, packaging.

mod completions;
mod krew;
mod man;
mod rollout;
mod usage;
