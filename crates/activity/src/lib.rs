//! The use cases: what a user (or the system) does with Sinergi, each written once.
//!
//! A face (CLI, page, API) parses its input, calls one function here with the [`Viewer`]
//! who asks, and renders the result; it never orchestrates store, intake and insight itself.
//! Everything scoped goes through `Store::scoped(&viewer)`, so the row filter and the public
//! small-count suppression are applied by the store, never here or in a face.
//!
//! Errors are [`ActivityError`]: each says itself to the user as a catalogue [`Msg`].

pub mod aggregates;
pub mod cycles;
pub mod double_aid;
mod error;
pub mod forums;
pub mod home;
pub mod jobs;
pub mod lists;
pub mod priority;
pub mod profile;
pub mod programs;
pub mod quality;
pub mod realisation;
pub mod regions;
pub mod registries;
pub mod review;
pub mod strategy;
pub mod templates;

pub use error::ActivityError;
pub use sinergi_core::{Localized, Msg, Viewer};
