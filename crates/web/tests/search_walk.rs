//! Search reads a common word by walking the newest posts, and a rare one
//! from the index (issue 19, "Performance"; `rapport_store::search`). Both
//! ways must give the same answer: the same hits, in the same order, paged
//! by cursor in both directions, and never a post the reader may not see.

use rapport_web::testing::{test_database_kinds, Person, Reply, TestApp};
use serde_json::{json, Value};

async fn thread(t: &TestApp, who: &Person, title: &str, visibility: &str) -> String {
    let r = t
        .call(
            "POST",
            "/api/v1/threads",
            who.auth(),
            Some(json!({"title": title, "visibility": visibility})),
        )
        .await
        .expect(201);
    r.json["id"].as_str().unwrap().to_string()
}

async fn post(t: &TestApp, who: &Person, thread: &str, body: &str) {
    t.call(
        "POST",
        &format!("/api/v1/threads/{thread}/posts"),
        who.auth(),
        Some(json!({"kind": "update", "body": body})),
    )
    .await
    .expect(201);
}

/// The hits of every page from `url` on, following `Link: rel="next"`, as
/// `who`; and the last page's answer.
async fn pages_of(t: &TestApp, url: &str, who: &Person) -> (Vec<Vec<String>>, Reply) {
    let mut pages = vec![];
    let mut r = t.get(url, who.auth()).await.expect(200);
    loop {
        pages.push(hits(&r));
        match r.link("next") {
            Some(next) => r = t.get(&next, who.auth()).await.expect(200),
            None => return (pages, r),
        }
    }
}

/// Every hit of a page, as "kind:text", in the answer's order (threads,
/// posts, roadmaps are separate lists; each list keeps the page's order).
fn hits(r: &Reply) -> Vec<String> {
    let list = |k: &str, field: &str| -> Vec<String> {
        r.json[k]
            .as_array()
            .unwrap_or_else(|| panic!("{}", r.json))
            .iter()
            .map(|v: &Value| format!("{k}:{}", v[field].as_str().unwrap()))
            .collect()
    };
    let mut out = list("threads", "title");
    out.extend(list("posts", "body"));
    out
}

#[tokio::test]
async fn a_common_word_walks_the_newest_posts_and_agrees_with_the_index() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let author = t.member("author@example.org", "Ana Author").await;
        let reader = t.member("reader@example.org", "Rui Reader").await;
        let open = thread(&t, &author, "Delegation, week by week", "members").await;
        let private = thread(&t, &author, "Only for me: delegation", "only_me").await;
        // Seven posts the reader sees and three they may not, interleaved in
        // time, and one that does not match.
        for i in 0..7 {
            post(&t, &author, &open, &format!("Delegation entry {i}")).await;
            if i % 2 == 0 {
                post(&t, &author, &private, &format!("Private delegation {i}")).await;
            }
        }
        post(&t, &author, &open, "Nothing about the word at all").await;

        // limit=2: more than a page matches among the newest posts, so the
        // posts come from the walk. limit=100: fewer match than the page
        // holds, so they come from the index. The same hits, in order.
        let whole = t
            .get("/api/v1/search?q=delegation&limit=100", reader.auth())
            .await
            .expect(200);
        let expected = hits(&whole);
        assert_eq!(expected.len(), 1 + 7, "[{kind}] {expected:?}");
        assert!(
            expected
                .iter()
                .all(|h| !h.contains("Private") && !h.contains("Only for me")),
            "[{kind}] {expected:?}"
        );
        let (pages, r) = pages_of(&t, "/api/v1/search?q=delegation&limit=2", &reader).await;
        let mut walked: Vec<String> = pages.concat();
        // Within a page, threads are listed before posts; across the whole
        // list, the thread is the oldest hit, so it comes last.
        walked.sort_by_key(|h| h.starts_with("threads:"));
        let mut want = expected.clone();
        want.sort_by_key(|h| h.starts_with("threads:"));
        assert_eq!(walked, want, "[{kind}] pages: {pages:?}");
        assert_eq!(
            pages[0],
            ["posts:Delegation entry 6", "posts:Delegation entry 5"]
        );
        // And back: the previous page of the last is the one before it.
        let prev = r.link("prev").expect("a way back");
        let back = t.get(&prev, reader.auth()).await.expect(200);
        assert_eq!(hits(&back), pages[pages.len() - 2], "[{kind}]");

        // The author sees their private posts too, both ways.
        let all = t
            .get("/api/v1/search?q=delegation&limit=100", author.auth())
            .await
            .expect(200);
        assert_eq!(hits(&all).len(), 2 + 7 + 4, "[{kind}]");
        let first = t
            .get("/api/v1/search?q=delegation&limit=3", author.auth())
            .await
            .expect(200);
        assert_eq!(
            hits(&first),
            [
                "posts:Private delegation 6",
                "posts:Delegation entry 6",
                "posts:Delegation entry 5"
            ],
            "[{kind}]"
        );
        t.finish().await;
    }
}

/// A word found among the newest 200 posts, but not often enough there to
/// fill the page, is walked on to 1,000 posts when the rate seen promises to
/// fill it; it must agree with the index too.
#[tokio::test]
async fn a_word_seen_once_in_the_first_walk_is_walked_further() {
    for kind in test_database_kinds() {
        let t = TestApp::new(kind).await;
        let author = t.member("author@example.org", "Ana Author").await;
        let reader = t.member("reader@example.org", "Rui Reader").await;
        let open = thread(&t, &author, "A year of notes", "members").await;
        // 230 posts; "kestrel" in the 10th newest and in two of the oldest,
        // beyond the first walk's 200.
        for i in 0..230 {
            let body = if [0, 5, 220].contains(&i) {
                format!("Saw a kestrel today, note {i}")
            } else {
                format!("An ordinary note {i}")
            };
            post(&t, &author, &open, &body).await;
        }
        let whole = t
            .get("/api/v1/search?q=kestrel&limit=100", reader.auth())
            .await
            .expect(200);
        let expected = hits(&whole);
        assert_eq!(
            expected,
            [
                "posts:Saw a kestrel today, note 220",
                "posts:Saw a kestrel today, note 5",
                "posts:Saw a kestrel today, note 0"
            ],
            "[{kind}]"
        );
        // limit=2: one seen in the first 200, three wanted (the page and one
        // more): the walk goes on to 1,000 and finds them all.
        let (pages, _) = pages_of(&t, "/api/v1/search?q=kestrel&limit=2", &reader).await;
        assert_eq!(pages.concat(), expected, "[{kind}] pages: {pages:?}");
        t.finish().await;
    }
}
