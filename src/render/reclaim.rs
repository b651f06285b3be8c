//! Table form of the `reclaim` report.
