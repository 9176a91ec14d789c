//! The coverage dashboard page (managers; issue 20 and issue 18 §6): the
//! counts, four charts with their tables, and the first page of the waiting
//! list and of mentor loads, each with its own sort, filter and paging links
//! that keep the other list where it was. Plain GET forms: no script needed.

use super::programmes::Params;
use super::{render, Ctx};
use crate::auth::PageActor;
use crate::charts::{BarChart, Chart, LineChart, Series};
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use rapport_app::coverage::{Coverage, Load, Waiting, FIRST_PAGE};
use rapport_app::lists::ListQuery;
use rapport_app::placement::percent;

/// A day in ms; days are drawn at their UTC noon, so a day's date reads
/// the same in every zone within twelve hours of UTC.
const DAY: i64 = 86_400_000;

/// One option of a filter: value, label, selected.
type Choice = (&'static str, &'static str, bool);

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage {
    ctx: Ctx,
    title: String,
    slug: String,
    name: String,
    c: Coverage,
    charts: Vec<Chart>,
    waiting: Vec<Waiting>,
    waiting_sorts: Vec<Choice>,
    waiting_next: Option<String>,
    waiting_first: Option<String>,
    loads: Vec<Load>,
    load_sorts: Vec<Choice>,
    load_roles: Vec<Choice>,
    loads_next: Option<String>,
    loads_first: Option<String>,
    /// The other list's parameters, kept by each list's form as hidden fields.
    keep_for_waiting: Vec<(&'static str, String)>,
    keep_for_loads: Vec<(&'static str, String)>,
}

/// The parameters this page reads, each list's own.
const WAITING: [&str; 2] = ["wsort", "wcursor"];
const LOADS: [&str; 3] = ["lsort", "lrole", "lcursor"];

fn choices(options: &[(&'static str, &'static str)], chosen: Option<&str>) -> Vec<Choice> {
    options
        .iter()
        .enumerate()
        .map(|(i, (v, l))| (*v, *l, chosen.map_or(i == 0, |c| c == *v)))
        .collect()
}

/// This page's URL with `set` replacing (or, when empty, dropping) some
/// parameters and everything else in `q` kept.
fn href(slug: &str, q: &Params, set: &[(&str, Option<String>)]) -> String {
    let mut pairs: Vec<(String, String)> = WAITING
        .iter()
        .chain(LOADS.iter())
        .filter(|k| !set.iter().any(|(s, _)| s == *k))
        .filter_map(|k| {
            q.get(*k)
                .filter(|v| !v.is_empty())
                .map(|v| (k.to_string(), v.clone()))
        })
        .collect();
    for (k, v) in set {
        if let Some(v) = v {
            pairs.push((k.to_string(), v.clone()));
        }
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect();
    if query.is_empty() {
        format!("/programmes/{slug}/coverage")
    } else {
        format!("/programmes/{slug}/coverage?{}", query.join("&"))
    }
}

fn keep(q: &Params, keys: &[&'static str]) -> Vec<(&'static str, String)> {
    keys.iter()
        .filter_map(|k| q.get(*k).filter(|v| !v.is_empty()).map(|v| (*k, v.clone())))
        .collect()
}

/// The four charts, from the dashboard's stored-data figures.
fn charts(c: &Coverage, zone: &rapport_domain::values::TimeZoneName) -> Vec<Chart> {
    let bars = |b: &[rapport_app::coverage::Bucket]| {
        b.iter()
            .map(|b| (b.label.clone(), b.count as f64))
            .collect::<Vec<_>>()
    };
    let top = c.over_time.last().map_or(0, |d| d.approved.max(d.matched));
    vec![
        LineChart {
            id: "coverage-over-time".into(),
            title: "Coverage over time".into(),
            y_label: "People".into(),
            y_max: top as f64,
            step: true,
            until: None,
            series: vec![
                Series {
                    label: "Approved".into(),
                    points: c
                        .over_time
                        .iter()
                        .map(|d| (d.day + DAY / 2, d.approved as f64))
                        .collect(),
                },
                Series {
                    label: "Ever matched".into(),
                    points: c
                        .over_time
                        .iter()
                        .map(|d| (d.day + DAY / 2, d.matched as f64))
                        .collect(),
                },
            ],
        }
        .render(zone),
        BarChart {
            id: "mentor-load".into(),
            title: "Mentor load (seats ÷ capacity)".into(),
            x_label: "Load".into(),
            y_label: "Mentors".into(),
            bars: bars(&c.mentor_load),
        }
        .render(),
        BarChart {
            id: "time-waiting".into(),
            title: "Time waiting for a match".into(),
            x_label: "Waited".into(),
            y_label: "People".into(),
            bars: bars(&c.time_waiting),
        }
        .render(),
        BarChart {
            id: "unplaced-reasons".into(),
            title: "Unplaced in the latest round, by reason".into(),
            x_label: "Reason".into(),
            y_label: "People".into(),
            bars: bars(&c.unplaced_by_reason),
        }
        .render(),
    ]
}

async fn coverage(
    State(s): State<AppState>,
    who: PageActor,
    Path(slug): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let p = s.app.programme(&who.actor, &slug).await?;
    let c = s.app.coverage(&who.actor, &slug).await?;
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let list = |cursor: Option<&str>| ListQuery {
        page: None,
        cursor: cursor.map(str::to_string),
        limit: Some(FIRST_PAGE),
    };
    // The dashboard carries the first page of each list in its default
    // order (kept with it, so read without touching every mentor); another
    // order, role or page is read on its own.
    let (waiting, waiting_next) = if get("wsort").is_none() && get("wcursor").is_none() {
        (c.waiting.clone(), c.waiting_next.clone())
    } else {
        let page = s
            .app
            .coverage_waiting(&who.actor, &slug, get("wsort"), &list(get("wcursor")))
            .await?;
        (page.items, page.next.map(|c| c.encode()))
    };
    let (loads, loads_next) =
        if get("lrole").is_none() && get("lsort").is_none() && get("lcursor").is_none() {
            (c.loads.clone(), c.loads_next.clone())
        } else {
            let page = s
                .app
                .coverage_loads(
                    &who.actor,
                    &slug,
                    get("lrole"),
                    get("lsort"),
                    &list(get("lcursor")),
                )
                .await?;
            (page.items, page.next.map(|c| c.encode()))
        };
    let charts = charts(&c, &who.time_zone);
    let page = CoveragePage {
        ctx: Ctx::new(Some(&who), None),
        title: format!("Coverage of {}", p.record.name),
        name: p.record.name.clone(),
        charts,
        waiting_sorts: choices(
            &[("longest", "Waiting longest"), ("newest", "Newest first")],
            get("wsort"),
        ),
        waiting_next: waiting_next.map(|c| href(&slug, &q, &[("wcursor", Some(c))])),
        waiting_first: get("wcursor").map(|_| href(&slug, &q, &[("wcursor", None)])),
        waiting,
        load_sorts: choices(
            &[("fullest", "Fullest first"), ("emptiest", "Emptiest first")],
            get("lsort"),
        ),
        load_roles: choices(
            &[
                ("", "Mentors and facilitators"),
                ("mentor", "Mentors"),
                ("facilitator", "Facilitators"),
            ],
            Some(get("lrole").unwrap_or("")),
        ),
        loads_next: loads_next.map(|c| href(&slug, &q, &[("lcursor", Some(c))])),
        loads_first: get("lcursor").map(|_| href(&slug, &q, &[("lcursor", None)])),
        loads,
        keep_for_waiting: keep(&q, &LOADS),
        keep_for_loads: keep(&q, &WAITING),
        slug,
        c,
    };
    Ok(render(&page).into_response())
}

pub(super) fn routes() -> Routes {
    Routes::new().get("/programmes/{slug}/coverage", coverage)
}
