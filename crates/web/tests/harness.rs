//! The shared `TestApp` keeps its promise: a test fails on emails or jobs
//! it did not expect, and cannot forget to check.

use rapport_app::accounts::SignUp;
use rapport_web::testing::{free_port, TestApp};

async fn signed_up(kind: &'static str) -> TestApp {
    let t = TestApp::new(kind).await;
    t.app
        .sign_up(&SignUp {
            name: "Ana Lima".into(),
            email: "ana@example.org".into(),
            password: "correct horse battery".into(),
        })
        .await
        .expect("sign-up works");
    t
}

#[tokio::test]
#[should_panic(expected = "emails the test did not expect")]
async fn an_unexpected_email_fails_the_test() {
    signed_up("sqlite").await.finish().await;
}

#[tokio::test]
#[should_panic(expected = "dropped without `finish().await`")]
async fn forgetting_finish_fails_the_test() {
    drop(TestApp::new("sqlite").await);
}

#[tokio::test]
async fn expected_emails_and_a_reason_let_the_test_pass() {
    let t = signed_up("sqlite").await;
    let m = t
        .expect_email("ana@example.org", "Confirm your email")
        .await;
    assert!(m.body.contains("/verify-email?token="), "{}", m.body);
    t.finish().await;

    let t = signed_up("sqlite").await;
    assert_eq!(t.take_emails().await.len(), 1);
    assert!(t.take_emails().await.is_empty(), "taken once");
    t.finish().await;

    let t = signed_up("sqlite").await;
    t.leave_work("this test is about leaving work");
    t.finish().await;
}

#[tokio::test]
async fn role_helpers_sign_people_in() {
    let t = TestApp::new("sqlite").await;
    let admin = t.admin().await;
    assert_eq!(admin.id, t.admin().await.id, "one admin per app");
    assert!(t.actor(&admin).await.is_admin);
    let slug = t.programme("Spring Leaders", "one_to_one").await;
    let mo = t.manager_of(&slug, "mo@example.org", "Mo Manager").await;
    t.get("/api/v1/me", mo.auth()).await.expect(200);
    t.get(&format!("/api/v1/programmes/{slug}"), mo.auth())
        .await
        .expect(200);
    assert!(free_port() > 0);
    t.finish().await;
}
