//! Enrolment pages: the enrolment form, leaving a programme, and the
//! managers' participants list with its decisions and bulk enrolment.

use super::programmes::{back, parse_id, Params};
use super::{render, Ctx, Field, FormPage};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::enrolment::EnrolInput;
use rapport_app::lists::{Cursor, ListQuery, TOTAL_CAP};
use rapport_app::participants::{listed_roles, ParticipantQuery, Participants};
use rapport_app::placement::percent;
use rapport_app::programmes::ProgrammeView;
use rapport_app::AppError;
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::programme::{ProgrammeKind, QuestionKind};
use rapport_domain::EnrolmentId;
use rapport_store::{EnrolmentOrder, EnrolmentView};
use std::collections::BTreeMap;

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
    // Question fields are named by the questions' stable ids; their labels are the prompts.
    for q in &p.questions {
        let label = if q.required {
            format!("{} (required)", q.prompt)
        } else {
            q.prompt.clone()
        };
        let name = q.id.clone();
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
            QuestionKind::Scale => Field::new(name, label, "select").value(value).options(
                std::iter::once((String::new(), "—".to_string()))
                    .chain(rapport_domain::questions::scale_points(q))
                    .collect(),
            ),
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
        Field::new(
            "self_efficacy",
            rapport_domain::closure::SELF_EFFICACY_QUESTION,
            "select",
        )
        .value(&v.self_efficacy)
        .options(
            std::iter::once((String::new(), "Prefer not to answer".to_string()))
                .chain(
                    rapport_domain::closure::SELF_EFFICACY_SCALE
                        .iter()
                        .enumerate()
                        .map(|(i, l)| ((i + 1).to_string(), l.to_string())),
                )
                .collect(),
        )
        .hint("Optional. We ask again when your mentorship ends, to see how it helped."),
        Field::new("accept_conduct", "I accept the code of conduct", "checkbox")
            .value(if v.accept_conduct { "true" } else { "" })
            .hint(rapport_app::markdown::plain(conduct)),
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
            "self_efficacy" => v.self_efficacy = val,
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
    /// Filter choices: (code, label, selected).
    statuses: Vec<(String, String, bool)>,
    role_choices: Vec<(String, String, bool)>,
    q: String,
    oldest: bool,
    filtered: bool,
    /// "12 new applications" or none.
    applications: Option<String>,
    /// The list already shows only the new applications.
    only_applications: bool,
    /// The list's filters as a query string, kept by the decision forms.
    kept: String,
    newer: Option<String>,
    older: Option<String>,
}

/// What a status filter reads as.
fn status_label(status: EnrolmentStatus) -> &'static str {
    match status {
        EnrolmentStatus::Applied => "New applications",
        EnrolmentStatus::Approved => "Approved",
        EnrolmentStatus::Waitlisted => "Waitlisted",
        EnrolmentStatus::Declined => "Declined",
        EnrolmentStatus::Withdrawn => "Withdrawn",
    }
}

/// The filters of a participants page as a query string (`?status=…&…`,
/// empty when there are none), after `tail`: the page's own links and the
/// API's `Link` header keep them.
pub(crate) fn participants_query(found: &Participants, tail: &str) -> String {
    let pairs: Vec<(&str, String)> = [
        ("status", found.filter.status.map(|s| s.code().to_string())),
        ("role", found.filter.role.map(|r| r.code().to_string())),
        ("q", found.filter.text.clone()),
        (
            "sort",
            (found.order == EnrolmentOrder::Oldest).then(|| "oldest".to_string()),
        ),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect::<Vec<_>>()
        .join("&");
    if query.is_empty() {
        format!("/{tail}")
    } else {
        format!("/{tail}?{query}")
    }
}

/// The filters and page of a participants page from its query.
fn participants_params(q: &Params) -> (ParticipantQuery, ListQuery) {
    let get = |k: &str| q.get(k).cloned();
    (
        ParticipantQuery {
            status: get("status"),
            role: get("role"),
            q: get("q"),
            sort: get("sort"),
        },
        ListQuery {
            page: None,
            cursor: get("cursor"),
            limit: None,
        },
    )
}

async fn participants_page(
    s: &AppState,
    who: &PageActor,
    slug: &str,
    params: &Params,
    notice: Option<&str>,
    emails: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (query, list) = participants_params(params);
    let found = s.app.participants(&who.actor, slug, &query, &list).await?;
    let p = &found.programme;
    let roles: Vec<&'static str> = p.kind.enrolment_roles().iter().map(|r| r.code()).collect();
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let own = participants_query(&found, "participants");
    let kept = own
        .split_once('?')
        .map(|(_, q)| q.to_string())
        .unwrap_or_default();
    let link = |c: Option<Cursor>| {
        c.map(|c| {
            let sep = if kept.is_empty() { "" } else { "&" };
            format!(
                "/programmes/{slug}/participants?cursor={}{sep}{kept}",
                c.encode()
            )
        })
    };
    let (newer, older) = (link(found.page.prev), link(found.page.next));
    let applications = match found.applications {
        0 => None,
        1 => Some("1 new application".to_string()),
        n if n > TOTAL_CAP => Some(format!("More than {TOTAL_CAP} new applications")),
        n => Some(format!("{n} new applications")),
    };
    let statuses = EnrolmentStatus::ALL
        .iter()
        .map(|st| {
            (
                st.code().to_string(),
                status_label(*st).to_string(),
                found.filter.status == Some(*st),
            )
        })
        .collect();
    let role_choices = listed_roles(p.kind)
        .into_iter()
        .map(|r| {
            (
                r.code().to_string(),
                r.code().to_string(),
                found.filter.role == Some(r),
            )
        })
        .collect();
    Ok((
        status,
        render(&ParticipantsPage {
            ctx: Ctx::new(Some(who), notice),
            title: format!("Participants of {}", p.name),
            name: p.name.clone(),
            slug: p.slug.to_string(),
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
            statuses,
            role_choices,
            q: found.filter.text.clone().unwrap_or_default(),
            oldest: found.order == EnrolmentOrder::Oldest,
            filtered: !kept.is_empty(),
            applications,
            only_applications: found.filter.status == Some(EnrolmentStatus::Applied),
            kept,
            newer,
            older,
            list: found.page.items,
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
        &q,
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
    // Back to the same filtered list (its filters, re-encoded from what
    // parses: the field is the page's own, but a form can be forged).
    let kept: Params = serde_urlencoded::from_str(f.get("list").map(String::as_str).unwrap_or(""))
        .unwrap_or_default();
    let tail: String = ["status", "role", "q", "sort", "cursor"]
        .iter()
        .filter_map(|k| kept.get(*k).map(|v| format!("&{k}={}", percent(v))))
        .collect();
    Ok(Redirect::to(&format!(
        "/programmes/{slug}/participants?done=decided{tail}"
    ))
    .into_response())
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
            participants_page(
                &s,
                &who,
                &slug,
                &Params::new(),
                None,
                emails,
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The enrolment and participants pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .post("/programmes/{slug}/withdraw", withdraw)
        .form("/programmes/{slug}/enrol", enrol_page, enrol)
        .get("/programmes/{slug}/participants", participants)
        .post("/programmes/{slug}/participants/bulk", bulk)
        .post("/programmes/{slug}/participants/{id}/decision", decide)
}
