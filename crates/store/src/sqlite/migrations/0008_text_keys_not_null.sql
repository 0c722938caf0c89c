-- Text primary keys are NOT NULL, as on PostgreSQL. In an ordinary SQLite table a primary key
-- that is not INTEGER may hold NULL unless it says NOT NULL; sessions.token_hash (0001),
-- settings.key (0001) and files.sha256 (0003) did not, so SQLite accepted rows PostgreSQL
-- refuses (tests/schema_parity.rs found it). SQLite cannot add NOT NULL to a column, so each
-- table is rebuilt with the same columns. A row whose key is NULL cannot be looked up by its
-- key and is not carried over.

CREATE TABLE sessions_0008 (
    token_hash TEXT PRIMARY KEY NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ip TEXT NOT NULL DEFAULT ''
);
INSERT INTO sessions_0008 (token_hash, account_id, csrf, created_at, expires_at, ip)
    SELECT token_hash, account_id, csrf, created_at, expires_at, ip FROM sessions
    WHERE token_hash IS NOT NULL;
DROP TABLE sessions;
ALTER TABLE sessions_0008 RENAME TO sessions;

CREATE TABLE settings_0008 (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
INSERT INTO settings_0008 (key, value) SELECT key, value FROM settings WHERE key IS NOT NULL;
DROP TABLE settings;
ALTER TABLE settings_0008 RENAME TO settings;

-- Attachment tables refer to files(sha256) by name, so `files` keeps its name: its rows are
-- set aside, the table is dropped and made again, and the rows go back. Foreign keys are
-- checked at commit for this transaction only: dropping `files` counts the attachments as
-- violations, and putting the same keys back into `files` clears them; any left would fail
-- the commit.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE files_0008 AS SELECT sha256, mime, size, bytes, created_at FROM files
    WHERE sha256 IS NOT NULL;
DROP TABLE files;
CREATE TABLE files (
    sha256 TEXT PRIMARY KEY NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO files (sha256, mime, size, bytes, created_at)
    SELECT sha256, mime, size, bytes, created_at FROM files_0008;
DROP TABLE files_0008;
