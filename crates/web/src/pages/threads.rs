//! Growth Threads pages: my threads (and starting one), a thread with its
//! posts, comments and reactions, the new post form, the feed, and the
//! moderation queue with hide/restore behind the confirmation pattern.
//! Every page works without JavaScript: plain forms, POST, then redirect.

use super::confirm::Confirm;
use super::programmes::{parse_id, Params};
use super::{render, Ctx, Field};
use crate::auth::PageActor;
use crate::routes::Routes;
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rapport_app::lists::ListQuery;
use rapport_app::thread_moderation::ReportedItem;
use rapport_app::threads::{FeedInput, PostInput, PostView, ThreadInput, ThreadView};
use rapport_app::AppError;
use rapport_domain::threads::{Moderated, PostKind, ThreadVisibility};
use rapport_domain::{PostId, ThreadCommentId, ThreadId};

/// `(code, label)` for a select.
fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|&v| (code(v).to_string(), label(v).to_string()))
        .collect()
}

fn visibilities() -> Vec<(String, String)> {
    options(
        ThreadVisibility::ALL,
        ThreadVisibility::code,
        ThreadVisibility::label,
    )
}

fn kinds() -> Vec<(String, String)> {
    options(PostKind::ALL, PostKind::code, PostKind::label)
}

/// The programmes the viewer belongs to, for "share with a programme".
async fn my_programmes(s: &AppState, who: &PageActor) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), "(not shared with a programme)".to_string())];
    for (id, _) in &who.actor.roles {
        if let Ok(Some((slug, name))) = s.app.programme_slug_and_name(*id).await {
            if !out.iter().any(|(s, _)| *s == slug) {
                out.push((slug, name));
            }
        }
    }
    out
}

fn field(name: &'static str, label: &'static str, kind: &'static str, value: &str) -> Field {
    Field::new(name, label, kind).value(value.to_string())
}

fn with_options(mut f: Field, options: Vec<(String, String)>) -> Field {
    f.options = options;
    f
}

/// Puts each field error of `e` next to its field; returns what is left.
fn place_errors(fields: &mut [Field], e: Option<AppError>) -> Option<String> {
    match e? {
        AppError::Invalid(errs) => {
            let mut loose = vec![];
            for err in errs {
                match fields.iter_mut().find(|f| f.name == err.field) {
                    Some(f) => f.error = Some(err.message.clone()),
                    None => loose.push(err.message.clone()),
                }
            }
            (!loose.is_empty()).then(|| loose.join(" "))
        }
        other => Some(other.to_string()),
    }
}

#[derive(Template)]
#[template(path = "threads.html")]
struct ThreadsPage {
    ctx: Ctx,
    title: String,
    threads: Vec<ThreadView>,
    next: Option<String>,
    fields: Vec<Field>,
    error: Option<String>,
}

async fn threads_page(
    s: &AppState,
    who: &PageActor,
    q: &Params,
    form: &Params,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let list = ListQuery {
        page: None,
        cursor: q.get("cursor").cloned().filter(|c| !c.is_empty()),
        limit: None,
    };
    let page = s
        .app
        .threads(&who.actor, Some(who.actor.person_id), &list)
        .await?;
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let mut fields = vec![
        field("title", "Title", "text", get("title")),
        with_options(
            field(
                "visibility",
                "Who may read it",
                "select",
                if get("visibility").is_empty() {
                    "only_me"
                } else {
                    get("visibility")
                },
            ),
            visibilities(),
        ),
        with_options(
            field(
                "programme",
                "Programme (for \"A programme\")",
                "select",
                get("programme"),
            ),
            my_programmes(s, who).await,
        ),
    ];
    fields[1].hint = "Only me; my rooms (the people in your open rooms, now); a programme you belong to; or every signed-in member.".into();
    let status = super::status_for(error.as_ref());
    let error = place_errors(&mut fields, error);
    Ok((
        status,
        render(&ThreadsPage {
            ctx: Ctx::new(Some(who), q.get("done").map(String::as_str)),
            title: "My growth threads".into(),
            threads: page.items,
            next: page.next.map(|c| c.encode()),
            fields,
            error,
        }),
    )
        .into_response())
}

async fn my_threads(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    threads_page(&s, &who, &q, &Params::new(), None).await
}

fn thread_input(f: &Params) -> ThreadInput {
    ThreadInput {
        title: f.get("title").cloned().unwrap_or_default(),
        visibility: f.get("visibility").cloned().unwrap_or_default(),
        programme: f.get("programme").cloned().filter(|p| !p.is_empty()),
    }
}

async fn start_thread(
    State(s): State<AppState>,
    who: PageActor,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    match s.app.create_thread(&who.actor, &thread_input(&f)).await {
        Ok(t) => Ok(
            Redirect::to(&format!("/threads/{}?done=thread_started", t.record.id)).into_response(),
        ),
        Err(e @ AppError::Invalid(_)) => threads_page(&s, &who, &Params::new(), &f, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    ctx: Ctx,
    title: String,
    t: ThreadView,
    posts: Vec<PostView>,
    next: Option<String>,
    settings: Vec<Field>,
    error: Option<String>,
    /// Whether the viewer follows the thread's author (none on their own
    /// thread).
    following: Option<bool>,
}

async fn thread_page(
    s: &AppState,
    who: &PageActor,
    id: ThreadId,
    q: &Params,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let t = s.app.thread(&who.actor, id).await?;
    let list = ListQuery {
        page: None,
        cursor: q.get("cursor").cloned().filter(|c| !c.is_empty()),
        limit: Some(20),
    };
    let page = s.app.thread_posts(&who.actor, id, &list).await?;
    let slug = match t.record.programme_id {
        Some(p) => s
            .app
            .programme_slug_and_name(p)
            .await?
            .map(|(slug, _)| slug)
            .unwrap_or_default(),
        None => String::new(),
    };
    let mut settings = if t.mine {
        vec![
            field("title", "Title", "text", &t.record.title),
            with_options(
                field(
                    "visibility",
                    "Who may read it",
                    "select",
                    t.record.visibility.code(),
                ),
                visibilities(),
            ),
            with_options(
                field(
                    "programme",
                    "Programme (for \"A programme\")",
                    "select",
                    &slug,
                ),
                my_programmes(s, who).await,
            ),
        ]
    } else {
        vec![]
    };
    let following = s
        .app
        .follow_standing(&who.actor, t.record.author_id)
        .await?;
    let status = super::status_for(error.as_ref());
    let error = place_errors(&mut settings, error);
    Ok((
        status,
        render(&ThreadPage {
            following,
            ctx: Ctx::new(Some(who), q.get("done").map(String::as_str)),
            title: t.record.title.clone(),
            t,
            posts: page.items,
            next: page.next.map(|c| c.encode()),
            settings,
            error,
        }),
    )
        .into_response())
}

async fn thread(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let id: ThreadId = parse_id(&id, "thread")?;
    thread_page(&s, &who, id, &q, None).await
}

async fn thread_settings(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: ThreadId = parse_id(&id, "thread")?;
    match s.app.update_thread(&who.actor, id, &thread_input(&f)).await {
        Ok(_) => Ok(Redirect::to(&format!("/threads/{id}?done=thread_saved")).into_response()),
        Err(e @ AppError::Invalid(_)) => thread_page(&s, &who, id, &Params::new(), Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "post_form.html")]
struct PostFormPage {
    ctx: Ctx,
    title: String,
    t: ThreadView,
    fields: Vec<Field>,
    error: Option<String>,
}

async fn post_form_page(
    s: &AppState,
    who: &PageActor,
    id: ThreadId,
    f: &Params,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let t = s.app.thread(&who.actor, id).await?;
    if !t.mine {
        return Err(AppError::Forbidden("only the thread's author posts in it".into()).into());
    }
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let mut fields = vec![
        with_options(
            field(
                "kind",
                "Kind of post",
                "select",
                if get("kind").is_empty() {
                    "update"
                } else {
                    get("kind")
                },
            ),
            kinds(),
        ),
        field("body", "Post", "textarea", get("body")),
        with_options(
            field(
                "link_kind",
                "Link to (optional)",
                "select",
                get("link_kind"),
            ),
            vec![
                (String::new(), "Nothing".into()),
                ("goal".into(), "A goal".into()),
                ("session".into(), "A session".into()),
                ("roadmap_step".into(), "A roadmap step".into()),
            ],
        ),
        field(
            "link_id",
            "Address or id of the goal, session or roadmap step",
            "text",
            get("link_id"),
        ),
    ];
    fields[1].hint = "Markdown: **bold**, *italic*, lists and links. No HTML. Everyone who may read the thread reads it.".into();
    fields[3].hint = "Paste the address of the goal or session page, or of a step's \"Link to this step\" on its roadmap; only something you can see.".into();
    let status = super::status_for(error.as_ref());
    let error = place_errors(&mut fields, error);
    Ok((
        status,
        render(&PostFormPage {
            ctx: Ctx::new(Some(who), None),
            title: format!("New post · {}", t.record.title),
            t,
            fields,
            error,
        }),
    )
        .into_response())
}

async fn new_post(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: ThreadId = parse_id(&id, "thread")?;
    post_form_page(&s, &who, id, &Params::new(), None).await
}

/// The post form's link: a kind and an id, where the id may be pasted as
/// the address of the goal, session or roadmap step (`…/goals/{id}`,
/// `…/sessions/{id}`, `…/roadmap-steps/{id}`), which also says the kind
/// when none was chosen. 422 naming `link_id` when no id can be read.
fn link_field(
    kind: Option<&String>,
    raw: Option<&String>,
) -> Result<(Option<String>, Option<uuid::Uuid>), AppError> {
    let mut kind = kind.map(|k| k.trim().to_string()).filter(|k| !k.is_empty());
    let Some(raw) = raw.map(|r| r.trim()).filter(|r| !r.is_empty()) else {
        return Ok((kind, None));
    };
    if let Ok(id) = raw.parse() {
        return Ok((kind, Some(id)));
    }
    let path = raw.split(['?', '#']).next().unwrap_or_default();
    let mut segments = path.rsplit('/').filter(|p| !p.is_empty());
    let id = segments.next().and_then(|last| last.parse().ok());
    let from_address = match segments.next() {
        Some("goals") => Some("goal"),
        Some("sessions") => Some("session"),
        Some("roadmap-steps") => Some("roadmap_step"),
        _ => None,
    };
    match (id, from_address) {
        (Some(id), Some(found)) => {
            kind.get_or_insert_with(|| found.to_string());
            Ok((kind, Some(id)))
        }
        _ => Err(AppError::invalid(
            "link_id",
            "paste the id or the address of a goal, session or roadmap step you can see",
        )),
    }
}

async fn create_post(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: ThreadId = parse_id(&id, "thread")?;
    let (link_kind, link_id) = match link_field(f.get("link_kind"), f.get("link_id")) {
        Ok(link) => link,
        Err(e) => return post_form_page(&s, &who, id, &f, Some(e)).await,
    };
    let input = PostInput {
        kind: f.get("kind").cloned().unwrap_or_default(),
        body: f.get("body").cloned().unwrap_or_default(),
        link_kind,
        link_id,
    };
    match s.app.create_post(&who.actor, id, &input).await {
        Ok(p) => Ok(Redirect::to(&format!(
            "/threads/{id}?done=post_published#p-{}",
            p.record.id
        ))
        .into_response()),
        Err(e @ AppError::Invalid(_)) => post_form_page(&s, &who, id, &f, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

fn back_to_post(thread: ThreadId, post: PostId, done: &str) -> Response {
    Redirect::to(&format!("/threads/{thread}?done={done}#p-{post}")).into_response()
}

/// [`back_to_post`], finding the post's thread as the viewer sees it.
async fn back_to_post_of(
    s: &AppState,
    who: &PageActor,
    post: PostId,
    done: &str,
) -> Result<Response, PageError> {
    let thread = thread_of(s, who, post).await?;
    Ok(back_to_post(thread, post, done))
}

async fn thread_of(s: &AppState, who: &PageActor, post: PostId) -> Result<ThreadId, PageError> {
    Ok(s.app
        .own_post_view(&who.actor, post)
        .await?
        .record
        .thread_id)
}

async fn comment(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: PostId = parse_id(&id, "post")?;
    let parent = match f.get("parent_id").filter(|p| !p.is_empty()) {
        Some(p) => Some(parse_id::<ThreadCommentId>(p, "comment")?),
        None => None,
    };
    let body = f.get("body").cloned().unwrap_or_default();
    s.app.add_comment(&who.actor, id, &body, parent).await?;
    back_to_post_of(&s, &who, id, "comment_posted").await
}

async fn react(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: PostId = parse_id(&id, "post")?;
    let kind = f.get("kind").cloned().unwrap_or_default();
    // A reaction the viewer already gave carries `undo_<kind>`: pressing it again takes it back.
    if f.get(&format!("undo_{kind}")).is_some_and(|u| u == "true") {
        s.app.unreact(&who.actor, id, &kind).await?;
    } else {
        s.app.react(&who.actor, id, &kind).await?;
    }
    back_to_post_of(&s, &who, id, "reaction_saved").await
}

async fn delete_post(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: PostId = parse_id(&id, "post")?;
    let thread = s.app.delete_post(&who.actor, id).await?;
    Ok(Redirect::to(&format!("/threads/{thread}?done=post_deleted")).into_response())
}

/// The author edits a post (kind and body; the earlier body is kept as a
/// revision for moderators), from the inline form under it.
async fn edit_post(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: PostId = parse_id(&id, "post")?;
    let input = PostInput {
        kind: f.get("kind").cloned().unwrap_or_default(),
        body: f.get("body").cloned().unwrap_or_default(),
        ..PostInput::default()
    };
    let p = s.app.edit_post(&who.actor, id, &input).await?;
    Ok(back_to_post(p.record.thread_id, id, "post_saved"))
}

/// The author edits a comment (the earlier body is kept as a revision).
async fn edit_comment(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: ThreadCommentId = parse_id(&id, "comment")?;
    let body = f.get("body").cloned().unwrap_or_default();
    let c = s.app.edit_comment(&who.actor, id, &body).await?;
    let post = c.record.post_id;
    back_to_post_of(&s, &who, post, "comment_saved").await
}

/// The author deletes a comment (its replies go with it).
async fn delete_comment(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: ThreadCommentId = parse_id(&id, "comment")?;
    let post = s.app.delete_comment(&who.actor, id).await?;
    back_to_post_of(&s, &who, post, "comment_deleted").await
}

/// Deleting a post or a comment asks first: it takes others' words with it
/// (a post's comments and reactions, a comment's replies). The page works
/// without JavaScript; with it, the link opens the same question in a
/// dialog.
async fn delete_item_page(
    s: &AppState,
    who: &PageActor,
    target: Moderated,
    raw: &str,
) -> Result<Response, PageError> {
    let id: uuid::Uuid = parse_id(raw, target.code())?;
    let thread = s.app.own_thread_item(&who.actor, target, id).await?;
    let what = target.code();
    let mut c = Confirm::new(
        format!("Delete this {what}?"),
        format!("/{what}s/{id}/delete"),
        format!("/threads/{thread}"),
    );
    c.intro = format!("Deleting your {what} removes it for everyone who reads the thread.");
    c.consequences = vec![
        match target {
            Moderated::Post => {
                "Its comments and reactions, other people's too, are deleted with it.".into()
            }
            Moderated::Comment => {
                "The replies to it, other people's too, are deleted with it.".into()
            }
        },
        "This cannot be undone.".into(),
    ];
    c.submit = format!("Delete the {what}");
    c.danger = true;
    Ok(c.page(who))
}

async fn delete_post_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    delete_item_page(&s, &who, Moderated::Post, &id).await
}

async fn delete_comment_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    delete_item_page(&s, &who, Moderated::Comment, &id).await
}

fn delete_thread_confirm(t: &ThreadView) -> Confirm {
    let id = t.record.id;
    let mut c = Confirm::new(
        format!("Delete \"{}\"?", t.record.title),
        format!("/threads/{id}/delete"),
        format!("/threads/{id}"),
    );
    c.intro = "Deleting a thread deletes everything in it, for everyone.".into();
    c.consequences = vec![
        "Its posts, their comments and reactions, and the earlier versions kept of them are deleted.".into(),
        "Nobody can read it again, and it leaves the feed and search at once.".into(),
        "This cannot be undone. To stop people reading it but keep it, choose \"Only me\" under who may read it instead.".into(),
    ];
    c.submit = "Delete the thread".into();
    c.danger = true;
    c
}

/// Deleting a thread asks first (the page works without JavaScript; with
/// it, the thread page's link opens the same question in a dialog).
async fn delete_thread_page(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: ThreadId = parse_id(&id, "thread")?;
    let t = s.app.own_thread_view(&who.actor, id).await?;
    Ok(delete_thread_confirm(&t).page(&who))
}

async fn delete_thread(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: ThreadId = parse_id(&id, "thread")?;
    s.app.delete_thread(&who.actor, id).await?;
    Ok(Redirect::to("/threads?done=thread_deleted").into_response())
}

async fn report_post(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: PostId = parse_id(&id, "post")?;
    let reason = f.get("reason").cloned().unwrap_or_default();
    s.app
        .report_thread_item(&who.actor, Moderated::Post, id.0, &reason)
        .await?;
    back_to_post_of(&s, &who, id, "thread_reported").await
}

async fn report_comment(
    State(s): State<AppState>,
    who: PageActor,
    Path(id): Path<String>,
    Form(f): Form<Params>,
) -> Result<Response, PageError> {
    let id: ThreadCommentId = parse_id(&id, "comment")?;
    let reason = f.get("reason").cloned().unwrap_or_default();
    s.app
        .report_thread_item(&who.actor, Moderated::Comment, id.0, &reason)
        .await?;
    Ok(Redirect::to("/feed?done=thread_reported").into_response())
}

#[derive(Template)]
#[template(path = "feed.html")]
struct FeedPage {
    ctx: Ctx,
    title: String,
    posts: Vec<PostView>,
    next: Option<String>,
    filters: Vec<Field>,
    following: bool,
    query: String,
}

async fn feed(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let get = |k: &str| q.get(k).cloned().filter(|v| !v.is_empty());
    let input = FeedInput {
        programme: get("programme"),
        kind: get("kind"),
        following: q.get("following").is_some_and(|f| f == "true"),
    };
    let list = ListQuery {
        page: None,
        cursor: get("cursor"),
        limit: Some(20),
    };
    let page = s.app.feed(&who.actor, &input, &list).await?;
    let mut kind_options = vec![(String::new(), "Every kind".to_string())];
    kind_options.extend(kinds());
    let mut programmes = my_programmes(&s, &who).await;
    programmes[0].1 = "Every programme".into();
    let filters = vec![
        with_options(
            field(
                "programme",
                "Programme",
                "select",
                input.programme.as_deref().unwrap_or(""),
            ),
            programmes,
        ),
        with_options(
            field(
                "kind",
                "Kind",
                "select",
                input.kind.as_deref().unwrap_or(""),
            ),
            kind_options,
        ),
    ];
    let query = format!(
        "programme={}&kind={}&following={}",
        input.programme.as_deref().unwrap_or(""),
        input.kind.as_deref().unwrap_or(""),
        input.following
    );
    Ok(render(&FeedPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: "Growth feed".into(),
        posts: page.items,
        next: page.next.map(|c| c.encode()),
        filters,
        following: input.following,
        query,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct ModerationPage {
    ctx: Ctx,
    title: String,
    items: Vec<ReportedItem>,
}

async fn moderation(
    State(s): State<AppState>,
    who: PageActor,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let items = s.app.moderation_queue(&who.actor).await?;
    Ok(render(&ModerationPage {
        ctx: Ctx::new(Some(&who), q.get("done").map(String::as_str)),
        title: "Reported posts and comments".into(),
        items,
    })
    .into_response())
}

fn hide_confirm(target: Moderated, id: uuid::Uuid, restore: bool) -> Confirm {
    let what = target.code();
    let path = if restore { "restore" } else { "hide" };
    let mut c = Confirm::new(
        format!("{} this {what}?", if restore { "Restore" } else { "Hide" }),
        format!("/{what}s/{id}/{path}"),
        "/moderation",
    )
    .hidden("confirm", "true");
    if restore {
        c.intro = format!("The {what} was hidden after a report.");
        c.consequences = vec![
            format!("Everyone who may read its thread sees the {what} again."),
            "The audit log records that you restored it.".into(),
        ];
        c.submit = format!("Restore the {what}");
    } else {
        c.intro = format!("The {what} was reported. Hiding it takes it out of every thread page, the feed and search.");
        c.consequences = vec![
            format!("Everyone but its author stops seeing the {what} at once."),
            "Its author still sees it, with your reason, so write one they can act on.".into(),
            "The audit log records that you hid it, and why. You can restore it later.".into(),
        ];
        c.fields.push(Field::new(
            "reason",
            "Reason (its author sees it)",
            "textarea",
        ));
        c.submit = format!("Hide the {what}");
        c.danger = true;
    }
    c
}

async fn moderate(
    s: &AppState,
    who: &PageActor,
    target: Moderated,
    raw: &str,
    restore: bool,
    f: Option<Params>,
) -> Result<Response, PageError> {
    let id: uuid::Uuid = parse_id(raw, target.code())?;
    let Some(f) = f else {
        // The page asks only someone the action would let through.
        s.app
            .check_moderates_thread_item(&who.actor, target, id)
            .await?;
        return Ok(hide_confirm(target, id, restore).page(who));
    };
    let confirm = f.get("confirm").is_some_and(|c| c == "true");
    let reason = f.get("reason").cloned().unwrap_or_default();
    let done = if restore {
        s.app
            .restore_thread_item(&who.actor, target, id, confirm)
            .await
    } else {
        s.app
            .hide_thread_item(&who.actor, target, id, &reason, confirm)
            .await
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!(
            "/moderation?done={}",
            if restore { "restored" } else { "hidden" }
        ))
        .into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            Ok(hide_confirm(target, id, restore).with_error(who, e))
        }
        Err(e) => Err(e.into()),
    }
}

macro_rules! moderation_routes {
    ($($get:ident, $post:ident => $target:expr, $restore:expr;)*) => {
        $(
            async fn $get(State(s): State<AppState>, who: PageActor, Path(id): Path<String>) -> Result<Response, PageError> {
                moderate(&s, &who, $target, &id, $restore, None).await
            }
            async fn $post(State(s): State<AppState>, who: PageActor, Path(id): Path<String>, Form(f): Form<Params>) -> Result<Response, PageError> {
                moderate(&s, &who, $target, &id, $restore, Some(f)).await
            }
        )*
    };
}

moderation_routes! {
    hide_post_form, hide_post => Moderated::Post, false;
    restore_post_form, restore_post => Moderated::Post, true;
    hide_comment_form, hide_comment => Moderated::Comment, false;
    restore_comment_form, restore_comment => Moderated::Comment, true;
}

/// The Growth Threads pages.
pub(super) fn routes() -> Routes {
    Routes::new()
        .form("/threads", my_threads, start_thread)
        .get("/threads/{id}", thread)
        .post("/threads/{id}/settings", thread_settings)
        .form("/threads/{id}/new-post", new_post, create_post)
        .post("/posts/{id}/comments", comment)
        .post("/posts/{id}/react", react)
        .form("/posts/{id}/delete", delete_post_page, delete_post)
        .post("/posts/{id}/edit", edit_post)
        .post("/comments/{id}/edit", edit_comment)
        .form("/comments/{id}/delete", delete_comment_page, delete_comment)
        .form("/threads/{id}/delete", delete_thread_page, delete_thread)
        .post("/posts/{id}/report", report_post)
        .post("/comments/{id}/report", report_comment)
        .get("/feed", feed)
        .get("/moderation", moderation)
        .form("/posts/{id}/hide", hide_post_form, hide_post)
        .form("/posts/{id}/restore", restore_post_form, restore_post)
        .form("/comments/{id}/hide", hide_comment_form, hide_comment)
        .form(
            "/comments/{id}/restore",
            restore_comment_form,
            restore_comment,
        )
}
