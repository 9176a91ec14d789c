//! Writing the demo organisation into an empty database.

use super::{demo_data, DemoSummary, DEMO_ADMIN_EMAIL, DEMO_SEED};
use rapport_domain::person::{AccountStatus, SignupMode};
use rapport_domain::programme::{ProgrammeRole, ProgrammeStatus};
use rapport_domain::values::Slug;
use rapport_domain::SkillId;
use rapport_store::{AuditRecord, NewPerson, ProgrammeRecord, SkillRecord, Store, StoreError};
use std::collections::HashSet;
use uuid::Uuid;

const DAY_MS: i64 = 86_400_000;
const MINUTE_MS: i64 = 60_000;

/// Seeds the demo organisation into an EMPTY database, in one transaction:
/// people (all with `password_hash`, which the caller computes once from
/// [`DEMO_PASSWORD`](super::DEMO_PASSWORD)), the skill catalogue, programmes
/// and roles, and sign-up mode `open`. Returns `Ok(None)` and changes nothing
/// if any person exists.
pub async fn seed(
    store: &Store,
    password_hash: &str,
    now_ms: i64,
) -> Result<Option<DemoSummary>, StoreError> {
    let data = demo_data(DEMO_SEED);
    let mut tx = store.write().await?;
    if tx.count_people().await? > 0 {
        return Ok(None);
    }

    let existing: HashSet<String> = tx
        .skills()
        .await?
        .into_iter()
        .map(|s| s.name.to_lowercase())
        .collect();
    for name in &data.skills {
        if !existing.contains(&name.to_lowercase()) {
            let skill = SkillRecord {
                id: SkillId::new(),
                name: (*name).to_string(),
            };
            tx.insert_skill(&skill, now_ms).await?;
        }
    }

    for p in &data.people {
        let joined = now_ms - i64::from(p.joined_days_ago) * DAY_MS;
        tx.insert_person(&NewPerson {
            id: p.id,
            email: p.email.clone(),
            status: AccountStatus::Active,
            is_admin: p.is_admin,
            password_hash: Some(password_hash.to_string()),
            email_verified_at: Some(joined),
            profile: p.profile.clone(),
            now: joined,
        })
        .await?;
        if let Some(minutes) = p.last_active_minutes_ago {
            tx.touch_person(p.id, now_ms - i64::from(minutes) * MINUTE_MS)
                .await?;
        }
    }

    for prog in &data.programmes {
        let created = now_ms - i64::from(prog.created_days_ago) * DAY_MS;
        // The demo's slugs are constants that demo::tests parses, so this
        // cannot fail for a released build.
        let slug = Slug::parse("slug", prog.slug)
            .unwrap_or_else(|e| panic!("demo programme slug {}: {e}", prog.slug));
        tx.insert_programme(&ProgrammeRecord {
            id: prog.id,
            description: prog.description.to_string(),
            // A running demo programme takes people on a rolling basis.
            rolling_admission: prog.status == ProgrammeStatus::Running,
            settings: super::weights::settings(prog.kind)?,
            ..ProgrammeRecord::new(slug, prog.name, prog.kind, prog.status, created)
        })
        .await?;
        for (k, (person, role)) in prog.roles.iter().enumerate() {
            tx.grant_role(prog.id, *person, *role, created).await?;
            if *role != ProgrammeRole::Manager {
                // Participants hold an approved enrolment, as if they applied
                // and a manager approved them; mentors take 1–3 mentees.
                let capacity = if matches!(role, ProgrammeRole::Mentor | ProgrammeRole::Facilitator)
                {
                    1 + (k % 3) as i32
                } else {
                    0
                };
                tx.insert_enrolment(&enrolment(
                    prog.id,
                    *person,
                    *role,
                    capacity,
                    created,
                    Some(created),
                ))
                .await?;
            }
        }
    }

    // Three applications wait for a decision in the first one-to-one
    // programme that takes people, sent over the last few days by members
    // who hold no role in it: what a manager's inbox and participants list
    // show first.
    if let Some(prog) = data.applications_programme() {
        let applicants = data
            .people
            .iter()
            .filter(|p| !p.is_admin && !prog.roles.iter().any(|(who, _)| *who == p.id))
            .take(3);
        for (i, person) in applicants.enumerate() {
            let applied = now_ms - (i as i64 + 1) * 26 * 60 * MINUTE_MS;
            let role = if i == 1 {
                ProgrammeRole::Mentor
            } else {
                ProgrammeRole::Mentee
            };
            let capacity = if i == 1 { 2 } else { 0 };
            tx.insert_enrolment(&enrolment(
                prog.id, person.id, role, capacity, applied, None,
            ))
            .await?;
        }
    }

    let signup = serde_json::to_string(&SignupMode::Open)?;
    tx.put_setting("signup_mode", &signup).await?;

    let summary = DemoSummary {
        people: data.people.len(),
        programmes: data.programmes.len(),
        admin_email: DEMO_ADMIN_EMAIL.to_string(),
    };
    tx.insert_audit(&AuditRecord {
        id: Uuid::new_v4(),
        actor_id: None,
        actor_name: "rapport serve --demo".into(),
        action: "demo.seed".into(),
        subject: "site".into(),
        before_json: None,
        after_json: Some(serde_json::json!({
            "people": summary.people,
            "programmes": summary.programmes,
            "skills": data.skills.len(),
            "signup_mode": SignupMode::Open.code(),
        })),
        created_at: now_ms,
    })
    .await?;
    // The rooms come next, through the use cases (`seed_rooms`): until they
    // are all played, the demo is marked unfinished, so a start after a
    // failed one refuses to serve a half-seeded demo.
    tx.put_setting(super::rooms::ROOMS_SETTING, "pending")
        .await?;
    tx.commit().await?;
    Ok(Some(summary))
}

/// A demo enrolment made at `at` with the code of conduct accepted then:
/// approved at `decided` when given, otherwise an application waiting.
fn enrolment(
    programme: rapport_domain::ProgrammeId,
    person: rapport_domain::PersonId,
    role: ProgrammeRole,
    capacity: i32,
    at: i64,
    decided: Option<i64>,
) -> rapport_store::EnrolmentRecord {
    use rapport_domain::mentoring::EnrolmentStatus;
    rapport_store::EnrolmentRecord {
        id: rapport_domain::EnrolmentId::new(),
        programme_id: programme,
        person_id: person,
        role,
        status: if decided.is_some() {
            EnrolmentStatus::Approved
        } else {
            EnrolmentStatus::Applied
        },
        capacity,
        answers: Default::default(),
        preferences: Default::default(),
        consent_sensitive: false,
        created_at: at,
        conduct_accepted_at: Some(at),
        decided_at: decided,
    }
}
