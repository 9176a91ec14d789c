//! Calendars: `.ics` downloads, private feeds, invitations by email and
//! reminders, on every database kind. The files are checked by an
//! independent parser (Python `icalendar` from PyPI, installed by
//! `tests-support/setup-ical.sh`); without it the check says why and passes,
//! except under `CI=true`, where that is a failure.

#[path = "support/calendar_room.rs"]
mod calendar_room;

use calendar_room::{add_session, calendar_room, cancel, local_ms, move_session};
use rapport_app::calendar::SessionChange;
use rapport_domain::person::NotificationKind;
use rapport_store::OutboxMessage;
use rapport_web::testing::{test_database_kinds, TestApp};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

const HOUR: i64 = 3_600_000;

/// Moves the test clock forward to `ms`.
fn to(t: &TestApp, ms: i64) {
    let now = t.app.now();
    assert!(ms >= now, "the clock only moves forward");
    t.clock.advance(ms - now);
}

fn utc_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// The one property line `name` of an unfolded .ics text.
fn prop<'a>(ics: &'a str, name: &str) -> Vec<&'a str> {
    ics.split("\r\n")
        .filter_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
        .collect()
}

fn unfold(ics: &str) -> String {
    ics.replace("\r\n ", "")
}

fn attachment(m: &OutboxMessage) -> (String, String, String) {
    let a = m.attachment.clone().expect("an .ics attached");
    (a.name, a.content_type, a.text)
}

#[tokio::test]
async fn invitations_go_to_the_others_in_their_zones_with_the_ics_attached() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = calendar_room(&t, "Asia/Kolkata", "Europe/Lisbon").await;
        let starts = local_ms("Asia/Kolkata", 2026, 6, 10, 10, 0);
        let s = add_session(&t, r.room, r.ana.id, starts, 45, "Asia/Kolkata").await;

        // Scheduled by Ana: Bo is invited, in Lisbon time; Ana gets nothing.
        t.app
            .session_changed_for_tests(s.id, SessionChange::Scheduled, None)
            .await
            .unwrap();
        let m = t
            .expect_email(
                "bo@example.org",
                "Session with Ana Lima: Wed 10 Jun, 05:30 (Lisbon)",
            )
            .await;
        assert!(
            m.body
                .contains("Ana Lima scheduled a session with you in Mentoring."),
            "{}",
            m.body
        );
        assert!(
            m.body
                .contains("When: Wed 10 Jun, 05:30 (Lisbon), for 45 minutes"),
            "{}",
            m.body
        );
        assert!(
            m.body.contains("Goals for the quarter"),
            "the agenda as plain text: {}",
            m.body
        );
        assert!(!m.body.contains("**Goals**"), "{}", m.body);
        let (name, content_type, ics) = attachment(&m);
        assert_eq!(
            name, "session-2026-06-10.ics",
            "the date where it was booked"
        );
        assert_eq!(content_type, "text/calendar; method=REQUEST");
        let ics = unfold(&ics);
        assert_eq!(prop(&ics, "METHOD"), ["REQUEST"]);
        assert_eq!(prop(&ics, "UID"), [s.uid.as_str()]);
        assert_eq!(prop(&ics, "SEQUENCE"), ["0"]);
        assert_eq!(prop(&ics, "DTSTART"), ["20260610T043000Z"]);
        assert_eq!(prop(&ics, "DTEND"), ["20260610T051500Z"]);
        assert_eq!(prop(&ics, "STATUS"), ["CONFIRMED"]);
        assert_eq!(prop(&ics, "SUMMARY"), ["Mentoring: Ana Lima & Bo Chen"]);
        assert!(ics.contains("ATTENDEE;"), "{ics}");
        assert!(ics.contains(":mailto:bo@example.org\r\n"), "{ics}");
        assert!(
            !ics.contains("ana@example.org"),
            "no other member's address: {ics}"
        );

        // Changed (by Ana): Bo hears, with SEQUENCE one up and the same UID.
        move_session(&t, s.id, starts + 24 * HOUR).await;
        t.app
            .session_changed_for_tests(s.id, SessionChange::Changed, Some(r.ana.id))
            .await
            .unwrap();
        let m = t
            .expect_email(
                "bo@example.org",
                "Session changed: Thu 11 Jun, 05:30 (Lisbon)",
            )
            .await;
        let ics = unfold(&attachment(&m).2);
        assert_eq!(prop(&ics, "UID"), [s.uid.as_str()]);
        assert_eq!(prop(&ics, "SEQUENCE"), ["1"]);

        // Cancelled by Bo: Ana gets METHOD:CANCEL in Kolkata time.
        cancel(&t, s.id, r.bo.id).await;
        t.app
            .session_changed_for_tests(s.id, SessionChange::Cancelled, None)
            .await
            .unwrap();
        let m = t
            .expect_email(
                "ana@example.org",
                "Session cancelled: Thu 11 Jun, 10:00 (Kolkata)",
            )
            .await;
        assert!(
            m.body
                .contains("Bo Chen cancelled your session in Mentoring."),
            "{}",
            m.body
        );
        assert!(m.body.contains("Their reason: I am ill"), "{}", m.body);
        let (_, content_type, ics) = attachment(&m);
        assert_eq!(content_type, "text/calendar; method=CANCEL");
        let ics = unfold(&ics);
        assert_eq!(prop(&ics, "METHOD"), ["CANCEL"]);
        assert_eq!(prop(&ics, "STATUS"), ["CANCELLED"]);
        assert_eq!(prop(&ics, "UID"), [s.uid.as_str()]);
        assert_eq!(prop(&ics, "SEQUENCE"), ["2"]);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_member_who_switched_session_emails_off_gets_no_invitation_and_no_reminder() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = calendar_room(&t, "UTC", "UTC").await;
        let bo = t.actor(&r.bo).await;
        let on: Vec<_> = NotificationKind::OPTIONAL
            .into_iter()
            .filter(|k| *k != NotificationKind::Sessions)
            .collect();
        t.app.set_notification_preferences(&bo, &on).await.unwrap();
        let s = add_session(&t, r.room, r.ana.id, t.app.now() + 2 * HOUR, 30, "UTC").await;
        t.app
            .session_changed_for_tests(s.id, SessionChange::Scheduled, None)
            .await
            .unwrap();
        t.clock.advance(HOUR + 60_000);
        // The sweep still records Bo's reminder (once), but queues only Ana's.
        t.app.sweep_session_reminders().await.unwrap();
        t.expect_email(
            "ana@example.org",
            "Reminder: session with Bo Chen in an hour",
        )
        .await;
        assert!(t.take_emails().await.is_empty(), "nothing for Bo");
        t.finish().await;
    }
}

#[tokio::test]
async fn reminders_go_out_a_day_and_an_hour_before_exactly_once() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = calendar_room(&t, "Europe/Lisbon", "America/New_York").await;
        let starts = t.app.now() + 72 * HOUR;
        let s = add_session(&t, r.room, r.ana.id, starts, 60, "Europe/Lisbon").await;
        let cancelled = add_session(&t, r.room, r.ana.id, starts + HOUR, 60, "UTC").await;
        cancel(&t, cancelled.id, r.ana.id).await;
        let sweep = || async { t.app.sweep_session_reminders().await.unwrap() };

        assert_eq!(sweep().await, 0, "three days ahead: nothing yet");
        to(&t, starts - 24 * HOUR - 1);
        assert_eq!(sweep().await, 0, "a millisecond before the day reminder");
        to(&t, starts - 24 * HOUR);
        assert_eq!(sweep().await, 2, "the day reminder, once per member");
        let day = t.take_emails_about("Reminder: session with").await;
        let mut sent: Vec<_> = day
            .iter()
            .map(|m| (m.to.as_str(), m.subject.as_str()))
            .collect();
        sent.sort();
        assert_eq!(
            sent,
            [
                ("ana@example.org", "Reminder: session with Bo Chen tomorrow"),
                ("bo@example.org", "Reminder: session with Ana Lima tomorrow"),
            ]
        );
        let bo_mail = day.iter().find(|m| m.to == "bo@example.org").unwrap();
        assert!(
            bo_mail.body.contains("(New York)"),
            "in Bo's zone: {}",
            bo_mail.body
        );
        assert_eq!(sweep().await, 0, "never twice");

        // A restart: a new app on the same database queues nothing again.
        let again =
            rapport_app::App::new(t.store().clone(), t.clock.clone(), (*t.app.config).clone())
                .await
                .unwrap();
        assert_eq!(again.sweep_session_reminders().await.unwrap(), 0);

        to(&t, starts - HOUR - 1);
        assert_eq!(sweep().await, 0);
        to(&t, starts - HOUR + 1);
        assert_eq!(sweep().await, 2, "the hour reminder");
        let hour = t.take_emails_about("in an hour").await;
        assert_eq!(hour.len(), 2);
        assert_eq!(sweep().await, 0);

        // Delivered at least once, with the Message-ID of its outbox row
        // (a retry sends the same bytes).
        t.app.run_due_jobs().await.unwrap();
        let eml = std::fs::read_dir(t.outbox_dir()).unwrap().count();
        assert_eq!(eml, 4, "four reminders delivered");

        // Rescheduled to two days later: reminders for the new time.
        move_session(&t, s.id, starts + 48 * HOUR).await;
        to(&t, starts + 24 * HOUR);
        assert_eq!(sweep().await, 2, "the day reminder for the new time");
        assert_eq!(t.take_emails_about("tomorrow").await.len(), 2);
        to(&t, starts + 48 * HOUR - 30 * 60_000);
        assert_eq!(sweep().await, 2, "and the hour one");
        assert_eq!(t.take_emails_about("in an hour").await.len(), 2);
        to(&t, starts + 49 * HOUR);
        assert_eq!(sweep().await, 0, "nothing once it has started");
        t.finish().await;
    }
}

#[tokio::test]
async fn a_session_booked_within_the_hour_gets_only_the_hour_reminder() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = calendar_room(&t, "UTC", "UTC").await;
        add_session(&t, r.room, r.ana.id, t.app.now() + 30 * 60_000, 30, "UTC").await;
        assert_eq!(t.app.sweep_session_reminders().await.unwrap(), 2);
        assert_eq!(t.take_emails_about("in an hour").await.len(), 2);
        assert_eq!(t.app.sweep_session_reminders().await.unwrap(), 0);
        t.finish().await;
    }
}

#[tokio::test]
async fn the_feed_follows_its_token_and_a_reset_retires_the_old_one() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = calendar_room(&t, "UTC", "UTC").await;
        let ana = t.actor(&r.ana).await;
        let old = add_session(
            &t,
            r.room,
            r.ana.id,
            t.app.now() - 9 * 7 * 24 * HOUR,
            30,
            "UTC",
        )
        .await;
        let recent =
            add_session(&t, r.room, r.ana.id, t.app.now() - 7 * 24 * HOUR, 30, "UTC").await;
        let ahead = add_session(&t, r.room, r.ana.id, t.app.now() + 7 * 24 * HOUR, 30, "UTC").await;
        cancel(&t, ahead.id, r.ana.id).await;
        let url = t.app.calendar_feed_url(&ana).await.unwrap();
        assert_eq!(
            url,
            t.app.calendar_feed_url(&ana).await.unwrap(),
            "the same URL each time"
        );
        let file = url.rsplit('/').next().unwrap().to_string();
        assert!(file.ends_with(".ics"), "{url}");
        let ics = unfold(&t.app.calendar_feed(&file).await.unwrap());
        assert_eq!(prop(&ics, "METHOD"), ["PUBLISH"]);
        assert_eq!(
            prop(&ics, "UID"),
            [recent.uid.as_str(), ahead.uid.as_str()],
            "eight weeks back on"
        );
        assert!(!ics.contains(&old.uid));
        assert_eq!(prop(&ics, "STATUS"), ["CONFIRMED", "CANCELLED"]);
        assert!(!ics.contains("mailto:"), "no addresses in a feed: {ics}");
        // Only with the suffix, only the whole token.
        for bad in [
            file.trim_end_matches(".ics"),
            &format!("{file}x"),
            ".ics",
            "x.ics",
        ] {
            assert!(
                matches!(
                    t.app.calendar_feed(bad).await,
                    Err(rapport_app::AppError::NotFound(_))
                ),
                "{bad}"
            );
        }
        let new = t.app.reset_calendar_feed(&ana).await.unwrap();
        assert_ne!(new, url);
        assert!(
            matches!(
                t.app.calendar_feed(&file).await,
                Err(rapport_app::AppError::NotFound(_))
            ),
            "the old URL is gone"
        );
        let new_file = new.rsplit('/').next().unwrap();
        assert!(t.app.calendar_feed(new_file).await.is_ok());
        assert_eq!(t.app.calendar_feed_url(&ana).await.unwrap(), new);
        t.finish().await;
    }
}

/// The Python that has icalendar, or None (after saying why) when the
/// check should not run here.
fn ical_python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = match std::env::var_os("RAPPORT_TEST_ICAL_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => root.join(".ci/cache/ical-venv/bin/python"),
    };
    let ok = python.exists()
        && Command::new(&python)
            .args(["-c", "import icalendar"])
            .status()
            .is_ok_and(|s| s.success());
    if ok {
        return Some(python);
    }
    let why = format!(
        "no Python with icalendar at {}; run tests-support/setup-ical.sh or set RAPPORT_TEST_ICAL_PYTHON",
        python.display()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and the independent iCalendar check cannot run: {why}");
    }
    eprintln!("skipping the independent iCalendar check: {why}");
    None
}

#[tokio::test]
async fn an_independent_parser_reads_every_kind_of_file_we_write() {
    let t = TestApp::new("sqlite").await;
    let dir = tempfile::tempdir().unwrap();
    let r = calendar_room(&t, "Asia/Kolkata", "Europe/Lisbon").await;
    let ana = t.actor(&r.ana).await;
    let summary = "Mentoring: Ana Lima & Bo Chen";
    let agenda = "Goals for the quarter, and a long line that the calendar file has to fold because it is well over seventy-five octets: café, naïve, 東京.";
    // Booked in late May (summer time in Lisbon) for December (winter time).
    let winter = local_ms("Europe/Lisbon", 2026, 12, 3, 10, 0);
    let dst = add_session(&t, r.room, r.bo.id, winter, 60, "Europe/Lisbon").await;
    // Organised in a zone with a half-hour offset.
    let kolkata = local_ms("Asia/Kolkata", 2026, 6, 10, 10, 0);
    let half = add_session(&t, r.room, r.ana.id, kolkata, 45, "Asia/Kolkata").await;
    let mut specs = vec![];
    let mut write = |name: &str, text: &str, method: &str, events: serde_json::Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        specs.push(json!({"file": path, "method": method, "events": events}));
    };
    let event = |s: &rapport_store::SessionRecord,
                 seq: i32,
                 status: &str,
                 starts: i64,
                 local: (&str, &str)| {
        json!({
            "uid": s.uid, "sequence": seq, "status": status,
            "start_utc": utc_text(starts), "end_utc": utc_text(starts + i64::from(s.minutes) * 60_000),
            "local": [local.0, local.1], "summary": summary, "description_contains": agenda,
        })
    };

    let download = t.app.session_ics(&ana, dst.id).await.unwrap();
    assert_eq!(download.filename, "session-2026-12-03.ics");
    write(
        "download.ics",
        &download.text,
        "PUBLISH",
        json!([event(
            &dst,
            0,
            "CONFIRMED",
            winter,
            ("Europe/Lisbon", "2026-12-03 10:00")
        )]),
    );
    assert_eq!(
        utc_text(winter),
        "20261203T100000Z",
        "Lisbon is on UTC in winter"
    );

    t.app
        .session_changed_for_tests(half.id, SessionChange::Scheduled, None)
        .await
        .unwrap();
    let request = t
        .expect_email("bo@example.org", "Session with Ana Lima")
        .await;
    let mut e = event(
        &half,
        0,
        "CONFIRMED",
        kolkata,
        ("Asia/Kolkata", "2026-06-10 10:00"),
    );
    e["attendee"] = json!("bo@example.org");
    write(
        "request.ics",
        &attachment(&request).2,
        "REQUEST",
        json!([e]),
    );
    assert_eq!(utc_text(kolkata), "20260610T043000Z");

    let moved = kolkata + 7 * 24 * HOUR;
    move_session(&t, half.id, moved).await;
    t.app
        .session_changed_for_tests(half.id, SessionChange::Changed, Some(r.ana.id))
        .await
        .unwrap();
    let changed = t.expect_email("bo@example.org", "Session changed").await;
    let mut e = event(
        &half,
        1,
        "CONFIRMED",
        moved,
        ("Asia/Kolkata", "2026-06-17 10:00"),
    );
    e["attendee"] = json!("bo@example.org");
    write(
        "changed.ics",
        &attachment(&changed).2,
        "REQUEST",
        json!([e]),
    );

    cancel(&t, half.id, r.ana.id).await;
    t.app
        .session_changed_for_tests(half.id, SessionChange::Cancelled, None)
        .await
        .unwrap();
    let cancelled = t.expect_email("bo@example.org", "Session cancelled").await;
    let mut e = event(
        &half,
        2,
        "CANCELLED",
        moved,
        ("Europe/Lisbon", "2026-06-17 05:30"),
    );
    e["attendee"] = json!("bo@example.org");
    write(
        "cancel.ics",
        &attachment(&cancelled).2,
        "CANCEL",
        json!([e]),
    );

    let url = t.app.calendar_feed_url(&ana).await.unwrap();
    let feed = t
        .app
        .calendar_feed(url.rsplit('/').next().unwrap())
        .await
        .unwrap();
    write(
        "feed.ics",
        &feed,
        "PUBLISH",
        json!([
            event(
                &half,
                2,
                "CANCELLED",
                moved,
                ("Asia/Kolkata", "2026-06-17 10:00")
            ),
            event(
                &dst,
                0,
                "CONFIRMED",
                winter,
                ("Europe/Lisbon", "2026-12-03 10:00")
            ),
        ]),
    );

    let spec = dir.path().join("spec.json");
    std::fs::write(&spec, serde_json::to_vec_pretty(&specs).unwrap()).unwrap();
    if let Some(python) = ical_python() {
        let checker =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests-support/check_ics.py");
        let out = Command::new(python)
            .arg(checker)
            .arg(&spec)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "the independent check failed:\n{text}"
        );
        assert_eq!(text.matches("ok ").count(), 5, "{text}");
    }
    t.finish().await;
}
