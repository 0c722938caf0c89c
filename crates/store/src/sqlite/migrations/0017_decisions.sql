-- 四议两公开: a village's major matters (重大事项), each step recorded in order (the 党员大会
-- is also a meeting of organisational life), the resolution on the public board with
-- residents' objections (the workflow engine's notice), and the results made public. The county keeps the categories and
-- which of them must go through the procedure; a village may be 一肩挑 (steps 1 and 2 merge).
CREATE TABLE decision_categories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    must_go INTEGER NOT NULL,
    position INTEGER NOT NULL
);
INSERT INTO decision_categories (name, must_go, position) VALUES
    ('村规民约', 1, 1), ('集体土地/山林承包流转', 1, 2), ('集体资产处置', 1, 3), ('集体借贷', 1, 4),
    ('工程立项与发包', 1, 5), ('公益事业筹资筹劳', 1, 6), ('低保/救助对象评议', 1, 7), ('其他', 0, 8);

CREATE TABLE decision_villages (
    org_id INTEGER PRIMARY KEY REFERENCES orgs(id),
    one_shoulder INTEGER NOT NULL
);

CREATE TABLE matters (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    must_go INTEGER NOT NULL,
    amount_fen INTEGER,
    summary TEXT NOT NULL,
    done_step INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    stop_reason TEXT NOT NULL DEFAULT '',
    problem_id INTEGER,
    -- The workflow instance of the resolution's notice (决议公开, objections as in award 公示).
    notice_id INTEGER REFERENCES workflow_instances(id),
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX matters_path ON matters(org_path);

CREATE TABLE matter_steps (
    id INTEGER PRIMARY KEY,
    matter_id INTEGER NOT NULL REFERENCES matters(id),
    step_no INTEGER NOT NULL,
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    form TEXT NOT NULL DEFAULT '',
    expected INTEGER NOT NULL DEFAULT 0,
    present INTEGER NOT NULL DEFAULT 0,
    votes_yes INTEGER NOT NULL DEFAULT 0,
    votes_no INTEGER NOT NULL DEFAULT 0,
    votes_abstain INTEGER NOT NULL DEFAULT 0,
    minutes TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    amount_fen INTEGER,
    is_final INTEGER NOT NULL DEFAULT 0,
    meeting_id INTEGER REFERENCES meetings(id),
    passed INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    notice_until TEXT,
    recorded_by INTEGER,
    recorded_at TEXT NOT NULL
);
CREATE INDEX matter_steps_matter ON matter_steps(matter_id, step_no);
-- The public board reads resolutions still on notice.
CREATE INDEX matter_steps_notice ON matter_steps(notice_until);

CREATE TABLE matter_files (
    matter_id INTEGER NOT NULL REFERENCES matters(id),
    step_id INTEGER REFERENCES matter_steps(id),
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (matter_id, sha256)
);
