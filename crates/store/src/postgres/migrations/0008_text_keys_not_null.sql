-- Nothing to change on PostgreSQL: a primary key is NOT NULL here already. The SQLite side of
-- 0008 makes sessions.token_hash, settings.key and files.sha256 NOT NULL to match.
SELECT 1;
