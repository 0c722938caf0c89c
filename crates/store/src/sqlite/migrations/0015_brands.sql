-- 党建品牌: brand projects (proposed, designated 培育项目, filed 已备案 with a unique register
-- number), their declarations (《党建品牌创建申报登记表》, one per workflow instance), the register
-- counters per prefix and year, and the append-only yearly record (activities and honours).
CREATE TABLE brands (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    name TEXT NOT NULL,
    slogan TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    goals TEXT NOT NULL,
    measures TEXT NOT NULL,
    leaders TEXT NOT NULL,
    status TEXT NOT NULL,
    instance_id INTEGER REFERENCES workflow_instances(id),
    register_no TEXT UNIQUE,
    designated_on TEXT,
    filed_on TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX brands_path ON brands(org_path, id);
CREATE UNIQUE INDEX brands_name ON brands(org_id, name);

CREATE TABLE brand_declarations (
    id INTEGER PRIMARY KEY,
    brand_id INTEGER NOT NULL REFERENCES brands(id),
    instance_id INTEGER NOT NULL UNIQUE REFERENCES workflow_instances(id),
    effects TEXT NOT NULL,
    satisfaction INTEGER NOT NULL,
    founded_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX brand_declarations_brand ON brand_declarations(brand_id, id);

CREATE TABLE brand_register (
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE brand_records (
    id INTEGER PRIMARY KEY,
    brand_id INTEGER NOT NULL REFERENCES brands(id),
    kind TEXT NOT NULL,
    day TEXT NOT NULL,
    title TEXT NOT NULL,
    recorded_by INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX brand_records_brand ON brand_records(brand_id, day);
CREATE TRIGGER brand_records_no_update BEFORE UPDATE ON brand_records
BEGIN SELECT RAISE(ABORT, 'brand_records is append-only'); END;
CREATE TRIGGER brand_records_no_delete BEFORE DELETE ON brand_records
BEGIN SELECT RAISE(ABORT, 'brand_records is append-only'); END;

-- 示范点: a county's 创建标准 list, sites designated for a year (one per organisation and year),
-- each site's checklist (the standards copied at designation, evidenced by the site and checked
-- by the level above) and its acceptance visits (append-only), with the problems they opened.
CREATE TABLE site_standards (
    id INTEGER PRIMARY KEY,
    county_id INTEGER NOT NULL REFERENCES orgs(id),
    seq INTEGER NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX site_standards_county ON site_standards(county_id, seq);

CREATE TABLE demo_sites (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    year INTEGER NOT NULL,
    leader TEXT NOT NULL,
    plan TEXT NOT NULL,
    status TEXT NOT NULL,
    score INTEGER,
    accepted_on TEXT,
    designated_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX demo_sites_org_year ON demo_sites(org_id, year);
CREATE INDEX demo_sites_path ON demo_sites(org_path, year);

CREATE TABLE site_items (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES demo_sites(id),
    seq INTEGER NOT NULL,
    standard TEXT NOT NULL,
    state TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    updated_by INTEGER,
    updated_at TEXT NOT NULL
);
CREATE INDEX site_items_site ON site_items(site_id, seq);

CREATE TABLE site_acceptances (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES demo_sites(id),
    held_on TEXT NOT NULL,
    inspectors TEXT NOT NULL,
    score INTEGER NOT NULL,
    result TEXT NOT NULL,
    remarks TEXT NOT NULL,
    problem_ids TEXT NOT NULL,
    recorded_by INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX site_acceptances_site ON site_acceptances(site_id, id);
CREATE TRIGGER site_acceptances_no_update BEFORE UPDATE ON site_acceptances
BEGIN SELECT RAISE(ABORT, 'site_acceptances is append-only'); END;
CREATE TRIGGER site_acceptances_no_delete BEFORE DELETE ON site_acceptances
BEGIN SELECT RAISE(ABORT, 'site_acceptances is append-only'); END;

-- 经费: budget lines per organisation and year (amounts in fen; `spent_fen` moves only by a
-- conditional update, so a spend beyond the balance is refused) and their append-only ledger
-- of spending and reversals (a reversal names the entry it undoes, once).
CREATE TABLE budget_lines (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    year INTEGER NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    spent_fen INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    CHECK (spent_fen >= 0 AND spent_fen <= amount_fen)
);
CREATE INDEX budget_lines_path ON budget_lines(org_path, year);

CREATE TABLE fund_entries (
    id INTEGER PRIMARY KEY,
    line_id INTEGER NOT NULL REFERENCES budget_lines(id),
    kind TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    day TEXT NOT NULL,
    purpose TEXT NOT NULL,
    receipt TEXT NOT NULL,
    reverses INTEGER UNIQUE REFERENCES fund_entries(id),
    recorded_by INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX fund_entries_line ON fund_entries(line_id, id);
CREATE TRIGGER fund_entries_no_update BEFORE UPDATE ON fund_entries
BEGIN SELECT RAISE(ABORT, 'fund_entries is append-only'); END;
CREATE TRIGGER fund_entries_no_delete BEFORE DELETE ON fund_entries
BEGIN SELECT RAISE(ABORT, 'fund_entries is append-only'); END;
