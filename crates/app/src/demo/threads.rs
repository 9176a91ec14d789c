//! Demo Growth Threads (issue 19): believable learning-in-public journals
//! by the demo's mentor, mentee and peer, written through the use cases
//! (threads, posts, a comment, reactions, a follow), after the rooms and
//! roadmaps (a post links the roadmap step it is about).

use super::DemoRooms;
use crate::threads::{PostInput, ThreadInput};
use crate::{App, AppError, AppResult};
use rapport_domain::policy::Actor;
use uuid::Uuid;

/// One demo thread: who writes it, its title and visibility, and its posts
/// as `(kind, Markdown)`, oldest first.
struct DemoThread {
    author: &'static str,
    title: &'static str,
    visibility: &'static str,
    posts: &'static [(&'static str, &'static str)],
}

const THREADS: &[DemoThread] = &[
    DemoThread {
        author: "mentee",
        title: "Learning to delegate",
        visibility: "my_rooms",
        posts: &[
            ("challenge", "I still rewrite my team's release notes at 11 pm. Nobody asked me to; I just don't trust the first draft. This week I want to find out what I'm actually afraid of."),
            ("question", "When you hand something over, how do you agree what *done* looks like without writing the whole thing yourself? A checklist feels like micromanaging."),
            ("breakthrough", "Tried the **\"outcome, constraints, check-in\"** framing from our last session. Priya owned the release notes end to end and they were better than mine: she added the migration warning I always forget."),
        ],
    },
    DemoThread {
        author: "mentor",
        title: "Becoming a better listener",
        visibility: "members",
        posts: &[
            ("update", "Twelve years of leading teams and I still catch myself planning my answer while someone is talking. Starting a month of *only questions* in my first ten minutes of every one-to-one."),
            ("challenge", "Silence is harder than I thought. Counting to five before I speak feels like forever, but twice this week the other person filled it with the thing that mattered."),
        ],
    },
    DemoThread {
        author: "peer",
        title: "Giving feedback that lands",
        visibility: "members",
        posts: &[
            ("question", "How do you give critical feedback to a peer who is also your friend? I softened it so much last time that the point got lost."),
            ("update", "Wrote down the *one* behaviour and its effect before the conversation, and stopped there. Shorter was kinder."),
        ],
    },
];

/// The post that links the roadmap step it is about: the mentee's
/// breakthrough on delegating, and the step of the roadmap they follow.
const LINKED_POST: (&str, &str) = ("Learning to delegate", "breakthrough");
const LINKED_STEP: &str = "Hand over a piece of your own work";

/// The id of the step [`LINKED_STEP`] in the version of a roadmap the
/// person follows, if they follow one that has it.
async fn followed_step(app: &App, person: &Actor, title: &str) -> AppResult<Option<Uuid>> {
    let mut tx = app.store.read().await?;
    for f in tx.roadmap_follows_by(person.person_id).await? {
        if let Some(v) = tx.roadmap_version(f.roadmap_id, f.version).await? {
            if let Some(s) = v.content.steps.iter().find(|s| s.title == title) {
                return Ok(Some(s.id.0));
            }
        }
    }
    Ok(None)
}

async fn actor_by_email(app: &App, email: &str) -> AppResult<Actor> {
    let mut tx = app.store.read().await?;
    let person = tx
        .person_by_email(email)
        .await?
        .ok_or_else(|| AppError::internal_msg(format!("the demo has no {email}")))?;
    drop(tx);
    app.actor(person.id).await
}

/// Writes the demo threads; returns how many posts it made.
pub async fn seed_threads(app: &App, rooms: &DemoRooms) -> AppResult<usize> {
    let mentor = actor_by_email(app, &rooms.mentor_email).await?;
    let mentee = actor_by_email(app, &rooms.mentee_email).await?;
    let peer = actor_by_email(app, &rooms.peer_email).await?;
    let who = |name: &str| match name {
        "mentor" => &mentor,
        "mentee" => &mentee,
        _ => &peer,
    };
    let step = followed_step(app, &mentee, LINKED_STEP).await?;
    let mut posts = 0;
    // Each thread's first post, in the order of THREADS.
    let mut firsts = vec![];
    for t in THREADS {
        let author = who(t.author);
        let input = ThreadInput {
            title: t.title.into(),
            visibility: t.visibility.into(),
            programme: None,
        };
        let thread = app.create_thread(author, &input).await?;
        for (i, (kind, body)) in t.posts.iter().enumerate() {
            let linked = step.filter(|_| (t.title, *kind) == LINKED_POST);
            let input = PostInput {
                kind: (*kind).into(),
                body: (*body).into(),
                link_kind: linked.map(|_| "roadmap_step".into()),
                link_id: linked,
            };
            let p = app.create_post(author, thread.record.id, &input).await?;
            if i == 0 {
                firsts.push(p.record.id);
            }
            posts += 1;
        }
    }
    // The mentor (in the mentee's room, so a reader of "my rooms") answers
    // the mentee's first post and cheers it on; the peer reacts to the
    // mentor's thread, which every member reads, and follows them.
    app.add_comment(
        &mentor,
        firsts[0],
        "Write the outcome and the one constraint that matters, then ask them to tell it back to you. If they can, you're done.",
        None,
    )
    .await?;
    app.react(&mentor, firsts[0], "cheering_you_on").await?;
    app.react(&peer, firsts[1], "helpful").await?;
    app.follow(&peer, mentor.person_id).await?;
    Ok(posts)
}
