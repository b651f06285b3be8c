//! `force-delete`: pure logic (no API calls), filled in by its issue.
