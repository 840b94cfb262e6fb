//! Table access, one table family per module. Each function takes `&impl ConnectionTrait` (a pool
//! or an open transaction, the caller's choice), reads or writes rows, and answers domain values.
//! No orchestration here: nothing opens a transaction, decides, or calls another family, except
//! `people`, the lowest, whose names the others attach to what they read.

pub mod audit;
pub mod consent;
pub mod logins;
pub mod people;
pub mod sessions;
pub mod tasks;
