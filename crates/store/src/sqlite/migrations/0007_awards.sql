-- 承诺、评议与表彰: the multi-level workflow engine (definitions, instances, append-only
-- history, objections during public notice), award kinds, evaluation rounds with hidden
-- ballots, one-time rater codes and results, commitments, leader reviews and star ratings.
CREATE TABLE workflow_definitions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE workflow_instances (
    id INTEGER PRIMARY KEY,
    definition_id INTEGER NOT NULL REFERENCES workflow_definitions(id),
    origin_id INTEGER NOT NULL REFERENCES orgs(id),
    origin_path TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    subject_name TEXT NOT NULL,
    summary TEXT NOT NULL,
    stage TEXT NOT NULL,
    notice_from TEXT,
    notice_until TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX workflow_instances_def ON workflow_instances(definition_id, origin_path);
CREATE INDEX workflow_instances_origin ON workflow_instances(origin_path, id);

CREATE TABLE workflow_history (
    id INTEGER PRIMARY KEY,
    instance_id INTEGER NOT NULL REFERENCES workflow_instances(id),
    action TEXT NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    org_id INTEGER REFERENCES orgs(id),
    comment TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX workflow_history_instance ON workflow_history(instance_id, id);
CREATE TRIGGER workflow_history_no_update BEFORE UPDATE ON workflow_history
BEGIN SELECT RAISE(ABORT, 'workflow_history is append-only'); END;
CREATE TRIGGER workflow_history_no_delete BEFORE DELETE ON workflow_history
BEGIN SELECT RAISE(ABORT, 'workflow_history is append-only'); END;

CREATE TABLE workflow_objections (
    id INTEGER PRIMARY KEY,
    instance_id INTEGER NOT NULL REFERENCES workflow_instances(id),
    filed_by TEXT NOT NULL,
    contact TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL,
    resolution TEXT NOT NULL DEFAULT '',
    filed_at TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX workflow_objections_instance ON workflow_objections(instance_id, status);

CREATE TABLE award_kinds (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    name TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    definition_id INTEGER NOT NULL REFERENCES workflow_definitions(id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX award_kinds_name ON award_kinds(org_id, year, name);

CREATE TABLE evaluation_rounds (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    scheme TEXT NOT NULL,
    salt TEXT NOT NULL,
    status TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX evaluation_rounds_path ON evaluation_rounds(org_path, year);

CREATE TABLE evaluation_subjects (
    round_id INTEGER NOT NULL REFERENCES evaluation_rounds(id),
    subject_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    org_path TEXT NOT NULL,
    PRIMARY KEY (round_id, subject_id)
);

-- One per household (群众) or member (党员) and round; used once, or revoked.
CREATE TABLE evaluation_codes (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES evaluation_rounds(id),
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    household_id INTEGER REFERENCES households(id),
    member_id INTEGER REFERENCES members(id),
    label TEXT NOT NULL,
    status TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX evaluation_codes_round ON evaluation_codes(round_id, id);

-- Every score ever given; a changed score is a new version. `audit_seq` is the audit entry
-- that recorded its digest, which `audit verify` recomputes.
CREATE TABLE evaluation_scores (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES evaluation_rounds(id),
    subject_id INTEGER NOT NULL,
    rater_key TEXT NOT NULL,
    rater_group TEXT NOT NULL,
    version INTEGER NOT NULL,
    scores TEXT NOT NULL,
    audit_seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (round_id, subject_id, rater_key, version)
);
CREATE TRIGGER evaluation_scores_no_update BEFORE UPDATE ON evaluation_scores
BEGIN SELECT RAISE(ABORT, 'evaluation_scores is append-only'); END;
CREATE TRIGGER evaluation_scores_no_delete BEFORE DELETE ON evaluation_scores
BEGIN SELECT RAISE(ABORT, 'evaluation_scores is append-only'); END;

CREATE TABLE evaluation_results (
    round_id INTEGER NOT NULL REFERENCES evaluation_rounds(id),
    subject_id INTEGER NOT NULL,
    total INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    grade TEXT NOT NULL,
    capped INTEGER NOT NULL,
    parts TEXT NOT NULL,
    PRIMARY KEY (round_id, subject_id)
);

CREATE TABLE commitments (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id),
    year INTEGER NOT NULL,
    category TEXT NOT NULL,
    content TEXT NOT NULL,
    due TEXT NOT NULL,
    stage TEXT NOT NULL,
    result TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX commitments_path ON commitments(org_path, year);
CREATE INDEX commitments_member ON commitments(member_id, year);

CREATE TABLE commitment_entries (
    id INTEGER PRIMARY KEY,
    commitment_id INTEGER NOT NULL REFERENCES commitments(id),
    day TEXT NOT NULL,
    content TEXT NOT NULL,
    sha256 TEXT REFERENCES files(sha256),
    recorded_by INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX commitment_entries_commitment ON commitment_entries(commitment_id, day);

CREATE TABLE commitment_reviews (
    id INTEGER PRIMARY KEY,
    commitment_id INTEGER NOT NULL REFERENCES commitments(id),
    reviewer TEXT NOT NULL,
    choice TEXT NOT NULL,
    comment TEXT NOT NULL,
    recorded_by INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX commitment_reviews_commitment ON commitment_reviews(commitment_id);

CREATE TABLE leader_reviews (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    day TEXT NOT NULL,
    content TEXT NOT NULL,
    recorded_by INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX leader_reviews_path ON leader_reviews(org_path, day);

-- Points the branch sets for a member's `支部评定` star items in one month.
CREATE TABLE star_grants (
    member_id INTEGER NOT NULL REFERENCES members(id),
    month TEXT NOT NULL,
    item TEXT NOT NULL,
    points INTEGER NOT NULL,
    PRIMARY KEY (member_id, month, item)
);

-- Every star computation, kept as history: kind member_month (period 2026-11), member_year
-- and branch_year (period 2026).
CREATE TABLE star_ratings (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    period TEXT NOT NULL,
    score INTEGER NOT NULL,
    stars INTEGER NOT NULL,
    parts TEXT NOT NULL,
    computed_at TEXT NOT NULL
);
CREATE INDEX star_ratings_subject ON star_ratings(kind, subject_id, period, id);
CREATE INDEX star_ratings_path ON star_ratings(kind, period, org_path);
