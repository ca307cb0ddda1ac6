//! The core's integration tests, one binary (a binary per file cost CI disk and link time):
//! the rule table (`rules`) and the properties over the whole code space (`properties`).

mod properties;
mod rules;
