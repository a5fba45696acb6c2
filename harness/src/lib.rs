//! # harness
//!
//! The scenario side of idpsim: a browser-like user agent that records every exchange as
//! evidence (and, in browser mode, a real Chromium over WebDriver), target profiles and
//! adapters, the Gherkin step library, and reports.

pub mod agent;
pub mod black_box;
pub mod browser;
pub mod profile;
pub mod report;
pub mod result;
pub mod runner;
pub mod scim_probe;
pub mod shard;
pub mod steps;
pub mod storm;
pub mod target;
pub mod world;
