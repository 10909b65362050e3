//! One test binary for this crate: every integration test file is a module, so the
//! crate's tests link once and run side by side.

mod access;
mod api_spec;
mod api_tokens;
mod api_writes;
mod caching;
mod common;
mod cycles;
mod double_aid;
mod figures;
mod forums;
mod fourw_scale;
mod institutions;
mod pages;
mod priority;
mod program_form;
mod programs;
mod quality;
mod strategy;
mod templates;
