-- 网格化: grids under a village or community (an optional parent grid makes a 微网格), their
-- staff (网格长, 网格员), the households of the points register placed in a grid and 建档 with
-- categories, and 党员联户 (a household linked to one or more members).
CREATE TABLE grids (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    parent_id INTEGER REFERENCES grids(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX grids_path ON grids(org_path, id);
CREATE UNIQUE INDEX grids_name ON grids(org_id, name);

CREATE TABLE grid_staff (
    id INTEGER PRIMARY KEY,
    grid_id INTEGER NOT NULL REFERENCES grids(id),
    role TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id),
    resident_id INTEGER REFERENCES residents(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX grid_staff_grid ON grid_staff(grid_id);
CREATE UNIQUE INDEX grid_staff_leader ON grid_staff(grid_id) WHERE role = '网格长';

ALTER TABLE households ADD COLUMN grid_id INTEGER REFERENCES grids(id);
ALTER TABLE households ADD COLUMN categories TEXT NOT NULL DEFAULT '';
CREATE INDEX households_grid ON households(grid_id);

CREATE TABLE household_links (
    household_id INTEGER NOT NULL REFERENCES households(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (household_id, member_id)
);
CREATE INDEX household_links_member ON household_links(member_id);

-- 走访: a visit to a household (by a member, or by grid staff named by hand), what was found,
-- the needs raised and the help given. Each visit is also a cadence record (`count:走访`).
CREATE TABLE household_visits (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households(id),
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id),
    visitor TEXT NOT NULL,
    visited_on TEXT NOT NULL,
    found TEXT NOT NULL,
    needs TEXT NOT NULL DEFAULT '',
    help TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX household_visits_household ON household_visits(household_id, visited_on);
CREATE INDEX household_visits_path ON household_visits(org_path, visited_on);

-- 设岗定责: the register of 党员先锋岗, 党员责任区 and 示范户, each with its member (示范户 may
-- have none) and duties. Each entry is a cadence record of its kind, so "创建党员先锋岗60个以上"
-- is a computed indicator counting the register.
CREATE TABLE pioneer_posts (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    duties TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    member_id INTEGER REFERENCES members(id),
    starts_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX pioneer_posts_path ON pioneer_posts(org_path, id);
CREATE INDEX pioneer_posts_member ON pioneer_posts(member_id);
