//! The demo programmes' matching settings. Availability weighs more than the
//! engine's default, and an hour or two of shared time a week earns its full
//! points: the demo's people give short windows, and with the defaults most
//! proposed pairs shared no hour at all (issue 18 §6).

use crate::programmes::engine_kind;
use rapport_domain::programme::ProgrammeKind;
use rapport_matching::settings::{Settings, Weights};

/// The stored settings (JSON) of a demo programme of `kind`.
pub(super) fn settings(kind: ProgrammeKind) -> serde_json::Result<serde_json::Value> {
    let mut s = Settings::default_for(engine_kind(kind));
    s.weights = Weights {
        skills: 25,
        goals: 15,
        goal_text: 10,
        level_gap: 10,
        availability: 25,
        time_zone: 5,
        interests: 5,
        answers: 0,
        preferences: 5,
    };
    s.reach.target_overlap_hours = 1.5;
    serde_json::to_value(&s)
}

#[cfg(test)]
mod tests {
    use super::super::{seed, DEMO_ADMIN_EMAIL};
    use rapport_store::testing::fresh_store;
    use std::sync::Arc;

    /// The demo's open programme proposes pairs that can meet: most share a
    /// weekly hour (with the engine's default weights, 42 of 51 did not).
    #[tokio::test]
    async fn most_demo_pairs_share_an_hour() {
        let (store, _dir) = fresh_store("sqlite").await.unwrap();
        seed(&store, "hash", 1_795_000_000_000)
            .await
            .unwrap()
            .unwrap();
        let outbox = tempfile::tempdir().unwrap();
        let config = crate::AppConfig {
            outbox_dir: outbox.path().to_path_buf(),
            ..Default::default()
        };
        let app = crate::App::new(
            store.clone(),
            Arc::new(crate::ManualClock::new(1_795_000_000_000)),
            config,
        )
        .await
        .unwrap();
        let admin = {
            let mut tx = store.read().await.unwrap();
            tx.person_by_email(DEMO_ADMIN_EMAIL)
                .await
                .unwrap()
                .unwrap()
                .id
        };
        let actor = app.actor(admin).await.unwrap();
        let round = app
            .run_round(&actor, "leadership-foundations-2027")
            .await
            .unwrap();
        let r = &round.result;
        let pairs = r.proposals.len();
        let no_hour = r.no_shared_hours.unwrap();
        eprintln!(
            "demo round: {pairs} pairs, {no_hour} share no hour, {} share no goal",
            r.no_shared_goals.unwrap()
        );
        assert!(pairs > 20, "{pairs}");
        assert!(
            no_hour * 3 <= pairs,
            "{no_hour} of {pairs} pairs share no hour"
        );
    }
}
