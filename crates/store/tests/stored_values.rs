//! Validated values stay typed in records: the store parses a stored slug or
//! time zone again on the way out, and one that no longer parses (written
//! behind the store's back, or by an older release) is a `Corrupt` error
//! naming the table, the row and the column, never passed on as text.

use rapport_domain::person::{AccountStatus, Profile};
use rapport_domain::programme::{ProgrammeKind, ProgrammeStatus};
use rapport_domain::values::{PersonName, Slug, TimeZoneName};
use rapport_domain::PersonId;
use rapport_store::testing::{fresh_database_url, test_database_kinds};
use rapport_store::{NewPerson, ProgrammeRecord, Store, StoreError};

/// Runs `sql` on a connection of its own, as an operator or an old release
/// would, bypassing every check the store makes.
async fn spoil(kind: &str, url: &str, sql: &str) {
    if kind == "sqlite" {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
}

/// Checks the error names `table`, `id` and `column`; returns its message.
fn assert_names(kind: &str, err: StoreError, table: &str, id: &str, column: &str) -> String {
    let StoreError::Corrupt {
        table: t,
        id: row,
        source,
    } = &err
    else {
        panic!("{kind}: expected Corrupt, got {err:?}")
    };
    assert_eq!(*t, table, "{kind}");
    assert_eq!(row.as_deref(), Some(id), "{kind}");
    assert!(
        source.to_string().contains(column),
        "{kind}: {source} names {column}"
    );
    source.to_string()
}

#[tokio::test]
async fn a_stored_slug_that_does_not_parse_names_table_id_and_column() {
    for kind in test_database_kinds() {
        let (url, _dir) = fresh_database_url(kind).await.unwrap();
        let store = Store::connect(&url).await.unwrap();
        let p = ProgrammeRecord::new(
            Slug::parse("slug", "spring-2027").unwrap(),
            "Spring",
            ProgrammeKind::OneToOne,
            ProgrammeStatus::Open,
            0,
        );
        let mut tx = store.write().await.unwrap();
        tx.insert_programme(&p).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        let back = tx.programme(p.id).await.unwrap().unwrap();
        assert_eq!(back.slug, "spring-2027", "{kind}");
        assert_eq!(back, p, "{kind}");
        drop(tx);

        spoil(
            kind,
            &url,
            // The only row, so no id to match (SQLite stores ids as blobs).
            "UPDATE programmes SET slug = 'Spring 2027'",
        )
        .await;
        let id = p.id.0.to_string();
        let mut tx = store.read().await.unwrap();
        assert_names(
            kind,
            tx.programme(p.id).await.unwrap_err(),
            "programmes",
            &id,
            "slug",
        );
        assert_names(
            kind,
            tx.programmes().await.unwrap_err(),
            "programmes",
            &id,
            "slug",
        );
        assert_names(
            kind,
            tx.programme_by_slug("Spring 2027").await.unwrap_err(),
            "programmes",
            &id,
            "slug",
        );
        drop(tx);
        store.close().await;
    }
}

#[tokio::test]
async fn a_stored_time_zone_that_does_not_parse_names_table_id_and_column() {
    for kind in test_database_kinds() {
        let (url, _dir) = fresh_database_url(kind).await.unwrap();
        let store = Store::connect(&url).await.unwrap();
        let mut profile = Profile::new(PersonName::parse("name", "Ana").unwrap());
        profile.time_zone = TimeZoneName::parse("time_zone", "Europe/Lisbon").unwrap();
        let person = NewPerson {
            id: PersonId::new(),
            email: "ana@example.org".into(),
            status: AccountStatus::Active,
            is_admin: false,
            password_hash: None,
            email_verified_at: None,
            profile,
            now: 0,
        };
        let mut tx = store.write().await.unwrap();
        tx.insert_person(&person).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        let back = tx.person(person.id).await.unwrap().unwrap();
        assert_eq!(back.profile.time_zone, "Europe/Lisbon", "{kind}");
        drop(tx);

        // The zone lives in the profile's JSON; swap it for one chrono-tz
        // does not know, leaving the JSON itself well formed.
        spoil(
            kind,
            &url,
            "UPDATE people SET profile = REPLACE(profile, '\"Europe/Lisbon\"', '\"Mars/Olympus\"')",
        )
        .await;
        let mut tx = store.read().await.unwrap();
        let err = tx.person(person.id).await.unwrap_err();
        let message = assert_names(kind, err, "people", &person.id.0.to_string(), "profile");
        assert!(message.contains("time_zone"), "{kind}: {message}");
        drop(tx);
        store.close().await;
    }
}

#[tokio::test]
async fn stored_matching_settings_that_are_not_json_name_table_id_and_column() {
    for kind in test_database_kinds() {
        let (url, _dir) = fresh_database_url(kind).await.unwrap();
        let store = Store::connect(&url).await.unwrap();
        let mut p = ProgrammeRecord::new(
            Slug::parse("slug", "autumn").unwrap(),
            "Autumn",
            ProgrammeKind::OneToOne,
            ProgrammeStatus::Open,
            0,
        );
        p.settings = serde_json::json!({"top_k": 50});
        let mut tx = store.write().await.unwrap();
        tx.insert_programme(&p).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read().await.unwrap();
        let back = tx.programme(p.id).await.unwrap().unwrap();
        assert_eq!(back.settings, serde_json::json!({"top_k": 50}), "{kind}");
        drop(tx);

        spoil(
            kind,
            &url,
            "UPDATE programmes SET settings = '{\"top_k\": '",
        )
        .await;
        let mut tx = store.read().await.unwrap();
        let err = tx.programme(p.id).await.unwrap_err();
        assert_names(kind, err, "programmes", &p.id.0.to_string(), "settings");
        drop(tx);
        store.close().await;
    }
}
