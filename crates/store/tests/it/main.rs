//! One test binary for this crate: every integration test file is a module, so the
//! crate's tests link once and run side by side.

mod access;
mod aggregates;
mod api_tokens;
mod bulk;
mod conformance;
mod exports;
mod forums;
mod institutions;
mod lists;
mod priority;
mod programs;
mod quality;
mod schema;
mod strategy;
