-- 先锋 base schema for SQLite. Dates are ISO text; tree paths are materialised (`/1/5/23/`).
CREATE TABLE orgs (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES orgs(id),
    root_id INTEGER NOT NULL,
    path TEXT NOT NULL UNIQUE,
    depth INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    domain TEXT NOT NULL,
    committee_size INTEGER NOT NULL DEFAULT 0,
    dissolved_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX orgs_parent ON orgs(parent_id, name);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    root_id INTEGER NOT NULL,
    org_path TEXT NOT NULL,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    id_cipher BLOB NOT NULL,
    id_hash TEXT NOT NULL UNIQUE,
    id_masked TEXT NOT NULL,
    phone_cipher BLOB,
    phone_masked TEXT NOT NULL DEFAULT '',
    joined_on TEXT NOT NULL,
    full_on TEXT,
    status TEXT NOT NULL,
    education TEXT NOT NULL DEFAULT '',
    post TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX members_path ON members(org_path, id);
CREATE INDEX members_org ON members(org_id);

CREATE TABLE member_tags (
    member_id INTEGER NOT NULL REFERENCES members(id),
    tag TEXT NOT NULL,
    org_path TEXT NOT NULL,
    PRIMARY KEY (member_id, tag)
);
CREATE INDEX member_tags_tag ON member_tags(tag, org_path);

CREATE TABLE member_transfers (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    from_org_id INTEGER NOT NULL REFERENCES orgs(id),
    to_org_id INTEGER NOT NULL REFERENCES orgs(id),
    on_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor_id INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX member_transfers_member ON member_transfers(member_id, id);

CREATE TABLE rollups (
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    metric TEXT NOT NULL,
    period TEXT NOT NULL DEFAULT '',
    direct INTEGER NOT NULL DEFAULT 0,
    subtree INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, metric, period)
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    member_id INTEGER REFERENCES members(id),
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ip TEXT NOT NULL DEFAULT ''
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    org_id INTEGER,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log(org_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
