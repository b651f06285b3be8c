//! Mutations on claims (see the module docs of `apply`).
