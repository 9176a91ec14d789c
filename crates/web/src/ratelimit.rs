//! The limit on sign-in, sign-up and password-reset attempts per client
//! address. The attempts are counted in the database
//! (`App::count_auth_attempt`), so several servers behind a load balancer
//! enforce one limit together rather than one each.

/// Records an attempt in `bucket` (`signup` or `reset`; sign-in counts its
/// own failures in `App::sign_in`) for the
/// client; pages and API share the buckets.
pub async fn check(
    state: &crate::AppState,
    bucket: &str,
    client: &rapport_app::accounts::ClientInfo,
) -> Result<(), rapport_app::AppError> {
    state
        .app
        .count_auth_attempt(bucket, client, state.web.auth_attempts_per_window)
        .await
}
