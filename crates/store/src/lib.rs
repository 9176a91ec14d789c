//! `rapport-store`: one storage API over SQLite (the embedded default) and
//! PostgreSQL (for larger deployments).
//!
//! SQL is written once wherever the dialects agree (`$1` placeholders,
//! `RETURNING`, `ON CONFLICT`); the few real differences (id column types in the
//! migrations, job claiming) are written per dialect. Every operation runs in a
//! [`Tx`]: [`Store::write`] starts a write transaction (`BEGIN IMMEDIATE` on
//! SQLite, so read-then-write use cases never hit a busy snapshot), and
//! [`Store::read`] a read: a read transaction on SQLite, and on PostgreSQL a
//! connection of a read pool that refuses writes, each statement on its own
//! (no `BEGIN`: see [`PgConn`]).

mod agreements;
mod calendar;
mod closure;
mod decode;
mod error;
mod goals;
mod health;
mod inbox;
mod jobs;
mod mentoring;
mod messages;
mod notes;
pub mod page;
mod people;
mod programmes;
mod pulse;
mod rematches;
// Roadmaps (H6).
mod roadmaps;
mod room_life;
mod rounds;
mod sessions;
mod signin;
mod site;
// Safe actions (issue 18 §5, H4): closings, for reopening.
mod closings;
// Growth Threads (H7): the threads and the shared full-text index.
pub mod fulltext;
mod threads;
// Reflection and the needs check (issue 19, H8).
mod reflection;
// Issue 17 performance (H1): multi-row writes for the health scan.
mod bulk;
mod params;
// Issue 20 (H7): the hot reads' query plans, for the plan test.
#[cfg(feature = "testing")]
pub mod plans;
// Issue 19 remainder (H2): one paged search over threads, posts and roadmaps.
mod search;
// Issue 20: requests paged with their names in one query
mod request_list;
pub use request_list::RequestListRow;
// Issue 20 (H5): the coverage dashboard counted by the database.
pub mod coverage;
// Issues 18 and 20: participants paged and filtered.
mod enrolment_list;
pub use enrolment_list::{EnrolmentFilter, EnrolmentOrder};

pub use agreements::{AgreementRecord, ConfirmationRecord};
pub use calendar::{ReminderDue, ReminderKind};
pub use closure::{ActivationRecord, ClosureRecord, GainedSkill, OutcomeRecord};
pub use error::StoreError;
pub use goals::{CommentRecord, GoalRecord, GoalSnapshotRecord, MilestoneRecord};
pub use health::{HealthFacts, HealthRecord};
pub use inbox::{DraftRound, NotificationRecord, ProgrammeCount, SessionWaiting};
pub use jobs::{Attachment, ClaimedJob, NewEmail, OutboxMessage};
pub use mentoring::{
    ActivityKind, EnrolmentRecord, EnrolmentView, MemberRecord, NewRoom, RequestRecord,
    RoomActivity, RoomRecord, Seat,
};
pub use messages::{MessageRecord, ViewerCounts};
pub use notes::{NoteRecord, NoteScope};
pub use people::{DirectoryQuery, DirectoryResult, NewPerson, PersonRecord};
pub use programmes::{ProgrammeName, ProgrammeRecord, ProgrammesOf};
pub use pulse::PulseRecord;
pub use rematches::RematchLink;
// Roadmaps (H6).
pub use roadmaps::{FollowRecord, MarkRecord, RoadmapFilter, RoadmapRecord, RoadmapVersionRecord};
pub use room_life::{RoomEventRecord, RoomListFilter, RoomListRow, SessionSummary};
pub use rounds::{PairRule, ReportRecord, RoundRecord};
pub use sessions::{
    ActionItemRecord, FeedbackRecord, RescheduleRecord, SessionNotesRecord, SessionRecord,
};
pub use signin::{ApiTokenRecord, LoginSessionRecord, SessionOwner, SignedIn};
pub use site::{AuditFilter, AuditRecord, SkillRecord};
pub use threads::{PostFilter, PostRecord, ThreadCommentRecord, ThreadRecord, ThreadReportRecord};
// Issue 19 remainder (H2).
pub use search::SearchHit;
// Reflection and the needs check (issue 19, H8).
pub use reflection::{
    NeedsCheckRecord, PromptRecord, ReflectionRecord, RoomPromptRecord, ScheduleRecord,
};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database dialect in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    /// Three pools on PostgreSQL: `write` for transactions and maintenance,
    /// `read` for [`Store::read`], whose connections refuse to write
    /// (`default_transaction_read_only`) and run each statement on its own,
    /// without `BEGIN` ([`PgConn::Plain`]), and `generic` for
    /// [`Store::read_generic_plans`]: read connections that also plan each
    /// prepared statement once (`plan_cache_mode = force_generic_plan`).
    Postgres {
        write: PgPool,
        read: PgPool,
        generic: PgPool,
    },
}

/// A handle on the database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
}

enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(PgConn),
}

/// What a PostgreSQL [`Tx`] runs on: a transaction, or for a plain read a
/// pooled connection of the read pool, each statement its own transaction.
/// Under READ COMMITTED (PostgreSQL's default, which the store's reads are
/// written for) a transaction gives a read nothing: each statement sees
/// what was committed when it started either way. Its `BEGIN` was a round
/// trip of its own, a seventh of the start page's (issue 20).
enum PgConn {
    Tx(Transaction<'static, Postgres>),
    Plain(sqlx::pool::PoolConnection<Postgres>),
}

impl std::ops::Deref for PgConn {
    type Target = sqlx::PgConnection;
    fn deref(&self) -> &sqlx::PgConnection {
        match self {
            PgConn::Tx(t) => t,
            PgConn::Plain(c) => c,
        }
    }
}

impl std::ops::DerefMut for PgConn {
    fn deref_mut(&mut self) -> &mut sqlx::PgConnection {
        match self {
            PgConn::Tx(t) => t,
            PgConn::Plain(c) => c,
        }
    }
}

/// One database transaction. Dropping it without [`Tx::commit`] rolls back.
pub struct Tx {
    inner: TxInner,
}

/// Runs `$body` with `$c` bound to the transaction's connection, once per
/// dialect. The body is the same SQL for both: only types differ.
macro_rules! on_conn {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut $tx.inner {
            $crate::TxInner::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::TxInner::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_conn;

/// Connections each pool opens at most unless configured: 8 on SQLite; on
/// PostgreSQL twice this machine's cores and two, from 4 to 16.
///
/// PostgreSQL serves each connection with a process of its own, and
/// sizes pools by the database server's cores (about twice as many
/// connections as cores, its wiki advises): more connections busy at once
/// than it has cores only take turns on them, each statement waiting its
/// turn again and again. Rapport cannot see the server's cores, so it
/// counts its own machine's, which is the server's in the one-host
/// deployment; with a bigger database server, set `database_connections`.
/// On 2 cores, with `wrk` at 16 connections on 10,000 people, 16
/// connections a pool gave directory searches a p99 of 8.9–11.4 ms and 6
/// gave 6.6–7.5 ms at the same rate (issue 20); it was 16 everywhere.
pub fn default_connections(url: &str) -> u32 {
    if url.starts_with("sqlite:") {
        return 8;
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (2 * cores + 2).clamp(4, 16) as u32
}

impl Store {
    /// Connects to `url` (`sqlite://path`, `sqlite::memory:`, or `postgres://…`),
    /// creating a SQLite file if missing. Does not migrate; call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, None).await
    }

    /// [`Store::connect`] with at most `max_connections` open connections
    /// per pool (default [`default_connections`]): several instances on one
    /// PostgreSQL server share its connection limit.
    pub async fn connect_with(url: &str, max_connections: Option<u32>) -> Result<Self> {
        let max_connections = max_connections.unwrap_or_else(|| default_connections(url));
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = || {
                PgPoolOptions::new()
                    .max_connections(max_connections)
                    // sqlx pings every idle connection it hands out, a
                    // round trip to the server before each transaction's
                    // BEGIN (and pings it again on release). A connection the
                    // server has dropped (a restart, an idle timeout) instead
                    // fails its BEGIN, which has done nothing yet, and
                    // `Store::begin` tries another (issue 20).
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(10))
            };
            let (write, chosen) = match plain_on_this_machine(url, &opts) {
                // A server that refuses plain connections even here
                // (`hostssl` in pg_hba.conf) gets what the URL asked for.
                Some(plain) => match pool().connect_with(plain.clone()).await {
                    Ok(p) => (p, plain),
                    Err(e) => {
                        tracing::info!(error = %e, "a plain connection to PostgreSQL on this machine failed; trying TLS");
                        (pool().connect_with(opts.clone()).await?, opts)
                    }
                },
                None => (pool().connect_with(opts.clone()).await?, opts),
            };
            // Reads: connections that refuse to write, so a use case that
            // wrote through `Store::read` (each statement committing on its
            // own, there) fails instead. Without a `BEGIN` to find a
            // connection the server closed (a restart), one idle for over a
            // second is pinged before it is handed out; under load none is.
            let reads = || {
                pool().before_acquire(|c, meta| {
                    Box::pin(async move {
                        if meta.idle_for > READ_PING_AFTER {
                            use sqlx::Connection;
                            c.ping().await?;
                        }
                        Ok(true)
                    })
                })
            };
            let read_only = chosen.options([("default_transaction_read_only", "on")]);
            let read = reads().connect_lazy_with(read_only.clone());
            // Reads whose plans do not rest on their values: a setting of
            // the connection, where it was a `SET LOCAL` in a transaction
            // of its own (a `BEGIN` and a `COMMIT`, two round trips of a
            // search's five; issue 20).
            let generic = reads()
                .connect_lazy_with(read_only.options([("plan_cache_mode", "force_generic_plan")]));
            Pool::Postgres {
                write,
                read,
                generic,
            }
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    // A SQLite connection is a file handle in this process:
                    // there is no server to hang up. sqlx would otherwise
                    // ping each one on acquire, a round trip to the
                    // connection's worker thread for every transaction (and
                    // sqlx still pings it on release, which flushes any
                    // rollback). Issue 17: a room tab is two transactions.
                    .test_before_acquire(false)
                    // A SQLite connection plans with the statistics it read
                    // when it opened: ANALYZE elsewhere (an import from the
                    // command line, the worker on another connection) does
                    // not reach it. A server started on a new, empty database
                    // kept planning for empty tables after 100,000 people were
                    // imported beside it: "maria" at 1,120 requests a second
                    // with p99 115 ms, against 3,330 and 7.7 ms once restarted
                    // (issue 20). Connections are replaced every two minutes.
                    .max_lifetime(Duration::from_secs(120))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?,
            )
        } else {
            return Err(StoreError::Config(format!(
                "database URL must start with sqlite: or postgres://, got {:?}",
                url.split(':').next().unwrap_or_default()
            )));
        };
        Ok(Self { pool })
    }

    /// The dialect of this store.
    pub fn dialect(&self) -> Dialect {
        match self.pool {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres { .. } => Dialect::Postgres,
        }
    }

    /// Applies pending migrations for this dialect, then refreshes the
    /// planner's statistics when any migration ran (a new index has none).
    pub async fn migrate(&self) -> Result<()> {
        let applied = || async {
            let mut tx = self.read().await?;
            on_conn!(tx, c => {
                // No table yet on a new database: nothing applied.
                let n: Option<i64> = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(c).await.ok();
                Ok::<i64, StoreError>(n.unwrap_or(0))
            })
        };
        let before = applied().await?;
        match &self.pool {
            Pool::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Pool::Postgres { write, .. } => {
                sqlx::migrate!("./migrations/postgres").run(write).await?
            }
        }
        if applied().await? != before {
            self.refresh_statistics().await?;
        }
        Ok(())
    }

    /// Merges SQLite's full-text index into one segment (FTS5's
    /// `optimize`), after a bulk import; nothing on PostgreSQL. An import
    /// writes the index a batch at a time, and the segments it leaves made a
    /// rare word's lookup 12 times slower at 100,000 people (0.29 against
    /// 0.024 ms); merging them took 0.45 s.
    pub async fn compact_fulltext(&self) -> Result<()> {
        if let Pool::Sqlite(p) = &self.pool {
            let mut tx = p.begin().await?;
            sqlx::query("INSERT INTO fulltext (fulltext) VALUES ('optimize')")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Refreshes the query planner's statistics (issue 20): after migrations,
    /// after bulk imports and once a day. Without them PostgreSQL guesses,
    /// and on a fresh database picks the wrong index for the enrolment
    /// lookup. PostgreSQL: `ANALYZE` of this schema's tables (the system
    /// catalogs are left to autovacuum). SQLite: `PRAGMA optimize`, which
    /// analyses only the tables whose statistics are missing or stale, with
    /// `analysis_limit` bounding the rows it reads per index.
    pub async fn refresh_statistics(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => {
                let mut c = p.acquire().await?;
                sqlx::query("PRAGMA analysis_limit = 1000")
                    .execute(&mut *c)
                    .await?;
                // 0x10002: consider every table, not only those this
                // connection has queried.
                sqlx::query("PRAGMA optimize = 0x10002")
                    .execute(&mut *c)
                    .await?;
            }
            Pool::Postgres { write: p, .. } => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()",
                )
                .fetch_all(p)
                .await?;
                if !tables.is_empty() {
                    let sql = format!("ANALYZE {}", tables.join(", "));
                    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await?;
                }
            }
        }
        Ok(())
    }

    /// Refreshes the statistics of the tables that changed enough since
    /// their last refresh, and returns their names where the database tells
    /// (PostgreSQL). Cheap when nothing changed, so the worker runs it every
    /// minute: a table that grew from nothing to 100,000 rows within the
    /// day was otherwise planned as empty until the daily refresh (posts read
    /// by the key of every document, 1 s a search), and PostgreSQL's own
    /// autovacuum may be off. PostgreSQL: `ANALYZE` of this schema's tables
    /// whose rows changed since their last analysis by more than autovacuum's
    /// default threshold (50 rows plus a tenth of the table); and when
    /// autovacuum is off, `VACUUM (ANALYZE)` of those whose dead rows passed
    /// its vacuum threshold (50 plus a fifth), or the daily rewrite of every
    /// room's health would bloat its table day after day (the health scan
    /// took 1.7, 2.4, then 3.6 s on three days). SQLite: `PRAGMA optimize`,
    /// which makes the same judgement itself (SQLite reuses free pages).
    pub async fn refresh_stale_statistics(&self) -> Result<Vec<String>> {
        match &self.pool {
            Pool::Sqlite(_) => {
                self.refresh_statistics().await?;
                Ok(vec![])
            }
            Pool::Postgres { write: p, .. } => {
                // (name, vacuum it): autovacuum's default thresholds. sqlx's
                // own table is left out: nothing plans against it, and its
                // writes (an insert and an update a migration) may reach the
                // statistics after the migrations' ANALYZE, so it looked
                // stale at a random later check.
                let rows: Vec<(String, bool)> = sqlx::query_as(
                    "SELECT name, vacuum FROM (SELECT quote_ident(relname) AS name, \
                       n_mod_since_analyze > 50 + 0.1 * GREATEST(n_live_tup, 0) AS stale, \
                       current_setting('autovacuum') = 'off' AND n_dead_tup > 50 + 0.2 * GREATEST(n_live_tup, 0) AS vacuum \
                     FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname <> '_sqlx_migrations') AS t \
                     WHERE stale OR vacuum ORDER BY name",
                )
                .fetch_all(p)
                .await?;
                let (vacuum, analyze): (Vec<_>, Vec<_>) = rows.iter().partition(|(_, v)| *v);
                let names = |list: &[&(String, bool)]| {
                    list.iter()
                        .map(|(t, _)| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                if !vacuum.is_empty() {
                    let sql = format!("VACUUM (ANALYZE) {}", names(&vacuum));
                    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await?;
                }
                if !analyze.is_empty() {
                    let sql = format!("ANALYZE {}", names(&analyze));
                    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await?;
                }
                Ok(rows.into_iter().map(|(t, _)| t).collect())
            }
        }
    }

    /// Starts a write transaction. On SQLite this takes the write lock up front
    /// (`BEGIN IMMEDIATE`), waiting up to the busy timeout; a timeout becomes
    /// [`StoreError::Busy`].
    pub async fn write(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres { write, .. } => TxInner::Postgres(PgConn::Tx(pg_begin(write).await?)),
        };
        Ok(Tx { inner })
    }

    /// Starts a read: on SQLite a read transaction (a consistent snapshot);
    /// on PostgreSQL a connection of the read pool, each statement on its
    /// own ([`PgConn`]), and any write refused.
    pub async fn read(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin().await?),
            Pool::Postgres { read, .. } => TxInner::Postgres(PgConn::Plain(read.acquire().await?)),
        };
        Ok(Tx { inner })
    }

    /// [`Store::read`], for reads whose plans do not depend on their
    /// parameters' values: PostgreSQL plans each statement once per
    /// connection (`plan_cache_mode = force_generic_plan`, a setting of the
    /// connections of a pool of their own, so that these reads need no
    /// transaction either). By default PostgreSQL plans
    /// a prepared statement again on every run while its generic plan looks
    /// dearer than the plans it made for the values seen, and for the
    /// directory's walk and counts (whose costs rest on a `LIKE` pattern's
    /// guessed selectivity) that was always: planning was a third of a
    /// search's time on the server (issue 20). The plan test explains these
    /// statements' generic plans. SQLite plans a prepared statement once
    /// anyway: the same as [`Store::read`].
    pub async fn read_generic_plans(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin().await?),
            Pool::Postgres { generic, .. } => {
                TxInner::Postgres(PgConn::Plain(generic.acquire().await?))
            }
        };
        Ok(Tx { inner })
    }

    /// Connections in use and idle, for metrics.
    pub fn pool_stats(&self) -> (u32, usize) {
        match &self.pool {
            Pool::Sqlite(p) => (p.size(), p.num_idle()),
            Pool::Postgres {
                write,
                read,
                generic,
            } => (
                write.size() + read.size() + generic.size(),
                write.num_idle() + read.num_idle() + generic.num_idle(),
            ),
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        let mut tx = self.read().await?;
        on_conn!(tx, c => sqlx::query("SELECT 1").execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Copies a SQLite database to `dest` with SQLite's online backup
    /// (`VACUUM INTO`), safe while the server runs. Refused on PostgreSQL.
    pub async fn backup_to(&self, dest: &str) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query("VACUUM INTO $1").bind(dest).execute(p).await?;
                Ok(())
            }
            Pool::Postgres { .. } => Err(StoreError::Config(
                "backup and restore use SQLite's online backup; on PostgreSQL use pg_dump and pg_restore (see docs/operations.md)".into(),
            )),
        }
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres {
                write,
                read,
                generic,
            } => {
                generic.close().await;
                read.close().await;
                write.close().await;
            }
        }
    }
}

/// How long a connection of PostgreSQL's read pools may sit idle before it
/// is pinged on its way out: a read has no `BEGIN` to find it closed.
const READ_PING_AFTER: Duration = Duration::from_secs(1);

/// A PostgreSQL transaction on a pooled connection. The pool does not ping
/// a connection before handing it out (`test_before_acquire(false)`), so
/// one the server has closed since its last use (every idle one, after the
/// server restarts) fails here, at a `BEGIN` that has done nothing, and is
/// discarded by the pool (its release ping fails). Another is tried, at most
/// once per connection the pool may hold, then a new one is opened.
async fn pg_begin(p: &sqlx::PgPool) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut tries = p.options().get_max_connections() + 1;
    loop {
        match p.begin().await {
            Err(e) if tries > 1 && connection_lost(&e) => {
                tracing::info!(error = %e, "a pooled PostgreSQL connection was closed; trying another");
                tries -= 1;
            }
            other => return Ok(other?),
        }
    }
}

/// The options without TLS, when `url` names a PostgreSQL server on this
/// machine (a loopback address or `localhost`) and neither the URL's
/// `sslmode` nor `PGSSLMODE` asks for anything. sqlx, like libpq, otherwise
/// "prefers" TLS, and a local server with a certificate (Debian's default)
/// encrypts every round trip: a tenth of the CPU of an API read at 10,000
/// people (issue 20), and nothing to protect from on the loopback
/// interface. A URL that says `sslmode=` keeps it.
fn plain_on_this_machine(url: &str, opts: &PgConnectOptions) -> Option<PgConnectOptions> {
    let asked = url
        .split_once('?')
        .is_some_and(|(_, q)| q.split('&').any(|kv| kv.starts_with("sslmode=")))
        || std::env::var_os("PGSSLMODE").is_some();
    let host = opts
        .get_host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let local = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    (!asked && local && opts.get_socket().is_none())
        .then(|| opts.clone().ssl_mode(PgSslMode::Disable))
}

/// Whether `e` says the connection itself is gone: an I/O error, a
/// protocol error from a half-read stream, or the server's "connection
/// exception" (08) and "operator intervention" (57P, e.g. a shutdown or
/// `pg_terminate_backend`) codes.
fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

/// SQLite's page cache for one connection while it writes in bulk, in KiB
/// (a negative `cache_size`): room for the indexes an import writes into at
/// random places (people by email, enrolments by person, the full-text
/// index), about 150 MB at 100,000 people.
const BULK_CACHE_KIB: i64 = 256 * 1024;
/// SQLite's own default page cache, in KiB, which every connection has
/// outside bulk writes.
const DEFAULT_CACHE_KIB: i64 = 2_000;

impl Tx {
    /// Raises (`true`) or restores (`false`) this connection's page cache
    /// for a bulk write; nothing on PostgreSQL, whose cache is the server's.
    /// With SQLite's default 2 MB, an import of 100,000 people re-read and
    /// spilled index pages for every row: 328 s, where 60 are asked (issue
    /// 20). Pages are allocated only as they are used, and restoring the
    /// default frees those over it; restore before the transaction ends,
    /// or the connection keeps the larger limit in the pool.
    pub async fn bulk_cache(&mut self, on: bool) -> Result<()> {
        let kib = if on {
            BULK_CACHE_KIB
        } else {
            DEFAULT_CACHE_KIB
        };
        if let TxInner::Sqlite(t) = &mut self.inner {
            sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = -{kib}")))
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    /// Commits the transaction.
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(PgConn::Tx(t)) => t.commit().await?,
            // Each statement committed (or, on the read pool, could not write).
            TxInner::Postgres(PgConn::Plain(_)) => {}
        }
        Ok(())
    }

    /// The dialect of this transaction.
    pub fn dialect(&self) -> Dialect {
        match self.inner {
            TxInner::Sqlite(_) => Dialect::Sqlite,
            TxInner::Postgres(_) => Dialect::Postgres,
        }
    }
}

/// Lower-cases and escapes `term` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_pattern(term: &str) -> String {
    let mut out = String::from("%");
    for ch in term.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// Fresh, migrated databases for tests in this and other crates, and reads
/// that only a test harness needs. Behind the `testing` feature, so that it
/// (and `tempfile`) never ships in a release binary.
#[cfg(feature = "testing")]
impl Tx {
    /// PostgreSQL: whether this runs in a transaction block (two
    /// statements see the same `transaction_timestamp()`), whether it
    /// refuses to write (`transaction_read_only`), and whether it plans
    /// every prepared statement once (`plan_cache_mode`). SQLite: always a
    /// block that may write, and plans once.
    pub async fn transaction_state_for_tests(&mut self) -> Result<(bool, bool, bool)> {
        match &mut self.inner {
            TxInner::Sqlite(_) => Ok((true, false, true)),
            TxInner::Postgres(c) => {
                let stamp = "SELECT transaction_timestamp()::text";
                let first: String = sqlx::query_scalar(stamp).fetch_one(&mut **c).await?;
                tokio::time::sleep(Duration::from_millis(2)).await;
                let second: String = sqlx::query_scalar(stamp).fetch_one(&mut **c).await?;
                let read_only: String =
                    sqlx::query_scalar("SELECT current_setting('transaction_read_only')")
                        .fetch_one(&mut **c)
                        .await?;
                let plans: String = sqlx::query_scalar("SELECT current_setting('plan_cache_mode')")
                    .fetch_one(&mut **c)
                    .await?;
                Ok((
                    first == second,
                    read_only == "on",
                    plans == "force_generic_plan",
                ))
            }
        }
    }
}

#[cfg(feature = "testing")]
pub mod testing {
    use super::{OutboxMessage, Result, Store, StoreError};
    use sqlx::Row;

    /// A job that is not done: waiting, or given up.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct UnfinishedJob {
        /// Kind, like `send_email`.
        pub kind: String,
        /// JSON payload.
        pub payload: String,
        /// When it may run next (ms).
        pub run_at: i64,
        /// The last failure, if any.
        pub last_error: Option<String>,
        /// Whether the worker gave up on it.
        pub failed: bool,
    }

    /// Every outbox message, oldest first: a harness compares it with the
    /// emails its test expected.
    pub async fn all_outbox(store: &Store) -> Result<Vec<OutboxMessage>> {
        let mut tx = store.read().await?;
        on_conn!(tx, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {} FROM outbox ORDER BY created_at, id", crate::jobs::OUTBOX_COLUMNS))).fetch_all(c).await?;
            rows.iter()
                .map(crate::jobs::decode_outbox)
                .collect()
        })
    }

    /// Jobs not done (waiting or given up), oldest first.
    pub async fn unfinished_jobs(store: &Store) -> Result<Vec<UnfinishedJob>> {
        let mut tx = store.read().await?;
        on_conn!(tx, c => {
            let rows = sqlx::query("SELECT kind, payload, run_at, last_error, failed_at FROM jobs WHERE done_at IS NULL ORDER BY created_at, id").fetch_all(c).await?;
            rows.iter()
                .map(|r| {
                    let failed_at: Option<i64> = r.try_get("failed_at")?;
                    Ok(UnfinishedJob {
                        kind: r.try_get("kind")?,
                        payload: r.try_get("payload")?,
                        run_at: r.try_get("run_at")?,
                        last_error: r.try_get("last_error")?,
                        failed: failed_at.is_some(),
                    })
                })
                .collect()
        })
    }

    /// The databases a test suite should run on: always a temporary SQLite
    /// file, plus PostgreSQL when `RAPPORT_TEST_DATABASE_URL` is set. Under
    /// `CI=true` a missing Postgres URL is an error, never a silent skip.
    pub fn test_database_kinds() -> Vec<&'static str> {
        let mut kinds = vec!["sqlite"];
        if std::env::var("RAPPORT_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
            kinds.push("postgres");
        } else if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but RAPPORT_TEST_DATABASE_URL is not set: the Postgres half of the suite would be skipped");
        }
        kinds
    }

    /// A fresh migrated store of `kind` ("sqlite" or "postgres"). SQLite gets a
    /// file in a new temporary directory (returned, to keep it alive); Postgres
    /// gets a new database created next to `RAPPORT_TEST_DATABASE_URL`.
    pub async fn fresh_store(kind: &str) -> Result<(Store, Option<tempfile::TempDir>)> {
        match kind {
            "sqlite" => {
                let dir = tempfile::tempdir().map_err(|e| StoreError::Config(e.to_string()))?;
                let url = format!("sqlite://{}", dir.path().join("rapport.db").display());
                let store = Store::connect(&url).await?;
                store.migrate().await?;
                Ok((store, Some(dir)))
            }
            "postgres" => {
                let base = std::env::var("RAPPORT_TEST_DATABASE_URL").map_err(|_| {
                    StoreError::Config("RAPPORT_TEST_DATABASE_URL is not set".into())
                })?;
                let name = format!("rapport_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Store::connect(&base).await?;
                if let super::Pool::Postgres { write: p, .. } = &admin.pool {
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                        .execute(p)
                        .await?;
                }
                admin.close().await;
                let (head, _) = base.rsplit_once('/').unwrap_or((&base, ""));
                let store = Store::connect(&format!("{head}/{name}")).await?;
                store.migrate().await?;
                Ok((store, None))
            }
            other => Err(StoreError::Config(format!(
                "unknown test database kind {other}"
            ))),
        }
    }

    /// Like [`fresh_store`], but returns the migrated database's URL, for
    /// tests that run the `rapport` binary against it. The store is closed.
    pub async fn fresh_database_url(kind: &str) -> Result<(String, Option<tempfile::TempDir>)> {
        match kind {
            "sqlite" => {
                let dir = tempfile::tempdir().map_err(|e| StoreError::Config(e.to_string()))?;
                let url = format!("sqlite://{}", dir.path().join("rapport.db").display());
                let store = Store::connect(&url).await?;
                store.migrate().await?;
                store.close().await;
                Ok((url, Some(dir)))
            }
            "postgres" => {
                let base = std::env::var("RAPPORT_TEST_DATABASE_URL").map_err(|_| {
                    StoreError::Config("RAPPORT_TEST_DATABASE_URL is not set".into())
                })?;
                let name = format!("rapport_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Store::connect(&base).await?;
                if let super::Pool::Postgres { write: p, .. } = &admin.pool {
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                        .execute(p)
                        .await?;
                }
                admin.close().await;
                let (head, _) = base.rsplit_once('/').unwrap_or((&base, ""));
                let url = format!("{head}/{name}");
                let store = Store::connect(&url).await?;
                store.migrate().await?;
                store.close().await;
                Ok((url, None))
            }
            other => Err(StoreError::Config(format!(
                "unknown test database kind {other}"
            ))),
        }
    }
}

#[cfg(test)]
mod default_connections_tests {
    use super::default_connections;

    #[test]
    fn sqlite_keeps_eight_and_postgres_follows_the_cores_within_bounds() {
        assert_eq!(default_connections("sqlite://rapport.db"), 8);
        assert_eq!(default_connections("sqlite::memory:"), 8);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
        for url in ["postgres://db/rapport", "postgresql://db/rapport"] {
            let n = default_connections(url);
            assert!((4..=16).contains(&n), "{n}");
            assert_eq!(n, (2 * cores + 2).clamp(4, 16), "{cores} cores");
        }
    }
}
