//! `rapport-domain`: the vocabulary of Rapport.
//!
//! Ids, validated newtypes (parse, don't validate), people and profiles, programme
//! roles, and the permission policy as pure functions. No I/O, no async, no SQL.

pub mod agreement;
pub mod closure;
pub mod goals;
pub mod health;
pub mod ids;
pub mod invalid;
pub mod mentoring;
pub mod person;
pub mod policy;
pub mod preferences;
pub mod programme;
pub mod pulse;
pub mod roadmaps;
pub mod room_rules;
pub mod sessions;
pub mod threads;
pub mod values;
// Reflection and the needs check (issue 19, H8).
pub mod needs;
pub mod reflection;

pub use ids::*;
pub use invalid::Invalid;
// Issue 18 §2 (H6): enrolment questions edited as a list, with stable ids.
pub mod questions;
