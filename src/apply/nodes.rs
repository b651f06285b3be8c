//! Mutations on nodes (see the module docs of `apply`).
