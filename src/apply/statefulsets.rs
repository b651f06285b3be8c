//! Mutations on statefulsets (see the module docs of `apply`).
