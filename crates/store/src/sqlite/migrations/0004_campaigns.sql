-- Campaigns: categories and measures, tasks assigned to organisations, indicators with
-- targets, and append-only progress reports with evidence.
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    title TEXT NOT NULL,
    year INTEGER NOT NULL,
    status TEXT NOT NULL,
    draft_id INTEGER,
    created_by INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX campaigns_path ON campaigns(org_path, id);

CREATE TABLE campaign_phases (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    starts TEXT NOT NULL DEFAULT '',
    ends TEXT NOT NULL DEFAULT ''
);

CREATE TABLE campaign_items (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL
);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    item_id INTEGER REFERENCES campaign_items(id),
    title TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    lead TEXT NOT NULL DEFAULT '',
    due_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX tasks_campaign ON tasks(campaign_id, id);

CREATE TABLE indicators (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    label TEXT NOT NULL,
    quantity REAL NOT NULL,
    quantity_max REAL,
    unit TEXT NOT NULL,
    comparator TEXT NOT NULL
);
CREATE INDEX indicators_task ON indicators(task_id);

CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    UNIQUE (task_id, org_id)
);
CREATE INDEX assignments_path ON assignments(org_path, task_id);

CREATE TABLE progress_reports (
    id INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    quantity REAL NOT NULL,
    narrative TEXT NOT NULL,
    actor_id INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX progress_reports_assignment ON progress_reports(assignment_id, id);
CREATE TRIGGER progress_reports_no_update BEFORE UPDATE ON progress_reports
BEGIN SELECT RAISE(ABORT, 'progress_reports is append-only'); END;
CREATE TRIGGER progress_reports_no_delete BEFORE DELETE ON progress_reports
BEGIN SELECT RAISE(ABORT, 'progress_reports is append-only'); END;

CREATE TABLE progress_now (
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    quantity REAL NOT NULL,
    report_id INTEGER NOT NULL,
    PRIMARY KEY (assignment_id, indicator_id)
);

CREATE TABLE report_files (
    report_id INTEGER NOT NULL REFERENCES progress_reports(id),
    sha256 TEXT NOT NULL REFERENCES files(sha256),
    name TEXT NOT NULL,
    PRIMARY KEY (report_id, sha256)
);
