//! Content-addressed files in the database: stored once per SHA-256, whatever refers to them.

use sha2::{Digest, Sha256};

use crate::db::Conn;
use crate::{now_text, vals, Result};

/// Stores `bytes` (if new) and returns their SHA-256.
pub fn put(c: &mut dyn Conn, mime: &str, bytes: &[u8]) -> Result<String> {
    let sha = hex::encode(Sha256::digest(bytes));
    c.execute(
        "INSERT INTO files (sha256, mime, size, bytes, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
        vals![sha.as_str(), mime, bytes.len() as i64, bytes.to_vec(), now_text()],
    )?;
    Ok(sha)
}

/// `(mime, bytes)` of a stored file.
pub fn get(c: &mut dyn Conn, sha: &str) -> Result<Option<(String, Vec<u8>)>> {
    c.query_opt("SELECT mime, bytes FROM files WHERE sha256 = ?", vals![sha])?
        .map(|r| -> Result<_> { Ok((r.text(0)?, r.blob(1)?)) })
        .transpose()
}
