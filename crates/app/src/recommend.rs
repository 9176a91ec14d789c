//! Ranked mentor recommendations for a mentee, with the same explanations a
//! round gives, in their member-safe form. Mentors with no space left are
//! listed as full; paused mentors, blocked people, pairs that met or declined
//! before, and pairs that break a hard rule are left out.

use crate::rounds::{lines, profile_of, seat_counts, space_left, ExplanationLine};
use crate::{App, AppError, AppResult};
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::policy::Actor;
use rapport_domain::programme::{ProgrammeRole, Question};
use rapport_domain::PersonId;
use rapport_matching::constraints::Rules;
use rapport_matching::score::{Audience, Model, Reader};
use serde::Serialize;

/// What scoring one person against the other side needs.
struct OneSide {
    p: rapport_store::ProgrammeRecord,
    mine: rapport_store::EnrolmentRecord,
    me: rapport_store::PersonRecord,
    questions: Vec<Question>,
    settings: rapport_matching::settings::Settings,
}

impl App {
    /// Loads the programme, the actor's approved enrolment in `role` (403
    /// naming `who` otherwise), their record, the questions, and the run's
    /// settings without pins (pins are for rounds, not for browsing).
    async fn one_side(
        &self,
        tx: &mut rapport_store::Tx,
        actor: &Actor,
        slug: &str,
        role: ProgrammeRole,
        who: &str,
    ) -> AppResult<OneSide> {
        let p = self.programme_for(tx, actor, slug).await?;
        let mine = tx
            .enrolment(p.id, actor.person_id, role)
            .await?
            .filter(|e| e.status == EnrolmentStatus::Approved)
            .ok_or_else(|| AppError::Forbidden(format!("{who} {}", p.name)))?;
        let me = tx
            .person(actor.person_id)
            .await?
            .ok_or_else(|| AppError::Unauthenticated("sign in again".into()))?;
        let questions: Vec<Question> = p.questions.clone();
        let mut settings = self.run_settings(tx, &p).await?;
        settings.pinned.clear();
        Ok(OneSide {
            p,
            mine,
            me,
            questions,
            settings,
        })
    }
}

/// Most recommendations shown.
pub const MAX_RECOMMENDATIONS: usize = 20;

/// One recommended mentor.
#[derive(Clone, Debug, Serialize)]
pub struct Recommendation {
    /// The mentor.
    pub mentor_id: PersonId,
    /// Their name.
    pub name: String,
    /// Compatibility, 0–100.
    pub score: f64,
    /// Why, without anything the mentor keeps private.
    pub explanation: Vec<ExplanationLine>,
    /// No space left in this programme.
    pub full: bool,
    /// The mentee already has an open request to them.
    pub requested: bool,
}

impl App {
    /// The best mentors for the actor in a programme, best first, full ones last.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn recommendations(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<Vec<Recommendation>> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let OneSide {
            p,
            mine,
            me,
            questions,
            settings,
        } = self
            .one_side(
                &mut tx,
                actor,
                slug,
                ProgrammeRole::Mentee,
                "recommendations are for approved mentees of",
            )
            .await?;
        let load = seat_counts(&tx.open_seats(p.id).await?, ProgrammeRole::Mentor);
        let requested: Vec<PersonId> = tx
            .requests_of(actor.person_id)
            .await?
            .into_iter()
            .filter(|r| {
                r.programme_id == p.id && r.status.is_open() && r.mentee_id == actor.person_id
            })
            .map(|r| r.mentor_id)
            .collect();
        let mut mentors = vec![];
        let people = tx.people_enrolled_in(p.id).await?;
        let limits = tx.mentor_limits_in(p.id).await?;
        for v in tx.enrolments_in(p.id).await? {
            let e = v.enrolment;
            if e.role != ProgrammeRole::Mentor
                || e.status != EnrolmentStatus::Approved
                || e.person_id == actor.person_id
            {
                continue;
            }
            let Some(left) = space_left(&e, &load, limits.get(&e.person_id), now) else {
                continue;
            };
            let Some(person) = people.get(&e.person_id).cloned() else {
                continue;
            };
            mentors.push((
                profile_of(&person, &e, &questions, left.max(1)),
                person,
                left == 0,
            ));
        }
        drop(tx);
        if mentors.is_empty() {
            return Ok(vec![]);
        }
        let profiles: Vec<_> = mentors.iter().map(|(p, _, _)| p.clone()).collect();
        let model = Model::build(
            &[profile_of(&me, &mine, &questions, 1)],
            &profiles,
            &settings,
        )
        .map_err(|e| AppError::internal("matching settings are unusable", e))?;
        let rules = Rules::build(&model);
        let mut out: Vec<Recommendation> = (0..mentors.len())
            .filter_map(|j| {
                let score = rules.eligible(&model, 0, j)?;
                let (_, person, full) = &mentors[j];
                let e = model.explain_to(0, j, Audience::Member, Reader::Mentee);
                Some(Recommendation {
                    mentor_id: person.id,
                    name: person.profile.name.clone(),
                    score: score as f64 / 1_000_000.0,
                    explanation: lines(&e),
                    full: *full,
                    requested: requested.contains(&person.id),
                })
            })
            .collect();
        out.sort_by(|a, b| {
            a.full
                .cmp(&b.full)
                .then(b.score.total_cmp(&a.score))
                .then(a.name.cmp(&b.name))
        });
        out.truncate(MAX_RECOMMENDATIONS);
        Ok(out)
    }
}

/// A waiting mentee a mentor might offer to mentor.
#[derive(Clone, Debug, Serialize)]
pub struct MenteeSuggestion {
    /// The mentee.
    pub mentee_id: PersonId,
    /// Their name.
    pub name: String,
    /// Compatibility, 0–100.
    pub score: f64,
    /// Why, without anything the mentee keeps private.
    pub explanation: Vec<ExplanationLine>,
    /// The mentor already has an open offer to them.
    pub offered: bool,
}

impl App {
    /// For an approved mentor: the waiting mentees who suit them best, with
    /// the same member-safe explanations, best first.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn mentee_suggestions(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<Vec<MenteeSuggestion>> {
        let mut tx = self.store.read().await?;
        let OneSide {
            p,
            mine,
            me,
            questions,
            settings,
        } = self
            .one_side(
                &mut tx,
                actor,
                slug,
                ProgrammeRole::Mentor,
                "mentees are listed for approved mentors of",
            )
            .await?;
        let seated: Vec<PersonId> = tx
            .open_seats(p.id)
            .await?
            .into_iter()
            .filter(|s| s.role == ProgrammeRole::Mentee)
            .map(|s| s.person_id)
            .collect();
        let offered: Vec<PersonId> = tx
            .requests_of(actor.person_id)
            .await?
            .into_iter()
            .filter(|r| {
                r.programme_id == p.id
                    && r.status.is_open()
                    && r.direction == rapport_domain::mentoring::RequestDirection::Offer
            })
            .map(|r| r.mentee_id)
            .collect();
        let mut mentees = vec![];
        let people = tx.people_enrolled_in(p.id).await?;
        for v in tx.enrolments_in(p.id).await? {
            let e = v.enrolment;
            if e.role != ProgrammeRole::Mentee
                || e.status != EnrolmentStatus::Approved
                || e.person_id == actor.person_id
                || seated.contains(&e.person_id)
            {
                continue;
            }
            let Some(person) = people.get(&e.person_id).cloned() else {
                continue;
            };
            mentees.push((profile_of(&person, &e, &questions, 1), person));
        }
        drop(tx);
        if mentees.is_empty() {
            return Ok(vec![]);
        }
        let profiles: Vec<_> = mentees.iter().map(|(p, _)| p.clone()).collect();
        let model = Model::build(
            &profiles,
            &[profile_of(&me, &mine, &questions, 1)],
            &settings,
        )
        .map_err(|e| AppError::internal("matching settings are unusable", e))?;
        let rules = Rules::build(&model);
        let mut out: Vec<MenteeSuggestion> = (0..mentees.len())
            .filter_map(|i| {
                let score = rules.eligible(&model, i, 0)?;
                let person = &mentees[i].1;
                let e = model.explain_to(i, 0, Audience::Member, Reader::Mentor);
                Some(MenteeSuggestion {
                    mentee_id: person.id,
                    name: person.profile.name.clone(),
                    score: score as f64 / 1_000_000.0,
                    explanation: lines(&e),
                    offered: offered.contains(&person.id),
                })
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
        out.truncate(MAX_RECOMMENDATIONS * 2);
        Ok(out)
    }
}

/// Filters for searching a programme's mentors.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MentorFilter {
    /// A skill the mentor offers (part of its name, any case).
    pub skill: String,
    /// Leadership level code.
    pub level: String,
    /// A language the mentor speaks.
    pub language: String,
    /// At most this many hours between the mentor's time zone and the searcher's.
    pub max_hours: String,
    /// Available on this day (`mon` … `sun`).
    pub day: String,
}

/// A mentor in the programme's directory.
#[derive(Clone, Debug, Serialize)]
pub struct MentorListing {
    /// The mentor.
    pub mentor_id: PersonId,
    /// Name.
    pub name: String,
    /// Level label.
    pub level: String,
    /// Skills offered.
    pub skills: Vec<String>,
    /// Languages.
    pub languages: Vec<String>,
    /// Time zone.
    pub time_zone: String,
    /// Weekly availability, like `mon 09:00-11:00`.
    pub availability: Vec<String>,
    /// The same windows in the viewer's zone (issue 18, "time in my zone"):
    /// what the directory page shows, saying so.
    pub availability_for_you: Vec<String>,
    /// No space left in this programme (or paused).
    pub full: bool,
}

/// The zone's offset from UTC in hours at `ms`.
fn offset_hours(zone: &str, ms: i64) -> Option<f64> {
    use chrono::Offset;
    let tz: chrono_tz::Tz = zone.parse().ok()?;
    let at = chrono::DateTime::from_timestamp_millis(ms)?.with_timezone(&tz);
    Some(f64::from(at.offset().fix().local_minus_utc()) / 3600.0)
}

impl App {
    /// Searches a programme's approved mentors by skill, level, language,
    /// time-zone distance and day of availability. Mentors with no space
    /// left (or paused) are listed as full. Private profiles are left out
    /// for members.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn mentor_directory(
        &self,
        actor: &Actor,
        slug: &str,
        f: &MentorFilter,
    ) -> AppResult<Vec<MentorListing>> {
        let now = self.now();
        let max_hours = match f.max_hours.trim() {
            "" => None,
            raw => Some(
                raw.parse::<f64>()
                    .ok()
                    .filter(|h| (0.0..=26.0).contains(h))
                    .ok_or_else(|| AppError::invalid("max_hours", "enter hours from 0 to 26"))?,
            ),
        };
        let day = match f.day.trim() {
            "" => None,
            raw => Some(
                ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                    .iter()
                    .position(|d| *d == raw)
                    .ok_or_else(|| {
                        AppError::invalid("day", "choose mon, tue, wed, thu, fri, sat or sun")
                    })? as u8,
            ),
        };
        let level = match f.level.trim() {
            "" => None,
            raw => Some(
                rapport_domain::person::LeadershipLevel::parse("level", raw)
                    .map_err(|e| AppError::Invalid(vec![e]))?,
            ),
        };
        let mut tx = self.store.read().await?;
        let p = self.programme_for(&mut tx, actor, slug).await?;
        let sees_private = actor.is_admin || actor.has_role(p.id, ProgrammeRole::Manager);
        let mine = tx
            .person(actor.person_id)
            .await?
            .map(|m| m.profile.time_zone.to_string())
            .unwrap_or_default();
        let my_offset = offset_hours(&mine, now);
        let load = seat_counts(&tx.open_seats(p.id).await?, ProgrammeRole::Mentor);
        let has = |list: &[String], needle: &str| {
            needle.trim().is_empty()
                || list
                    .iter()
                    .any(|x| x.to_lowercase().contains(&needle.trim().to_lowercase()))
        };
        let mut out = vec![];
        let people = tx.people_enrolled_in(p.id).await?;
        let limits = tx.mentor_limits_in(p.id).await?;
        for v in tx.enrolments_in(p.id).await? {
            let e = v.enrolment;
            if e.role != ProgrammeRole::Mentor || e.status != EnrolmentStatus::Approved {
                continue;
            }
            let Some(person) = people.get(&e.person_id) else {
                continue;
            };
            let pr = &person.profile;
            if pr.visibility == rapport_domain::person::Visibility::Private
                && !sees_private
                && person.id != actor.person_id
            {
                continue;
            }
            let language_ok = f.language.trim().is_empty()
                || pr
                    .languages
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case(f.language.trim()));
            let zone_ok = match (max_hours, my_offset, offset_hours(&pr.time_zone, now)) {
                (Some(h), Some(a), Some(b)) => (a - b).abs() <= h,
                _ => true,
            };
            let day_ok = day.is_none_or(|d| pr.availability.iter().any(|w| w.weekday == d));
            if !has(&pr.skills_offered, &f.skill)
                || !language_ok
                || !zone_ok
                || !day_ok
                || level.is_some_and(|l| l != pr.level)
            {
                continue;
            }
            let full = space_left(&e, &load, limits.get(&person.id), now).is_none_or(|l| l == 0);
            out.push(MentorListing {
                mentor_id: person.id,
                name: pr.name.clone(),
                level: pr.level.label().to_string(),
                skills: pr.skills_offered.clone(),
                languages: pr.languages.clone(),
                time_zone: pr.time_zone.to_string(),
                availability: pr.availability.iter().map(|w| w.display()).collect(),
                availability_for_you: {
                    // Both offsets read now: the week on the page is this one.
                    let shift = match (my_offset, offset_hours(&pr.time_zone, now)) {
                        (Some(a), Some(b)) => ((a - b) * 60.0).round() as i32,
                        _ => 0,
                    };
                    pr.availability
                        .iter()
                        .flat_map(|w| w.shifted(shift))
                        .map(|w| w.display())
                        .collect()
                },
                full,
            });
        }
        out.sort_by(|a, b| a.full.cmp(&b.full).then(a.name.cmp(&b.name)));
        Ok(out)
    }
}
