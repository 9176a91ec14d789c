//! Roadmaps (migration 0018): versions, followers, marks on steps, and
//! attachments to rooms and programmes. Who may read or change what is the
//! app's rule; the store reads exactly the set it is asked for.

use crate::decode::{corrupt_row, json_column};
use crate::fulltext::DocKind;
use crate::page::{bind_keyset, keyset_sql, Page, Start};
use crate::{like_pattern, on_conn, Result, StoreError, Tx};
use rapport_domain::person::LeadershipLevel;
use rapport_domain::roadmaps::{RoadmapContent, StepStatus};
use rapport_domain::{PersonId, ProgrammeId, RoadmapId, RoadmapStepId, RoomId, SkillId};
use sqlx::Row;

/// A roadmap as listed: its newest published version's title and level, and
/// how many follow and have finished it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoadmapRecord {
    /// Id.
    pub id: RoadmapId,
    /// Its author; none once their account is deleted.
    pub author_id: Option<PersonId>,
    /// The author's name, if they still have an account.
    pub author_name: Option<String>,
    /// The newest published version; 0 while only a draft exists.
    pub latest_version: i32,
    /// Title (of the newest published version, or of the first draft).
    pub title: String,
    /// Level (likewise).
    pub level: LeadershipLevel,
    /// People following it.
    pub followers: i64,
    /// Followers who marked every step of their version done or skipped.
    pub finishers: i64,
    /// Created (ms).
    pub created_at: i64,
    /// Last published or edited (ms).
    pub updated_at: i64,
}

/// One version of a roadmap: published (fixed) or the one draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoadmapVersionRecord {
    /// Its roadmap.
    pub roadmap_id: RoadmapId,
    /// 1, 2, …
    pub number: i32,
    /// What it says.
    pub content: RoadmapContent,
    /// Created (ms).
    pub created_at: i64,
    /// Last edited (ms); equal to `published_at` once published.
    pub updated_at: i64,
    /// When it was published; none for the draft.
    pub published_at: Option<i64>,
}

/// Someone following a roadmap, on one version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowRecord {
    /// The roadmap.
    pub roadmap_id: RoadmapId,
    /// The follower.
    pub person_id: PersonId,
    /// The version they are on.
    pub version: i32,
    /// Followed (ms).
    pub created_at: i64,
    /// When they finished their version, if they have.
    pub finished_at: Option<i64>,
}

/// A follower's mark on one step, kept by step id across versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkRecord {
    /// The roadmap.
    pub roadmap_id: RoadmapId,
    /// Whose.
    pub person_id: PersonId,
    /// The step (stable across versions).
    pub step_id: RoadmapStepId,
    /// Done, learning or skipped.
    pub status: StepStatus,
    /// Their reflection: private unless `shared_room_id` is set.
    pub reflection: Option<String>,
    /// The one room the reflection is shared with.
    pub shared_room_id: Option<RoomId>,
    /// First marked (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// Discovery filters over published roadmaps.
#[derive(Clone, Debug, Default)]
pub struct RoadmapFilter {
    /// Only roadmaps whose newest version builds this skill.
    pub skill: Option<SkillId>,
    /// Only roadmaps for this level.
    pub level: Option<LeadershipLevel>,
    /// Words that must all appear in the title, summary or step titles.
    pub text: String,
}

const COLUMNS: &str = "r.id, r.author_id, p.name AS author_name, r.latest_version, r.title, r.level, r.created_at, r.updated_at, \
    (SELECT COUNT(*) FROM roadmap_follows f WHERE f.roadmap_id = r.id) AS followers, \
    (SELECT COUNT(*) FROM roadmap_follows f WHERE f.roadmap_id = r.id AND f.finished_at IS NOT NULL) AS finishers";
const FROM: &str = "FROM roadmaps r LEFT JOIN people p ON p.id = r.author_id";
const VERSION_COLUMNS: &str = "roadmap_id, number, content, created_at, updated_at, published_at";
const MARK_COLUMNS: &str =
    "roadmap_id, person_id, step_id, status, reflection, shared_room_id, created_at, updated_at";

fn decode<R: Row>(r: &R) -> Result<RoadmapRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<uuid::Uuid>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = RoadmapId(r.try_get("id")?);
    let level: String = r.try_get("level")?;
    Ok(RoadmapRecord {
        id,
        author_id: r
            .try_get::<Option<uuid::Uuid>, _>("author_id")?
            .map(PersonId),
        author_name: r.try_get("author_name")?,
        latest_version: r.try_get("latest_version")?,
        title: r.try_get("title")?,
        level: LeadershipLevel::parse("level", &level)
            .map_err(|e| corrupt_row("roadmaps", id, e))?,
        followers: r.try_get("followers")?,
        finishers: r.try_get("finishers")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn decode_version<R: Row>(r: &R) -> Result<RoadmapVersionRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    decode_version_made(r, "created_at")
}

/// [`decode_version`] reading the creation time from column `made`.
fn decode_version_made<R: Row>(r: &R, made: &str) -> Result<RoadmapVersionRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let roadmap_id = RoadmapId(r.try_get("roadmap_id")?);
    let number: i32 = r.try_get("number")?;
    Ok(RoadmapVersionRecord {
        roadmap_id,
        number,
        content: json_column(
            r,
            "content",
            "roadmap_versions",
            format!("{roadmap_id} v{number}"),
        )?,
        created_at: r.try_get(made)?,
        updated_at: r.try_get("updated_at")?,
        published_at: r.try_get("published_at")?,
    })
}

fn decode_follow<R: Row>(r: &R) -> Result<FollowRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(FollowRecord {
        roadmap_id: RoadmapId(r.try_get("roadmap_id")?),
        person_id: PersonId(r.try_get("person_id")?),
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

fn decode_mark<R: Row>(r: &R) -> Result<MarkRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> uuid::Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<uuid::Uuid>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let step_id = RoadmapStepId(r.try_get("step_id")?);
    let status: String = r.try_get("status")?;
    Ok(MarkRecord {
        roadmap_id: RoadmapId(r.try_get("roadmap_id")?),
        person_id: PersonId(r.try_get("person_id")?),
        step_id,
        status: StepStatus::parse(&status).map_err(|e| corrupt_row("roadmap_marks", step_id, e))?,
        reflection: r.try_get("reflection")?,
        shared_room_id: r
            .try_get::<Option<uuid::Uuid>, _>("shared_room_id")?
            .map(RoomId),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn content_json(c: &RoadmapContent) -> Result<String> {
    serde_json::to_string(c)
        .map_err(|e| StoreError::corrupt("roadmap_versions", None, e.to_string()))
}

impl Tx {
    /// Stores a new roadmap with its first draft (version 1).
    pub async fn insert_roadmap(
        &mut self,
        id: RoadmapId,
        author: PersonId,
        draft: &RoadmapContent,
        now: i64,
    ) -> Result<()> {
        let json = content_json(draft)?;
        on_conn!(self, c => {
            sqlx::query("INSERT INTO roadmaps (id, author_id, latest_version, title, level, search_text, created_at, updated_at) VALUES ($1, $2, 0, $3, $4, '', $5, $5)")
                .bind(id.0).bind(author.0).bind(&draft.title).bind(draft.level.code()).bind(now)
                .execute(&mut *c).await?;
            sqlx::query("INSERT INTO roadmap_versions (roadmap_id, number, content, created_at, updated_at, published_at) VALUES ($1, 1, $2, $3, $3, NULL)")
                .bind(id.0).bind(json).bind(now).execute(&mut *c).await?;
        });
        // Found by its author alone until published (the search's rule).
        self.index_document(DocKind::Roadmap, id.0, &draft.search_text())
            .await
    }

    /// One roadmap, whoever may read it (the caller decides).
    pub async fn roadmap(&mut self, id: RoadmapId) -> Result<Option<RoadmapRecord>> {
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE r.id = $1");
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(decode).transpose()
        })
    }

    /// One page of published roadmaps matching `filter`, newest first.
    pub async fn roadmaps_page(
        &mut self,
        filter: &RoadmapFilter,
        start: Start,
        limit: i64,
    ) -> Result<Page<RoadmapRecord>> {
        let words: Vec<String> = filter
            .text
            .split_whitespace()
            .take(6)
            .map(like_pattern)
            .collect();
        let mut cond = String::from("r.latest_version > 0");
        let mut n = 0;
        if filter.level.is_some() {
            n += 1;
            cond.push_str(&format!(" AND r.level = ${n}"));
        }
        if filter.skill.is_some() {
            n += 1;
            cond.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM roadmap_skills s WHERE s.roadmap_id = r.id AND s.skill_id = ${n})"
            ));
        }
        for _ in &words {
            n += 1;
            cond.push_str(&format!(" AND r.search_text LIKE ${n} ESCAPE '\\'"));
        }
        let sql = format!(
            "SELECT * FROM (SELECT {COLUMNS} {FROM} WHERE {cond}) AS t {}",
            keyset_sql(start, n + 1, limit)
        );
        on_conn!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            if let Some(l) = filter.level {
                q = q.bind(l.code());
            }
            if let Some(s) = filter.skill {
                q = q.bind(s.0);
            }
            for w in &words {
                q = q.bind(w.clone());
            }
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let items = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |r| (r.created_at, r.id.0)))
        })
    }

    /// Every roadmap `author` wrote, newest first (drafts too).
    pub async fn roadmaps_by(&mut self, author: PersonId) -> Result<Vec<RoadmapRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} {FROM} WHERE r.author_id = $1 ORDER BY r.created_at DESC, r.id"
        );
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(author.0).fetch_all(c).await?;
            rows.iter().map(decode).collect()
        })
    }

    /// Every version of a roadmap, newest first (the draft too).
    pub async fn roadmap_versions(&mut self, id: RoadmapId) -> Result<Vec<RoadmapVersionRecord>> {
        let sql = format!("SELECT {VERSION_COLUMNS} FROM roadmap_versions WHERE roadmap_id = $1 ORDER BY number DESC");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).fetch_all(c).await?;
            rows.iter().map(decode_version).collect()
        })
    }

    /// The versions, of any roadmap, whose steps include `step`, newest
    /// first (a step keeps its id across versions, so they are one
    /// roadmap's unless ids were pasted between roadmaps).
    ///
    /// Steps live inside each version's content, not in a table of their
    /// own: this reads the versions whose text holds the id, then keeps those
    /// that truly list it. Roadmaps are written by hand (hundreds, not
    /// millions), and only linking a post to a step asks.
    pub async fn versions_holding_step(
        &mut self,
        step: RoadmapStepId,
    ) -> Result<Vec<RoadmapVersionRecord>> {
        let sql = format!("SELECT {VERSION_COLUMNS} FROM roadmap_versions WHERE content LIKE $1 ORDER BY roadmap_id, number DESC");
        let pattern = format!("%{}%", step.0);
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(pattern).fetch_all(c).await?;
            let mut versions = rows.iter().map(decode_version).collect::<Result<Vec<_>>>()?;
            versions.retain(|v| v.content.steps.iter().any(|s| s.id == step));
            Ok(versions)
        })
    }

    /// One version.
    pub async fn roadmap_version(
        &mut self,
        id: RoadmapId,
        number: i32,
    ) -> Result<Option<RoadmapVersionRecord>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM roadmap_versions WHERE roadmap_id = $1 AND number = $2"
        );
        on_conn!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).bind(number).fetch_optional(c).await?;
            row.as_ref().map(decode_version).transpose()
        })
    }

    /// Writes the draft `number` (inserting it when there is none). A
    /// published version is refused by the database itself
    /// (`roadmap_versions_published_immutable`).
    pub async fn put_roadmap_draft(
        &mut self,
        id: RoadmapId,
        number: i32,
        content: &RoadmapContent,
        now: i64,
    ) -> Result<()> {
        let json = content_json(content)?;
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE roadmap_versions SET content = $3, updated_at = $4 WHERE roadmap_id = $1 AND number = $2")
                .bind(id.0).bind(number).bind(&json).bind(now).execute(&mut *c).await?;
            if r.rows_affected() == 0 {
                sqlx::query("INSERT INTO roadmap_versions (roadmap_id, number, content, created_at, updated_at, published_at) VALUES ($1, $2, $3, $4, $4, NULL)")
                    .bind(id.0).bind(number).bind(&json).bind(now).execute(&mut *c).await?;
            }
            sqlx::query("UPDATE roadmaps SET updated_at = $2 WHERE id = $1").bind(id.0).bind(now).execute(&mut *c).await?;
        });
        // Only a roadmap never published is found by its draft's words; a
        // later draft stays out of the index until it is published.
        if number == 1 {
            self.index_document(DocKind::Roadmap, id.0, &content.search_text())
                .await?;
        }
        Ok(())
    }

    /// Publishes draft `number` and makes it the roadmap's listing: title,
    /// level, searchable text and skills. False when there is no such draft.
    pub async fn publish_roadmap_version(
        &mut self,
        id: RoadmapId,
        number: i32,
        content: &RoadmapContent,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("UPDATE roadmap_versions SET published_at = $3, updated_at = $3 WHERE roadmap_id = $1 AND number = $2 AND published_at IS NULL")
                .bind(id.0).bind(number).bind(now).execute(&mut *c).await?;
            if r.rows_affected() != 1 {
                return Ok(false);
            }
            sqlx::query("UPDATE roadmaps SET latest_version = $2, title = $3, level = $4, search_text = $5, updated_at = $6 WHERE id = $1")
                .bind(id.0).bind(number).bind(&content.title).bind(content.level.code())
                .bind(content.search_text()).bind(now).execute(&mut *c).await?;
            sqlx::query("DELETE FROM roadmap_skills WHERE roadmap_id = $1").bind(id.0).execute(&mut *c).await?;
            for s in content.skills() {
                // A skill removed from the catalogue meanwhile is left out.
                sqlx::query("INSERT INTO roadmap_skills (roadmap_id, skill_id) SELECT $1, id FROM skills WHERE id = $2")
                    .bind(id.0).bind(s.0).execute(&mut *c).await?;
            }
        });
        self.index_document(DocKind::Roadmap, id.0, &content.search_text())
            .await?;
        Ok(true)
    }

    /// Sets a draft-only roadmap's listing title and level (shown to its author).
    pub async fn set_roadmap_draft_title(
        &mut self,
        id: RoadmapId,
        title: &str,
        level: LeadershipLevel,
    ) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("UPDATE roadmaps SET title = $2, level = $3 WHERE id = $1 AND latest_version = 0")
                .bind(id.0).bind(title).bind(level.code()).execute(c).await?;
            Ok(())
        })
    }

    /// `person`'s follow of `roadmap`, if any.
    pub async fn roadmap_follow(
        &mut self,
        roadmap: RoadmapId,
        person: PersonId,
    ) -> Result<Option<FollowRecord>> {
        on_conn!(self, c => {
            let row = sqlx::query("SELECT roadmap_id, person_id, version, created_at, finished_at FROM roadmap_follows WHERE roadmap_id = $1 AND person_id = $2")
                .bind(roadmap.0).bind(person.0).fetch_optional(c).await?;
            row.as_ref().map(decode_follow).transpose()
        })
    }

    /// Starts following (a repeat is `Conflict roadmap_follows_pkey`).
    pub async fn insert_roadmap_follow(&mut self, f: &FollowRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO roadmap_follows (roadmap_id, person_id, version, created_at, finished_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(f.roadmap_id.0).bind(f.person_id.0).bind(f.version).bind(f.created_at).bind(f.finished_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// Stops following; their marks stay. False when they did not follow.
    pub async fn delete_roadmap_follow(
        &mut self,
        roadmap: RoadmapId,
        person: PersonId,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM roadmap_follows WHERE roadmap_id = $1 AND person_id = $2")
                .bind(roadmap.0).bind(person.0).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Sets the follower's version and finished time.
    pub async fn update_roadmap_follow(
        &mut self,
        roadmap: RoadmapId,
        person: PersonId,
        version: i32,
        finished_at: Option<i64>,
    ) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("UPDATE roadmap_follows SET version = $3, finished_at = $4 WHERE roadmap_id = $1 AND person_id = $2")
                .bind(roadmap.0).bind(person.0).bind(version).bind(finished_at).execute(c).await?;
            Ok(())
        })
    }

    /// Everyone following `roadmap`, with their version.
    pub async fn roadmap_followers(&mut self, roadmap: RoadmapId) -> Result<Vec<FollowRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT roadmap_id, person_id, version, created_at, finished_at FROM roadmap_follows WHERE roadmap_id = $1 ORDER BY created_at, person_id")
                .bind(roadmap.0).fetch_all(c).await?;
            rows.iter().map(decode_follow).collect()
        })
    }

    /// One page of the roadmaps `person` follows, newest follow first.
    pub async fn roadmap_follows_page(
        &mut self,
        person: PersonId,
        start: Start,
        limit: i64,
    ) -> Result<Page<FollowRecord>> {
        // The keyset reads `created_at` and `id`: the roadmap's id here.
        let sql = format!(
            "SELECT * FROM (SELECT roadmap_id AS id, roadmap_id, person_id, version, created_at, finished_at FROM roadmap_follows WHERE person_id = $1) AS t {}",
            keyset_sql(start, 2, limit)
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0);
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let items = rows.iter().map(decode_follow).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |f| (f.created_at, f.roadmap_id.0)))
        })
    }

    /// `person`'s marks on `roadmap`'s steps (of every version).
    pub async fn roadmap_marks(
        &mut self,
        roadmap: RoadmapId,
        person: PersonId,
    ) -> Result<Vec<MarkRecord>> {
        let sql = format!("SELECT {MARK_COLUMNS} FROM roadmap_marks WHERE roadmap_id = $1 AND person_id = $2 ORDER BY created_at, step_id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(roadmap.0).bind(person.0).fetch_all(c).await?;
            rows.iter().map(decode_mark).collect()
        })
    }

    /// Every mark `person` made on any roadmap: their data export.
    pub async fn roadmap_marks_by(&mut self, person: PersonId) -> Result<Vec<MarkRecord>> {
        let sql = format!("SELECT {MARK_COLUMNS} FROM roadmap_marks WHERE person_id = $1 ORDER BY created_at, step_id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(person.0).fetch_all(c).await?;
            rows.iter().map(decode_mark).collect()
        })
    }

    /// Records or replaces a mark (keeping when it was first made).
    pub async fn put_roadmap_mark(&mut self, m: &MarkRecord) -> Result<()> {
        on_conn!(self, c => {
            sqlx::query("INSERT INTO roadmap_marks (roadmap_id, person_id, step_id, status, reflection, shared_room_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                ON CONFLICT (roadmap_id, person_id, step_id) DO UPDATE SET status = excluded.status, reflection = excluded.reflection, shared_room_id = excluded.shared_room_id, updated_at = excluded.updated_at")
                .bind(m.roadmap_id.0).bind(m.person_id.0).bind(m.step_id.0).bind(m.status.code())
                .bind(&m.reflection).bind(m.shared_room_id.map(|r| r.0)).bind(m.updated_at)
                .execute(c).await?;
            Ok(())
        })
    }

    /// Attaches a roadmap to a room; false when it already was.
    pub async fn attach_roadmap_to_room(
        &mut self,
        room: RoomId,
        roadmap: RoadmapId,
        by: PersonId,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("INSERT INTO roadmap_rooms (room_id, roadmap_id, attached_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (room_id, roadmap_id) DO NOTHING")
                .bind(room.0).bind(roadmap.0).bind(by.0).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Detaches; false when it was not attached.
    pub async fn detach_roadmap_from_room(
        &mut self,
        room: RoomId,
        roadmap: RoadmapId,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM roadmap_rooms WHERE room_id = $1 AND roadmap_id = $2")
                .bind(room.0).bind(roadmap.0).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// The roadmaps attached to a room, oldest attachment first.
    pub async fn roadmaps_of_room(&mut self, room: RoomId) -> Result<Vec<RoadmapRecord>> {
        let sql = format!("SELECT {COLUMNS} {FROM} JOIN roadmap_rooms a ON a.roadmap_id = r.id WHERE a.room_id = $1 ORDER BY a.created_at, r.id");
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(room.0).fetch_all(c).await?;
            rows.iter().map(decode).collect()
        })
    }

    /// Attaches a roadmap to a programme; false when it already was.
    pub async fn attach_roadmap_to_programme(
        &mut self,
        programme: ProgrammeId,
        roadmap: RoadmapId,
        by: PersonId,
        now: i64,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("INSERT INTO roadmap_programmes (programme_id, roadmap_id, attached_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (programme_id, roadmap_id) DO NOTHING")
                .bind(programme.0).bind(roadmap.0).bind(by.0).bind(now).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// Detaches; false when it was not attached.
    pub async fn detach_roadmap_from_programme(
        &mut self,
        programme: ProgrammeId,
        roadmap: RoadmapId,
    ) -> Result<bool> {
        on_conn!(self, c => {
            let r = sqlx::query("DELETE FROM roadmap_programmes WHERE programme_id = $1 AND roadmap_id = $2")
                .bind(programme.0).bind(roadmap.0).execute(c).await?;
            Ok(r.rows_affected() == 1)
        })
    }

    /// The roadmaps a programme recommends, oldest attachment first.
    pub async fn roadmaps_of_programme(
        &mut self,
        programme: ProgrammeId,
    ) -> Result<Vec<RoadmapRecord>> {
        Ok(self.programme_roadmaps(programme, None).await?.0)
    }

    /// [`Tx::roadmaps_of_programme`] and, with `choices`, the newest
    /// `choices` published roadmaps (what [`Tx::roadmaps_page`] lists
    /// first without a filter), in one statement: a programme's page shows
    /// the first to everyone and offers the second to its managers (issue
    /// 20: each statement is a round trip on PostgreSQL). A roadmap may be
    /// in both.
    pub async fn programme_roadmaps(
        &mut self,
        programme: ProgrammeId,
        choices: Option<i64>,
    ) -> Result<(Vec<RoadmapRecord>, Vec<RoadmapRecord>)> {
        let recommended = format!("SELECT CAST(0 AS BIGINT) AS part, a.created_at AS sort_at, {COLUMNS} {FROM} JOIN roadmap_programmes a ON a.roadmap_id = r.id WHERE a.programme_id = $1");
        let sql = match choices {
            None => format!("{recommended} ORDER BY a.created_at, r.id"),
            Some(n) => format!(
                "SELECT * FROM ({recommended} UNION ALL SELECT * FROM (SELECT CAST(1 AS BIGINT) AS part, -r.created_at AS sort_at, {COLUMNS} {FROM} WHERE r.latest_version > 0 ORDER BY r.created_at DESC, r.id LIMIT {}) c) u ORDER BY part, sort_at, id",
                n.max(0)
            ),
        };
        on_conn!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(programme.0).fetch_all(c).await?;
            let mut out = (Vec::new(), Vec::new());
            for r in &rows {
                let part: i64 = r.try_get("part")?;
                if part == 0 { out.0.push(decode(r)?) } else { out.1.push(decode(r)?) }
            }
            Ok(out)
        })
    }

    /// Every roadmap `person` follows, with their version: their data export.
    pub async fn roadmap_follows_by(&mut self, person: PersonId) -> Result<Vec<FollowRecord>> {
        on_conn!(self, c => {
            let rows = sqlx::query("SELECT roadmap_id, person_id, version, created_at, finished_at FROM roadmap_follows WHERE person_id = $1 ORDER BY created_at, roadmap_id")
                .bind(person.0).fetch_all(c).await?;
            rows.iter().map(decode_follow).collect()
        })
    }

    /// Issue 19 (H2): one page of a roadmap's versions, newest first: the
    /// published ones, and the draft too when `with_draft`. The keyset is
    /// `(number, roadmap id)`, read through the house cursor's two fields:
    /// versions of one roadmap are ordered by number, and several can share
    /// a millisecond.
    pub async fn roadmap_versions_page(
        &mut self,
        id: RoadmapId,
        with_draft: bool,
        start: Start,
        limit: i64,
    ) -> Result<Page<RoadmapVersionRecord>> {
        let draft = if with_draft {
            ""
        } else {
            " AND published_at IS NOT NULL"
        };
        let sql = format!(
            "SELECT * FROM (SELECT number AS created_at, roadmap_id AS id, roadmap_id, number, content, created_at AS made_at, updated_at, published_at FROM roadmap_versions WHERE roadmap_id = $1{draft}) AS t {}",
            keyset_sql(start, 2, limit)
        );
        on_conn!(self, c => {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0);
            let q = bind_keyset!(q, start);
            let rows = q.fetch_all(&mut *c).await?;
            let items = rows.iter().map(|r| decode_version_made(r, "made_at")).collect::<Result<Vec<_>>>()?;
            Ok(Page::from_rows(start, items, limit, |v| (i64::from(v.number), v.roadmap_id.0)))
        })
    }
}
