//! Calendars over HTTP: a session's `.ics` download (room members and
//! managers, 404 for anyone else), the feed URL and its reset in the API,
//! the feed without a cookie, and the calendar pages with their confirm step.

#[path = "../../app/tests/support/calendar_room.rs"]
mod calendar_room;

use calendar_room::{add_session, calendar_room, cancel};
use rapport_web::testing::{test_database_kinds, Auth, TestApp};

const HOUR: i64 = 3_600_000;

fn header<'a>(r: &'a rapport_web::testing::TextReply, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The path of a feed URL (the test router serves paths, not hosts).
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    format!("/{}", rest.split_once('/').map_or("", |(_, p)| p))
}

#[tokio::test]
async fn a_session_downloads_as_ics_for_its_room_only() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = calendar_room(&t, "Europe/Lisbon", "Asia/Kolkata").await;
        let s = add_session(
            &t,
            r.room,
            r.ana.id,
            t.app.now() + 48 * HOUR,
            60,
            "Europe/Lisbon",
        )
        .await;
        let path = format!("/api/v1/sessions/{}/ics", s.id);
        for who in [&r.ana, &r.bo] {
            let reply = t
                .reply_text(
                    TestApp::request("GET", &path, who.auth())
                        .body(Default::default())
                        .unwrap(),
                )
                .await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            assert_eq!(
                header(&reply, "content-type"),
                "text/calendar; charset=utf-8"
            );
            assert_eq!(
                header(&reply, "content-disposition"),
                "attachment; filename=\"session-2026-05-30.ics\""
            );
            assert!(
                reply.text.starts_with("BEGIN:VCALENDAR\r\n"),
                "{}",
                reply.text
            );
            assert!(reply.text.contains(&format!("UID:{}\r\n", s.uid)));
            assert!(reply.text.contains("METHOD:PUBLISH\r\n"));
            assert!(
                !reply.text.contains("mailto:"),
                "no addresses in a download"
            );
        }
        let outsider = t.member("cy@example.org", "Cy Outsider").await;
        t.call("GET", &path, outsider.auth(), None)
            .await
            .expect_error(404, "not_found");
        t.call("GET", &path, Auth::Anonymous, None)
            .await
            .expect(401);
        let unknown = format!("/api/v1/sessions/{}/ics", uuid::Uuid::new_v4());
        t.call("GET", &unknown, r.ana.auth(), None)
            .await
            .expect_error(404, "not_found");
        t.call("GET", "/api/v1/sessions/nope/ics", r.ana.auth(), None)
            .await
            .expect_error(404, "not_found");
        t.finish().await;
    }
}

#[tokio::test]
async fn the_feed_url_works_without_a_cookie_until_it_is_reset() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = calendar_room(&t, "UTC", "UTC").await;
        let s = add_session(&t, r.room, r.ana.id, t.app.now() + 48 * HOUR, 60, "UTC").await;
        let gone = add_session(&t, r.room, r.ana.id, t.app.now() + 72 * HOUR, 60, "UTC").await;
        cancel(&t, gone.id, r.ana.id).await;
        let url = t
            .call("GET", "/api/v1/me/calendar", r.bo.auth(), None)
            .await
            .expect(200)
            .json["url"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            url.starts_with("http://rapport.test/calendar/") && url.ends_with(".ics"),
            "{url}"
        );
        let again = t
            .call("GET", "/api/v1/me/calendar", r.bo.auth(), None)
            .await
            .expect(200);
        assert_eq!(again.json["url"], url.as_str(), "the same URL each time");

        let feed = t
            .reply_text(
                TestApp::request("GET", &path_of(&url), Auth::Anonymous)
                    .body(Default::default())
                    .unwrap(),
            )
            .await;
        assert_eq!(feed.status, 200, "{}", feed.text);
        assert_eq!(
            header(&feed, "content-type"),
            "text/calendar; charset=utf-8"
        );
        assert_eq!(header(&feed, "cache-control"), "private, max-age=3600");
        assert!(feed.text.contains(&format!("UID:{}\r\n", s.uid)));
        assert!(feed.text.contains(&format!("UID:{}\r\n", gone.uid)));
        assert!(feed.text.contains("STATUS:CANCELLED\r\n"));

        // Without the .ics suffix, or another token: 404.
        let bare = path_of(&url).trim_end_matches(".ics").to_string();
        for p in [bare.as_str(), "/calendar/forged.ics", "/calendar/.ics"] {
            let r = t
                .reply_text(
                    TestApp::request("GET", p, Auth::Anonymous)
                        .body(Default::default())
                        .unwrap(),
                )
                .await;
            assert_eq!(r.status, 404, "{p}");
        }

        let reset = t
            .call("POST", "/api/v1/me/calendar/reset", r.bo.auth(), None)
            .await
            .expect(200);
        let new = reset.json["url"].as_str().unwrap().to_string();
        assert_ne!(new, url);
        let old = t
            .reply_text(
                TestApp::request("GET", &path_of(&url), Auth::Anonymous)
                    .body(Default::default())
                    .unwrap(),
            )
            .await;
        assert_eq!(old.status, 404, "the old URL is gone");
        let fresh = t
            .reply_text(
                TestApp::request("GET", &path_of(&new), Auth::Anonymous)
                    .body(Default::default())
                    .unwrap(),
            )
            .await;
        assert_eq!(fresh.status, 200);
        t.call("GET", "/api/v1/me/calendar", Auth::Anonymous, None)
            .await
            .expect(401);
        t.finish().await;
    }
}

#[tokio::test]
async fn the_calendar_page_shows_the_feed_and_resets_it_after_a_confirm_step() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let r = calendar_room(&t, "Asia/Kolkata", "UTC").await;
        let s = add_session(&t, r.room, r.bo.id, t.app.now() + 48 * HOUR, 45, "UTC").await;
        let get = |path: &str| {
            TestApp::request("GET", path, r.ana.auth())
                .body(Default::default())
                .unwrap()
        };

        let account = t.reply_text(get("/account")).await;
        assert!(
            account.text.contains("href=\"/account/calendar\""),
            "the account page links to it"
        );

        let page = t.reply_text(get("/account/calendar")).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let url = t
            .app
            .calendar_feed_url(&t.actor(&r.ana).await)
            .await
            .unwrap();
        assert!(
            page.text.contains(&format!("value=\"{url}\"")),
            "{}",
            page.text
        );
        assert!(page.text.contains("<label for=\"feed-url\">"));
        assert!(
            page.text.contains("Mentoring: Ana Lima &amp; Bo Chen")
                || page.text.contains("Mentoring: Ana Lima &#38; Bo Chen"),
            "{}",
            page.text
        );
        assert!(
            page.text.contains("(Kolkata)"),
            "times in the viewer's zone"
        );
        assert!(page
            .text
            .contains(&format!("/api/v1/sessions/{}/ics", s.id)));

        let confirm = t.reply_text(get("/account/calendar/reset")).await;
        assert_eq!(confirm.status, 200);
        assert!(confirm
            .text
            .contains("method=\"post\" action=\"/account/calendar/reset\""));
        assert_eq!(
            t.app
                .calendar_feed_url(&t.actor(&r.ana).await)
                .await
                .unwrap(),
            url,
            "viewing the confirm step changes nothing"
        );

        let posted = t
            .reply_text(
                TestApp::request("POST", "/account/calendar/reset", r.ana.auth())
                    .header("origin", "http://rapport.test")
                    .body(Default::default())
                    .unwrap(),
            )
            .await;
        assert_eq!(posted.status, 303);
        assert_eq!(
            header(&posted, "location"),
            "/account/calendar?done=calendar_reset"
        );
        let new = t
            .app
            .calendar_feed_url(&t.actor(&r.ana).await)
            .await
            .unwrap();
        assert_ne!(new, url);
        let after = t
            .reply_text(get("/account/calendar?done=calendar_reset"))
            .await;
        assert!(after.text.contains("the old one no longer works"));
        assert!(after.text.contains(&new));

        let anonymous = t
            .reply_text(
                TestApp::request("GET", "/account/calendar", Auth::Anonymous)
                    .body(Default::default())
                    .unwrap(),
            )
            .await;
        assert_eq!(anonymous.status, 303, "sign in first");
        t.finish().await;
    }
}
