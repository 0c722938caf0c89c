//! Personal data at rest: AES-256-GCM for 身份证号 and 手机号, and an HMAC blind index so a
//! duplicate ID number is found without decrypting.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;

use crate::db::Conn;
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
        match Vault::load(path)? {
            Some(v) => Ok(v),
            None => Vault::create(path),
        }
    }

    /// Reads the key file; `Ok(None)` when there is none (a file that exists but cannot be
    /// read is an error, never a reason to make a new key).
    pub fn load(path: &Path) -> Result<Option<Vault>, StoreError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Vault::from_hex(&text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Conflict(format!(
                "无法读取密钥文件 {}：{e}",
                path.display()
            ))),
        }
    }

    /// Writes a fresh random key to `path` (mode 0600) and returns it.
    pub fn create(path: &Path) -> Result<Vault, StoreError> {
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

/// Whether `vault` opens the personal data already stored: one encrypted 身份证号 (a member's,
/// else a resident's) is decrypted. `None` when none is stored yet. A database restored without
/// its key, or opened with another, answers `Some(false)`.
pub fn opens(c: &mut dyn Conn, vault: &Vault) -> Result<Option<bool>, StoreError> {
    for sql in [
        "SELECT id_cipher FROM members ORDER BY id LIMIT 1",
        "SELECT id_cipher FROM residents WHERE id_cipher IS NOT NULL ORDER BY id LIMIT 1",
    ] {
        if let Some(r) = c.query_opt(sql, &[])? {
            if let Some(b) = r.opt_blob(0)? {
                return Ok(Some(vault.decrypt(&b).is_ok()));
            }
        }
    }
    Ok(None)
}

/// Whether a store may work with `vault`. A key that does not open the personal data already
/// stored is refused; so is a key just made up because its file was missing (`made_for`: that
/// file), when the database already holds personal data: a backup restored without its
/// `secret.key` must not get a second key beside the old data.
pub fn check_key(
    c: &mut dyn Conn,
    vault: &Vault,
    made_for: Option<&Path>,
) -> Result<(), StoreError> {
    match (opens(c, vault)?, made_for) {
        (Some(_), Some(path)) => Err(StoreError::Conflict(format!(
            "密钥与数据库不符：找不到密钥文件 {}，而数据库中已有加密的身份证号和手机号。恢复备份时请把原来的 secret.key 放回该位置（或设置 XIANFENG_SECRET_KEY）；不会为已有数据另生成新密钥",
            path.display()
        ))),
        (Some(false), None) => Err(StoreError::Conflict(
            "密钥与数据库不符：数据库中已加密的身份证号和手机号无法用当前密钥解密。恢复备份时请一并恢复原来的 secret.key（或设置 XIANFENG_SECRET_KEY）".into(),
        )),
        _ => Ok(()),
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
