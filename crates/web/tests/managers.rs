//! Managers' tools in plain words (issue 18 §6), through the real router on
//! every database: unplaced people's reasons read as sentences with an action
//! beside each fix (raise a named mentor's capacity, invite mentors like
//! these), the round's quality signals, and the capacity API.

use rapport_domain::mentoring::EnrolmentStatus;
use rapport_domain::person::ProfileInput;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::{EnrolmentId, ProgrammeId};
use rapport_store::EnrolmentRecord;
use rapport_web::testing::{test_database_kinds, Person, TestApp};
use serde_json::json;

struct Programme {
    t: TestApp,
    slug: String,
    id: ProgrammeId,
    manager: Person,
}

async fn open_programme(kind: &'static str) -> Programme {
    let t = TestApp::new(kind).await;
    let slug = t.programme("Spring", "one_to_one").await;
    let manager = t.manager_of(&slug, "mo@example.org", "Mo Manager").await;
    let admin = t.admin().await;
    t.app
        .move_programme(&t.actor(&admin).await, &slug, "open")
        .await
        .expect("the programme opens");
    let id = {
        let mut tx = t.store().read().await.unwrap();
        tx.programme_by_slug(&slug).await.unwrap().unwrap().id
    };
    Programme {
        t,
        slug,
        id,
        manager,
    }
}

impl Programme {
    /// An approved member in `role` who speaks `language` (mentors with `capacity`).
    async fn enrolled(
        &self,
        name: &str,
        role: ProgrammeRole,
        language: &str,
        capacity: i32,
    ) -> Person {
        let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
        let person = self.t.member(&email, name).await;
        let (level, years) = match role {
            ProgrammeRole::Mentor => ("leader_of_leaders", "15"),
            _ => ("professional_contributor", "2"),
        };
        let input = ProfileInput {
            name: name.into(),
            level: level.into(),
            years_experience: years.into(),
            skills_offered: "Coaching".into(),
            skills_wanted: "Coaching".into(),
            languages: language.into(),
            time_zone: "Europe/London".into(),
            visibility: "members".into(),
            ..Default::default()
        };
        let admin = rapport_app::Actor {
            person_id: person.id,
            is_admin: true,
            roles: vec![],
        };
        self.t
            .app
            .update_profile(&admin, person.id, &input)
            .await
            .unwrap();
        let mut tx = self.t.store().write().await.unwrap();
        tx.grant_role(self.id, person.id, role, 0).await.unwrap();
        tx.insert_enrolment(&EnrolmentRecord {
            id: EnrolmentId::new(),
            programme_id: self.id,
            person_id: person.id,
            role,
            status: EnrolmentStatus::Approved,
            capacity,
            answers: Default::default(),
            preferences: Default::default(),
            consent_sensitive: false,
            created_at: 0,
            conduct_accepted_at: Some(0),
            decided_at: None,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        person
    }
}

/// No word of the page's unplaced section reads like an internal name.
fn assert_plain_words(html: &str) {
    let section = html
        .split("Not placed")
        .nth(1)
        .expect("the round page has its unplaced section");
    for word in section.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        let parts = word.split('_').filter(|p| !p.is_empty()).count();
        let code = word.contains('_') && parts > 1;
        // Form field names are markup, not words a reader sees.
        assert!(
            !code || matches!(word, "person_id" | "mentee_id" | "mentor_id"),
            "internal name {word:?} on the round page"
        );
    }
}

#[tokio::test]
async fn unplaced_people_read_as_sentences_with_an_action_beside_each_fix() {
    for kind in test_database_kinds() {
        let p = open_programme(kind).await;
        let (t, slug, mo) = (&p.t, p.slug.clone(), p.manager.clone());
        let marek = p
            .enrolled("Marek Mentor", ProgrammeRole::Mentor, "English", 1)
            .await;
        p.enrolled("Ana Mentee", ProgrammeRole::Mentee, "English", 0)
            .await;
        p.enrolled("Bo Mentee", ProgrammeRole::Mentee, "English", 0)
            .await;
        p.enrolled("Hari Mentee", ProgrammeRole::Mentee, "Hindi", 0)
            .await;

        let round = t
            .call(
                "POST",
                &format!("/api/v1/programmes/{slug}/rounds"),
                mo.auth(),
                None,
            )
            .await
            .expect(201);
        let result = &round.json["result"];
        assert_eq!(result["placed"], 1, "{result}");
        assert_eq!(result["no_shared_goals"], 1, "{result}");
        let unmatched = result["unmatched"].as_array().unwrap();
        let hari = unmatched
            .iter()
            .find(|u| u["name"] == "Hari Mentee")
            .expect("Hari is unplaced");
        assert!(
            hari["reason"]
                .as_str()
                .unwrap()
                .starts_with("No mentor speaks Hindi."),
            "{hari}"
        );
        let full = unmatched
            .iter()
            .find(|u| u["name"] != "Hari Mentee")
            .expect("one English speaker waits for Marek");
        assert!(
            full["reason"]
                .as_str()
                .unwrap()
                .starts_with("The one mentor who suits them is full."),
            "{full}"
        );
        assert_eq!(full["full_mentors"][0]["name"], "Marek Mentor", "{full}");

        let page = t
            .reply_text(
                TestApp::request("GET", &format!("/programmes/{slug}/matching"), mo.auth())
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert!(
            page.text.contains("No mentor speaks Hindi."),
            "{}",
            page.text
        );
        assert!(
            page.text.contains("Raise Marek Mentor&#39;s capacity to 2")
                || page.text.contains("Raise Marek Mentor's capacity to 2"),
            "{}",
            page.text
        );
        assert!(
            page.text
                .contains("href=\"mailto:?subject=Mentors%20wanted%20for%20Spring"),
            "{}",
            page.text
        );
        assert!(
            page.text.contains("pair shares</div>") || page.text.contains("pair shares no"),
            "the quality signals are shown"
        );
        assert_plain_words(&page.text);

        // The button raises Marek's capacity; the next round places everyone
        // who speaks English.
        let r = t
            .reply_text(
                TestApp::request(
                    "POST",
                    &format!("/programmes/{slug}/matching/capacity"),
                    mo.auth(),
                )
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(format!(
                    "person_id={}&capacity=2",
                    marek.id
                )))
                .unwrap(),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text);
        let again = t
            .call(
                "POST",
                &format!("/api/v1/programmes/{slug}/rounds"),
                mo.auth(),
                None,
            )
            .await
            .expect(201);
        assert_eq!(again.json["result"]["placed"], 2, "{}", again.json);

        // The API: a bad capacity names the field; a member may not.
        let path = format!("/api/v1/programmes/{slug}/mentors/{}/capacity", marek.id);
        t.call("PUT", &path, mo.auth(), Some(json!({"capacity": 0})))
            .await
            .expect_error(422, "invalid_field");
        let ok = t
            .call("PUT", &path, mo.auth(), Some(json!({"capacity": 3})))
            .await
            .expect(200);
        assert_eq!(ok.json["capacity"], 3);
        t.call("PUT", &path, marek.auth(), Some(json!({"capacity": 9})))
            .await
            .expect(403);
        let (audit, _) = {
            let mut tx = t.store().read().await.unwrap();
            tx.audit_events(50, 0).await.unwrap()
        };
        assert!(
            audit
                .iter()
                .filter(|a| a.action == "enrolment.capacity")
                .count()
                == 2,
            "{audit:?}"
        );
        p.t.finish().await;
    }
}

#[tokio::test]
async fn the_audit_log_reads_as_sentences_with_filters() {
    for kind in test_database_kinds() {
        let p = open_programme(kind).await;
        let (t, slug, mo) = (&p.t, p.slug.clone(), p.manager.clone());
        let marek = p
            .enrolled("Marek Mentor", ProgrammeRole::Mentor, "English", 1)
            .await;
        let path = format!("/api/v1/programmes/{slug}/mentors/{}/capacity", marek.id);
        t.call("PUT", &path, mo.auth(), Some(json!({"capacity": 2})))
            .await
            .expect(200);
        let admin = t.admin().await;
        let page = |q: &str| {
            let q = q.to_string();
            let admin = admin.clone();
            async move {
                t.reply_text(
                    TestApp::request("GET", &format!("/admin/audit{q}"), admin.auth())
                        .body(axum::body::Body::empty())
                        .unwrap(),
                )
                .await
            }
        };
        let all = page("").await;
        assert_eq!(all.status, 200);
        let said = "Mo Manager changed Marek Mentor&#39;s capacity in Spring from 1 to 2.";
        assert!(all.text.contains(said), "{}", all.text);
        assert!(all.text.contains("<details><summary>Details</summary>"));
        assert!(
            all.text
                .contains("Ada Admin moved Spring from draft to open."),
            "{}",
            all.text
        );

        let only = page("?action=enrolment.capacity").await;
        assert!(
            only.text.contains(said) && !only.text.contains("moved Spring"),
            "{}",
            only.text
        );
        let none = page(&format!(
            "?person={}&from=2001-01-01&until=2001-01-02",
            mo.id
        ))
        .await;
        assert!(
            none.text.contains("No events match these filters."),
            "{}",
            none.text
        );
        let programme = page(&format!("?programme={slug}&person={}", admin.id)).await;
        assert!(programme.text.contains("moved Spring") && !programme.text.contains(said));
        let bad = page("?from=yesterday").await;
        assert_eq!(bad.status, 422);

        let api = t
            .get(
                "/api/v1/admin/audit?action=enrolment.capacity",
                admin.auth(),
            )
            .await
            .expect(200);
        let events = api.json["events"].as_array().unwrap();
        assert_eq!(events.len(), 1, "{}", api.json);
        assert_eq!(
            events[0]["sentence"],
            "Mo Manager changed Marek Mentor's capacity in Spring from 1 to 2."
        );
        t.get("/api/v1/admin/audit?action=nonsense", admin.auth())
            .await
            .expect_error(422, "invalid_field");
        p.t.finish().await;
    }
}
