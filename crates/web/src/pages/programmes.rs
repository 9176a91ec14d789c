//! Programme pages: the list, a programme's overview with its coverage
//! dashboard, the create and edit forms, enrolment, participants, matching
//! settings, matching rounds, and rooms.

use super::{render, Ctx, Field, FormPage};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::coverage::Coverage;
use rapport_app::enrolment::EnrolInput;
use rapport_app::programmes::{ProgrammeInput, ProgrammeView};
use rapport_app::rooms::RoomView;
use rapport_app::rounds::{PairRuleView, RoundView};
use rapport_app::AppError;
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::policy;
use rapport_domain::programme::{
    Cadence, MatchingMode, ProgrammeKind, ProgrammeRole, ProgrammeStatus, QuestionKind,
};
use rapport_domain::{EnrolmentId, PersonId, RoomId};
use rapport_store::{EnrolmentRecord, EnrolmentView, RoomRecord};
use std::collections::{BTreeMap, HashMap};

type Params = HashMap<String, String>;

/// Ids in paths that do not parse are "not found", never a 400 or 500.
fn parse_id<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T, PageError> {
    raw.parse()
        .map_err(|_| PageError(AppError::NotFound(format!("that {what} was not found"))))
}

fn back(slug: &str, tail: &str, done: &str) -> Response {
    Redirect::to(&format!("/programmes/{slug}{tail}?done={done}")).into_response()
}

#[derive(Template)]
#[template(path = "programmes.html")]
struct ListPage {
    ctx: Ctx,
    title: &'static str,
    list: Vec<ProgrammeView>,
    can_create: bool,
}

async fn list(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let list = s.app.programmes(&who.actor).await?;
    Ok(render(&ListPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: "Programmes",
        can_create: policy::administer(&who.actor) == policy::Access::Allowed,
        list,
    })
    .into_response())
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_string(), label(*v).to_string()))
        .collect()
}

fn programme_form(who: &PageActor, action: String, v: &ProgrammeInput, creating: bool) -> FormPage {
    let mut fields = vec![
        Field::new("name", "Name", "text").value(&v.name),
        Field::new("slug", "Address", "text")
            .value(&v.slug)
            .hint("Lowercase letters, digits and dashes; made from the name when empty."),
        Field::new("description", "Description", "textarea").value(&v.description),
    ];
    if creating {
        fields.push(
            Field::new("kind", "Kind", "select")
                .value(&v.kind)
                .options(options(
                    &ProgrammeKind::ALL,
                    ProgrammeKind::code,
                    ProgrammeKind::label,
                )),
        );
    }
    fields.extend([
        Field::new("matching_mode", "Who makes the matches", "select").value(&v.matching_mode).options(options(&MatchingMode::ALL, MatchingMode::code, MatchingMode::label)),
        Field::new("starts_on", "Starts on", "date").value(&v.starts_on),
        Field::new("ends_on", "Ends on", "date").value(&v.ends_on),
        Field::new("cadence", "Meeting cadence", "select").value(&v.cadence).options(options(&Cadence::ALL, Cadence::code, Cadence::label)),
        Field::new("default_capacity", "Default mentor capacity", "number").value(&v.default_capacity).hint("Mentees per mentor unless the mentor sets their own (1–50)."),
        Field::new("request_expiry_days", "Days a request waits for an answer", "number").value(&v.request_expiry_days),
        Field::new("rolling_admission", "Rolling admission: keep taking enrolments and matching while running", "checkbox").value(if v.rolling_admission { "true" } else { "" }),
        Field::new("questions", "Enrolment questions", "textarea").value(&v.questions).hint("One per line: \"single: Question? | Option A | Option B | weight=10\", \"multiple: …\" or \"text: …\". A weight makes similar answers count in matching."),
        Field::new("group_min", "Smallest peer circle", "number")
            .value(&v.group_min)
            .hint("Circles only: the fewest members a circle starts with (2–20)."),
        Field::new("group_max", "Largest peer circle", "number")
            .value(&v.group_max)
            .hint("Circles only: the most members in one circle (2–20)."),
        Field::new("goals", "Goal catalogue", "text").value(&v.goals).hint("Comma-separated goals members can pick."),
    ]);
    FormPage {
        ctx: Ctx::new(Some(who), None),
        title: if creating {
            "New programme"
        } else {
            "Edit programme"
        },
        intro: String::new(),
        action,
        fields,
        submit: if creating {
            "Create programme"
        } else {
            "Save programme"
        },
        form_error: None,
        links: vec![],
    }
}

async fn new_page(who: PageActor) -> Result<Response, PageError> {
    AppError::check(policy::administer(&who.actor), "programmes")?;
    let v = ProgrammeInput {
        default_capacity: "2".into(),
        request_expiry_days: "14".into(),
        ..Default::default()
    };
    Ok(render(&programme_form(&who, "/programmes/new".into(), &v, true)).into_response())
}

async fn create(
    State(s): State<AppState>,
    who: PageActor,
    Form(v): Form<ProgrammeInput>,
) -> Result<Response, PageError> {
    match s.app.create_programme(&who.actor, &v).await {
        Ok(p) => Ok(back(&p.record.slug, "", "programme_created")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            Ok(programme_form(&who, "/programmes/new".into(), &v, true).with_error(e))
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let p = s.app.programme(&who.actor, &slug).await?;
    if !p.can_manage {
        return Err(AppError::Forbidden("only the programme's managers can edit it".into()).into());
    }
    let v = ProgrammeInput::from_record(&p.record);
    Ok(render(&programme_form(
        &who,
        format!("/programmes/{slug}/edit"),
        &v,
        false,
    ))
    .into_response())
}

async fn save(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(v): Form<ProgrammeInput>,
) -> Result<Response, PageError> {
    match s.app.update_programme(&who.actor, &slug, &v).await {
        Ok(p) => Ok(back(&p.record.slug, "", "programme_saved")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            Ok(programme_form(&who, format!("/programmes/{slug}/edit"), &v, false).with_error(e))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "programme.html")]
struct OverviewPage {
    ctx: Ctx,
    title: String,
    p: ProgrammeView,
    mine: Vec<EnrolmentRecord>,
    coverage: Option<Coverage>,
    moves: Vec<(&'static str, &'static str)>,
    mentee_approved: bool,
    mentor_approved: bool,
    managers: Vec<(PersonId, String, String)>,
}

async fn overview(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let p = s.app.programme(&who.actor, &slug).await?;
    let mine = s.app.my_enrolments(&who.actor, &slug).await?;
    let (coverage, managers) = if p.can_manage {
        (
            Some(s.app.coverage(&who.actor, &slug).await?),
            s.app.programme_managers(&who.actor, &slug).await?,
        )
    } else {
        (None, vec![])
    };
    let moves = [
        (ProgrammeStatus::Open, "open", "Open for enrolment"),
        (ProgrammeStatus::Running, "running", "Start running"),
        (ProgrammeStatus::Closed, "closed", "Close"),
    ]
    .into_iter()
    .filter(|(to, _, _)| p.record.status.move_to(*to).is_ok())
    .map(|(_, code, label)| (code, label))
    .collect();
    let mentee_approved = mine
        .iter()
        .any(|e| e.role == ProgrammeRole::Mentee && e.status == EnrolmentStatus::Approved);
    let mentor_approved = mine
        .iter()
        .any(|e| e.role == ProgrammeRole::Mentor && e.status == EnrolmentStatus::Approved);
    Ok(render(&OverviewPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: p.record.name.clone(),
        p,
        mine,
        coverage,
        moves,
        mentee_approved,
        mentor_approved,
        managers,
    })
    .into_response())
}

async fn add_manager(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    s.app
        .add_manager(
            &who.actor,
            &slug,
            f.get("email").map(String::as_str).unwrap_or(""),
        )
        .await?;
    Ok(back(&slug, "", "manager_added"))
}

async fn remove_manager(
    State(s): State<AppState>,
    who: PageActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: PersonId = parse_id(&id, "manager")?;
    s.app.remove_manager(&who.actor, &slug, id).await?;
    Ok(back(&slug, "", "manager_removed"))
}

async fn withdraw(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let role = f.get("role").map(String::as_str).unwrap_or("");
    s.app.withdraw_enrolment(&who.actor, &slug, role).await?;
    Ok(back(&slug, "", "withdrawn"))
}

async fn move_status(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let to = f.get("status").cloned().unwrap_or_default();
    s.app.move_programme(&who.actor, &slug, &to).await?;
    Ok(back(&slug, "", "status_changed"))
}

/// The enrolment form for a programme, with its questions.
fn enrol_form(who: &PageActor, p: &ProgrammeView, conduct: &str, v: &EnrolInput) -> FormPage {
    // The choices come from the domain's rule; only their labels live here.
    let kind = p.record.kind;
    let roles: Vec<(String, String)> = kind
        .enrolment_choices()
        .into_iter()
        .map(|c| {
            let label = match c {
                "mentee" => "Mentee: I want a mentor",
                "mentor" => "Mentor: I want to mentor",
                "both" => "Both",
                "peer" if kind == ProgrammeKind::Circle => "Circle member",
                "peer" => "Peer",
                "facilitator" => "Facilitator",
                other => other,
            };
            (c.to_string(), label.to_string())
        })
        .collect();
    let mut fields = vec![
        Field::new("role", "I am enrolling as", "select")
            .value(&v.role)
            .options(roles),
        Field::new(
            "capacity",
            "Mentors: how many mentees can you take?",
            "number",
        )
        .value(&v.capacity)
        .hint(format!(
            "Leave empty for the programme's default ({}).",
            p.record.default_capacity
        )),
    ];
    // Question fields are named q1, q2, …; their labels are the prompts.
    for q in &p.questions {
        let (name, label) = (q.id.clone(), q.prompt.clone());
        let value = v
            .answers
            .get(&q.id)
            .map(|a| a.join(", "))
            .unwrap_or_default();
        let f = match q.kind {
            QuestionKind::Text => Field::new(name, label, "textarea").value(value),
            QuestionKind::Single => Field::new(name, label, "select").value(value).options(
                std::iter::once((String::new(), "—".to_string()))
                    .chain(q.options.iter().map(|o| (o.clone(), o.clone())))
                    .collect(),
            ),
            QuestionKind::Multiple => Field::new(name, label, "text").value(value).hint(format!(
                "Choose any of: {} (comma-separated)",
                q.options.join(", ")
            )),
        };
        fields.push(f);
    }
    fields.extend([
        Field::new(
            "preferred_gender",
            "Preferred gender of the other person (optional)",
            "text",
        )
        .value(&v.preferred_gender),
        Field::new(
            "gender_is_hard",
            "This gender preference is a must",
            "checkbox",
        )
        .value(if v.gender_is_hard { "true" } else { "" }),
        Field::new("department", "Department of the other person", "select")
            .value(&v.department)
            .options(vec![
                (String::new(), "No preference".into()),
                ("same".into(), "Same as mine".into()),
                ("different".into(), "Different from mine".into()),
            ]),
        Field::new(
            "department_is_hard",
            "This department preference is a must",
            "checkbox",
        )
        .value(if v.department_is_hard { "true" } else { "" }),
        Field::new("avoid", "People not to be matched with (emails)", "text")
            .value(&v.avoid)
            .hint("Comma-separated. Never shown to anyone."),
        Field::new(
            "consent_sensitive",
            "Use my gender, department and reporting line for matching",
            "checkbox",
        )
        .value(if v.consent_sensitive { "true" } else { "" })
        .hint("Needed for gender or department preferences. Others never see these fields."),
        Field::new("accept_conduct", "I accept the code of conduct", "checkbox")
            .value(if v.accept_conduct { "true" } else { "" })
            .hint(conduct.to_string()),
    ]);
    FormPage {
        ctx: Ctx::new(Some(who), None),
        title: "Enrol",
        intro: format!("Enrol in {}.", p.record.name),
        action: format!("/programmes/{}/enrol", p.record.slug),
        fields,
        submit: "Enrol",
        form_error: None,
        links: vec![],
    }
}

/// Reads the enrolment form: repeated and comma-separated answers become lists.
fn enrol_input(pairs: Vec<(String, String)>, p: &ProgrammeView) -> EnrolInput {
    let mut v = EnrolInput::default();
    let mut answers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, val) in pairs {
        match k.as_str() {
            "role" => v.role = val,
            "capacity" => v.capacity = val,
            "preferred_gender" => v.preferred_gender = val,
            "gender_is_hard" => v.gender_is_hard = val == "true",
            "department" => v.department = val,
            "department_is_hard" => v.department_is_hard = val == "true",
            "avoid" => v.avoid = val,
            "consent_sensitive" => v.consent_sensitive = val == "true",
            "accept_conduct" => v.accept_conduct = val == "true",
            id => {
                if let Some(q) = p.questions.iter().find(|q| q.id == id) {
                    let entry = answers.entry(q.id.clone()).or_default();
                    if q.kind == QuestionKind::Multiple {
                        entry.extend(
                            val.split(',')
                                .map(|s| s.trim().to_string())
                                .filter(|s| !s.is_empty()),
                        );
                    } else if !val.trim().is_empty() {
                        entry.push(val);
                    }
                }
            }
        }
    }
    v.answers = answers;
    v
}

async fn enrol_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let p = s.app.programme(&who.actor, &slug).await?;
    let conduct = s.app.code_of_conduct().await?;
    let v = EnrolInput {
        role: if matches!(p.record.kind, ProgrammeKind::Peer | ProgrammeKind::Circle) {
            "peer".into()
        } else {
            "mentee".into()
        },
        ..Default::default()
    };
    Ok(render(&enrol_form(&who, &p, &conduct, &v)).into_response())
}

async fn enrol(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = s.app.programme(&who.actor, &slug).await?;
    let v = enrol_input(pairs, &p);
    match s.app.enrol(&who.actor, &slug, &v).await {
        Ok(_) => Ok(back(&slug, "", "enrolled")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let conduct = s.app.code_of_conduct().await?;
            Ok(enrol_form(&who, &p, &conduct, &v).with_error(e))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "participants.html")]
struct ParticipantsPage {
    ctx: Ctx,
    title: String,
    name: String,
    slug: String,
    list: Vec<EnrolmentView>,
    decisions: Vec<(String, &'static str)>,
    roles: Vec<&'static str>,
    emails: String,
    error: Option<String>,
}

async fn participants_page(
    s: &AppState,
    who: &PageActor,
    slug: &str,
    notice: Option<&str>,
    emails: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (p, list) = s.app.enrolments(&who.actor, slug).await?;
    let roles: Vec<&'static str> = p.kind.enrolment_roles().iter().map(|r| r.code()).collect();
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((
        status,
        render(&ParticipantsPage {
            ctx: Ctx::new(Some(who), notice),
            title: format!("Participants of {}", p.name),
            name: p.name,
            slug: p.slug,
            list,
            decisions: [
                (EnrolmentStatus::Approved, "Approve"),
                (EnrolmentStatus::Waitlisted, "Waitlist"),
                (EnrolmentStatus::Declined, "Decline"),
            ]
            .into_iter()
            .map(|(s, l)| (s.code().to_string(), l))
            .collect(),
            roles,
            emails,
            error,
        }),
    )
        .into_response())
}

async fn participants(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    participants_page(
        &s,
        &who,
        &slug,
        q.get("done").map(String::as_str),
        String::new(),
        None,
    )
    .await
}

async fn decide(
    State(s): State<AppState>,
    who: PageActor,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: EnrolmentId = parse_id(&id, "enrolment")?;
    s.app
        .decide_enrolment(
            &who.actor,
            &slug,
            id,
            f.get("decision").map(String::as_str).unwrap_or(""),
        )
        .await?;
    Ok(back(&slug, "/participants", "decided"))
}

async fn bulk(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let emails = f.get("emails").cloned().unwrap_or_default();
    match s
        .app
        .enrol_in_bulk(
            &who.actor,
            &slug,
            &emails,
            f.get("role").map(String::as_str).unwrap_or(""),
        )
        .await
    {
        Ok(_) => Ok(back(&slug, "/participants", "enrolled_bulk")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            participants_page(&s, &who, &slug, None, emails, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

fn settings_form(who: &PageActor, slug: &str, toml: String) -> FormPage {
    FormPage {
        ctx: Ctx::new(Some(who), None),
        title: "Matching settings",
        intro: "Criterion weights, hard rules and the quality floor, in the TOML schema `rapport match assign --settings` reads (see docs/matching.md). Unknown settings are refused by name.".into(),
        action: format!("/programmes/{slug}/settings"),
        fields: vec![Field::new("settings", "Settings (TOML)", "textarea").value(toml)],
        submit: "Save settings",
        form_error: None,
        links: vec![],
    }
}

async fn settings_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let toml = s.app.matching_settings(&who.actor, &slug).await?;
    Ok(render(&settings_form(&who, &slug, toml)).into_response())
}

async fn save_settings(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let raw = f.get("settings").cloned().unwrap_or_default();
    match s.app.set_matching_settings(&who.actor, &slug, &raw).await {
        Ok(()) => Ok(back(&slug, "", "matching_saved")),
        Err(e @ AppError::Invalid(_)) => Ok(settings_form(&who, &slug, raw).with_error(e)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "matching.html")]
struct MatchingPage {
    ctx: Ctx,
    title: String,
    name: String,
    slug: String,
    round: Option<RoundView>,
    rules: Vec<PairRuleView>,
    seekers: Vec<(PersonId, String)>,
    givers: Vec<(PersonId, String)>,
    seeker_label: &'static str,
    giver_label: &'static str,
    error: Option<String>,
}

async fn matching_page(
    s: &AppState,
    who: &PageActor,
    slug: &str,
    notice: Option<&str>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let (p, list) = s.app.enrolments(&who.actor, slug).await?;
    let rounds = s.app.rounds(&who.actor, slug).await?;
    let rules = s.app.pair_rules(&who.actor, slug).await?;
    let peers = matches!(p.kind, ProgrammeKind::Peer | ProgrammeKind::Circle);
    let pick = |role: ProgrammeRole| -> Vec<(PersonId, String)> {
        list.iter()
            .filter(|v| v.enrolment.role == role && v.enrolment.status == EnrolmentStatus::Approved)
            .map(|v| (v.enrolment.person_id, v.name.clone()))
            .collect()
    };
    let (seekers, givers) = if peers {
        (pick(ProgrammeRole::Peer), pick(ProgrammeRole::Peer))
    } else {
        (pick(ProgrammeRole::Mentee), pick(ProgrammeRole::Mentor))
    };
    let status = super::status_for(error.as_ref());
    Ok((
        status,
        render(&MatchingPage {
            ctx: Ctx::new(Some(who), notice),
            title: format!("Matching for {}", p.name),
            name: p.name,
            slug: p.slug,
            round: rounds.into_iter().next(),
            rules,
            seekers,
            givers,
            seeker_label: if peers { "First peer" } else { "Mentee" },
            giver_label: if peers { "Second peer" } else { "Mentor" },
            error: error.map(|e| e.to_string()),
        }),
    )
        .into_response())
}

async fn matching(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    matching_page(&s, &who, &slug, q.get("done").map(String::as_str), None).await
}

/// Rule errors (a refused pin, a round that cannot run) are shown on the
/// matching page itself, next to what the manager was doing.
async fn on_matching<T>(
    s: &AppState,
    who: &PageActor,
    slug: &str,
    r: Result<T, AppError>,
    done: &str,
) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(back(slug, "/matching", done)),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            matching_page(s, who, slug, None, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn run(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let r = s.app.run_round(&who.actor, &slug).await;
    on_matching(&s, &who, &slug, r, "round_run").await
}

async fn pair_rule(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id = |k: &str| f.get(k).and_then(|v| v.parse::<PersonId>().ok());
    let (Some(a), Some(b)) = (id("mentee_id"), id("mentor_id")) else {
        return Err(AppError::invalid("mentee_id", "choose two people").into());
    };
    let r = s
        .app
        .set_pair_rule(
            &who.actor,
            &slug,
            a,
            b,
            f.get("rule").map(String::as_str).unwrap_or(""),
        )
        .await;
    on_matching(&s, &who, &slug, r, "rule_saved").await
}

async fn publish(
    State(s): State<AppState>,
    who: PageActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: rapport_domain::RoundId = parse_id(&id, "round")?;
    let r = s.app.publish_round(&who.actor, &slug, id).await;
    on_matching(&s, &who, &slug, r, "published").await
}

async fn match_now(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let person: PersonId = parse_id(
        f.get("person_id").map(String::as_str).unwrap_or(""),
        "person",
    )?;
    let room = s.app.match_now(&who.actor, &slug, person).await?;
    Ok(Redirect::to(&format!("/rooms/{room}?done=proposed")).into_response())
}

#[derive(Template)]
#[template(path = "room.html")]
struct RoomPage {
    ctx: Ctx,
    title: String,
    v: RoomView,
}

async fn room(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let v = s.app.room(&who.actor, id).await?;
    let title = v
        .room
        .members
        .iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join(" & ");
    Ok(render(&RoomPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title,
        v,
    })
    .into_response())
}

async fn answer(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: RoomId = parse_id(&id, "room")?;
    let accept = match f.get("answer").map(String::as_str) {
        Some("accept") => true,
        Some("decline") => false,
        _ => return Err(AppError::invalid("answer", "answer accept or decline").into()),
    };
    s.app.answer_room(&who.actor, id, accept).await?;
    Ok(Redirect::to(&format!(
        "/rooms/{id}?done={}",
        if accept { "accepted" } else { "declined" }
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "rooms.html")]
struct RoomsPage {
    ctx: Ctx,
    title: &'static str,
    rooms: Vec<(RoomRecord, String)>,
}

async fn rooms(State(s): State<AppState>, who: PageActor) -> Result<Response, PageError> {
    let rooms = s.app.my_rooms(&who.actor).await?;
    Ok(render(&RoomsPage {
        ctx: Ctx::new(Some(&who), None),
        title: "My rooms",
        rooms,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    ctx: Ctx,
    title: String,
    name: String,
    slug: String,
    list: Vec<rapport_app::safety::ReportView>,
    error: Option<String>,
}

async fn reports_page(
    s: &AppState,
    who: &PageActor,
    slug: &str,
    notice: Option<&str>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let list = s.app.reports(&who.actor, slug).await?;
    let p = s.app.programme(&who.actor, slug).await?;
    let status = super::status_for(error.as_ref());
    Ok((
        status,
        render(&ReportsPage {
            ctx: Ctx::new(Some(who), notice),
            title: format!("Reports in {}", p.record.name),
            name: p.record.name,
            slug: p.record.slug,
            list,
            error: error.map(|e| e.to_string()),
        }),
    )
        .into_response())
}

async fn reports(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    reports_page(&s, &who, &slug, q.get("done").map(String::as_str), None).await
}

async fn resolve(
    State(s): State<AppState>,
    who: PageActor,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: rapport_domain::ReportId = parse_id(&id, "report")?;
    match s
        .app
        .resolve_report(
            &who.actor,
            &slug,
            id,
            f.get("resolution").map(String::as_str).unwrap_or(""),
        )
        .await
    {
        Ok(()) => Ok(back(&slug, "/reports", "report_resolved")),
        Err(e @ AppError::Invalid(_)) => reports_page(&s, &who, &slug, None, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

/// Largest CSV file an import takes (about 50,000 rows).
pub const IMPORT_LIMIT: usize = 8 * 1024 * 1024;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: Ctx,
    title: String,
    name: String,
    slug: String,
    report: Option<rapport_app::csv_people::ImportReport>,
    error: Option<String>,
}

async fn import_page_for(
    s: &AppState,
    who: &PageActor,
    slug: &str,
    report: Option<rapport_app::csv_people::ImportReport>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (p, _) = s.app.enrolments(&who.actor, slug).await?;
    let status = match (&report, &error) {
        (_, Some(_)) => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        (Some(r), _) if !r.errors.is_empty() => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        _ => axum::http::StatusCode::OK,
    };
    Ok((
        status,
        render(&ImportPage {
            ctx: Ctx::new(Some(who), None),
            title: format!("Import participants into {}", p.name),
            name: p.name,
            slug: p.slug,
            report,
            error,
        }),
    )
        .into_response())
}

async fn import_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    import_page_for(&s, &who, &slug, None, None).await
}

/// Reads the upload form (`file`, `dry_run`) from a multipart body, with
/// its own size limit: a CSV can be larger than an ordinary form.
async fn read_upload(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<(Vec<u8>, bool), String> {
    let ctype = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(ctype)
        .map_err(|_| "send the form as multipart/form-data with a file".to_string())?;
    let constraints = multer::Constraints::new()
        .size_limit(multer::SizeLimit::new().whole_stream(IMPORT_LIMIT as u64));
    let mut form =
        multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let (mut data, mut dry_run) = (Vec::new(), false);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| format!("the upload could not be read: {e}"))?
    {
        match field.name() {
            Some("file") => {
                data = field
                    .bytes()
                    .await
                    .map_err(|e| format!("the file could not be read: {e}"))?
                    .to_vec()
            }
            Some("dry_run") => dry_run = field.text().await.map(|t| t == "true").unwrap_or(false),
            _ => {}
        }
    }
    Ok((data, dry_run))
}

async fn import(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, PageError> {
    // Permission first: a member learns nothing from the upload's errors.
    s.app.enrolments(&who.actor, &slug).await?;
    let (data, dry_run) = match read_upload(&headers, body).await {
        Ok(v) => v,
        Err(e) => return import_page_for(&s, &who, &slug, None, Some(e)).await,
    };
    if data.is_empty() {
        return import_page_for(
            &s,
            &who,
            &slug,
            None,
            Some("choose a CSV file to import".into()),
        )
        .await;
    }
    match s.app.import_people(&who.actor, &slug, &data, dry_run).await {
        Ok(report) => import_page_for(&s, &who, &slug, Some(report), None).await,
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            import_page_for(&s, &who, &slug, None, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn export(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let csv = s.app.export_people(&who.actor, &slug).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{slug}-participants.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

/// The programme and room pages.
pub fn routes() -> Routes {
    Routes::new()
        .get("/programmes", list)
        .form("/programmes/new", new_page, create)
        .get("/programmes/{slug}", overview)
        .form("/programmes/{slug}/edit", edit_page, save)
        .post("/programmes/{slug}/status", move_status)
        .post("/programmes/{slug}/withdraw", withdraw)
        .post("/programmes/{slug}/managers", add_manager)
        .post("/programmes/{slug}/managers/{id}/remove", remove_manager)
        .form("/programmes/{slug}/enrol", enrol_page, enrol)
        .get("/programmes/{slug}/participants", participants)
        .form("/programmes/{slug}/import", import_page, import)
        .get("/programmes/{slug}/export.csv", export)
        .post("/programmes/{slug}/participants/bulk", bulk)
        .post("/programmes/{slug}/participants/{id}/decision", decide)
        .form("/programmes/{slug}/settings", settings_page, save_settings)
        .get("/programmes/{slug}/reports", reports)
        .post("/programmes/{slug}/reports/{id}/resolve", resolve)
        .get("/programmes/{slug}/matching", matching)
        .post("/programmes/{slug}/matching/run", run)
        .post("/programmes/{slug}/matching/rules", pair_rule)
        .post("/programmes/{slug}/matching/{id}/publish", publish)
        .post("/programmes/{slug}/match-now", match_now)
        .get("/rooms", rooms)
        .get("/rooms/{id}", room)
        .post("/rooms/{id}/answer", answer)
}
