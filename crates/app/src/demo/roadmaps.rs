//! The demo's roadmaps (issue 19), written for Rapport and built through the
//! use cases: three paths (contributor to team leader, team leader to leader
//! of leaders, becoming a mentor), the first with a second version, attached
//! to the demo mentor's room and to a programme, and followed by the demo
//! mentee with progress and a reflection shared with their room.

use super::rooms::DemoRooms;
use crate::roadmaps::following::ProgressInput;
use crate::roadmaps::{ResourceInput, RoadmapInput, StepInput};
use crate::{App, AppError, AppResult};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::RoadmapId;

/// (kind, title): books and exercises, which need no link.
type Resources = &'static [(&'static str, &'static str)];

/// One step: title, body, skills, level, prompt, hours, resources.
type StepText = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    i64,
    Resources,
);

const TEAM_LEADER: &[StepText] = &[
    ("Know why you want to lead",
     "Leading a team is a different job, not a promotion of the one you do now. Write down what you expect to gain and what you expect to miss (deep focus, being the expert, clear personal output). Talk it over with your mentor before you go further: people who choose the move for the right reasons stay in it.",
     &["Career development"], "professional_contributor",
     "Which part of your current work would you miss most, and why?", 2,
     &[("book", "The Making of a Manager, Julie Zhuo"), ("exercise", "List five things you would stop doing if you led the team tomorrow")]),
    ("Give feedback that lands",
     "Practise on peers before you ever do it as a manager. Describe one observable behaviour, its effect, and ask a question; leave the judgement out. Give one piece of positive and one piece of corrective feedback this week, and ask each person afterwards how it came across.",
     &["Giving feedback"], "professional_contributor",
     "What did the person do with your feedback, and what would you change next time?", 4,
     &[("book", "Radical Candor, Kim Scott"), ("exercise", "Situation-behaviour-impact: write three before you say them")]),
    ("Hand over a piece of your own work",
     "Pick a task you are known for and teach someone else to own it: the outcome, the constraints, where they may decide alone. Resist taking it back when it goes more slowly than you would. Delegating is how your team grows and how you find time to lead.",
     &["Delegation"], "professional_contributor",
     "Where did you want to step in, and what happened when you did not?", 6,
     &[("exercise", "Write a one-page handover: outcome, limits, decisions they own, when to ask")]),
    ("Run a meeting worth attending",
     "Take over a recurring meeting for a month. Send the purpose and the decisions needed a day before, start on time, end with owners and dates, and cancel it when there is nothing to decide. Ask two attendees what they would change.",
     &["Running effective meetings"], "professional_contributor",
     "Which meeting did you make shorter or cancel, and what did people say?", 4,
     &[("book", "Death by Meeting, Patrick Lencioni")]),
    ("Hold your first one-to-ones",
     "One-to-ones belong to the other person. Agree a regular slot, let them bring the agenda, and keep a private note of what you promised. Ask about their goals as well as their tasks; the second is what they will remember.",
     &["Coaching", "Career development"], "team_leader",
     "What did you learn about someone that you would never have heard in a team meeting?", 5,
     &[("book", "The Coaching Habit, Michael Bungay Stanier"), ("exercise", "Seven coaching questions: use three of them in each one-to-one")]),
    ("Work through a disagreement",
     "Find a disagreement in your team that has been left alone and bring it into the open, calmly, with the people involved. Separate the facts from the stories each side tells, agree what decision is needed and who makes it. A team that can disagree well decides faster.",
     &["Conflict resolution"], "team_leader",
     "What made it easier or harder to raise the disagreement?", 5,
     &[("book", "Crucial Conversations, Patterson, Grenny, McMillan and Switzler")]),
    ("Set goals with your team",
     "Write two or three team goals for the next quarter with the team, not for it. Each goal says what changes for whom, how you will know, and what you will stop doing to make room. Review them every month in the open.",
     &["Stakeholder management", "Performance reviews"], "team_leader",
     "Which goal did the team shape most, and how did that change your plan?", 6,
     &[("exercise", "Draft the goals alone, then with the team, and compare")]),
];

const LEADER_OF_LEADERS: &[StepText] = &[
    ("Let go of the team you led",
     "Your old team needs a new leader, and that leader needs you out of the way. Hand over your relationships, your rituals and your inbox on purpose, and tell the team who decides now. Your job becomes building leaders, not leading the work.",
     &["Managing managers", "Delegation"], "team_leader",
     "Which decision did you find hardest to stop making?", 4,
     &[("book", "The Leadership Pipeline, Charan, Drotter and Noel")]),
    ("Coach managers, not their teams",
     "Meet each manager weekly about how they lead, not about what their team delivers. When a problem reaches you, ask what they have tried and what they will do next before you say anything. Skip-level conversations are for listening, never for overruling.",
     &["Managing managers", "Coaching"], "leader_of_leaders",
     "When did you solve a problem that a manager should have solved, and what would you do now?", 6,
     &[("exercise", "For two weeks, answer every escalation with a question first")]),
    ("Design the organisation on purpose",
     "Draw how work flows between your teams today: where it waits, where it is done twice, who decides. Change one boundary or one interface with the managers involved, and say clearly what problem it solves. Structure is a tool; change it when the work changes.",
     &["Organisational design"], "leader_of_leaders",
     "Which handover between teams costs the most, and who feels it?", 8,
     &[("book", "Team Topologies, Skelton and Pais")]),
    ("Set direction when the future is unclear",
     "Write a one-page strategy for your area: where you are, where you are going in a year, the few bets you are making and what you will not do. Share it early, while it is still wrong, and let your managers improve it. Clear priorities beat a perfect plan.",
     &["Strategic planning", "Leading through ambiguity"], "leader_of_leaders",
     "What did your managers disagree with, and did you change it?", 10,
     &[("book", "Good Strategy Bad Strategy, Richard Rumelt")]),
    ("Speak to executives in their language",
     "Senior leaders read the first paragraph. Lead with the decision you need, the options and what each one costs, then the detail. Practise turning one of your team's updates into three sentences that an executive could act on.",
     &["Executive communication", "Stakeholder management"], "leader_of_leaders",
     "What did you leave out, and did anyone miss it?", 4,
     &[("exercise", "Rewrite your last status report as a one-paragraph decision request")]),
    ("Grow the next leaders",
     "Name the two people who could step into each manager's role, and talk with each manager about what those people need next. Give stretch work with support, and make sponsoring others part of how managers are judged. A leader of leaders is measured by the leaders they leave behind.",
     &["Career development", "Building inclusive teams"], "leader_of_leaders",
     "Whom have you overlooked, and why?", 6,
     &[("exercise", "Succession map: two names per role, with one next step each")]),
];

const MENTOR: &[StepText] = &[
    ("Decide what you offer",
     "Mentoring is lending your experience, not giving instructions. Write down three things you have learnt the hard way and could help someone with, and one area you would rather not mentor in. Put them on your profile so the right mentees find you.",
     &["Coaching"], "team_leader",
     "What is one lesson you learnt late and wish someone had told you?", 2,
     &[("exercise", "Write your mentor profile in five sentences")]),
    ("Agree how you will work together",
     "In the first session, agree the goal of the mentorship, how often you meet, how you reach each other between sessions and what stays confidential. Write it down as the room's agreement. Revisiting it later is normal and healthy.",
     &["Running effective meetings"], "team_leader",
     "What did your mentee want that surprised you?", 2,
     &[("book", "The Mentoring Manual, Julie Starr")]),
    ("Listen more than you speak",
     "Aim to talk for a third of the session at most. Ask open questions, summarise what you heard before you offer a view, and let silences run. Your mentee's own answer sticks; yours is forgotten by Friday.",
     &["Coaching", "Giving feedback"], "team_leader",
     "When did you hold back advice, and what did your mentee find on their own?", 4,
     &[("book", "The Coaching Habit, Michael Bungay Stanier"), ("exercise", "Record one session (with consent) and count who spoke")]),
    ("Share stories, not rules",
     "Tell your mentee about a time you got it wrong, what you tried and what you would do now, then ask how their situation differs. Stories leave room for them to choose; rules do not fit a life that is not yours.",
     &["Career development"], "team_leader",
     "Which story did your mentee take something from, and what was it?", 3,
     &[]),
    ("Give honest, kind feedback",
     "A mentor who only encourages is a cheerleader. When you see a pattern that holds your mentee back, ask permission, name it plainly and say why it matters to their goal. Follow up next session on what they tried.",
     &["Giving feedback"], "team_leader",
     "How did you ask permission before giving hard feedback, and how did it go?", 3,
     &[("book", "Thanks for the Feedback, Stone and Heen")]),
    ("Learn from your mentee",
     "Ask your mentee what they see that you do not: new tools, how newer colleagues experience the organisation, what your generation misses. Reverse mentoring is part of any good mentorship, and it keeps your own leadership current.",
     &["Building inclusive teams"], "team_leader",
     "What did your mentee teach you this month?", 2,
     &[("exercise", "Spend one session letting your mentee teach you something")]),
    ("Close the mentorship well",
     "Agree when the mentorship ends before it drifts. In the last session look back at the goal, name what changed, and say what you each take away. Keep the door open, but let the mentee go: the end is part of the gift.",
     &["Coaching", "Career development"], "team_leader",
     "What will you do differently with your next mentee?", 2,
     &[]),
];

fn input(title: &str, summary: &str, level: &str, steps: &[StepText]) -> RoadmapInput {
    RoadmapInput {
        title: title.into(),
        summary: summary.into(),
        level: level.into(),
        version: None,
        steps: steps
            .iter()
            .map(
                |(title, body, skills, level, prompt, hours, resources)| StepInput {
                    id: String::new(),
                    title: (*title).into(),
                    body: (*body).into(),
                    skills: skills.iter().map(|s| (*s).to_string()).collect(),
                    level: (*level).into(),
                    prompt: (*prompt).into(),
                    effort_hours: *hours,
                    resources: resources
                        .iter()
                        .map(|(kind, title)| ResourceInput {
                            kind: (*kind).into(),
                            title: (*title).into(),
                            url: String::new(),
                        })
                        .collect(),
                },
            )
            .collect(),
    }
}

async fn actor_of(app: &App, email: &str) -> AppResult<rapport_domain::policy::Actor> {
    let mut tx = app.store.read().await?;
    let p = tx
        .person_by_email(email)
        .await?
        .ok_or_else(|| AppError::internal_msg(format!("the demo has no {email}")))?;
    drop(tx);
    app.actor(p.id).await
}

/// Writes, publishes and follows the demo's roadmaps.
pub async fn seed_roadmaps(app: &App, rooms: &DemoRooms) -> AppResult<Vec<RoadmapId>> {
    let mentor = actor_of(app, &rooms.mentor_email).await?;
    let mentee = actor_of(app, &rooms.mentee_email).await?;
    let admin = actor_of(app, super::DEMO_ADMIN_EMAIL).await?;
    let manager_programme = mentor
        .roles
        .iter()
        .find(|(_, r)| *r == ProgrammeRole::Mentor)
        .map(|(p, _)| *p);
    let writes = [
        (&mentor, input("From Professional Contributor to Team Leader", "For strong contributors thinking about leading a team. Seven steps, from deciding whether you want the job to setting goals with your first team; each one is practice you can start before anyone gives you the title.", "professional_contributor", TEAM_LEADER)),
        (&admin, input("From Team Leader to Leader of Leaders", "For team leaders who now lead other leaders. The work moves from doing and deciding to coaching managers, shaping the organisation and growing the next leaders.", "team_leader", LEADER_OF_LEADERS)),
        (&mentor, input("Becoming a mentor", "For experienced people who are about to mentor for the first time: what to offer, how to listen, how to give honest feedback, and how to end well.", "team_leader", MENTOR)),
    ];
    let mut ids = vec![];
    for (author, body) in writes {
        let id = app.create_roadmap(author, &body).await?;
        app.publish_roadmap(author, id).await?;
        ids.push(id);
    }
    // The mentee follows the first roadmap and works through three steps,
    // sharing one reflection with their room; the mentor attaches it there.
    let room = {
        let mut tx = app.store.read().await?;
        tx.rooms_of(mentee.person_id)
            .await?
            .into_iter()
            .find(|r| {
                r.status.is_under_way() && r.members.iter().any(|m| m.person_id == mentor.person_id)
            })
            .map(|r| r.id)
    };
    let first = ids[0];
    if let Some(room) = room {
        app.attach_roadmap_to_room(&mentor, room, first).await?;
    }
    app.follow_roadmap(&mentee, first).await?;
    let v1 = app.roadmap(&mentee, first, None).await?;
    let marks = [
        ("done", "Writing down what I would miss helped: it is the quiet hours of building. I still want to try leading, but I will protect one focus morning a week.", room),
        ("done", "Used situation-behaviour-impact with a colleague about missed handovers. It went better than I feared; she asked for the same from me.", None),
        ("learning", "", None),
    ];
    for (step, (status, reflection, share)) in v1.steps.iter().zip(marks) {
        let input = ProgressInput {
            status: status.into(),
            reflection: reflection.into(),
            share_with_room: share.filter(|_| !reflection.is_empty()),
        };
        app.mark_roadmap_step(&mentee, first, step.step.id, &input)
            .await?;
    }
    // Version 2 of the first roadmap: one step sharpened, one added. The
    // mentee stays on version 1 until they move, and is told what changed.
    let mut next = input("From Professional Contributor to Team Leader", "For strong contributors thinking about leading a team. Eight steps, from deciding whether you want the job to setting goals with your first team; each one is practice you can start before anyone gives you the title.", "professional_contributor", TEAM_LEADER);
    for (step, old) in next.steps.iter_mut().zip(&v1.steps) {
        step.id = old.step.id.to_string();
    }
    next.steps[2].body.push_str(" Agree up front how and when they will tell you how it is going, so you are not tempted to check in every day.");
    next.steps.insert(
        5,
        StepInput {
            id: String::new(),
            title: "Ask for feedback on your leading".into(),
            body: "Ask three people who have watched you lead (a meeting, a handover, a one-to-one) what you should keep doing and what you should change. Thank them, change one thing, and tell them what you changed.".into(),
            skills: vec!["Giving feedback".into()],
            level: "team_leader".into(),
            prompt: "What did you hear that you did not expect?".into(),
            effort_hours: 2,
            resources: vec![],
        },
    );
    app.edit_roadmap(&mentor, first, &next).await?;
    app.publish_roadmap(&mentor, first).await?;
    // The senior roadmap is recommended in the mentor's programme.
    if let Some(p) = manager_programme {
        let slug = {
            let mut tx = app.store.read().await?;
            tx.programme(p).await?.map(|p| p.slug.to_string())
        };
        if let Some(slug) = slug {
            for id in &ids[1..] {
                app.attach_roadmap_to_programme(&admin, &slug, *id).await?;
            }
        }
    }
    Ok(ids)
}
