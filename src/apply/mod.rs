//! Mutations. Each takes UID/resourceVersion preconditions and honours server-side dry run.
