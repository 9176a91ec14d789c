//! The use cases web and the CLI reach instead of the store: the start page's
//! summary and the operator's probes, on every database.

use rapport_app::accounts::SignUp;
use rapport_app::JobCounts;
use rapport_domain::person::ProfileInput;
use rapport_web::testing::{test_database_kinds, TestApp};

#[tokio::test]
async fn the_home_summary_counts_the_profile_and_names_each_role() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let ana = t.member("ana@example.org", "Ana Lima").await;
        let actor = t.actor(&ana).await;
        let summary = t.app.home_summary(&actor).await.expect("a summary");
        assert_eq!(summary.completeness, 0, "a new profile is empty");
        assert!(summary.roles.is_empty());

        let input = ProfileInput {
            name: "Ana Lima".into(),
            bio: "Backend engineer.".into(),
            level: "team_leader".into(),
            languages: "English".into(),
            time_zone: "Europe/Lisbon".into(),
            visibility: "members".into(),
            ..Default::default()
        };
        t.app
            .update_profile(&actor, ana.id, &input)
            .await
            .expect("the profile saves");
        let slug = t.programme("Spring Leaders", "one_to_one").await;
        t.manager_of(&slug, "mo@example.org", "Mo Manager").await;
        let admin = t.admin().await;
        t.app
            .add_manager(&t.actor(&admin).await, &slug, "ana@example.org")
            .await
            .expect("Ana manages it");

        let summary = t
            .app
            .home_summary(&t.actor(&ana).await)
            .await
            .expect("a summary");
        assert_eq!(summary.completeness, 30, "bio, languages and time zone");
        assert_eq!(
            summary.roles,
            [("Spring Leaders".to_string(), "manager".to_string())]
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn probes_count_jobs_and_answer_ping() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        t.app.ping().await.expect("the database answers");
        assert_eq!(
            t.app.job_counts().await.expect("counts"),
            JobCounts {
                pending: 0,
                failed: 0
            }
        );
        t.app
            .sign_up(&SignUp {
                name: "Bo Chen".into(),
                email: "bo@example.org".into(),
                password: "correct horse battery".into(),
            })
            .await
            .expect("sign-up works");
        assert_eq!(
            t.app.job_counts().await.expect("counts"),
            JobCounts {
                pending: 1,
                failed: 0
            },
            "the confirmation email waits for the worker"
        );
        assert_eq!(t.app.run_due_jobs().await.expect("the worker runs"), 1);
        assert_eq!(t.app.job_counts().await.expect("counts").pending, 0);
        let (open, _idle) = t.app.pool_stats();
        assert!(open >= 1, "the pool holds a connection");
        t.expect_email("bo@example.org", "Confirm your email").await;
        t.finish().await;
    }
}
