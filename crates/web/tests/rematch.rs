//! The no-fault re-match (issue 17, section 8), through the real router on
//! every database: who may start it, confirmation, the room ending for fit
//! in neutral words, the engine's next mentor (never the old one), a decline
//! bringing the next referral, nobody left (why, the fix, the managers
//! told, the pool), a group where only the asker leaves, a peer's ranked
//! referrals, goals following into the new room, notes copied one by one,
//! the old mentor's seat free, the closure survey for both, and nothing
//! half-written on bad input.

use axum::body::Body;
use rapport_domain::mentoring::{EnrolmentStatus, MemberState, RoomOrigin, RoomStatus};
use rapport_domain::person::ProfileInput;
use rapport_domain::programme::ProgrammeRole;
use rapport_domain::pulse::{PulseAnswers, PulseScore, Working};
use rapport_domain::{EnrolmentId, ProgrammeId, PulseId, RoomId};
use rapport_store::{EnrolmentRecord, NewRoom, PulseRecord};
use rapport_web::testing::{test_database_kinds, Person, TestApp, TextReply};
use serde_json::{json, Value};

struct Programme {
    t: TestApp,
    id: ProgrammeId,
    manager: Person,
}

async fn programme(kind: &'static str, programme_kind: &str) -> Programme {
    let t = TestApp::new(kind).await;
    let slug = t.programme("Spring", programme_kind).await;
    let manager = t.manager_of(&slug, "mo@example.org", "Mo Manager").await;
    let id = {
        let mut tx = t.store().write().await.unwrap();
        let p = tx.programme_by_slug(&slug).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        p.id
    };
    Programme { t, id, manager }
}

impl Programme {
    /// A member approved in `role` (mentors with `capacity`).
    async fn enrolled(&self, name: &str, role: ProgrammeRole, capacity: i32) -> Person {
        let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
        let person = self.t.member(&email, name).await;
        // A profile the engine can match: mentors two levels up, one language.
        let (level, years) = match role {
            ProgrammeRole::Mentor => ("leader_of_leaders", "15"),
            ProgrammeRole::Mentee => ("professional_contributor", "2"),
            _ => ("team_leader", "6"),
        };
        let input = ProfileInput {
            name: name.into(),
            level: level.into(),
            years_experience: years.into(),
            skills_offered: "Coaching".into(),
            skills_wanted: "Coaching".into(),
            languages: "English".into(),
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

    /// An active room of `members` (everyone accepted).
    async fn room(&self, members: &[(&Person, ProgrammeRole)]) -> RoomId {
        let id = RoomId::new();
        let mut tx = self.t.store().write().await.unwrap();
        tx.insert_room(
            &NewRoom {
                id,
                programme_id: self.id,
                status: RoomStatus::Active,
                origin: RoomOrigin::Request,
                members: members
                    .iter()
                    .map(|(p, r)| (p.id, *r, MemberState::Accepted))
                    .collect(),
                round_id: None,
            },
            self.t.app.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    }

    /// `who` answers a check-in in `room`, "working" as given.
    async fn pulse(&self, room: RoomId, who: &Person, role: ProgrammeRole, working: Working) {
        let s = |n| PulseScore::parse("x", n).unwrap();
        let mut tx = self.t.store().write().await.unwrap();
        assert!(tx
            .insert_pulse(&PulseRecord {
                id: PulseId::new(),
                room_id: room,
                person_id: who.id,
                round: 0,
                role,
                answers: PulseAnswers {
                    genuineness: s(2),
                    empathy: s(2),
                    acceptance: s(3),
                    working,
                },
                comment: String::new(),
                answered_at: self.t.app.now(),
            })
            .await
            .unwrap());
        tx.commit().await.unwrap();
    }

    async fn rematch(
        &self,
        room: RoomId,
        who: &Person,
        body: Value,
    ) -> rapport_web::testing::Reply {
        self.t
            .call(
                "POST",
                &format!("/api/v1/rooms/{room}/rematch"),
                who.auth(),
                Some(body),
            )
            .await
    }

    async fn answer(&self, room: &str, who: &Person, answer: &str) -> Value {
        self.t
            .call(
                "POST",
                &format!("/api/v1/rooms/{room}/answer"),
                who.auth(),
                Some(json!({ "answer": answer })),
            )
            .await
            .expect(200)
            .json
    }

    async fn room_json(&self, room: &str, who: &Person) -> Value {
        self.t
            .get(&format!("/api/v1/rooms/{room}"), who.auth())
            .await
            .expect(200)
            .json
    }

    /// Mentors with an open seat in the programme, by person id.
    async fn seated(&self, who: &Person) -> bool {
        let mut tx = self.t.store().read().await.unwrap();
        tx.open_seats(self.id)
            .await
            .unwrap()
            .iter()
            .any(|s| s.person_id == who.id)
    }

    async fn page(&self, method: &str, path: &str, who: &Person, form: &str) -> TextReply {
        let mut b =
            TestApp::request(method, path, who.auth()).header("origin", "http://rapport.test");
        if !form.is_empty() {
            b = b.header("content-type", "application/x-www-form-urlencoded");
        }
        self.t
            .reply_text(b.body(Body::from(form.to_string())).unwrap())
            .await
    }
}

fn recipients(mails: &[rapport_store::OutboxMessage]) -> Vec<String> {
    let mut r: Vec<String> = mails.iter().map(|m| m.to.clone()).collect();
    r.sort();
    r
}

#[tokio::test]
async fn a_mentee_who_said_no_is_rematched_a_decline_brings_the_next_and_goals_and_notes_follow() {
    for kind in test_database_kinds() {
        let p = programme(kind, "one_to_one").await;
        let mona = p.enrolled("Mona Mentor", ProgrammeRole::Mentor, 1).await;
        let nina = p.enrolled("Nina Mentor", ProgrammeRole::Mentor, 1).await;
        let olga = p.enrolled("Olga Mentor", ProgrammeRole::Mentor, 1).await;
        let bea = p.enrolled("Bea Mentee", ProgrammeRole::Mentee, 0).await;
        let outsider = p.t.member("cy@example.org", "Cy Outsider").await;
        let old = p
            .room(&[
                (&mona, ProgrammeRole::Mentor),
                (&bea, ProgrammeRole::Mentee),
            ])
            .await;
        let url = format!("/api/v1/rooms/{old}/rematch");

        // Bea sets a goal and writes two notes, one private.
        let goal =
            p.t.call(
                "POST",
                &format!("/api/v1/rooms/{old}/goals"),
                bea.auth(),
                Some(json!({"title": "Speak up in meetings"})),
            )
            .await
            .expect(201)
            .json;
        for (body, vis) in [("My private thought", "private"), ("Shared plan", "room")] {
            p.t.call(
                "POST",
                &format!("/api/v1/rooms/{old}/notes"),
                bea.auth(),
                Some(json!({"body": body, "visibility": vis})),
            )
            .await
            .expect(201);
        }

        // Nobody may start it yet: outsiders 404, members without a "no" 403.
        p.rematch(old, &outsider, json!({"confirm": true}))
            .await
            .expect_error(404, "not_found");
        p.rematch(old, &bea, json!({"confirm": true}))
            .await
            .expect_error(403, "forbidden");
        p.pulse(old, &mona, ProgrammeRole::Mentor, Working::Yes)
            .await;
        p.pulse(old, &bea, ProgrammeRole::Mentee, Working::No).await;
        // The mentor answered yes: she still cannot.
        p.rematch(old, &mona, json!({"confirm": true}))
            .await
            .expect_error(403, "forbidden");
        // Not confirmed: 409 naming confirm; bad note: 422 naming note.
        let r = p.rematch(old, &bea, json!({})).await.expect(409);
        assert_eq!(r.error_field(), "confirm");
        let r = p
            .rematch(
                old,
                &bea,
                json!({"confirm": true, "note": "<script>alert(1)</script>"}),
            )
            .await
            .expect(422);
        assert_eq!(r.error_field(), "note");
        // Nothing was written.
        assert_eq!(
            p.room_json(&old.to_string(), &bea).await["status"],
            "active"
        );

        // Bea starts it.
        let r = p
            .rematch(old, &bea, json!({"confirm": true}))
            .await
            .expect(200);
        assert_eq!(r.json["from_status"], "ended_early");
        assert_eq!(r.json["person_id"], bea.id.to_string());
        let first = r.json["proposed_room"]
            .as_str()
            .unwrap_or_else(|| panic!("{}", r.json))
            .to_string();
        let first_mentor = r.json["proposed_with"].as_str().unwrap().to_string();
        assert!(
            first_mentor == "Nina Mentor" || first_mentor == "Olga Mentor",
            "never the old mentor: {first_mentor}"
        );
        let (first_p, second_p, second_name) = if first_mentor == "Nina Mentor" {
            (&nina, &olga, "Olga Mentor")
        } else {
            (&olga, &nina, "Nina Mentor")
        };
        // The old room ended for fit, in neutral words; Mona's seat is free.
        let o = p.room_json(&old.to_string(), &mona).await;
        assert_eq!(o["status"], "ended_early");
        assert_eq!(o["end_reason"], "fit");
        assert!(o["end_note"].as_str().unwrap().contains("nobody's fault"));
        assert!(!p.seated(&mona).await, "the old mentor's seat is free");
        let h =
            p.t.get(&format!("/api/v1/rooms/{old}/history"), mona.auth())
                .await
                .expect(200);
        assert_eq!(h.json["events"][0]["action"], "end");
        assert_eq!(h.json["events"][0]["reason"], "fit");
        // Emails: Bea hears of her new match, Mona of the end (with the
        // closure survey and, as she did not report a poor fit, no offer of
        // a mentor), the new mentor of the proposal.
        let mails = p.t.take_emails().await;
        assert_eq!(
            recipients(&mails),
            {
                let mut v = vec![
                    "bea.mentee@example.org".to_string(),
                    "mona.mentor@example.org".to_string(),
                    first_p.email.clone(),
                ];
                v.sort();
                v
            },
            "{mails:#?}"
        );
        let to_bea = mails
            .iter()
            .find(|m| m.to == "bea.mentee@example.org")
            .unwrap();
        assert!(to_bea.subject.contains("A new match"), "{}", to_bea.subject);
        assert!(to_bea.body.contains(&format!("/rooms/{old}/closure")));
        let to_mona = mails
            .iter()
            .find(|m| m.to == "mona.mentor@example.org")
            .unwrap();
        assert!(to_mona.body.contains("nobody's fault"), "{}", to_mona.body);
        assert!(to_mona.body.contains(&format!("/rooms/{old}/closure")));
        assert!(!to_mona.body.contains("mentor of your own"));
        // Both get the closure survey of the old room.
        for who in [&bea, &mona] {
            let c =
                p.t.get(&format!("/api/v1/rooms/{old}/closure"), who.auth())
                    .await
                    .expect(200);
            assert_eq!(c.json["window"], "open");
        }
        // A second re-match of the ended room: 409 naming its state.
        p.rematch(old, &bea, json!({"confirm": true}))
            .await
            .expect_error(409, "conflict");

        // Notes cannot be copied before the new room opens.
        let c =
            p.t.get(&format!("/api/v1/rooms/{old}/carry-over"), bea.auth())
                .await
                .expect(200);
        assert!(c.json["to_room"].is_null());
        assert_eq!(c.json["notes"].as_array().unwrap().len(), 2);
        let note = c.json["notes"][0]["id"].as_str().unwrap().to_string();
        p.t.call(
            "POST",
            &format!("/api/v1/rooms/{old}/carry-over"),
            bea.auth(),
            Some(json!({ "note_id": note })),
        )
        .await
        .expect_error(409, "conflict");

        // The first new mentor declines: the next referral follows.
        assert_eq!(
            p.answer(&first, first_p, "decline").await["status"],
            "ended_early"
        );
        let mails = p.t.take_emails().await;
        assert!(
            mails
                .iter()
                .any(|m| m.to == second_p.email && m.subject.contains("Your match")),
            "{mails:#?}"
        );
        assert!(mails
            .iter()
            .any(|m| m.to == "bea.mentee@example.org" && m.body.contains(second_name)));
        let s = p.t.get(&url, bea.auth()).await.expect(200);
        let second = s.json["proposed_room"].as_str().unwrap().to_string();
        assert_ne!(second, first);
        assert_eq!(s.json["proposed_with"], second_name);

        // Both accept; the room opens and Bea's goal is there.
        p.answer(&second, &bea, "accept").await;
        assert_eq!(
            p.answer(&second, second_p, "accept").await["status"],
            "active"
        );
        p.t.take_emails().await;
        let g =
            p.t.get(&format!("/api/v1/rooms/{second}/goals"), bea.auth())
                .await
                .expect(200);
        assert_eq!(g.json["goals"][0]["id"], goal["id"]);
        let g =
            p.t.get(&format!("/api/v1/rooms/{old}/goals"), bea.auth())
                .await
                .expect(200);
        assert!(g.json["goals"].as_array().unwrap().is_empty());
        assert_eq!(
            g.json["moved"][0]["snapshot"]["title"],
            "Speak up in meetings"
        );

        // Notes, one by one, by her choice; once each.
        let copy = |note: String| {
            let t = &p.t;
            let bea = &bea;
            async move {
                t.call(
                    "POST",
                    &format!("/api/v1/rooms/{old}/carry-over"),
                    bea.auth(),
                    Some(json!({ "note_id": note })),
                )
                .await
            }
        };
        copy(note.clone()).await.expect(200);
        let again = copy(note.clone()).await.expect(409);
        assert_eq!(again.error_field(), "note_id");
        copy("not-an-id".into()).await.expect(422);
        let c =
            p.t.get(&format!("/api/v1/rooms/{old}/carry-over"), bea.auth())
                .await
                .expect(200);
        assert_eq!(c.json["to_room"], second.as_str());
        let copied: Vec<bool> = c.json["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["copied"].as_bool().unwrap())
            .collect();
        assert_eq!(copied, [true, false]);
        let n =
            p.t.get(&format!("/api/v1/rooms/{second}/notes"), bea.auth())
                .await
                .expect(200);
        assert_eq!(n.json.as_array().unwrap().len(), 1, "{}", n.json);
        // Nobody else reaches the carry-over step.
        p.t.get(&format!("/api/v1/rooms/{old}/carry-over"), mona.auth())
            .await
            .expect_error(404, "not_found");

        // The pages: the status page and the carry-over page, for Bea.
        let r = p
            .page("GET", &format!("/rooms/{old}/rematch"), &bea, "")
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.text.contains(second_name));
        let r = p
            .page("GET", &format!("/rooms/{old}/carry-over"), &bea, "")
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.text.contains("Copy to my new room"));
        assert!(r.text.contains("Copied to your new room"));
        p.t.finish().await;
    }
}

#[tokio::test]
async fn when_nobody_can_take_them_the_answer_says_why_and_the_managers_hear() {
    for kind in test_database_kinds() {
        let p = programme(kind, "one_to_one").await;
        let mona = p.enrolled("Mona Mentor", ProgrammeRole::Mentor, 2).await;
        let bea = p.enrolled("Bea Mentee", ProgrammeRole::Mentee, 0).await;
        let old = p
            .room(&[
                (&mona, ProgrammeRole::Mentor),
                (&bea, ProgrammeRole::Mentee),
            ])
            .await;
        // A manager of another programme may not.
        let other = p.t.programme("Autumn", "one_to_one").await;
        let stranger =
            p.t.manager_of(&other, "sam@example.org", "Sam Manager")
                .await;
        p.rematch(old, &stranger, json!({"confirm": true}))
            .await
            .expect_error(404, "not_found");
        // The manager starts it from the confirmation page.
        let r = p
            .page("GET", &format!("/rooms/{old}/rematch"), &p.manager, "")
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.text.contains("Start the re-match"));
        assert!(r.text.contains("Bea Mentee"));
        let r = p
            .page(
                "POST",
                &format!("/rooms/{old}/rematch"),
                &p.manager,
                "confirm=true",
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.text.contains("Nobody can take"), "{}", r.text);
        assert!(r.text.contains("What would help"), "{}", r.text);
        // She waits in the pool; the old mentor's seat is free; the manager
        // and Bea were told why.
        assert!(!p.seated(&bea).await && !p.seated(&mona).await);
        let mails = p.t.take_emails().await;
        let to_mo = mails.iter().find(|m| m.to == "mo@example.org").unwrap();
        // The programme's creator manages it too, and hears the same.
        assert!(mails
            .iter()
            .any(|m| m.to == "admin@example.org" && m.subject == to_mo.subject));
        assert!(
            to_mo.subject.contains("waiting for a new match"),
            "{}",
            to_mo.subject
        );
        assert!(to_mo.body.contains("What would help"), "{}", to_mo.body);
        let to_bea = mails
            .iter()
            .find(|m| m.to == "bea.mentee@example.org")
            .unwrap();
        assert!(
            to_bea.body.contains("Nobody can take you"),
            "{}",
            to_bea.body
        );
        assert_eq!(mails.len(), 4, "{mails:#?}");
        // The API says the same for the next one.
        let cy = p.enrolled("Cy Mentee", ProgrammeRole::Mentee, 0).await;
        let dan = p.enrolled("Dan Mentor", ProgrammeRole::Mentor, 1).await;
        let room2 = p
            .room(&[(&dan, ProgrammeRole::Mentor), (&cy, ProgrammeRole::Mentee)])
            .await;
        // Mona's free seat makes her the one proposed: her seat is matchable.
        let r = p
            .rematch(room2, &p.manager, json!({"confirm": true}))
            .await
            .expect(200);
        assert_eq!(r.json["proposed_with"], "Mona Mentor");
        p.t.take_emails().await;
        p.t.finish().await;
    }
}

#[tokio::test]
async fn in_a_group_only_the_asker_leaves_and_a_mentor_who_said_no_is_offered_a_mentor() {
    for kind in test_database_kinds() {
        let p = programme(kind, "group").await;
        let mona = p.enrolled("Mona Mentor", ProgrammeRole::Mentor, 3).await;
        let nina = p.enrolled("Nina Mentor", ProgrammeRole::Mentor, 3).await;
        let bea = p.enrolled("Bea Mentee", ProgrammeRole::Mentee, 0).await;
        let cy = p.enrolled("Cy Mentee", ProgrammeRole::Mentee, 0).await;
        let dee = p.enrolled("Dee Mentee", ProgrammeRole::Mentee, 0).await;
        let old = p
            .room(&[
                (&mona, ProgrammeRole::Mentor),
                (&bea, ProgrammeRole::Mentee),
                (&cy, ProgrammeRole::Mentee),
                (&dee, ProgrammeRole::Mentee),
            ])
            .await;
        // A manager must say who, in a room of several mentees.
        let r = p
            .rematch(old, &p.manager, json!({"confirm": true}))
            .await
            .expect(422);
        assert_eq!(r.error_field(), "person");
        let r = p
            .rematch(
                old,
                &p.manager,
                json!({"confirm": true, "person": nina.id.to_string()}),
            )
            .await
            .expect(422);
        assert_eq!(r.error_field(), "person");
        // Cy answered yes: he cannot.
        p.pulse(old, &cy, ProgrammeRole::Mentee, Working::Yes).await;
        p.rematch(old, &cy, json!({"confirm": true}))
            .await
            .expect_error(403, "forbidden");
        p.pulse(old, &bea, ProgrammeRole::Mentee, Working::No).await;
        p.pulse(old, &mona, ProgrammeRole::Mentor, Working::No)
            .await;
        let r = p
            .rematch(old, &bea, json!({"confirm": true}))
            .await
            .expect(200);
        assert_eq!(r.json["from_status"], "active");
        assert_eq!(r.json["proposed_with"], "Nina Mentor");
        let o = p.room_json(&old.to_string(), &mona).await;
        assert_eq!(o["status"], "active");
        let states: Vec<(String, String)> = o["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["name"].as_str().unwrap().into(),
                    m["state"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert!(states.contains(&("Bea Mentee".into(), "left".into())));
        assert!(states.contains(&("Cy Mentee".into(), "accepted".into())));
        let mails = p.t.take_emails().await;
        // Mona said no at her check-in: she is offered a mentor of her own.
        let to_mona = mails
            .iter()
            .find(|m| m.to == "mona.mentor@example.org")
            .unwrap();
        assert!(
            to_mona.body.contains("mentor of your own"),
            "{}",
            to_mona.body
        );
        assert!(to_mona.body.contains("carries on"));
        let r = p.page("GET", &format!("/rooms/{old}"), &mona, "").await;
        assert!(r.text.contains("A mentor of your own"), "{}", r.text);
        assert_eq!(mails.len(), 5, "{mails:#?}");
        p.t.finish().await;
    }
}

#[tokio::test]
async fn peers_get_a_ranked_referral_list_and_pick_one() {
    for kind in test_database_kinds() {
        let p = programme(kind, "peer").await;
        let ana = p.enrolled("Ana Peer", ProgrammeRole::Peer, 0).await;
        let ben = p.enrolled("Ben Peer", ProgrammeRole::Peer, 0).await;
        let cat = p.enrolled("Cat Peer", ProgrammeRole::Peer, 0).await;
        let dov = p.enrolled("Dov Peer", ProgrammeRole::Peer, 0).await;
        let old = p
            .room(&[(&ana, ProgrammeRole::Peer), (&ben, ProgrammeRole::Peer)])
            .await;
        p.pulse(old, &ana, ProgrammeRole::Peer, Working::No).await;
        let r = p
            .rematch(old, &ana, json!({"confirm": true}))
            .await
            .expect(200);
        assert!(r.json["proposed_room"].is_null());
        let names: Vec<&str> = r.json["referrals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"Cat Peer") && names.contains(&"Dov Peer"),
            "{names:?}"
        );
        assert!(!names.contains(&"Ben Peer") && !names.contains(&"Ana Peer"));
        p.t.take_emails().await;
        // The page lists them with a button each.
        let r = p
            .page("GET", &format!("/rooms/{old}/rematch"), &ana, "")
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.text.contains("Propose meeting Cat Peer"));
        // A bad pick names the field; someone not on the list is a 409.
        let pick = |body: Value| {
            let t = &p.t;
            let ana = &ana;
            async move {
                t.call(
                    "POST",
                    &format!("/api/v1/rooms/{old}/rematch/pick"),
                    ana.auth(),
                    Some(body),
                )
                .await
            }
        };
        assert_eq!(
            pick(json!({"person_id": "x"}))
                .await
                .expect(422)
                .error_field(),
            "person_id"
        );
        pick(json!({"person_id": ben.id.to_string()}))
            .await
            .expect(409);
        let r = pick(json!({"person_id": cat.id.to_string()}))
            .await
            .expect(200);
        let room = r.json["room"].as_str().unwrap().to_string();
        p.t.expect_email("cat.peer@example.org", "Your match").await;
        let s =
            p.t.get(&format!("/api/v1/rooms/{old}/rematch"), ana.auth())
                .await
                .expect(200);
        assert_eq!(s.json["proposed_room"], room.as_str());
        assert_eq!(p.answer(&room, &cat, "accept").await["status"], "active");
        p.t.expect_email("ana.peer@example.org", "").await;
        p.t.expect_email("cat.peer@example.org", "").await;
        let _ = dov;
        p.t.finish().await;
    }
}

/// The next-page link of a list answer, as a path the test router takes.
fn next_link(r: &rapport_web::testing::Reply) -> Option<String> {
    let link = r.headers.get("link")?.to_str().unwrap().to_string();
    link.split(", ")
        .find(|l| l.ends_with("rel=\"next\""))
        .map(|l| {
            let url = l.trim_start_matches('<').split('>').next().unwrap();
            url[url.find("/api/").unwrap()..].to_string()
        })
}

#[tokio::test]
async fn a_mentor_who_ends_a_room_for_fit_is_offered_a_mentor_and_the_rooms_link_both_ways() {
    for kind in test_database_kinds() {
        let p = programme(kind, "one_to_one").await;
        let mona = p.enrolled("Mona Mentor", ProgrammeRole::Mentor, 1).await;
        let nina = p.enrolled("Nina Mentor", ProgrammeRole::Mentor, 1).await;
        let bea = p.enrolled("Bea Mentee", ProgrammeRole::Mentee, 0).await;
        let cy = p.enrolled("Cy Mentee", ProgrammeRole::Mentee, 0).await;

        // Mona ends her room with Cy for fit through the status route, not
        // the re-match: she is offered a mentor of her own, Cy is not.
        let room = p
            .room(&[(&mona, ProgrammeRole::Mentor), (&cy, ProgrammeRole::Mentee)])
            .await;
        p.t.call(
            "POST",
            &format!("/api/v1/rooms/{room}/status"),
            mona.auth(),
            Some(json!({"action": "end", "reason": "fit"})),
        )
        .await
        .expect(200);
        let mails = p.t.take_emails().await;
        assert_eq!(
            recipients(&mails),
            ["cy.mentee@example.org", "mona.mentor@example.org"]
        );
        for m in &mails {
            let offered = m.body.contains("mentor of your own");
            assert_eq!(offered, m.to == "mona.mentor@example.org", "{}", m.body);
        }
        let r = p.page("GET", &format!("/rooms/{room}"), &mona, "").await;
        assert!(r.text.contains("A mentor of your own"), "{}", r.text);
        let r = p.page("GET", &format!("/rooms/{room}"), &cy, "").await;
        assert!(!r.text.contains("A mentor of your own"));
        // Another reason offers nothing.
        let other = p
            .room(&[(&nina, ProgrammeRole::Mentor), (&cy, ProgrammeRole::Mentee)])
            .await;
        p.t.call(
            "POST",
            &format!("/api/v1/rooms/{other}/status"),
            nina.auth(),
            Some(json!({"action": "end", "reason": "time"})),
        )
        .await
        .expect(200);
        assert!(p
            .t
            .take_emails()
            .await
            .iter()
            .all(|m| !m.body.contains("mentor of your own")));

        // A re-match links the rooms both ways, for Bea and the managers only.
        let old = p
            .room(&[
                (&mona, ProgrammeRole::Mentor),
                (&bea, ProgrammeRole::Mentee),
            ])
            .await;
        let o = p.room_json(&old.to_string(), &bea).await;
        assert_eq!(o["rematched_to"], json!([]));
        assert!(o["rematched_from"].is_null());
        let r = p
            .rematch(old, &p.manager, json!({"confirm": true}))
            .await
            .expect(200);
        let new = r.json["proposed_room"].as_str().unwrap().to_string();
        for who in [&bea, &p.manager] {
            let o = p.room_json(&old.to_string(), who).await;
            assert_eq!(o["rematched_to"], json!([new.clone()]));
            let n = p.room_json(&new, who).await;
            assert_eq!(n["rematched_from"], old.to_string());
        }
        let o = p.room_json(&old.to_string(), &mona).await;
        assert_eq!(
            o["rematched_to"],
            json!([]),
            "the old mentor does not learn the new room"
        );
        let n = p.room_json(&new, &nina).await;
        assert!(
            n["rematched_from"].is_null(),
            "the new mentor does not learn the old room"
        );
        p.t.take_emails().await;

        // Bea's rooms, one a page: the first page needs no cursor, the
        // others follow the Link header, and the body is the same list.
        let all = p.t.get("/api/v1/rooms", bea.auth()).await.expect(200);
        let all: Vec<String> = all
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0], new, "newest first");
        let mut seen = vec![];
        let mut next = Some("/api/v1/rooms?limit=1".to_string());
        while let Some(url) = next {
            let r = p.t.get(&url, bea.auth()).await.expect(200);
            let items = r.json.as_array().unwrap();
            assert_eq!(items.len(), 1, "{url}");
            assert!(items[0]["waiting_for"].is_string() || items[0]["waiting_for"].is_null());
            seen.push(items[0]["id"].as_str().unwrap().to_string());
            next = next_link(&r);
        }
        assert_eq!(seen, all);
        let r =
            p.t.get("/api/v1/rooms?limit=0", bea.auth())
                .await
                .expect(422);
        assert_eq!(r.error_field(), "limit");
        let r =
            p.t.get("/api/v1/rooms?cursor=nope", bea.auth())
                .await
                .expect(422);
        assert_eq!(r.error_field(), "cursor");
        p.t.finish().await;
    }
}

#[tokio::test]
async fn a_circle_member_picks_a_referral_and_a_new_circle_is_proposed() {
    for kind in test_database_kinds() {
        let p = programme(kind, "circle").await;
        let names = [
            "Ana Peer", "Ben Peer", "Cat Peer", "Dov Peer", "Eve Peer", "Fay Peer", "Gil Peer",
        ];
        let mut peers = vec![];
        for n in names {
            peers.push(p.enrolled(n, ProgrammeRole::Peer, 0).await);
        }
        let old = p
            .room(
                &peers[..4]
                    .iter()
                    .map(|x| (x, ProgrammeRole::Peer))
                    .collect::<Vec<_>>(),
            )
            .await;
        let ana = &peers[0];
        p.pulse(old, ana, ProgrammeRole::Peer, Working::No).await;
        let r = p
            .rematch(old, ana, json!({"confirm": true}))
            .await
            .expect(200);
        let listed: Vec<String> = r.json["referrals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            listed.len(),
            3,
            "Eve, Fay and Gil wait in the pool: {listed:?}"
        );
        p.t.take_emails().await;
        // Ana picks Fay: a circle of Ana, Fay and the best others up to the
        // programme's smallest circle is proposed; Ana has answered already.
        let fay = &peers[5];
        let r =
            p.t.call(
                "POST",
                &format!("/api/v1/rooms/{old}/rematch/pick"),
                ana.auth(),
                Some(json!({"person_id": fay.id.to_string()})),
            )
            .await
            .expect(200);
        let room = r.json["room"].as_str().unwrap().to_string();
        let n = p.room_json(&room, ana).await;
        assert_eq!(n["status"], "proposed");
        let members = n["members"].as_array().unwrap();
        assert_eq!(members.len(), 4, "{n}");
        let state = |name: &str| {
            members
                .iter()
                .find(|m| m["name"] == name)
                .map(|m| m["state"].as_str().unwrap().to_string())
        };
        assert_eq!(state("Ana Peer").as_deref(), Some("accepted"));
        assert_eq!(state("Fay Peer").as_deref(), Some("invited"));
        let mails = p.t.take_emails().await;
        assert_eq!(mails.len(), 3, "the three others are asked: {mails:#?}");
        // Nobody else is free now: a second pick says why, and writes nothing.
        let bob = &peers[1];
        p.pulse(old, bob, ProgrammeRole::Peer, Working::No).await;
        p.rematch(old, bob, json!({"confirm": true}))
            .await
            .expect(200);
        p.t.take_emails().await;
        let r =
            p.t.get(&format!("/api/v1/rooms/{old}/rematch"), bob.auth())
                .await
                .expect(200);
        assert_eq!(
            r.json["referrals"],
            json!([]),
            "everyone free is in Ana's proposal"
        );
        p.t.finish().await;
    }
}

#[tokio::test]
async fn a_programme_changes_its_room_rules_and_the_first_check_in_opens_at_the_first_session() {
    for kind in test_database_kinds() {
        let p = programme(kind, "one_to_one").await;
        let mona = p.enrolled("Mona Mentor", ProgrammeRole::Mentor, 1).await;
        let bea = p.enrolled("Bea Mentee", ProgrammeRole::Mentee, 0).await;
        let url = "/api/v1/programmes/spring/room-rules";
        let r = p.t.get(url, p.manager.auth()).await.expect(200);
        assert_eq!(r.json["pulse_first_day"], 30);
        assert_eq!(r.json["pulse_every_days"], 60);
        p.t.get(url, bea.auth())
            .await
            .expect_error(403, "forbidden");
        // Bad rules name their field and change nothing.
        for (body, field) in [
            (json!({"pulse_every_days": 0}), "pulse_every_days"),
            (
                json!({"activation_attention_days": 40}),
                "activation_risk_days",
            ),
        ] {
            let r =
                p.t.call("PUT", url, p.manager.auth(), Some(body.clone()))
                    .await
                    .expect(422);
            assert!(
                r.fields().contains(&field.to_string()),
                "{body}: {}",
                r.json
            );
        }
        p.t.call(
            "PUT",
            url,
            p.manager.auth(),
            Some(json!({"pulse_first_days": 1})),
        )
        .await
        .expect_error(400, "bad_request");
        p.t.call("PUT", url, bea.auth(), Some(json!({})))
            .await
            .expect_error(403, "forbidden");
        assert_eq!(
            p.t.get(url, p.manager.auth()).await.expect(200).json["pulse_first_day"],
            30
        );

        // A session is held; with the default rules no check-in is open.
        let room = p
            .room(&[
                (&mona, ProgrammeRole::Mentor),
                (&bea, ProgrammeRole::Mentee),
            ])
            .await;
        let at = p.t.app.now() + 3_600_000;
        let start = chrono::DateTime::from_timestamp_millis(at)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let s =
            p.t.call(
                "POST",
                &format!("/api/v1/rooms/{room}/sessions"),
                mona.auth(),
                Some(json!({"starts_at": start, "minutes": 60})),
            )
            .await
            .expect(201);
        let session = s.json["ids"][0].as_str().unwrap().to_string();
        p.t.clock.advance(2 * 3_600_000);
        p.t.call(
            "POST",
            &format!("/api/v1/sessions/{session}/status"),
            mona.auth(),
            Some(json!({"status": "held", "attendance": {
                mona.id.to_string(): "attended", bea.id.to_string(): "attended"}})),
        )
        .await
        .expect(200);
        let answer = json!({"genuineness": 2, "empathy": 3, "acceptance": 3, "working": "no"});
        let pulse = format!("/api/v1/rooms/{room}/pulse");
        p.t.call("POST", &pulse, bea.auth(), Some(answer.clone()))
            .await
            .expect_error(409, "conflict");
        // The programme opens the first check-in at the first held session.
        let r =
            p.t.call(
                "PUT",
                url,
                p.manager.auth(),
                Some(json!({"pulse_first_day": 0})),
            )
            .await
            .expect(200);
        assert_eq!(r.json["pulse_first_day"], 0);
        assert_eq!(r.json["pulse_every_days"], 60, "left out: the default");
        p.t.call("POST", &pulse, bea.auth(), Some(answer))
            .await
            .expect(201);
        p.t.take_emails().await;
        p.t.finish().await;
    }
}
