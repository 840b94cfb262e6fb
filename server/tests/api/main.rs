//! Integration tests: the real server, on port 0, with its own SQLite database and a clock the
//! tests move by hand. One binary, so it links once.

mod helpers;

mod audit;
mod authentication;
mod authorization;
mod hostile;
mod impersonation;
mod instances;
pub mod live;
mod pages;
mod plans;
mod races;
mod security;
mod switcher;
mod terms;
mod times;
mod upgrade;
