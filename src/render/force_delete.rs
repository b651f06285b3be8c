//! Table form of the `force-delete` report.
