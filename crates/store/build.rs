//! `sqlx::migrate!` embeds the migration folders when this crate compiles,
//! and cargo does not watch them: without this, a new migration file left
//! an incremental build running the old set (seen: a release binary that
//! never created the index its migration added).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
