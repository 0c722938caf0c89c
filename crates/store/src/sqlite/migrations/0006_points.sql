-- 积分制: households and residents (户 / 群众), point accounts, the rules catalogue, claims,
-- the append-only double-entry ledger, per-period totals for leaderboards, and points stores.
CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    head_name TEXT NOT NULL,
    address TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX households_path ON households(org_path, id);
CREATE UNIQUE INDEX households_address ON households(org_id, address);

CREATE TABLE residents (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    gender TEXT NOT NULL,
    id_cipher BLOB,
    id_hash TEXT UNIQUE,
    id_masked TEXT NOT NULL,
    phone_cipher BLOB,
    phone_masked TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX residents_household ON residents(household_id);
CREATE INDEX residents_path ON residents(org_path, id);

-- kind: person (a member or a resident), household (totals only; its balance is its
-- people's), rule (issues grants, receives deductions), store (receives redemptions).
CREATE TABLE point_accounts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    member_id INTEGER UNIQUE REFERENCES members(id),
    resident_id INTEGER UNIQUE REFERENCES residents(id),
    household_id INTEGER REFERENCES households(id),
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    name TEXT NOT NULL,
    code TEXT UNIQUE,
    balance INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX point_accounts_path ON point_accounts(kind, org_path);
CREATE INDEX point_accounts_household ON point_accounts(household_id);

CREATE TABLE point_rules (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES point_accounts(id),
    category TEXT NOT NULL,
    action TEXT NOT NULL,
    points INTEGER NOT NULL,
    audience TEXT NOT NULL,
    evidence_required INTEGER NOT NULL,
    approval_required INTEGER NOT NULL,
    cap_day INTEGER,
    cap_month INTEGER,
    cap_year INTEGER,
    valid_from TEXT,
    valid_to TEXT,
    trigger_kind TEXT NOT NULL DEFAULT '人工记录或申报',
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX point_rules_path ON point_rules(org_path);

CREATE TABLE point_claims (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES point_accounts(id),
    rule_id INTEGER NOT NULL REFERENCES point_rules(id),
    org_path TEXT NOT NULL,
    day TEXT NOT NULL,
    note TEXT NOT NULL,
    evidence_sha TEXT,
    status TEXT NOT NULL,
    flagged INTEGER NOT NULL DEFAULT 0,
    submitted_by INTEGER,
    created_at TEXT NOT NULL,
    decided_by INTEGER,
    decided_at TEXT,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX point_claims_queue ON point_claims(status, org_path);
CREATE INDEX point_claims_account ON point_claims(account_id, id);
-- The same evidence file earns once: a rejected claim frees it.
CREATE UNIQUE INDEX point_claims_evidence ON point_claims(evidence_sha)
    WHERE evidence_sha IS NOT NULL AND status <> '已驳回';

-- The ledger: each movement takes `amount` from `debit_id` and gives it to `credit_id`.
-- `person_id` is the person concerned, `org_path` their organisation when it happened.
CREATE TABLE point_entries (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    debit_id INTEGER NOT NULL REFERENCES point_accounts(id),
    credit_id INTEGER NOT NULL REFERENCES point_accounts(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    person_id INTEGER NOT NULL REFERENCES point_accounts(id),
    org_path TEXT NOT NULL,
    rule_id INTEGER,
    claim_id INTEGER,
    redemption_id INTEGER,
    reverses_id INTEGER UNIQUE REFERENCES point_entries(id),
    source_ref TEXT,
    actor_id INTEGER,
    note TEXT NOT NULL
);
CREATE INDEX point_entries_person ON point_entries(person_id, rule_id, day);
CREATE INDEX point_entries_path ON point_entries(org_path, day);
CREATE INDEX point_entries_source ON point_entries(source_ref, rule_id) WHERE source_ref IS NOT NULL;
CREATE TRIGGER point_entries_no_update BEFORE UPDATE ON point_entries
BEGIN SELECT RAISE(ABORT, 'point_entries is append-only'); END;
CREATE TRIGGER point_entries_no_delete BEFORE DELETE ON point_entries
BEGIN SELECT RAISE(ABORT, 'point_entries is append-only'); END;

-- Net points earned per person or household and period (2026-11, 2026-Q4, 2026), kept by
-- every grant, deduction and reversal: the leaderboards read these.
CREATE TABLE point_totals (
    account_id INTEGER NOT NULL REFERENCES point_accounts(id),
    period TEXT NOT NULL,
    kind TEXT NOT NULL,
    org_path TEXT NOT NULL,
    points INTEGER NOT NULL,
    PRIMARY KEY (account_id, period)
);
CREATE INDEX point_totals_rank ON point_totals(period, kind, points);
CREATE INDEX point_totals_path ON point_totals(period, kind, org_path);

CREATE TABLE point_stores (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    name TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES point_accounts(id),
    created_at TEXT NOT NULL
);
CREATE INDEX point_stores_path ON point_stores(org_path);

CREATE TABLE point_items (
    id INTEGER PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES point_stores(id),
    name TEXT NOT NULL,
    price INTEGER NOT NULL CHECK (price > 0),
    stock INTEGER NOT NULL CHECK (stock >= 0),
    active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX point_items_store ON point_items(store_id);

CREATE TABLE point_redemptions (
    id INTEGER PRIMARY KEY,
    receipt TEXT NOT NULL UNIQUE,
    store_id INTEGER NOT NULL REFERENCES point_stores(id),
    item_id INTEGER NOT NULL REFERENCES point_items(id),
    item_name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    points INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES point_accounts(id),
    holder TEXT NOT NULL,
    clerk_id INTEGER,
    at TEXT NOT NULL,
    day TEXT NOT NULL
);
CREATE INDEX point_redemptions_store ON point_redemptions(store_id, day);
