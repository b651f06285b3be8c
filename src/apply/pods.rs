//! Mutations on pods (see the module docs of `apply`).
