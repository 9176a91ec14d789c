//! `rapport-matching`: the matching engine behind every Rapport matching decision.
//!
//! The crate is pure: no I/O beyond reading and writing CSV through caller-supplied
//! readers and writers, no async, and no dependency on any other workspace crate.
//! Results are deterministic for a given seed.
//!
//! Layers, bottom up:
//! - [`fixed`]: exact fixed-point scores (micro-units) used by every solver.
//! - [`profile`], [`settings`], [`text`], [`score`], [`constraints`], [`candidates`]:
//!   profiles become features, features become explainable scores, scores become a
//!   sparse candidate graph.
//! - Solvers, one per module: [`assign`] (many-to-one, coverage first, exact, with
//!   dual prices), [`stable`] (hospitals/residents), [`peers`] (general weighted
//!   matching), [`groups`] (groups and circles with an upper bound), [`rematch`]
//!   (incremental), and [`unmatched`] (reasons and the smallest fix).
//! - [`pipeline`]: profiles to explained matches end to end, with the unmatched report.
//! - [`table`]: CSV reading and writing with errors that name file, line and field.
//! - `synthetic` (tests, and the `synthetic` feature only): seeded people for benches
//!   and tests.

pub mod fixed;
pub mod table;

pub mod assign;
pub mod rematch;
pub mod unmatched;

pub mod groups;
pub mod peers;
pub mod stable;

pub mod candidates;
pub mod constraints;
pub mod profile;
pub mod score;
pub mod settings;
pub mod text;

pub mod pipeline;
// Unplaced people's reasons in sentences (issue 18 §6).
pub mod reasons;

#[cfg(any(test, feature = "synthetic"))]
pub mod synthetic;

mod prefetch;
mod runs;
