//! Sealing secrets at rest: AES-256-GCM with a random 96-bit nonce per value, stored as
//! base64(nonce ‖ ciphertext ‖ tag). A changed or truncated value fails to open.

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use sha2::{Digest, Sha256};

const NONCE_LEN: usize = 12;
const ENGINE: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD_NO_PAD;

/// The key that seals credentials. Debug never shows it.
#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the encryption key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("a sealed value could not be opened (wrong key or tampered data)")]
    Open,
}

impl Sealer {
    /// From a base64 key of 32 bytes (`openssl rand -base64 32`).
    pub fn from_base64(key: &str) -> Result<Self, CryptoError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(key.trim())
            .or_else(|_| ENGINE.decode(key.trim()))
            .map_err(|_| CryptoError::BadKey)?;
        if bytes.len() != 32 {
            return Err(CryptoError::BadKey);
        }
        Ok(Sealer {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes)),
        })
    }

    pub fn seal(&self, plaintext: &[u8]) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        // Encryption with a valid key and nonce cannot fail for in-memory buffers.
        let ciphertext = self.cipher.encrypt(&nonce, plaintext).unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        ENGINE.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, CryptoError> {
        let bytes = ENGINE
            .decode(sealed.trim())
            .map_err(|_| CryptoError::Open)?;
        if bytes.len() <= NONCE_LEN {
            return Err(CryptoError::Open);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| CryptoError::Open)
    }
}

/// SHA-256, lower-case hex: how refresh tokens and OAuth states are stored.
pub fn hash(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// A fresh random 256-bit key, base64 (what `ENCRYPTION_KEY` expects).
pub fn random_key() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A random opaque token (256 bits), URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::from_base64(&base64::engine::general_purpose::STANDARD.encode([7u8; 32]))
            .expect("key")
    }

    #[test]
    fn sealed_values_open_again_and_do_not_contain_the_plaintext() {
        let sealer = sealer();
        let sealed = sealer.seal(b"admin-token");
        assert!(!sealed.contains("admin-token"));
        assert_ne!(
            sealed,
            sealer.seal(b"admin-token"),
            "a fresh nonce each time"
        );
        assert_eq!(sealer.open(&sealed).expect("opens"), b"admin-token");
    }

    #[test]
    fn tampered_or_foreign_values_do_not_open() {
        let sealer = sealer();
        let mut sealed = sealer.seal(b"secret").into_bytes();
        let last = sealed.len() - 2;
        sealed[last] = if sealed[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            sealer.open(&String::from_utf8(sealed).expect("ascii")),
            Err(CryptoError::Open)
        );
        let other =
            Sealer::from_base64(&base64::engine::general_purpose::STANDARD.encode([9u8; 32]))
                .expect("key");
        assert_eq!(other.open(&sealer.seal(b"secret")), Err(CryptoError::Open));
        assert_eq!(sealer.open("short"), Err(CryptoError::Open));
    }

    #[test]
    fn keys_must_be_32_bytes() {
        assert_eq!(
            Sealer::from_base64("c2hvcnQ=").err(),
            Some(CryptoError::BadKey)
        );
        assert_eq!(
            Sealer::from_base64("not base64 !!").err(),
            Some(CryptoError::BadKey)
        );
    }
}
