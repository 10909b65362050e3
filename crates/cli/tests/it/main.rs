//! One test binary for this crate: every integration test file is a module, so the
//! crate's tests link once and run side by side.

mod bantuan_ganda;
mod cli;
mod crash;
mod demo_double_aid;
mod forums;
mod fuzz;
mod generate;
mod link;
mod phones;
mod programs;
mod realisasi;
mod registries;
mod sandi;
mod siklus;
