//! The hot reads of issue 20 as SQL the plan test can `EXPLAIN` (the
//! `testing` feature only). The directory, the person and the token lookup
//! use the very SQL the store runs; the room and request lists mirror
//! `rooms_where_all` and `requests_where` in `mentoring.rs` (keep them in
//! step). [`full_scans`] reads a plan and names every big table it walks
//! from end to end.

use crate::page::{Cursor, Direction, Start};
use crate::people::{
    bind_all, DirectoryQuery, DirectorySql, Stmt, FIRST_WALK, PERSON_COLUMNS, WALK,
};
use crate::{on_conn, Dialect, Result, Store};
use rapport_domain::PersonId;
use uuid::Uuid;

/// A value to bind: the directory's own `Bind`.
pub use crate::people::Bind as Arg;

/// One hot query with its values.
#[derive(Clone, Debug)]
pub struct HotQuery {
    /// What the test calls it.
    pub name: String,
    /// The SQL.
    pub sql: String,
    /// Its values, in placeholder order.
    pub args: Vec<Arg>,
    /// Whether it runs with a generic plan on PostgreSQL (a directory read
    /// from the list's start: `Store::read_generic_plans`), whose plan the
    /// test reads too ([`explain_generic`]).
    pub generic: bool,
}

/// The directory's statements for `text`, as `me` (a member, not an admin)
/// reads them: the walks from the top and from a cursor, the page and the count from the full-text index, and the
/// directory's size.
pub fn directory(dialect: Dialect, name: &str, text: &str, me: PersonId) -> Vec<HotQuery> {
    let q = DirectoryQuery {
        text: text.into(),
        include_private: false,
        include_self: Some(me),
        limit: 24,
        offset: 0,
        cursor: None,
    };
    let sql = DirectorySql::new(dialect, &q);
    // The second page's cursor, near the top of the plan test's 10,000
    // people (made at 0 to 9,999): where walks from a cursor are read.
    let cursor = Start::Cursor(Cursor {
        created_at: 9_970,
        id: Uuid::nil(),
        direction: Direction::Older,
    });
    let hot = |what: &str, s: Stmt| HotQuery {
        name: format!("{name} ({what})"),
        sql: s.sql,
        args: s.binds,
        generic: false,
    };
    // From the list's start: generic plans on PostgreSQL (a cursor's range
    // is as wide as its values say, which a generic plan cannot know).
    let top = |what: &str, s: Stmt| HotQuery {
        generic: true,
        ..hot(what, s)
    };
    let from_top = Start::Offset(0);
    let mut out = vec![
        top("first walk", sql.walk(from_top, FIRST_WALK, 25)),
        top("longer walk", sql.walk(from_top, WALK, 25)),
        hot("walk on from a cursor", sql.walk(cursor, WALK, 25)),
        hot(
            "people walked past a cursor (SQLite)",
            sql.span(cursor, (9_900, Uuid::nil())),
        ),
        top("size", sql.size()),
    ];
    if let Some(page) = sql.index_page(from_top, 25) {
        out.push(top("page from the index", page));
    }
    if let Some(page) = sql.index_page(cursor, 25) {
        out.push(hot("page from the index after a cursor", page));
    }
    out
}

/// A person by id ([`crate::Tx::person`]).
pub fn person_by_id(id: PersonId) -> HotQuery {
    HotQuery {
        name: "person by id".into(),
        sql: format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = $1"),
        args: vec![Arg::Id(id.0)],
        generic: false,
    }
}

/// The API token lookup, with its person ([`crate::Tx::api_token_person`]).
pub fn token_lookup(hash: &str) -> HotQuery {
    HotQuery {
        name: "token lookup".into(),
        sql: crate::signin::TOKEN_PERSON.clone(),
        args: vec![Arg::Text(hash.into())],
        generic: false,
    }
}

/// My rooms ([`crate::Tx::rooms_of`], mirrored).
pub fn my_rooms(person: PersonId) -> HotQuery {
    HotQuery {
        name: "my rooms".into(),
        sql: "SELECT r.id, r.programme_id, r.status, r.created_at, m.person_id, m.role, m.state, p.name, p.email FROM rooms r JOIN room_members m ON m.room_id = r.id JOIN people p ON p.id = m.person_id WHERE r.id IN (SELECT room_id FROM room_members WHERE person_id = $1) ORDER BY r.created_at DESC, r.id, CASE m.role WHEN 'mentor' THEN 0 WHEN 'facilitator' THEN 1 ELSE 2 END, m.created_at, p.name".into(),
        args: vec![Arg::Id(person.0)],
        generic: false,
    }
}

/// My requests ([`crate::Tx::requests_of`], mirrored).
pub fn my_requests(person: PersonId) -> HotQuery {
    HotQuery {
        name: "my requests".into(),
        sql: "SELECT id, programme_id, mentee_id, mentor_id, status, created_at FROM requests WHERE (mentee_id = $1 OR mentor_id = $1) ORDER BY created_at DESC, id".into(),
        args: vec![Arg::Id(person.0)],
        generic: false,
    }
}

/// One enrolment by programme, person and role ([`crate::Tx::enrolment`]).
pub fn enrolment(programme: Uuid, person: PersonId, role: &str) -> HotQuery {
    HotQuery {
        name: "enrolment lookup".into(),
        sql: "SELECT e.id, e.status, e.capacity FROM enrolments e WHERE e.programme_id = $1 AND e.person_id = $2 AND e.role = $3".into(),
        args: vec![Arg::Id(programme), Arg::Id(person.0), Arg::Text(role.into())],
        generic: false,
    }
}

/// Runs `sql` as it is (bulk seeding in tests).
pub async fn execute(store: &Store, sql: &str) -> Result<u64> {
    let mut tx = store.write().await?;
    let n = on_conn!(tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(c).await?.rows_affected());
    tx.commit().await?;
    Ok(n)
}

/// The planner's idea of how many rows `table` holds, from its statistics:
/// SQLite's `sqlite_stat1` (the first number of any of its indexes' rows),
/// PostgreSQL's `pg_class.reltuples`. `None` before any statistics.
pub async fn row_estimate(store: &Store, table: &str) -> Result<Option<i64>> {
    let mut tx = store.read().await?;
    on_conn!(tx, c => {
        match store.dialect() {
            Dialect::Sqlite => {
                let stat: Option<String> = sqlx::query_scalar("SELECT stat FROM sqlite_stat1 WHERE tbl = $1 ORDER BY idx LIMIT 1")
                    .bind(table).fetch_optional(c).await?;
                Ok(stat.and_then(|s| s.split(' ').next().and_then(|n| n.parse().ok())))
            }
            Dialect::Postgres => {
                let n: Option<f32> = sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)")
                    .bind(table).fetch_optional(c).await?;
                Ok(n.filter(|n| *n >= 0.0).map(|n| n as i64))
            }
        }
    })
}

/// What PostgreSQL's statistics collector has counted of `table` so far
/// (it reports a little after each transaction): rows changed since its
/// last analysis, and dead rows. SQLite keeps no such counts (`None`).
pub async fn table_activity(store: &Store, table: &str) -> Result<Option<(i64, i64)>> {
    if store.dialect() == Dialect::Sqlite {
        return Ok(None);
    }
    let mut tx = store.read().await?;
    on_conn!(tx, c => {
        let n: Option<(i64, i64)> = sqlx::query_as("SELECT n_mod_since_analyze, n_dead_tup FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = $1")
            .bind(table).fetch_optional(c).await?;
        Ok(n)
    })
}

/// PostgreSQL's `autovacuum` setting is on (always false on SQLite).
pub async fn autovacuum_on(store: &Store) -> Result<bool> {
    if store.dialect() == Dialect::Sqlite {
        return Ok(false);
    }
    let mut tx = store.read().await?;
    on_conn!(tx, c => {
        let v: String = sqlx::query_scalar("SELECT current_setting('autovacuum')").fetch_one(c).await?;
        Ok(v == "on")
    })
}

/// The plan of `q` with default planner settings, one line a step:
/// `EXPLAIN QUERY PLAN`'s details on SQLite, `EXPLAIN`'s lines on
/// PostgreSQL.
pub async fn explain(store: &Store, q: &HotQuery) -> Result<Vec<String>> {
    let mut tx = store.read().await?;
    let prefix = match store.dialect() {
        Dialect::Sqlite => "EXPLAIN QUERY PLAN ",
        Dialect::Postgres => "EXPLAIN ",
    };
    let sql = format!("{prefix}{}", q.sql);
    on_conn!(tx, c => {
        use sqlx::Row;
        let query = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &q.args);
        let rows = query.fetch_all(c).await?;
        rows.iter()
            .map(|r| Ok(match store.dialect() {
                Dialect::Sqlite => r.try_get::<String, _>("detail")?,
                Dialect::Postgres => r.try_get::<String, _>(0)?,
            }))
            .collect()
    })
}

/// PostgreSQL: the generic plan of `q`, made without its values, as a read
/// of [`Store::read_generic_plans`] runs it (the directory's reads):
/// `PREPARE`, then `EXPLAIN EXECUTE` on that read's connection, whose
/// `plan_cache_mode` is `force_generic_plan`. The values are written in as
/// literals, which a generic plan does not look at. `None` on SQLite, which
/// has no other plan than [`explain`]'s.
pub async fn explain_generic(store: &Store, q: &HotQuery) -> Result<Option<Vec<String>>> {
    if store.dialect() != Dialect::Postgres {
        return Ok(None);
    }
    let literal = |a: &Arg| match a {
        Arg::Text(t) => format!("'{}'", t.replace('\'', "''")),
        Arg::Id(id) => format!("'{id}'"),
        Arg::Int(n) => n.to_string(),
    };
    let values: Vec<String> = q.args.iter().map(literal).collect();
    let execute = if values.is_empty() {
        "EXPLAIN EXECUTE rapport_hot".to_string()
    } else {
        format!("EXPLAIN EXECUTE rapport_hot({})", values.join(", "))
    };
    let mut tx = store.read_generic_plans().await?;
    let plan = on_conn!(tx, c => {
        use sqlx::Row;
        sqlx::query(sqlx::AssertSqlSafe(format!("PREPARE rapport_hot AS {}", q.sql))).execute(&mut *c).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(execute)).fetch_all(&mut *c).await;
        // A prepared statement is the connection's: gone before the
        // connection goes back to the pool.
        sqlx::query("DEALLOCATE rapport_hot").execute(&mut *c).await?;
        rows?.iter().map(|r| Ok(r.try_get::<String, _>(0)?)).collect::<Result<Vec<_>>>()
    })?;
    Ok(Some(plan))
}

/// The big tables in `plan` that it reads whole: `SCAN t` without an index
/// on SQLite (a virtual table's scan goes through its own index),
/// `Seq Scan on t` on PostgreSQL. A PostgreSQL scan that feeds a `Limit`
/// directly (the capped count's "up to 1,001 matches") stops at the limit
/// and is not counted.
pub fn full_scans(plan: &[String], big: &[&str]) -> Vec<String> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let node = |l: &str| l.trim().trim_start_matches("->").trim().to_string();
    plan.iter()
        .enumerate()
        .filter_map(|(i, raw)| {
            let line = node(raw);
            let table = if let Some(rest) = line.strip_prefix("SCAN ") {
                if rest.contains(" USING ") || rest.contains("VIRTUAL TABLE") {
                    return None;
                }
                rest.split_whitespace().next()?
            } else if let Some(rest) = line.strip_prefix("Seq Scan on ") {
                let parent = plan[..i].iter().rev().find(|p| indent(p) < indent(raw));
                if parent.is_some_and(|p| node(p).starts_with("Limit")) {
                    return None;
                }
                rest.split_whitespace().next()?
            } else {
                return None;
            };
            big.contains(&table).then(|| line.clone())
        })
        .collect()
}
