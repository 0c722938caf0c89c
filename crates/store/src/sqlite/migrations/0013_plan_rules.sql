-- A published plan's rules (计划落地): the campaign's cadence rules (一周一报告, 月通报, 季评比 …,
-- checked by the cadence engine from its `count:` counters), the quarterly rankings kept as they
-- were recorded, the evaluation schemes made from its criteria lists, the monthly bulletins
-- issued, and award kinds made from its quotas (a fixed count or a share of the subtree).
CREATE TABLE campaign_cadences (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    occurrence TEXT NOT NULL,
    activity TEXT NOT NULL,
    frequency TEXT NOT NULL,
    min_count INTEGER NOT NULL,
    warn_days INTEGER NOT NULL,
    since TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE UNIQUE INDEX campaign_cadences_rule ON campaign_cadences(campaign_id, activity, frequency);
-- cadence::record asks whether a weekly rule counts an activity (then it keeps a weekly counter).
CREATE INDEX campaign_cadences_activity ON campaign_cadences(activity, frequency);

CREATE TABLE campaign_rankings (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    quarter TEXT NOT NULL,
    recorded_by INTEGER,
    recorded_at TEXT NOT NULL
);
CREATE UNIQUE INDEX campaign_rankings_quarter ON campaign_rankings(campaign_id, quarter);

CREATE TABLE campaign_ranking_lines (
    ranking_id INTEGER NOT NULL REFERENCES campaign_rankings(id),
    place INTEGER NOT NULL,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_name TEXT NOT NULL,
    done INTEGER NOT NULL,
    assigned INTEGER NOT NULL,
    PRIMARY KEY (ranking_id, place)
);

CREATE TABLE campaign_schemes (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    name TEXT NOT NULL,
    scheme TEXT NOT NULL
);
CREATE UNIQUE INDEX campaign_schemes_name ON campaign_schemes(campaign_id, name);

CREATE TABLE bulletins (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    month TEXT NOT NULL,
    title TEXT NOT NULL,
    issued_by INTEGER,
    issued_at TEXT NOT NULL
);
CREATE UNIQUE INDEX bulletins_month ON bulletins(org_id, month);

ALTER TABLE award_kinds ADD COLUMN campaign_id INTEGER REFERENCES campaigns(id);
ALTER TABLE award_kinds ADD COLUMN quota_percent REAL;
ALTER TABLE award_kinds ADD COLUMN quota_level TEXT;
