-- Supervision: inspections (督查记录), the problem ledger (问题台账) with its append-only steps,
-- honours held by organisations (荣誉称号, the condition of share indicators), and how an
-- indicator is measured (reported, or computed from the tree).
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    target_id INTEGER NOT NULL REFERENCES orgs(id),
    target_path TEXT NOT NULL,
    campaign_id INTEGER REFERENCES campaigns(id),
    held_on TEXT NOT NULL,
    inspectors TEXT NOT NULL,
    findings TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX inspections_target ON inspections(target_path, held_on);
CREATE INDEX inspections_org ON inspections(org_path, held_on);

CREATE TABLE problems (
    id INTEGER PRIMARY KEY,
    inspection_id INTEGER REFERENCES inspections(id),
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    raised_by INTEGER NOT NULL REFERENCES orgs(id),
    raised_path TEXT NOT NULL,
    description TEXT NOT NULL,
    found_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL,
    level INTEGER NOT NULL DEFAULT 0,
    closed_on TEXT
);
CREATE INDEX problems_path ON problems(org_path, status);
CREATE INDEX problems_due ON problems(status, deadline);

CREATE TABLE problem_steps (
    id INTEGER PRIMARY KEY,
    problem_id INTEGER NOT NULL REFERENCES problems(id),
    action TEXT NOT NULL,
    level INTEGER NOT NULL DEFAULT 0,
    org_id INTEGER REFERENCES orgs(id),
    actor_id INTEGER,
    note TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX problem_steps_problem ON problem_steps(problem_id, id);
CREATE TRIGGER problem_steps_no_update BEFORE UPDATE ON problem_steps
BEGIN SELECT RAISE(ABORT, 'problem_steps is append-only'); END;
CREATE TRIGGER problem_steps_no_delete BEFORE DELETE ON problem_steps
BEGIN SELECT RAISE(ABORT, 'problem_steps is append-only'); END;

CREATE TABLE step_files (
    step_id INTEGER NOT NULL REFERENCES problem_steps(id),
    sha256 TEXT NOT NULL REFERENCES files(sha256),
    name TEXT NOT NULL,
    PRIMARY KEY (step_id, sha256)
);

CREATE TABLE org_titles (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    title TEXT NOT NULL,
    year INTEGER NOT NULL,
    granted_by INTEGER REFERENCES orgs(id),
    granted_on TEXT NOT NULL,
    revoked_on TEXT
);
CREATE INDEX org_titles_path ON org_titles(org_path, title);

ALTER TABLE indicators ADD COLUMN measure TEXT NOT NULL DEFAULT '上报数量';
ALTER TABLE indicators ADD COLUMN source TEXT NOT NULL DEFAULT '';
