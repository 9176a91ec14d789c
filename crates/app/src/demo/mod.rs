//! The demo organisation that `rapport serve --demo` seeds into an empty
//! database: about 200 people across ten departments and all three leadership
//! levels, a skill catalogue, reporting lines, and five programmes with
//! managers, mentors and mentees; then [`seed_rooms`] plays a hundred days of
//! rooms in them through the use cases (see `rooms`).
//!
//! Everything is generated from a fixed seed ([`DEMO_SEED`]) by the pure
//! function [`demo_data`], so the demo looks the same on every machine and the
//! generator can be tested without a database. [`seed`] writes it in one
//! transaction, and only into a database that has no people yet.
//!
//! The module is in parts: `catalogues` holds the fixed tables (skills,
//! departments, names and places), `generator` turns them into people and
//! programmes, `seeding` writes the result, and `rooms` (with its words in
//! `room_words`) plays the rooms' story.

mod catalogues;
mod generator;
mod roadmaps; // Roadmaps (H6): written, followed and versioned after the rooms.
pub(crate) mod room_words;
pub mod rooms;
mod seeding;
// Reflection and needs checks (issue 19, H8).
mod reflection;
#[cfg(test)]
mod tests;
pub mod threads; // Growth Threads (H7): demo threads, after the rooms.
                 // Demo matching settings that weigh shared hours (issue 18 §6).
mod weights;

pub use catalogues::skill_catalogue;
pub use generator::demo_data;
pub use rooms::{seed_rooms, DemoRooms, Storyline};
pub use seeding::seed;

use rapport_domain::person::Profile;
use rapport_domain::programme::{ProgrammeKind, ProgrammeRole, ProgrammeStatus};
use rapport_domain::{PersonId, ProgrammeId};

/// The demo admin's email (documented in the README).
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.rapport.example";
/// The demo admin's display name.
pub const DEMO_ADMIN_NAME: &str = "Alex Morgan";
/// The password of every demo account (documented in the README).
pub const DEMO_PASSWORD: &str = "rapport-demo-2026";
/// The email domain of every demo account.
pub const DEMO_DOMAIN: &str = "demo.rapport.example";
/// The seed `serve --demo` uses, so every demo looks the same.
pub const DEMO_SEED: u64 = 2027;

/// What `serve --demo` seeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSummary {
    /// People created, the admin included.
    pub people: usize,
    /// Programmes created.
    pub programmes: usize,
    /// The admin's email; the password is [`DEMO_PASSWORD`].
    pub admin_email: String,
}

/// One demo person, before it is stored.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoPerson {
    /// Id (derived from the seed).
    pub id: PersonId,
    /// Lower-case ASCII email in [`DEMO_DOMAIN`].
    pub email: String,
    /// Site admin.
    pub is_admin: bool,
    /// Job title, as used in the bio.
    pub title: String,
    /// City, as used in the bio; it lies in the profile's time zone.
    pub city: String,
    /// The profile.
    pub profile: Profile,
    /// Days since the account was created (and the email verified).
    pub joined_days_ago: u16,
    /// Minutes since the person was last active; none if never signed in.
    pub last_active_minutes_ago: Option<u32>,
}

/// One demo programme with the roles granted in it.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoProgramme {
    /// Id (derived from the seed).
    pub id: ProgrammeId,
    /// URL slug.
    pub slug: &'static str,
    /// Name.
    pub name: &'static str,
    /// Description.
    pub description: &'static str,
    /// Kind.
    pub kind: ProgrammeKind,
    /// Status.
    pub status: ProgrammeStatus,
    /// Days since it was created.
    pub created_days_ago: u16,
    /// Roles granted, managers first.
    pub roles: Vec<(PersonId, ProgrammeRole)>,
}

/// The whole demo organisation.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoData {
    /// The skill catalogue.
    pub skills: Vec<&'static str>,
    /// People, every manager before their reports; the admin is first.
    pub people: Vec<DemoPerson>,
    /// Programmes.
    pub programmes: Vec<DemoProgramme>,
}

impl DemoData {
    /// The programme where applications wait for a manager's decision: the
    /// first one-to-one programme that takes people.
    pub fn applications_programme(&self) -> Option<&DemoProgramme> {
        self.programmes.iter().find(|p| {
            p.kind == ProgrammeKind::OneToOne
                && matches!(p.status, ProgrammeStatus::Open | ProgrammeStatus::Running)
        })
    }
}

/// The people of the demo organisation for `seed` (see [`demo_data`]).
pub fn demo_people(seed: u64) -> Vec<DemoPerson> {
    demo_data(seed).people
}
