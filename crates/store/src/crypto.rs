//! Personal data at rest: AES-256-GCM for 身份证号 and 手机号, and an HMAC blind index so a
//! duplicate ID number is found without decrypting.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;

use crate::StoreError;

#[derive(Clone)]
pub struct Vault {
    cipher: Aes256Gcm,
    index_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

impl Vault {
    pub fn from_key(key: [u8; 32]) -> Vault {
        let mut h = Sha256::new();
        h.update(b"xianfeng blind index");
        h.update(key);
        Vault {
            cipher: Aes256Gcm::new(&key.into()),
            index_key: h.finalize().into(),
        }
    }

    /// Parses a 64-character hex key.
    pub fn from_hex(hex_key: &str) -> Result<Vault, StoreError> {
        let bytes = hex::decode(hex_key.trim())
            .map_err(|_| StoreError::Conflict("密钥应为64位十六进制".into()))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| StoreError::Conflict("密钥应为64位十六进制（32字节）".into()))?;
        Ok(Vault::from_key(key))
    }

    /// Reads the key file, creating it with a fresh random key (mode 0600) when absent.
    pub fn load_or_create(path: &Path) -> Result<Vault, StoreError> {
        if let Ok(text) = std::fs::read_to_string(path) {
            return Vault::from_hex(&text);
        }
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Db(format!("无法创建目录：{e}")))?;
        }
        std::fs::write(path, hex::encode(key))
            .map_err(|e| StoreError::Db(format!("无法写入密钥文件：{e}")))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        Ok(Vault::from_key(key))
    }

    pub fn encrypt(&self, plain: &str) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        // Encryption with a fresh nonce and an in-memory buffer cannot fail.
        if let Ok(ct) = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
        {
            out.extend(ct);
        }
        out
    }

    pub fn decrypt(&self, blob: &[u8]) -> Result<String, StoreError> {
        if blob.len() < 12 {
            return Err(StoreError::Crypto);
        }
        let (nonce, ct) = blob.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| StoreError::Crypto)?;
        String::from_utf8(plain).map_err(|_| StoreError::Crypto)
    }

    /// A key for another purpose (e.g. signing check-in codes), derived from the master key.
    pub fn derive_key(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.index_key)
            .expect("HMAC takes any key length");
        mac.update(b"derive:");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Deterministic keyed hash for equality look-ups.
    pub fn blind_index(&self, plain: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.index_key)
            .expect("HMAC takes any key length");
        mac.update(plain.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypts_with_fresh_nonces_and_decrypts_back() {
        let v = Vault::from_key([7; 32]);
        let a = v.encrypt("11010519491231002X");
        let b = v.encrypt("11010519491231002X");
        assert_ne!(a, b);
        assert_eq!(v.decrypt(&a).unwrap(), "11010519491231002X");
    }

    #[test]
    fn another_key_cannot_decrypt_and_indexes_differ() {
        let v = Vault::from_key([7; 32]);
        let w = Vault::from_key([8; 32]);
        assert!(w.decrypt(&v.encrypt("x")).is_err());
        assert_eq!(v.blind_index("x"), v.blind_index("x"));
        assert_ne!(v.blind_index("x"), w.blind_index("x"));
    }
}
