//! `rapport bench`: hidden from `--help`. Seeds the room benchmarks' data and
//! times the daily health scan; `bench/rooms` drives it (see
//! docs/performance.md, "Rooms").

use crate::config::DbArgs;
use anyhow::Context;
use rapport_app::bench::RoomSize;
use rapport_app::{App, Clock, ManualClock, SystemClock};
use std::sync::Arc;
use std::time::Instant;

const DAY_MS: i64 = 86_400_000;

/// The benchmark subcommands.
#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Seed an empty database: ROOMS open rooms, one of them (the measured
    /// room) filled through the use cases. Prints shell assignments
    /// (ROOM, COOKIE, TOKEN, MANAGER_COOKIE, PROGRAMME).
    Seed {
        /// Open rooms in the programme, the measured one included.
        #[arg(long, default_value_t = 10_000)]
        rooms: usize,
        /// Sessions in the measured room.
        #[arg(long, default_value_t = 50)]
        sessions: usize,
        /// Messages in the measured room.
        #[arg(long, default_value_t = 200)]
        messages: usize,
        /// Notes in the measured room.
        #[arg(long, default_value_t = 30)]
        notes: usize,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Time the daily health scan (`sweep_health`): the first scan of the
    /// seeded rooms, then RUNS daily re-scans, each a day later.
    Health {
        /// Daily re-scans after the first.
        #[arg(long, default_value_t = 5)]
        runs: u32,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Runs a bench subcommand.
pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Seed {
            rooms,
            sessions,
            messages,
            notes,
            db,
        } => {
            let (store, settings) = db.open().await?;
            let started = Instant::now();
            let now = SystemClock.now_ms();
            let size = RoomSize {
                sessions,
                messages,
                notes,
            };
            let seed = rapport_app::bench::seed(&store, settings.app_config(), rooms, size, now)
                .await
                .context("cannot seed the bench data")?;
            eprintln!(
                "seeded {} rooms ({sessions} sessions, {messages} messages, {notes} notes in the measured one) in {:.1} s",
                seed.rooms,
                started.elapsed().as_secs_f64()
            );
            println!("ROOM={}", seed.room);
            println!("PROGRAMME={}", seed.programme);
            println!("COOKIE={}", seed.mentee_cookie);
            println!("MANAGER_COOKIE={}", seed.manager_cookie);
            println!("TOKEN={}", seed.mentee_token);
            store.close().await;
            Ok(())
        }
        BenchCommand::Health { runs, db } => {
            let (store, settings) = db.open().await?;
            let first = App::new(store.clone(), Arc::new(SystemClock), settings.app_config())
                .await
                .context("cannot start the application")?;
            let t = Instant::now();
            let n = first.sweep_health().await?;
            println!(
                "first scan: {n} rooms in {:.3} s",
                t.elapsed().as_secs_f64()
            );
            let clock = Arc::new(ManualClock::new(first.now()));
            let app = App::new(store.clone(), clock.clone(), settings.app_config())
                .await
                .context("cannot start the application")?;
            for day in 1..=runs {
                clock.advance(DAY_MS + 1);
                // The day's statistics checks by the worker (every minute),
                // untimed: without them PostgreSQL with autovacuum off keeps
                // the rows each scan rewrote, and plans from stale counts.
                let tables = app.refresh_stale_statistics().await;
                if !tables.is_empty() {
                    println!(
                        "(the worker's checks that day refreshed: {})",
                        tables.join(", ")
                    );
                }
                let t = Instant::now();
                let n = app.sweep_health().await?;
                println!(
                    "daily scan {day}: {n} rooms in {:.3} s",
                    t.elapsed().as_secs_f64()
                );
            }
            // The scans queued nudges and alerts, and the rooms seeded in
            // bulk are due the worker's other sweeps on today's clock (the
            // activation prompts of thousands of rooms with no first
            // contact). Run those sweeps and deliver everything now, untimed,
            // as the worker would have: a server started on this database to
            // be measured must not spend the measurement catching up (its
            // writes also empty every SQLite connection's page cache).
            let t = Instant::now();
            first.run_sweeps().await;
            let mut delivered = 0;
            loop {
                let n = app.run_due_jobs().await?;
                if n == 0 {
                    break;
                }
                delivered += n;
            }
            println!(
                "then ran the worker's other sweeps and delivered the {delivered} jobs queued in {:.1} s (not part of the scan)",
                t.elapsed().as_secs_f64()
            );
            store.close().await;
            Ok(())
        }
    }
}
