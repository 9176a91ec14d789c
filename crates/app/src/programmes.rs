//! Programmes: create, edit, open and close them, name their managers, and
//! edit their matching settings.
//!
//! Managers of a programme and site admins run it. Members see open, running
//! and closed programmes; drafts stay hidden from everyone but their managers.

use crate::{App, AppError, AppResult};
use rapport_domain::policy::{self, Actor};
use rapport_domain::programme::{
    Cadence, MatchingMode, ProgrammeKind, ProgrammeRole, ProgrammeStatus, Question,
};
use rapport_domain::questions::{check_drafts, keep_ids_by_prompt, QuestionDraft};
use rapport_domain::values::{tags, text, Slug};
use rapport_domain::{Invalid, PersonId, ProgrammeId};
use rapport_matching::settings::{ProgrammeKind as EngineKind, Settings};
use rapport_store::{ProgrammeRecord, Tx};
use serde::{Deserialize, Serialize};

/// What a manager types to create or edit a programme. Every field is the raw
/// text of a form field or a JSON string, checked by [`ProgrammeInput::check`].
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ProgrammeInput {
    /// Name, 2–120 characters.
    pub name: String,
    /// URL slug; made from the name when empty.
    pub slug: String,
    /// Description shown to members.
    pub description: String,
    /// Kind code (creation only; a programme's kind never changes).
    pub kind: String,
    /// First day, `YYYY-MM-DD`, optional.
    pub starts_on: String,
    /// Last day, `YYYY-MM-DD`, optional.
    pub ends_on: String,
    /// `weekly`, `every_two_weeks` or `monthly`.
    pub cadence: String,
    /// Default mentor capacity, 1–50.
    pub default_capacity: String,
    /// `managers`, `mentees_request` or `mentors_choose`.
    pub matching_mode: String,
    /// Whether a running programme keeps taking enrolments.
    pub rolling_admission: bool,
    /// Days a request waits for an answer, 1–90.
    pub request_expiry_days: String,
    /// Enrolment questions, one per line (see [`Question::parse_lines`]):
    /// the older form, read when `question_list` is none.
    pub questions: String,
    /// Enrolment questions as the list editor (or the API's JSON list)
    /// holds them; when given, `questions` is ignored.
    #[serde(skip)]
    pub question_list: Option<Vec<QuestionDraft>>,
    /// Goal catalogue, comma-separated.
    pub goals: String,
    /// Smallest peer circle, 2–20 (default 4).
    pub group_min: String,
    /// Largest peer circle, 2–20 (default 8).
    pub group_max: String,
}

/// A checked programme definition.
struct Checked {
    name: String,
    slug: Slug,
    description: String,
    starts_on: Option<String>,
    ends_on: Option<String>,
    cadence: Cadence,
    default_capacity: i32,
    matching_mode: MatchingMode,
    rolling_admission: bool,
    request_expiry_days: i32,
    questions: Vec<Question>,
    goals: Vec<String>,
    group_min: i32,
    group_max: i32,
}

/// Keeps a value, or records its error so every field's error is shown at once.
/// `text` if it is Markdown the one renderer accepts (no HTML, no script):
/// descriptions and the code of conduct are shown through it.
fn markdown_field(field: &'static str, text: String) -> Result<String, Invalid> {
    match crate::markdown::check(field, &text) {
        Err(AppError::Invalid(mut e)) if !e.is_empty() => Err(e.remove(0)),
        _ => Ok(text),
    }
}

fn keep<T>(errors: &mut Vec<Invalid>, r: Result<T, Invalid>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn date(field: &'static str, raw: &str) -> Result<Option<String>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(|d| Some(d.format("%Y-%m-%d").to_string()))
        .map_err(|_| Invalid::new(field, "enter a date as YYYY-MM-DD, for example 2027-01-31"))
}

fn number(
    field: &'static str,
    raw: &str,
    min: i32,
    max: i32,
    default: i32,
) -> Result<i32, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(default);
    }
    raw.parse::<i32>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| Invalid::new(field, format!("enter a whole number from {min} to {max}")))
}

/// A new question's id: never positional, so answers stay with their
/// question whatever is reordered or removed later.
fn fresh_question_id() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("q{}", &id[..10])
}

/// Makes a slug from a name: lowercase ASCII letters and digits joined by dashes.
pub fn slug_from(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(60).collect()
}

impl ProgrammeInput {
    /// Checks every field and collects every error, so a form can show them all.
    fn check(&self, existing: &[Question]) -> Result<Checked, AppError> {
        let mut errors = vec![];
        let name = keep(&mut errors, text("name", &self.name, 2, 120, "a name"));
        let slug_raw = if self.slug.trim().is_empty() {
            slug_from(&self.name)
        } else {
            self.slug.clone()
        };
        let slug = keep(&mut errors, Slug::parse("slug", &slug_raw));
        let description = keep(
            &mut errors,
            text("description", &self.description, 0, 4000, "the description")
                .and_then(|d| markdown_field("description", d)),
        );
        let starts_on = keep(&mut errors, date("starts_on", &self.starts_on));
        let ends_on = keep(&mut errors, date("ends_on", &self.ends_on));
        let cadence = keep(
            &mut errors,
            if self.cadence.trim().is_empty() {
                Ok(Cadence::EveryTwoWeeks)
            } else {
                Cadence::parse("cadence", &self.cadence)
            },
        );
        let default_capacity = keep(
            &mut errors,
            number("default_capacity", &self.default_capacity, 1, 50, 2),
        );
        let matching_mode = keep(
            &mut errors,
            if self.matching_mode.trim().is_empty() {
                Ok(MatchingMode::Managers)
            } else {
                MatchingMode::parse("matching_mode", &self.matching_mode)
            },
        );
        let request_expiry_days = keep(
            &mut errors,
            number("request_expiry_days", &self.request_expiry_days, 1, 90, 14),
        );
        let questions = match &self.question_list {
            Some(drafts) => match check_drafts(drafts, existing, fresh_question_id) {
                Ok(q) => Some(q),
                Err(mut e) => {
                    errors.append(&mut e);
                    None
                }
            },
            // The one-line form numbers questions by position; once a
            // programme has questions, unchanged ones keep their ids.
            None => keep(
                &mut errors,
                Question::parse_lines("questions", &self.questions).map(|qs| {
                    if existing.is_empty() {
                        qs
                    } else {
                        keep_ids_by_prompt(qs, existing, fresh_question_id)
                    }
                }),
            ),
        };
        let goals = keep(&mut errors, tags("goals", [self.goals.as_str()], 50));
        let group_min = keep(&mut errors, number("group_min", &self.group_min, 2, 20, 4));
        let group_max = keep(&mut errors, number("group_max", &self.group_max, 2, 20, 8));
        if let (Some(a), Some(b)) = (group_min, group_max) {
            if b < a {
                errors.push(Invalid::new(
                    "group_max",
                    "the largest circle must be at least the smallest",
                ));
            }
        }
        if let (Some(Some(a)), Some(Some(b))) = (&starts_on, &ends_on) {
            if b < a {
                errors.push(Invalid::new(
                    "ends_on",
                    "the end date must be on or after the start date",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let all = || AppError::internal_msg("checked input lost a field");
        Ok(Checked {
            name: name.ok_or_else(all)?,
            slug: slug.ok_or_else(all)?,
            description: description.ok_or_else(all)?,
            starts_on: starts_on.ok_or_else(all)?,
            ends_on: ends_on.ok_or_else(all)?,
            cadence: cadence.ok_or_else(all)?,
            default_capacity: default_capacity.ok_or_else(all)?,
            matching_mode: matching_mode.ok_or_else(all)?,
            rolling_admission: self.rolling_admission,
            request_expiry_days: request_expiry_days.ok_or_else(all)?,
            questions: questions.ok_or_else(all)?,
            goals: goals.ok_or_else(all)?,
            group_min: group_min.ok_or_else(all)?,
            group_max: group_max.ok_or_else(all)?,
        })
    }

    /// The input that reproduces a stored programme (for edit forms).
    pub fn from_record(p: &ProgrammeRecord) -> Self {
        let questions: Vec<Question> = p.questions.clone();
        let goals: Vec<String> = p.goals.clone();
        Self {
            name: p.name.clone(),
            slug: p.slug.to_string(),
            description: p.description.clone(),
            kind: p.kind.code().into(),
            starts_on: p.starts_on.clone().unwrap_or_default(),
            ends_on: p.ends_on.clone().unwrap_or_default(),
            cadence: p.cadence.code().into(),
            default_capacity: p.default_capacity.to_string(),
            matching_mode: p.matching_mode.code().into(),
            rolling_admission: p.rolling_admission,
            request_expiry_days: p.request_expiry_days.to_string(),
            questions: questions
                .iter()
                .map(Question::to_line)
                .collect::<Vec<_>>()
                .join("\n"),
            question_list: Some(questions.iter().map(QuestionDraft::of).collect()),
            goals: goals.join(", "),
            group_min: p.group_min.to_string(),
            group_max: p.group_max.to_string(),
        }
    }
}

impl Checked {
    fn apply(self, p: &mut ProgrammeRecord) {
        p.name = self.name;
        p.slug = self.slug;
        p.description = self.description;
        p.starts_on = self.starts_on;
        p.ends_on = self.ends_on;
        p.cadence = self.cadence;
        p.default_capacity = self.default_capacity;
        p.matching_mode = self.matching_mode;
        p.rolling_admission = self.rolling_admission;
        p.request_expiry_days = self.request_expiry_days;
        p.questions = self.questions.clone();
        p.goals = self.goals.clone();
        p.group_min = self.group_min;
        p.group_max = self.group_max;
    }
}

/// A programme as a member or manager sees it.
#[derive(Clone, Debug, Serialize)]
pub struct ProgrammeView {
    /// The stored programme.
    #[serde(skip)]
    pub record: ProgrammeRecord,
    /// Its enrolment questions.
    pub questions: Vec<Question>,
    /// Its goal catalogue.
    pub goals: Vec<String>,
    /// Whether the viewer manages it.
    pub can_manage: bool,
    /// The viewer's own roles in it.
    pub my_roles: Vec<ProgrammeRole>,
    /// Whether it takes enrolments now.
    pub taking_enrolments: bool,
    /// The description rendered by the one Markdown renderer.
    pub description_html: String,
}

/// Whether a programme takes enrolments and rounds in its current state.
pub fn taking_enrolments(p: &ProgrammeRecord) -> bool {
    p.status == ProgrammeStatus::Open
        || (p.status == ProgrammeStatus::Running && p.rolling_admission)
}

/// Where to point someone who could take `role` in another programme: of
/// the programmes taking enrolments in that role, other than `except`, in
/// which `actor` does not hold it yet, the one that starts first (dated ones
/// soonest first, then the oldest undated one).
pub(crate) async fn next_open_programme(
    tx: &mut Tx,
    actor: &Actor,
    role: ProgrammeRole,
    except: Option<rapport_domain::ProgrammeId>,
) -> AppResult<Option<ProgrammeRecord>> {
    Ok(tx
        .programmes()
        .await?
        .into_iter()
        .filter(|p| {
            Some(p.id) != except
                && taking_enrolments(p)
                && p.kind.enrolment_roles().contains(&role)
                && !actor.has_role(p.id, role)
        })
        .min_by(|a, b| {
            (a.starts_on.is_none(), &a.starts_on, a.created_at).cmp(&(
                b.starts_on.is_none(),
                &b.starts_on,
                b.created_at,
            ))
        }))
}

/// The engine's programme kind for ours.
pub fn engine_kind(kind: ProgrammeKind) -> EngineKind {
    match kind {
        ProgrammeKind::OneToOne => EngineKind::OneToOne,
        ProgrammeKind::Group => EngineKind::Group,
        ProgrammeKind::Peer => EngineKind::Peer,
        ProgrammeKind::Reverse => EngineKind::Reverse,
        ProgrammeKind::Circle => EngineKind::Circle,
    }
}

/// A programme's matching settings: the stored ones, or the defaults for its
/// kind. The kind always follows the programme.
pub fn settings_of(p: &ProgrammeRecord) -> AppResult<Settings> {
    let empty = p.settings.as_object().is_some_and(|o| o.is_empty());
    let mut s = if empty {
        Settings::default_for(engine_kind(p.kind))
    } else {
        Settings::deserialize(&p.settings).map_err(|e| {
            AppError::internal(
                format!(
                    "the stored matching settings of programme {} are malformed",
                    p.slug
                ),
                e,
            )
        })?
    };
    s.kind = engine_kind(p.kind);
    Ok(s)
}

/// Loads a programme by slug and checks `rule` (a policy taking the actor,
/// the programme and whether it is listed, that is, not a draft).
async fn load_checked(
    tx: &mut Tx,
    actor: &Actor,
    slug: &str,
    rule: fn(&Actor, rapport_domain::ProgrammeId, bool) -> policy::Access,
) -> AppResult<ProgrammeRecord> {
    let p = tx
        .programme_by_slug(slug)
        .await?
        .ok_or_else(|| AppError::NotFound("that programme was not found".into()))?;
    let listed = p.status != ProgrammeStatus::Draft;
    AppError::check(rule(actor, p.id, listed), "that programme")?;
    Ok(p)
}

impl App {
    /// Loads a programme by slug for `actor`, with its policy already checked
    /// for viewing. Drafts are hidden from everyone but managers and admins.
    pub(crate) async fn programme_for(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<ProgrammeRecord> {
        load_checked(tx, actor, slug, policy::view_programme).await
    }

    /// Loads a programme the actor manages (admins manage every programme).
    pub(crate) async fn managed_programme(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<ProgrammeRecord> {
        load_checked(tx, actor, slug, policy::manage_programme).await
    }

    pub(crate) fn view_of(&self, actor: &Actor, p: ProgrammeRecord) -> ProgrammeView {
        let listed = p.status != ProgrammeStatus::Draft;
        ProgrammeView {
            questions: p.questions.clone(),
            goals: p.goals.clone(),
            can_manage: policy::manage_programme(actor, p.id, listed) == policy::Access::Allowed,
            my_roles: actor
                .roles
                .iter()
                .filter(|(id, _)| *id == p.id)
                .map(|(_, r)| *r)
                .collect(),
            taking_enrolments: taking_enrolments(&p),
            description_html: crate::markdown::render(&p.description),
            record: p,
        }
    }

    /// Programmes the actor may see: every non-draft one, plus drafts they manage.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn programmes(&self, actor: &Actor) -> AppResult<Vec<ProgrammeView>> {
        let mut tx = self.store.read().await?;
        let all = tx.programmes().await?;
        Ok(all
            .into_iter()
            .filter(|p| {
                policy::view_programme(actor, p.id, p.status != ProgrammeStatus::Draft)
                    == policy::Access::Allowed
            })
            .map(|p| self.view_of(actor, p))
            .collect())
    }

    /// One programme by slug.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn programme(&self, actor: &Actor, slug: &str) -> AppResult<ProgrammeView> {
        let mut tx = self.store.read().await?;
        let p = self.programme_for(&mut tx, actor, slug).await?;
        Ok(self.view_of(actor, p))
    }

    /// Creates a programme in draft; admins only. The creator becomes a manager.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn create_programme(
        &self,
        actor: &Actor,
        input: &ProgrammeInput,
    ) -> AppResult<ProgrammeView> {
        AppError::check(policy::administer(actor), "programmes")?;
        let kind = ProgrammeKind::parse("kind", &input.kind);
        let checked = input.check(&[]);
        let (kind, checked) = match (kind, checked) {
            (Ok(k), Ok(c)) => (k, c),
            (Err(k), Err(AppError::Invalid(mut v))) => {
                v.insert(0, k);
                return Err(AppError::Invalid(v));
            }
            (Err(k), _) => return Err(AppError::Invalid(vec![k])),
            (_, Err(e)) => return Err(e),
        };
        let now = self.now();
        let mut p =
            ProgrammeRecord::new(checked.slug.clone(), "", kind, ProgrammeStatus::Draft, now);
        checked.apply(&mut p);
        p.settings = serde_json::to_value(Settings::default_for(engine_kind(kind)))
            .map_err(|e| AppError::internal("default settings do not serialise", e))?;
        let mut tx = self.store.write().await?;
        tx.insert_programme(&p).await?;
        tx.grant_role(p.id, actor.person_id, ProgrammeRole::Manager, now)
            .await?;
        self.audit_by(
            &mut tx,
            actor,
            "programme.create",
            format!("programme:{}", p.slug),
            None,
            Some(serde_json::json!({"name": p.name})),
        )
        .await?;
        tx.commit().await?;
        let mut actor = actor.clone();
        actor.roles.push((p.id, ProgrammeRole::Manager));
        Ok(self.view_of(&actor, p))
    }

    /// Edits a programme's definition (not its kind or status).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn update_programme(
        &self,
        actor: &Actor,
        slug: &str,
        input: &ProgrammeInput,
    ) -> AppResult<ProgrammeView> {
        let mut tx = self.store.write().await?;
        let mut p = self.managed_programme(&mut tx, actor, slug).await?;
        // Checked against the questions it has, whose ids edits keep.
        let checked = input.check(&p.questions)?;
        if !input.kind.trim().is_empty() && input.kind.trim() != p.kind.code() {
            return Err(AppError::invalid(
                "kind",
                "a programme's kind cannot change; create a new programme instead",
            ));
        }
        let before = p.name.clone();
        checked.apply(&mut p);
        tx.update_programme(&p, self.now()).await?;
        self.audit_by(
            &mut tx,
            actor,
            "programme.update",
            format!("programme:{}", p.slug),
            Some(serde_json::json!({"name": before})),
            Some(serde_json::json!({"name": p.name})),
        )
        .await?;
        tx.commit().await?;
        Ok(self.view_of(actor, p))
    }

    /// Moves a programme along draft → open → running → closed (or open → closed).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, to = %to))]
    pub async fn move_programme(
        &self,
        actor: &Actor,
        slug: &str,
        to: &str,
    ) -> AppResult<ProgrammeView> {
        let to = ProgrammeStatus::parse("status", to).map_err(|e| AppError::Invalid(vec![e]))?;
        let mut tx = self.store.write().await?;
        let mut p = self.managed_programme(&mut tx, actor, slug).await?;
        let from = p.status;
        p.status = from.move_to(to).map_err(|e| AppError::Conflict {
            field: Some("status"),
            message: e.message,
        })?;
        if to == ProgrammeStatus::Closed {
            let open = self.rooms_to_complete(&mut tx, p.id).await?;
            if open > 0 {
                return Err(AppError::Conflict {
                    field: Some("status"),
                    message: format!(
                        "{open} room{} of this programme {} still active or paused; complete them first (the \"Complete all rooms\" action on the programme's rooms page, or POST /api/v1/programmes/{}/rooms/complete), then close it",
                        if open == 1 { "" } else { "s" },
                        if open == 1 { "is" } else { "are" },
                        p.slug
                    ),
                });
            }
        }
        tx.update_programme(&p, self.now()).await?;
        if to == ProgrammeStatus::Closed {
            // Kept so an admin can reopen it into this status (issue 18 §5).
            tx.record_closing(p.id, self.now(), from).await?;
        }
        self.audit_by(
            &mut tx,
            actor,
            "programme.status",
            format!("programme:{}", p.slug),
            Some(serde_json::json!({"status": from.code()})),
            Some(serde_json::json!({"status": to.code()})),
        )
        .await?;
        tx.commit().await?;
        Ok(self.view_of(actor, p))
    }

    /// The programme's managers: (id, name, email).
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn programme_managers(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<Vec<(PersonId, String, String)>> {
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        managers_in(&mut tx, p.id).await
    }

    /// Makes someone (by email) a manager of the programme.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn add_manager(&self, actor: &Actor, slug: &str, email: &str) -> AppResult<PersonId> {
        let email = rapport_domain::values::Email::parse("email", email)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let person = tx.person_by_email(email.as_str()).await?.ok_or_else(|| {
            AppError::invalid(
                "email",
                "nobody has an account with that email; invite them first",
            )
        })?;
        tx.grant_role(p.id, person.id, ProgrammeRole::Manager, self.now())
            .await?;
        self.audit_by(
            &mut tx,
            actor,
            "programme.manager.add",
            format!("programme:{}", p.slug),
            None,
            Some(serde_json::json!({"email": email.as_str()})),
        )
        .await?;
        tx.commit().await?;
        Ok(person.id)
    }

    /// Removes a manager; the last one cannot be removed.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug, person = %person))]
    pub async fn remove_manager(
        &self,
        actor: &Actor,
        slug: &str,
        person: PersonId,
    ) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let managers = tx.holders(p.id, ProgrammeRole::Manager).await?;
        if !managers.contains(&person) {
            return Err(AppError::NotFound(
                "that person is not a manager of this programme".into(),
            ));
        }
        if managers.len() == 1 {
            return Err(AppError::Conflict {
                field: None,
                message:
                    "a programme needs at least one manager; add another before removing this one"
                        .into(),
            });
        }
        tx.revoke_role(p.id, person, ProgrammeRole::Manager).await?;
        self.audit_by(
            &mut tx,
            actor,
            "programme.manager.remove",
            format!("programme:{}", p.slug),
            Some(serde_json::json!({"person": person.to_string()})),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The programme's matching settings as TOML, the schema
    /// `rapport match assign --settings` reads.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn matching_settings(&self, actor: &Actor, slug: &str) -> AppResult<String> {
        let mut tx = self.store.read().await?;
        let p = self.managed_programme(&mut tx, actor, slug).await?;
        let s = settings_of(&p)?;
        toml::to_string(&s).map_err(|e| AppError::internal("settings do not serialise", e))
    }

    /// Replaces the matching settings from TOML. Unknown fields and bad values
    /// are refused with the setting named. Pins, forbids and past pairs are
    /// managed by the programme itself, so the lists here must stay empty.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id, programme = %slug))]
    pub async fn set_matching_settings(
        &self,
        actor: &Actor,
        slug: &str,
        raw: &str,
    ) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        let mut p = self.managed_programme(&mut tx, actor, slug).await?;
        let mut s: Settings = toml::from_str(raw).map_err(|e| {
            AppError::invalid(
                "settings",
                format!("the settings do not parse: {}", e.message()),
            )
        })?;
        if s.kind != engine_kind(p.kind) && raw.contains("kind") {
            return Err(AppError::invalid(
                "settings",
                format!("kind must stay {} (the programme's kind)", p.kind.code()),
            ));
        }
        s.kind = engine_kind(p.kind);
        if !s.pinned.is_empty() || !s.excluded.is_empty() || !s.previous.is_empty() {
            return Err(AppError::invalid("settings", "pinned, excluded and previous pairs are set on the matching page, not in the settings"));
        }
        s.validate()
            .map_err(|e| AppError::invalid("settings", format!("{}: {}", e.field, e.message)))?;
        let before = p.settings.clone();
        p.settings = serde_json::to_value(&s)
            .map_err(|e| AppError::internal("settings do not serialise", e))?;
        tx.update_programme(&p, self.now()).await?;
        self.audit_by(
            &mut tx,
            actor,
            "programme.settings",
            format!("programme:{}", p.slug),
            Some(before),
            Some(p.settings.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The community's code of conduct, which members accept when they enrol.
    #[tracing::instrument(skip_all)]
    pub async fn code_of_conduct(&self) -> AppResult<String> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .setting("code_of_conduct")
            .await?
            .unwrap_or_else(|| DEFAULT_CODE_OF_CONDUCT.into()))
    }

    /// Replaces the code of conduct; admins only.
    #[tracing::instrument(skip_all, fields(actor = %actor.person_id))]
    pub async fn set_code_of_conduct(&self, actor: &Actor, body: &str) -> AppResult<()> {
        AppError::check(policy::administer(actor), "site settings")?;
        let body = text("code_of_conduct", body, 20, 20_000, "the code of conduct")
            .and_then(|b| markdown_field("code_of_conduct", b))?;
        let mut tx = self.store.write().await?;
        tx.put_setting("code_of_conduct", &body).await?;
        self.audit_by(
            &mut tx,
            actor,
            "site.code_of_conduct",
            "site".into(),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The code of conduct a new site starts with.
pub const DEFAULT_CODE_OF_CONDUCT: &str = "Treat everyone with respect. Keep what people share in confidence unless they agree otherwise. Show up to the sessions you agree to, or say so early. No harassment, discrimination or selling. If something is wrong, report it to the programme's managers: reports are confidential.";

/// The programme's managers (id, name, email), read in `tx`; the caller has
/// checked the actor manages it.
pub(crate) async fn managers_in(
    tx: &mut Tx,
    programme: ProgrammeId,
) -> AppResult<Vec<(PersonId, String, String)>> {
    Ok(tx
        .holder_people(programme, ProgrammeRole::Manager)
        .await?
        .into_iter()
        .map(|p| (p.id, p.profile.name, p.email.to_string()))
        .collect())
}

/// A programme's stored settings text as the JSON object the audit log keeps.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_names() {
        assert_eq!(slug_from("Spring 2027: Leaders!"), "spring-2027-leaders");
        assert_eq!(slug_from("  Éclair  "), "clair");
    }

    #[test]
    fn input_reports_every_field() {
        let input = ProgrammeInput {
            name: "x".into(),
            starts_on: "2027-02-30".into(),
            ends_on: "2027-01-01".into(),
            default_capacity: "0".into(),
            cadence: "daily".into(),
            questions: "poll: what".into(),
            ..Default::default()
        };
        let Err(AppError::Invalid(errs)) = input.check(&[]) else {
            panic!("expected errors")
        };
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        for f in [
            "name",
            "starts_on",
            "default_capacity",
            "cadence",
            "questions",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn dates_must_be_in_order() {
        let input = ProgrammeInput {
            name: "Spring".into(),
            starts_on: "2027-03-01".into(),
            ends_on: "2027-01-01".into(),
            ..Default::default()
        };
        let Err(AppError::Invalid(errs)) = input.check(&[]) else {
            panic!("expected errors")
        };
        assert_eq!(errs[0].field, "ends_on");
    }
}
