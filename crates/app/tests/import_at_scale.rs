//! Imports at any size (issue 20): a file of 25,000 people, past the old
//! 20,000-row limit, imports on every database in batches, with progress
//! reported batch by batch; `--no-invite` (`invite: false`) creates the
//! accounts without queueing a single email, and those people get in
//! through "Forgot your password?"; a bad row anywhere still means nothing
//! is written.

use rapport_app::csv_people::{ImportOptions, ImportStage, BATCH};
use rapport_app::programmes::ProgrammeInput;
use rapport_app::Actor;
use rapport_domain::person::AccountStatus;
use rapport_web::testing::{test_database_kinds, TestApp};
use std::sync::Mutex;

const SLUG: &str = "everyone";

async fn setup(kind: &'static str) -> (TestApp, Actor) {
    let t = TestApp::new(kind).await;
    let id = t
        .app
        .create_user("admin@example.org", "Ada Admin", "long enough pw", true)
        .await
        .unwrap();
    let admin = t.app.actor(id).await.unwrap();
    t.app
        .create_programme(
            &admin,
            &ProgrammeInput {
                name: "Everyone".into(),
                kind: "one_to_one".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    (t, admin)
}

/// `n` people: every tenth a mentor, every hundredth reporting to the
/// person in the row after it (later in the file, so perhaps in a later
/// batch).
fn people(n: usize) -> Vec<u8> {
    let mut text = String::from("email,name,role,skills_offered,manager_email\n");
    for i in 0..n {
        let role = if i % 10 == 0 { "mentor" } else { "mentee" };
        let manager = if i % 100 == 99 && i + 1 < n {
            format!("p{}@example.org", i + 1)
        } else {
            String::new()
        };
        text.push_str(&format!(
            "p{i}@example.org,Person {i},{role},Rust; Hiring,{manager}\n"
        ));
    }
    text.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_five_thousand_people_import_in_batches_without_invitations() {
    const N: usize = 25_000;
    let file = people(N);
    for kind in test_database_kinds() {
        let (t, admin) = setup(kind).await;
        let seen = Mutex::new(vec![]);
        let progress = |stage: ImportStage, done: usize, total: usize| {
            if stage == ImportStage::Writing {
                seen.lock().unwrap().push((done, total));
            }
        };
        let r = t
            .app
            .import_people_with_progress(
                &admin,
                SLUG,
                &file,
                ImportOptions {
                    dry_run: false,
                    invite: false,
                },
                &progress,
            )
            .await
            .unwrap();
        assert!(
            r.errors.is_empty(),
            "{kind}: {:?}",
            &r.errors[..3.min(r.errors.len())]
        );
        assert_eq!(
            (r.rows, r.created, r.updated, r.enrolled),
            (N, N, 0, N),
            "{kind}"
        );

        // Progress came batch by batch: the new accounts, then the rows.
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.len(), 2 * N.div_ceil(BATCH), "{kind}");
        assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{kind}");
        assert_eq!(seen.last(), Some(&(2 * N, 2 * N)), "{kind}");

        let mut tx = t.app.store_for_tests().read().await.unwrap();
        let programme = tx.programme_by_slug(SLUG).await.unwrap().unwrap();
        let enrolments = tx.enrolments_in(programme.id).await.unwrap();
        assert_eq!(enrolments.len(), N, "{kind}");
        let last = tx
            .person_by_email(&format!("p{}@example.org", N - 1))
            .await
            .unwrap()
            .expect("imported");
        assert_eq!(last.status, AccountStatus::Invited, "{kind}");
        let boss = tx
            .person_by_email("p1000@example.org")
            .await
            .unwrap()
            .unwrap();
        let report = tx
            .person_by_email("p999@example.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            report.profile.manager_id,
            Some(boss.id),
            "{kind}: across batches"
        );
        drop(tx);

        // The new accounts' full-text entries, written a batch at a time and
        // merged after the import, find a rare word anywhere in the file.
        let found = t
            .app
            .directory(&admin, "12345", &Default::default())
            .await
            .unwrap();
        assert_eq!(found.people.len(), 1, "{kind}");
        assert_eq!(
            found.people[0].email.as_deref(),
            Some("p12345@example.org"),
            "{kind}"
        );

        // Importing the same file again changes nothing (so an import cut
        // short can simply be run again).
        let again = t
            .app
            .import_people_with_progress(
                &admin,
                SLUG,
                &file,
                ImportOptions {
                    dry_run: false,
                    invite: false,
                },
                &|_, _, _| {},
            )
            .await
            .unwrap();
        assert_eq!(
            (again.created, again.updated, again.enrolled),
            (0, 0, 0),
            "{kind}"
        );
        // No invitation was queued for anyone: finish() fails on any email or job.
        t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_invite_queues_no_email_and_the_person_gets_in_by_reset() {
    for kind in test_database_kinds() {
        let (t, admin) = setup(kind).await;
        let r = t
            .app
            .import_people_with_progress(
                &admin,
                SLUG,
                &people(3),
                ImportOptions {
                    dry_run: false,
                    invite: false,
                },
                &|_, _, _| {},
            )
            .await
            .unwrap();
        assert_eq!((r.created, r.enrolled), (3, 3), "{kind}");
        assert!(t.take_emails().await.is_empty(), "{kind}");
        let mut tx = t.app.store_for_tests().read().await.unwrap();
        let (pending, _) = tx.job_counts().await.unwrap();
        assert_eq!(pending, 0, "{kind}: no delivery job");
        drop(tx);

        // Without an invitation, "Forgot your password?" lets them in.
        t.app.forgot_password("p1@example.org").await.unwrap();
        let mail = t.expect_email("p1@example.org", "password").await;
        assert!(mail.body.contains("token="), "{kind}: {}", mail.body);

        // The same file with invitations on, into a fresh database, mails each.
        let (t2, admin2) = setup(kind).await;
        t2.app
            .import_people(&admin2, SLUG, &people(3), false)
            .await
            .unwrap();
        let invites = t2.take_emails_about("You are invited to Rapport").await;
        assert_eq!(invites.len(), 3, "{kind}");
        t2.finish().await;
        t.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_row_past_the_first_batch_still_writes_nothing() {
    for kind in test_database_kinds() {
        let (t, admin) = setup(kind).await;
        let mut file = String::from_utf8(people(2 * BATCH + 10)).unwrap();
        file.push_str("not-an-email,Someone,mentee,,\n");
        let r = t
            .app
            .import_people_with_progress(
                &admin,
                SLUG,
                file.as_bytes(),
                ImportOptions {
                    dry_run: false,
                    invite: false,
                },
                &|_, _, _| {},
            )
            .await
            .unwrap();
        assert_eq!(r.errors.len(), 1, "{kind}: {:?}", r.errors);
        assert_eq!(r.errors[0].line, 2 * BATCH + 12, "{kind}");
        assert_eq!(r.errors[0].field, "email", "{kind}");
        let mut tx = t.app.store_for_tests().read().await.unwrap();
        assert!(
            tx.person_by_email("p0@example.org")
                .await
                .unwrap()
                .is_none(),
            "{kind}: nothing written"
        );
        drop(tx);
        t.finish().await;
    }
}
