//! Tests of the binary that need no cluster: usage errors, completions, packaging.

mod completions;
mod krew;
mod rollout;
mod usage;
