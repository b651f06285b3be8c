//! Table form of the `doctor` report.
