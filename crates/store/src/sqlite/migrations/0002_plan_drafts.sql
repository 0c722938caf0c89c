-- Plan documents read into drafts, owned by the uploader's organisation.
CREATE TABLE plan_drafts (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    file_name TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    plan_json TEXT NOT NULL,
    unit_map_json TEXT NOT NULL DEFAULT '{}',
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX plan_drafts_path ON plan_drafts(org_path, id);
