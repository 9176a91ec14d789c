//! CSV import and export of participants, on every database: an Excel file
//! (BOM, CRLF) of 50 people, existing and new; a dry run; a file with many
//! bad rows that imports nothing; and export → import changing nothing.

use rapport_app::csv_people::ImportReport;
use rapport_app::programmes::ProgrammeInput;
use rapport_app::{Actor, App, AppError};
use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::person::{AccountStatus, LeadershipLevel};
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::ProgrammeId;
use rapport_web::testing::{test_database_kinds, TestApp};
use std::collections::BTreeMap;

const SLUG: &str = "spring-leaders";

struct World {
    app: App,
    admin: Actor,
    programme: ProgrammeId,
    /// The shared harness; `app` is its own.
    t: TestApp,
}

async fn world(kind: &'static str) -> World {
    let t = TestApp::new(kind).await;
    let app = t.app.clone();
    let admin_id = app
        .create_user("admin@example.org", "Ada Admin", "long enough pw", true)
        .await
        .unwrap();
    let admin = app.actor(admin_id).await.unwrap();
    let created = app
        .create_programme(
            &admin,
            &ProgrammeInput {
                name: "Spring Leaders".into(),
                kind: "one_to_one".into(),
                questions: "single: Format? | In person | Video | weight=10\nmultiple: Topics | Strategy | Hiring | Coaching\ntext: Anything else?".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(created.record.slug, SLUG);
    World {
        app,
        admin,
        programme: created.record.id,
        t,
    }
}

/// Existing accounts `old00@…` to `old{n-1}@…`, with default profiles.
async fn existing(w: &World, n: usize) {
    for i in 0..n {
        w.app
            .create_user(
                &format!("old{i:02}@example.org"),
                &format!("Old {i}"),
                "long enough pw",
                false,
            )
            .await
            .unwrap();
    }
}

/// 50 rows as Excel writes them: a BOM, CRLF line ends, a human header with
/// the question columns named by prompt and by id. Rows 0–19 are existing
/// accounts, 20–49 new; every third is a mentor with a capacity; new people
/// report to the next new person in the file (declared later) or to an
/// existing account.
fn excel_file() -> Vec<u8> {
    let mut text = String::from(
        "\u{feff}Email,Name,Role,Level,Years,Skills Offered,Skills Wanted,Languages,Time Zone,Department,Manager Email,Capacity,Format?,q2,Anything else?\r\n",
    );
    for i in 0..50 {
        let email = if i < 20 {
            format!("old{i:02}@example.org")
        } else {
            format!("New{i:02}@Example.org")
        };
        let (role, capacity) = match i % 3 {
            0 => ("mentor", format!("{}", 1 + i % 5)),
            1 => ("mentee", String::new()),
            _ => ("both", "2".to_string()),
        };
        let level = [
            "professional_contributor",
            "Team Leader",
            "leader_of_leaders",
        ][i % 3];
        let manager = match i {
            20..=29 => format!("new{:02}@example.org", i + 10),
            30..=34 => "old00@example.org".to_string(),
            _ => String::new(),
        };
        let format = if i % 2 == 0 { "video" } else { "In person" };
        let topics = if i % 4 == 0 { "Strategy; hiring" } else { "" };
        let other = if i == 7 {
            "\"Mornings, please; \"\"quiet\"\" rooms\""
        } else {
            ""
        };
        text.push_str(&format!(
            "{email},Person {i},{role},{level},{years},Rust; Public speaking,Negotiation,English;Portuguese,Europe/Lisbon,Dept {d},{manager},{capacity},{format},{topics},{other}\r\n",
            years = i % 30,
            d = i % 4,
        ));
    }
    text.push_str(",,,,,,,,,,,,,,\r\n");
    text.into_bytes()
}

fn clean(r: &ImportReport) {
    assert!(r.errors.is_empty(), "unexpected errors: {:#?}", r.errors);
}

async fn enrolments(w: &World) -> Vec<(String, ProgrammeRole, EnrolmentStatus, i32, String)> {
    let mut tx = w.app.store_for_tests().read().await.unwrap();
    let mut list: Vec<_> = tx
        .enrolments_in(w.programme)
        .await
        .unwrap()
        .into_iter()
        .map(|v| {
            (
                v.email,
                v.enrolment.role,
                v.enrolment.status,
                v.enrolment.capacity,
                serde_json::to_string(&v.enrolment.answers).unwrap(),
            )
        })
        .collect();
    list.sort_by(|a, b| (&a.0, a.1.code()).cmp(&(&b.0, b.1.code())));
    list
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_excel_file_of_fifty_imports_invites_and_enrols() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        existing(&w, 20).await;
        let app = &w.app;
        let r = app
            .import_people(&w.admin, SLUG, &excel_file(), false)
            .await
            .unwrap();
        clean(&r);
        assert_eq!(
            (r.rows, r.created, r.updated, r.enrolled, r.dry_run),
            (50, 30, 20, 66, false),
            "{kind}"
        );

        let mut tx = app.store_for_tests().read().await.unwrap();
        // A new person is an invitation with the row's profile and the invitation email.
        let new = tx
            .person_by_email("new27@example.org")
            .await
            .unwrap()
            .expect("invited");
        assert_eq!(new.status, AccountStatus::Invited);
        assert_eq!(new.profile.name, "Person 27");
        assert_eq!(new.profile.level, LeadershipLevel::ProfessionalContributor);
        assert_eq!(new.profile.skills_offered, ["Rust", "Public speaking"]);
        assert_eq!(new.profile.languages, ["English", "Portuguese"]);
        assert_eq!(new.profile.time_zone, "Europe/Lisbon");
        assert_eq!(new.profile.department, "Dept 3");
        let boss = tx
            .person_by_email("new37@example.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            new.profile.manager_id,
            Some(boss.id),
            "a manager later in the file"
        );
        let mail = tx.outbox_of(new.id).await.unwrap();
        assert!(
            mail.iter()
                .any(|m| m.subject == "You are invited to Rapport"
                    && m.body.contains("accept-invitation?token=")
                    && m.body.contains("Spring Leaders")),
            "{mail:?}"
        );
        let both = tx
            .person_by_email("new23@example.org")
            .await
            .unwrap()
            .unwrap();
        let mail = tx.outbox_of(both.id).await.unwrap();
        assert!(
            mail.iter().any(|m| m
                .body
                .contains("taking part in Spring Leaders as mentee and mentor")),
            "{mail:?}"
        );
        let reports_to_old = tx
            .person_by_email("new31@example.org")
            .await
            .unwrap()
            .unwrap();
        let old00 = tx
            .person_by_email("old00@example.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(reports_to_old.profile.manager_id, Some(old00.id));
        // An existing account got its row's fields and stays active.
        let old = tx
            .person_by_email("old05@example.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(old.status, AccountStatus::Active);
        assert_eq!(old.profile.name, "Person 5");
        assert_eq!(old.profile.level, LeadershipLevel::LeaderOfLeaders);
        assert_eq!(old.profile.years_experience, 5);
        drop(tx);

        let list = enrolments(&w).await;
        // 50 people; every third of the rest of i%3==2 is both mentee and mentor.
        let both = (0..50).filter(|i| i % 3 == 2).count();
        assert_eq!(list.len(), 50 + both, "{kind}");
        assert!(list.iter().all(|e| e.2 == EnrolmentStatus::Approved));
        let mentor = list
            .iter()
            .find(|e| e.0 == "new21@example.org" && e.1 == ProgrammeRole::Mentor)
            .unwrap();
        assert_eq!(mentor.3, 1 + 21 % 5);
        let answers: BTreeMap<String, Vec<String>> = serde_json::from_str(&mentor.4).unwrap();
        assert_eq!(answers["q1"], ["In person"]);
        let row0 = list
            .iter()
            .find(|e| e.0 == "old00@example.org" && e.1 == ProgrammeRole::Mentor)
            .unwrap();
        let answers: BTreeMap<String, Vec<String>> = serde_json::from_str(&row0.4).unwrap();
        assert_eq!(answers["q1"], ["Video"], "options match case-insensitively");
        assert_eq!(answers["q2"], ["Strategy", "Hiring"]);
        let row7 = list.iter().find(|e| e.0 == "old07@example.org").unwrap();
        let answers: BTreeMap<String, Vec<String>> = serde_json::from_str(&row7.4).unwrap();
        assert_eq!(answers["q3"], ["Mornings, please; \"quiet\" rooms"]);

        // The import is audited.
        let mut tx = app.store_for_tests().read().await.unwrap();
        let (audit, _) = tx.audit_events(10_000, 0).await.unwrap();
        assert!(
            audit.iter().any(|a| a.action == "enrolment.import"),
            "{kind}: no audit event"
        );
        let invites = w.t.take_emails_about("You are invited to Rapport").await;
        assert_eq!(invites.len(), 30, "one invitation per new person");
        w.t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_reports_and_writes_nothing() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        existing(&w, 20).await;
        let r = w
            .app
            .import_people(&w.admin, SLUG, &excel_file(), true)
            .await
            .unwrap();
        clean(&r);
        assert_eq!(
            (r.rows, r.created, r.updated, r.enrolled, r.dry_run),
            (50, 30, 20, 66, true)
        );
        assert!(enrolments(&w).await.is_empty(), "{kind}");
        let mut tx = w.app.store_for_tests().read().await.unwrap();
        assert!(tx
            .person_by_email("new20@example.org")
            .await
            .unwrap()
            .is_none());
        let old = tx
            .person_by_email("old05@example.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(old.profile.name, "Old 5", "{kind}");
        assert_eq!(tx.count_people().await.unwrap(), 21);
        drop(tx);

        // Line numbers count the BOM+CRLF file as a spreadsheet does.
        let text = String::from_utf8(excel_file()).unwrap();
        let bad = text.replace(",Person 10,mentee,", ",Person 10,boss,");
        let r = w
            .app
            .import_people(&w.admin, SLUG, bad.as_bytes(), true)
            .await
            .unwrap();
        let got: Vec<(usize, &str)> = r
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(got, [(12, "role")], "{kind}");
        assert_eq!((r.created, r.updated, r.enrolled), (0, 0, 0));
        w.t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_row_is_reported_and_nothing_is_imported() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        existing(&w, 2).await;
        let file = "email,name,role,level,years,time_zone,manager_email,capacity,q1,Topics\n\
            good@example.org,Good,mentee,,,,,,Video,\n\
            not-an-email,Bad Email,mentee,,,,,,,\n\
            role@example.org,Bad Role,peer,,,,,,,\n\
            cap@example.org,Big Capacity,mentor,,,,,99,,\n\
            level@example.org,Bad Level,mentee,boss,70,Mars/Base,,,,\n\
            answer@example.org,Bad Answer,mentee,,,,,,Carrier pigeon,Strategy;Knitting\n\
            boss@example.org,Unknown Boss,mentee,,,,nobody@example.org,,,\n\
            good@example.org,Twice,mentee,,,,,,,\n\
            noname@example.org,,mentee,,,,,,,\n\
            old00@example.org,,mentee,,,,,3,,\n\
            self@example.org,Self,mentee,,,,self@example.org,,,\n\
            old01@example.org,,mentee,,,,,,,,extra\n\
            loop1@example.org,Loop One,mentee,,,,loop2@example.org,,,\n\
            loop2@example.org,Loop Two,mentee,,,,LOOP1@example.org,,,\n";
        let r = w
            .app
            .import_people(&w.admin, SLUG, file.as_bytes(), false)
            .await
            .unwrap();
        let got: Vec<(usize, &str)> = r
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        let want = [
            (3, "email"),
            (4, "role"),
            (5, "capacity"),
            (6, "level"),
            (6, "years"),
            (6, "time_zone"),
            (7, "q1"),
            (7, "Topics"),
            (8, "manager_email"),
            (9, "email"),
            (10, "name"),
            (11, "capacity"),
            (12, "manager_email"),
            (13, "row"),
            (14, "manager_email"),
            (15, "manager_email"),
        ];
        for w in want {
            assert!(
                got.contains(&w),
                "{kind}: {w:?} missing from {:#?}",
                r.errors
            );
        }
        assert_eq!(got.len(), want.len(), "{kind}: {:#?}", r.errors);
        assert!(r.errors.iter().all(|e| !e.message.is_empty()));
        assert!(r.errors.windows(2).all(|p| p[0].line <= p[1].line));
        assert_eq!((r.created, r.updated, r.enrolled), (0, 0, 0));
        assert!(enrolments(&w).await.is_empty(), "{kind}: nothing enrolled");
        let mut tx = w.app.store_for_tests().read().await.unwrap();
        assert!(tx
            .person_by_email("good@example.org")
            .await
            .unwrap()
            .is_none());
        drop(tx);

        // Header problems are reported on line 1, by column.
        let r = w
            .app
            .import_people(
                &w.admin,
                SLUG,
                b"email,name,favourite colour,level,Level\nx@example.org,X,red,,\n",
                false,
            )
            .await
            .unwrap();
        let got: Vec<(usize, &str)> = r
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(
            got,
            [(1, "favourite colour"), (1, "Level"), (1, "role")],
            "{:#?}",
            r.errors
        );
        let r = w
            .app
            .import_people(&w.admin, SLUG, b"", false)
            .await
            .unwrap();
        assert_eq!(r.errors.len(), 1);
        assert_eq!(r.errors[0].line, 1);
        w.t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_then_import_changes_nothing() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        existing(&w, 20).await;
        let app = &w.app;
        clean(
            &app.import_people(&w.admin, SLUG, &excel_file(), false)
                .await
                .unwrap(),
        );
        // Spreadsheet formulas in profiles come out as text.
        let mut tx = app.store_for_tests().write().await.unwrap();
        let mut p = tx
            .person_by_email("old03@example.org")
            .await
            .unwrap()
            .unwrap();
        p.profile.department = "=HYPERLINK(\"http://evil\")".into();
        tx.update_profile(p.id, &p.email, &p.profile, 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let before = enrolments(&w).await;
        let csv = app.export_people(&w.admin, SLUG).await.unwrap();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next().unwrap(),
            "email,name,role,level,years,skills_offered,skills_wanted,languages,time_zone,department,manager_email,capacity,Format?,Topics,Anything else?"
        );
        assert_eq!(csv.lines().count(), 51);
        assert!(
            csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
            "{csv}"
        );
        assert!(csv.contains("\"Mornings, please; \"\"quiet\"\" rooms\""));
        assert!(csv.contains(",both,"));

        let r = app
            .import_people(&w.admin, SLUG, csv.as_bytes(), false)
            .await
            .unwrap();
        clean(&r);
        assert_eq!(
            (r.rows, r.created, r.updated, r.enrolled),
            (50, 0, 0, 0),
            "{kind}"
        );
        assert_eq!(enrolments(&w).await, before);
        assert_eq!(app.export_people(&w.admin, SLUG).await.unwrap(), csv);
        let mut tx = app.store_for_tests().read().await.unwrap();
        let p = tx
            .person_by_email("old03@example.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.profile.department, "=HYPERLINK(\"http://evil\")");
        drop(tx);
        let invites = w.t.take_emails_about("You are invited to Rapport").await;
        assert_eq!(
            invites.len(),
            30,
            "the import invites once; the re-import nobody"
        );
        w.t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_managers_import_and_export() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let id = w
            .app
            .create_user("member@example.org", "Member", "long enough pw", false)
            .await
            .unwrap();
        let member = w.app.actor(id).await.unwrap();
        let file = b"email,name,role\nx@example.org,X,mentee\n";
        let e = w
            .app
            .import_people(&member, SLUG, file, true)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::NotFound(_) | AppError::Forbidden(_)),
            "{e:?}"
        );
        assert!(w.app.export_people(&member, SLUG).await.is_err());
        // A manager who is not an admin may import (and so invite).
        w.app
            .add_manager(&w.admin, SLUG, "member@example.org")
            .await
            .unwrap();
        let manager = w.app.actor(id).await.unwrap();
        let r = w
            .app
            .import_people(&manager, SLUG, file, false)
            .await
            .unwrap();
        clean(&r);
        assert_eq!((r.created, r.enrolled), (1, 1), "{kind}");
        w.t.expect_email("x@example.org", "You are invited to Rapport")
            .await;
        w.t.finish().await;
    }
}

/// A row with role `both` makes two enrolments (mentee and mentor), and the
/// report counts enrolments, not rows: it once said 1 here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_with_role_both_counts_two_enrolments() {
    for kind in test_database_kinds() {
        let w = world(kind).await;
        let file = b"email,name,role,capacity\nboth@example.org,Bo Both,both,2\none@example.org,Mo Mentee,mentee,\n";
        let dry = w
            .app
            .import_people(&w.admin, SLUG, file, true)
            .await
            .unwrap();
        clean(&dry);
        assert_eq!(
            (dry.rows, dry.created, dry.enrolled),
            (2, 2, 3),
            "{kind}: dry run"
        );

        let r = w
            .app
            .import_people(&w.admin, SLUG, file, false)
            .await
            .unwrap();
        clean(&r);
        assert_eq!((r.rows, r.created, r.enrolled), (2, 2, 3), "{kind}");
        let roles: Vec<_> = enrolments(&w)
            .await
            .into_iter()
            .map(|e| (e.0, e.1))
            .collect();
        assert_eq!(
            roles,
            vec![
                ("both@example.org".to_string(), ProgrammeRole::Mentee),
                ("both@example.org".to_string(), ProgrammeRole::Mentor),
                ("one@example.org".to_string(), ProgrammeRole::Mentee),
            ],
            "{kind}"
        );

        // Importing it again changes nothing, so counts nothing.
        let again = w
            .app
            .import_people(&w.admin, SLUG, file, false)
            .await
            .unwrap();
        clean(&again);
        assert_eq!(again.enrolled, 0, "{kind}");
        w.t.expect_emails(&[
            ("both@example.org", "You are invited"),
            ("one@example.org", "You are invited"),
        ])
        .await;
        w.t.finish().await;
    }
}
