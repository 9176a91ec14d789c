//! The people directory (issue 20): newest first, a search walks the newest
//! people for common words and asks the full-text index for rare ones, and
//! every path gives the same list a plain filter over everyone would. Runs
//! on SQLite, and on PostgreSQL when `RAPPORT_TEST_DATABASE_URL` is set.

use rapport_domain::person::{AccountStatus, Profile, Visibility};
use rapport_domain::values::PersonName;
use rapport_domain::PersonId;
use rapport_store::page::Cursor;
use rapport_store::testing::{fresh_store, test_database_kinds};
use rapport_store::*;
use uuid::Uuid;

const PEOPLE: i64 = 900;

/// Person `i`: every third offers coaching, every 45th falconry, one
/// quillfeather; every tenth (from 1) is private and every tenth (from 2)
/// has not accepted their invitation. People come 150 to a millisecond, as
/// an import makes them, so ids break most ties.
fn person(i: i64) -> NewPerson {
    let mut profile = Profile::new(PersonName::parse("name", &format!("Person {i:03}")).unwrap());
    let mut skills = vec!["Listening".to_string()];
    if i % 3 == 0 {
        skills.push("Coaching".into());
    }
    if i % 45 == 0 {
        skills.push("Falconry".into());
    }
    if i == 500 {
        skills.push("Quillfeather".into());
    }
    profile.skills_offered = skills;
    if i % 10 == 1 {
        profile.visibility = Visibility::Private;
    }
    NewPerson {
        id: PersonId::new(),
        email: format!("p{i}@example.org"),
        status: if i % 10 == 2 {
            AccountStatus::Invited
        } else {
            AccountStatus::Active
        },
        is_admin: false,
        password_hash: Some("hash".into()),
        email_verified_at: None,
        profile,
        now: 1_000 + (i / 150) * 10,
    }
}

/// What the directory should list for `word`, by brute force: newest
/// first, then by id.
fn expected(all: &[NewPerson], word: &str, me: Option<PersonId>, admin: bool) -> Vec<Uuid> {
    let mut found: Vec<&NewPerson> = all
        .iter()
        .filter(|p| {
            let text = format!(
                "{} {} {}",
                p.profile.name,
                p.email,
                p.profile.skills_offered.join(" ")
            )
            .to_lowercase();
            let listed =
                p.status == AccountStatus::Active && p.profile.visibility == Visibility::Members;
            text.contains(word) && (admin || listed || Some(p.id) == me)
        })
        .collect();
    found.sort_by_key(|p| (std::cmp::Reverse(p.now), p.id.0));
    found.iter().map(|p| p.id.0).collect()
}

fn query(text: &str, me: PersonId, cursor: Option<Cursor>) -> DirectoryQuery {
    DirectoryQuery {
        text: text.into(),
        include_private: false,
        include_self: Some(me),
        limit: 24,
        offset: 0,
        cursor,
    }
}

/// Every page of `text` from the first by `next`, then back by `prev`.
async fn read_all(store: &Store, text: &str, me: PersonId) -> (Vec<Uuid>, DirectoryResult) {
    let mut tx = store.read().await.unwrap();
    let first = tx.directory(&query(text, me, None)).await.unwrap();
    let mut pages = vec![first.page.items.iter().map(|p| p.id.0).collect::<Vec<_>>()];
    let mut next = first.page.next;
    while let Some(c) = next {
        let page = tx.directory(&query(text, me, Some(c))).await.unwrap();
        assert!(
            !page.page.items.is_empty(),
            "{text}: a next page is never empty"
        );
        pages.push(page.page.items.iter().map(|p| p.id.0).collect());
        next = page.page.next;
        if pages.len() > 100 {
            panic!("{text}: the pages never end");
        }
    }
    // Back from the last page: the same pages, in reverse.
    let mut back = vec![];
    let mut cursor = None;
    let mut at = first.page.next;
    while let Some(c) = at {
        let page = tx.directory(&query(text, me, Some(c))).await.unwrap();
        cursor = page.page.prev;
        at = page.page.next;
    }
    while let Some(c) = cursor {
        let page = tx.directory(&query(text, me, Some(c))).await.unwrap();
        back.push(page.page.items.iter().map(|p| p.id.0).collect::<Vec<_>>());
        cursor = page.page.prev;
    }
    back.reverse();
    if pages.len() > 1 {
        assert_eq!(
            back,
            pages[..pages.len() - 1].to_vec(),
            "{text}: reading back gives the same pages"
        );
    }
    (pages.concat(), first)
}

#[tokio::test]
async fn every_path_lists_what_a_filter_would_newest_first() {
    for kind in test_database_kinds() {
        let (store, _dir) = fresh_store(kind).await.unwrap();
        let all: Vec<NewPerson> = (0..PEOPLE).map(person).collect();
        let mut tx = store.write().await.unwrap();
        for p in &all {
            tx.insert_person(p).await.unwrap();
        }
        tx.commit().await.unwrap();
        // The searcher is private: they find themself, nobody else does.
        let me = all[11].id;
        assert_eq!(all[11].profile.visibility, Visibility::Private);

        // Common: the newest 200 hold the first page; the total is
        // estimated; later pages walk on.
        let (listed, first) = read_all(&store, "coaching", me).await;
        let want = expected(&all, "coaching", Some(me), false);
        assert_eq!(listed, want, "{kind}: coaching");
        assert!(first.estimated, "{kind}");
        let truth = want.len() as i64;
        assert!(
            (first.total - truth).abs() * 3 <= truth,
            "{kind}: estimated {} for {truth}",
            first.total
        );

        // Middling and rare: from the index, counted exactly.
        for word in ["falconry", "quillfeather", "person 01"] {
            let (listed, first) = read_all(&store, word, me).await;
            let want = expected(&all, word, Some(me), false);
            assert_eq!(listed, want, "{kind}: {word}");
            assert!(!first.estimated, "{kind}: {word}");
            assert_eq!(first.total, want.len() as i64, "{kind}: {word}");
        }
        // A partial word; and one that matches nobody.
        let (listed, _) = read_all(&store, "coach", me).await;
        assert_eq!(listed, want, "{kind}: coach");
        let (listed, first) = read_all(&store, "zzyzx", me).await;
        assert!(
            listed.is_empty() && first.total == 0 && !first.more,
            "{kind}"
        );

        // The private searcher finds themself by their own words.
        let (listed, _) = read_all(&store, "person 011", me).await;
        assert_eq!(listed, vec![me.0], "{kind}");

        // Offset pages (the older `?page=`) agree with the cursor's.
        let mut tx = store.read().await.unwrap();
        let third = tx
            .directory(&DirectoryQuery {
                offset: 48,
                ..query("coaching", me, None)
            })
            .await
            .unwrap();
        let ids: Vec<Uuid> = third.page.items.iter().map(|p| p.id.0).collect();
        assert_eq!(ids, want[48..72].to_vec(), "{kind}: offset page");

        // Without words: everyone listed and the searcher, counted exactly.
        let everyone = tx.directory(&query("", me, None)).await.unwrap();
        let listed_people = all
            .iter()
            .filter(|p| {
                p.status == AccountStatus::Active && p.profile.visibility == Visibility::Members
            })
            .count() as i64;
        assert_eq!(everyone.total, listed_people + 1, "{kind}");
        assert!(!everyone.more && !everyone.estimated, "{kind}");
        // An admin sees and counts everyone.
        let admin = DirectoryQuery {
            include_private: true,
            include_self: None,
            ..query("", me, None)
        };
        assert_eq!(tx.directory(&admin).await.unwrap().total, PEOPLE, "{kind}");
        let admin_falconry = tx
            .directory(&DirectoryQuery {
                text: "falconry".into(),
                ..admin.clone()
            })
            .await
            .unwrap();
        assert_eq!(
            admin_falconry.total,
            expected(&all, "falconry", None, true).len() as i64,
            "{kind}"
        );
        drop(tx);

        // The database keeps the directory's size as people come, go and
        // change who sees them.
        let mut tx = store.write().await.unwrap();
        tx.delete_person(all[0].id).await.unwrap();
        let mut hidden = all[3].profile.clone();
        hidden.visibility = Visibility::Private;
        tx.update_profile(all[3].id, &all[3].email, &hidden, 9_999)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        assert_eq!(
            tx.directory(&query("", me, None)).await.unwrap().total,
            listed_people + 1 - 2,
            "{kind}: one gone, one private"
        );
        assert_eq!(
            tx.directory(&admin).await.unwrap().total,
            PEOPLE - 1,
            "{kind}"
        );
        drop(tx);
        store.close().await;
    }
}
