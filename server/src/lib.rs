#![recursion_limit = "256"]
//! Impersonate's server: configuration, database, sessions, the domain's persistence, and the
//! HTTP layers in front of the Leptos app. `main.rs` is the command line around it; the
//! integration tests build it on port 0 with their own database and clock.

pub mod clock;
pub mod config;
pub mod db;
pub mod scale;
pub mod seed;
pub mod startup;
pub mod store;
pub mod web;

pub use startup::{Application, StartError};
