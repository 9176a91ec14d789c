//! What an author sends, and its checks. Every problem is reported at once,
//! each naming its field (`title`, `summary`, `level`, `steps`), with the
//! step's number in the message for problems inside a step.

use crate::{markdown, AppError, AppResult};
use rapport_domain::person::LeadershipLevel;
use rapport_domain::roadmaps::{
    Resource, ResourceKind, RoadmapContent, Step, MAX_EFFORT_HOURS, MAX_RESOURCES, MAX_STEPS,
};
use rapport_domain::{Invalid, RoadmapStepId};
use rapport_store::SkillRecord;

/// A roadmap as its author sends it.
#[derive(Clone, Debug, Default)]
pub struct RoadmapInput {
    /// Title, 3 to 120 characters.
    pub title: String,
    /// Markdown summary.
    pub summary: String,
    /// Level code.
    pub level: String,
    /// Steps, in order.
    pub steps: Vec<StepInput>,
    /// The version the author believes they edit; a published one is refused.
    pub version: Option<i32>,
}

/// One step as sent.
#[derive(Clone, Debug, Default)]
pub struct StepInput {
    /// The step's id, to keep it (and followers' marks) across versions;
    /// empty for a new step.
    pub id: String,
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Resources.
    pub resources: Vec<ResourceInput>,
    /// Skills, by catalogue id or name.
    pub skills: Vec<String>,
    /// Level code.
    pub level: String,
    /// Reflection prompt.
    pub prompt: String,
    /// Expected effort in hours.
    pub effort_hours: i64,
}

/// One resource as sent.
#[derive(Clone, Debug, Default)]
pub struct ResourceInput {
    /// `article`, `video`, `book` or `exercise`.
    pub kind: String,
    /// What it is called.
    pub title: String,
    /// Where it is (http/https); optional for books and exercises.
    pub url: String,
}

fn length(
    errors: &mut Vec<Invalid>,
    field: &'static str,
    what: &str,
    text: &str,
    min: usize,
    max: usize,
) {
    let n = text.chars().count();
    if n < min || n > max {
        errors.push(Invalid::new(
            field,
            format!("{what} must be {min} to {max} characters"),
        ));
    }
}

fn markdown_ok(errors: &mut Vec<Invalid>, field: &'static str, what: &str, text: &str) {
    if let Err(AppError::Invalid(e)) = markdown::check(field, text) {
        for e in e {
            errors.push(Invalid::new(
                field,
                format!("{what}: {}", rapport_domain::invalid::phrase(&e.message)),
            ));
        }
    }
}

/// Parses `input` against the skill catalogue. `known` are the step ids of
/// the roadmap's versions: a step may keep one of those, never invent one.
pub(crate) fn parse(
    input: &RoadmapInput,
    catalogue: &[SkillRecord],
    known: &[RoadmapStepId],
) -> AppResult<RoadmapContent> {
    let mut errors = vec![];
    let title = input.title.trim().to_string();
    length(&mut errors, "title", "the title", &title, 3, 120);
    let summary = input.summary.trim().to_string();
    markdown_ok(&mut errors, "summary", "the summary", &summary);
    let level = LeadershipLevel::parse("level", &input.level)
        .map_err(|e| errors.push(e))
        .ok();
    if input.steps.len() > MAX_STEPS {
        errors.push(Invalid::new(
            "steps",
            format!("a roadmap has at most {MAX_STEPS} steps; split it in two"),
        ));
    }
    let mut steps: Vec<Step> = vec![];
    for (i, s) in input.steps.iter().enumerate() {
        if let Some(step) = parse_step(i + 1, s, catalogue, known, &steps, &mut errors) {
            steps.push(step);
        }
    }
    match level {
        Some(level) if errors.is_empty() => Ok(RoadmapContent {
            title,
            summary,
            level,
            steps,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

fn parse_step(
    n: usize,
    s: &StepInput,
    catalogue: &[SkillRecord],
    known: &[RoadmapStepId],
    earlier: &[Step],
    errors: &mut Vec<Invalid>,
) -> Option<Step> {
    let before = errors.len();
    let mut bad =
        |message: String| errors.push(Invalid::new("steps", format!("step {n}: {message}")));
    let id = match s.id.trim() {
        "" => RoadmapStepId::new(),
        raw => match raw.parse::<RoadmapStepId>() {
            Ok(id) if known.contains(&id) && !earlier.iter().any(|e| e.id == id) => id,
            _ => {
                bad("its id is not a step of this roadmap; leave it empty for a new step".into());
                RoadmapStepId::new()
            }
        },
    };
    let title = s.title.trim().to_string();
    if !(1..=120).contains(&title.chars().count()) {
        bad("the title must be 1 to 120 characters".into());
    }
    let level = LeadershipLevel::parse("steps", &s.level)
        .map_err(|e| bad(e.message))
        .ok();
    let prompt = s.prompt.trim().to_string();
    if prompt.chars().count() > 500 {
        bad("the reflection prompt must be at most 500 characters".into());
    }
    if !(0..=i64::from(MAX_EFFORT_HOURS)).contains(&s.effort_hours) {
        bad(format!("effort must be 0 to {MAX_EFFORT_HOURS} hours"));
    }
    if s.resources.len() > MAX_RESOURCES {
        bad(format!("a step lists at most {MAX_RESOURCES} resources"));
    }
    let mut resources = vec![];
    for (j, r) in s.resources.iter().enumerate() {
        let kind = ResourceKind::parse(&r.kind)
            .map_err(|e| {
                bad(format!(
                    "resource {}: kind {}",
                    j + 1,
                    rapport_domain::invalid::phrase(&e.message)
                ))
            })
            .ok();
        let rtitle = r.title.trim().to_string();
        if !(1..=200).contains(&rtitle.chars().count()) {
            bad(format!(
                "resource {}: the title must be 1 to 200 characters",
                j + 1
            ));
        }
        let url = match rapport_domain::sessions::check_link(&r.url) {
            Ok(u) => u,
            Err(_) => {
                bad(format!(
                    "resource {}: the link must start with https:// or http://",
                    j + 1
                ));
                None
            }
        };
        if url.is_none() && matches!(kind, Some(ResourceKind::Article | ResourceKind::Video)) {
            bad(format!(
                "resource {}: an article or video needs its link",
                j + 1
            ));
        }
        if let Some(kind) = kind {
            resources.push(Resource {
                kind,
                title: rtitle,
                url,
            });
        }
    }
    let mut skills = vec![];
    for name in s.skills.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        match super::find_skill(catalogue, name) {
            Some(id) if !skills.contains(&id) => skills.push(id),
            Some(_) => {}
            None => bad(format!("the skill {name:?} is not in the catalogue")),
        }
    }
    let body = s.body.trim().to_string();
    markdown_ok(errors, "steps", &format!("step {n}: the text"), &body);
    if errors.len() > before {
        return None;
    }
    Some(Step {
        id,
        title,
        body,
        resources,
        skills,
        level: level?,
        prompt,
        effort_hours: u32::try_from(s.effort_hours).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(title: &str) -> StepInput {
        StepInput {
            title: title.into(),
            level: "team_leader".into(),
            effort_hours: 3,
            ..Default::default()
        }
    }

    #[test]
    fn every_bad_field_is_named_and_steps_keep_known_ids_only() {
        let known = RoadmapStepId::new();
        let bad = RoadmapInput {
            title: "x".into(),
            level: "cto".into(),
            steps: vec![
                StepInput {
                    id: RoadmapStepId::new().to_string(),
                    resources: vec![ResourceInput {
                        kind: "podcast".into(),
                        title: "t".into(),
                        url: "ftp://x".into(),
                    }],
                    skills: vec!["Juggling".into()],
                    effort_hours: 999,
                    ..step("")
                },
                StepInput {
                    body: "<script>alert(1)</script>".into(),
                    ..step("ok")
                },
            ],
            ..Default::default()
        };
        let Err(AppError::Invalid(e)) = parse(&bad, &[], &[known]) else {
            panic!("accepted");
        };
        let fields: std::collections::BTreeSet<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["level", "steps", "title"].into_iter().collect());
        let text = e
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("\n");
        for want in [
            "Step 1: its id",
            "Step 1: the title",
            "kind must be one of",
            "catalogue",
            "effort",
            "Step 2: the text",
        ] {
            assert!(text.contains(want), "{want} missing from {text}");
        }
        let good = RoadmapInput {
            title: "Good roadmap".into(),
            level: "team_leader".into(),
            steps: vec![StepInput {
                id: known.to_string(),
                ..step("First")
            }],
            ..Default::default()
        };
        let c = parse(&good, &[], &[known]).unwrap();
        assert_eq!(c.steps[0].id, known);
    }
}
