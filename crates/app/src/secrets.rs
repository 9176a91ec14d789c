//! Secrets: random tokens, their hashes, password hashing and signed links.
//!
//! Tokens handed to people (session cookies, API tokens, email links) are 256
//! random bits; only their SHA-256 is stored, so a database leak yields no
//! usable credential. Passwords use argon2id, run on the blocking pool so a
//! hash never stalls the async workers.

use crate::{AppError, AppResult};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use rapport_store::Store;
use sha2::{Digest, Sha256};

/// A new random token, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes a password with argon2id (default parameters: 19 MiB, 2 passes).
pub async fn hash_password(password: &str) -> AppResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::PasswordHasher;
        argon2::Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal_msg(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| AppError::internal("password hashing task failed", e))?
}

/// Checks a password against a stored hash. A malformed hash is a mismatch.
pub async fn verify_password(password: &str, hash: &str) -> AppResult<bool> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::phc::PasswordHash;
        use argon2::password_hash::PasswordVerifier;
        match PasswordHash::new(&hash) {
            Ok(parsed) => argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    })
    .await
    .map_err(|e| AppError::internal("password check task failed", e))
}

/// The site's signing key, created on first use and kept in the database so
/// every server behind a load balancer signs alike.
pub async fn site_key(store: &Store) -> AppResult<[u8; 32]> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let fresh: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut tx = store.write().await?;
    // Several servers starting together on an empty database all keep the
    // key that was stored first, so links one signs the others accept.
    let hex = tx.setting_or_insert("site_key", &fresh).await?;
    tx.commit().await?;
    let mut key = [0u8; 32];
    for (i, k) in key.iter_mut().enumerate() {
        *k = u8::from_str_radix(hex.get(i * 2..i * 2 + 2).unwrap_or("zz"), 16)
            .map_err(|_| AppError::internal_msg("the stored site key is malformed"))?;
    }
    Ok(key)
}

/// HMAC-SHA256 of `message`, URL-safe.
pub fn sign(key: &[u8; 32], message: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Checks a signature made by [`sign`], in constant time.
pub fn verify(key: &[u8; 32], message: &str, signature: &str) -> bool {
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message.as_bytes());
    mac.verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token("x"), hash_token("x"));
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[test]
    fn signatures_verify_and_tampering_fails() {
        let key = [7u8; 32];
        let s = sign(&key, "unsubscribe:p:matching");
        assert!(verify(&key, "unsubscribe:p:matching", &s));
        assert!(!verify(&key, "unsubscribe:p:digest", &s));
        assert!(!verify(&[8u8; 32], "unsubscribe:p:matching", &s));
        assert!(!verify(&key, "unsubscribe:p:matching", "not base64!"));
    }

    #[tokio::test]
    async fn passwords_hash_with_argon2id() {
        let h = hash_password("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h).await.unwrap());
        assert!(!verify_password("wrong horse battery", &h).await.unwrap());
        assert!(!verify_password("x", "not a hash").await.unwrap());
    }
}
