-- Organisational life: meetings with attendance and photos, training hours, contact points,
-- town overrides of the cadence rules, and content-addressed files.
CREATE TABLE files (
    sha256 TEXT PRIMARY KEY,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    held INTEGER NOT NULL DEFAULT 0,
    place TEXT NOT NULL DEFAULT '',
    host TEXT NOT NULL DEFAULT '',
    topic TEXT NOT NULL,
    first_topic INTEGER NOT NULL DEFAULT 0,
    agenda TEXT NOT NULL DEFAULT '',
    minutes TEXT NOT NULL DEFAULT '',
    expected INTEGER NOT NULL DEFAULT 0,
    present INTEGER NOT NULL DEFAULT 0,
    counted INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX meetings_org ON meetings(org_id, held_on);
CREATE INDEX meetings_path ON meetings(org_path, held_on);

CREATE TABLE attendance (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    presence TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    checked_in_at TEXT,
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX attendance_member ON attendance(member_id, meeting_id);

CREATE TABLE meeting_photos (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    sha256 TEXT NOT NULL REFERENCES files(sha256),
    name TEXT NOT NULL,
    PRIMARY KEY (meeting_id, sha256)
);

CREATE TABLE trainings (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    hours INTEGER NOT NULL,
    organiser TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX trainings_path ON trainings(org_path, held_on);

CREATE TABLE training_hours (
    training_id INTEGER NOT NULL REFERENCES trainings(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    year INTEGER NOT NULL,
    hours INTEGER NOT NULL,
    PRIMARY KEY (training_id, member_id)
);
CREATE INDEX training_hours_member ON training_hours(member_id, year);

CREATE TABLE contact_links (
    id INTEGER PRIMARY KEY,
    town_id INTEGER NOT NULL REFERENCES orgs(id),
    town_path TEXT NOT NULL,
    village_id INTEGER NOT NULL REFERENCES orgs(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    role TEXT NOT NULL,
    since TEXT NOT NULL,
    ended_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX contact_links_town ON contact_links(town_path, village_id);

CREATE TABLE contact_visits (
    id INTEGER PRIMARY KEY,
    link_id INTEGER NOT NULL REFERENCES contact_links(id),
    visited_on TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX contact_visits_link ON contact_visits(link_id, visited_on);

CREATE TABLE cadence_overrides (
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    org_path TEXT NOT NULL,
    activity TEXT NOT NULL,
    min_count INTEGER NOT NULL,
    warn_days INTEGER NOT NULL,
    PRIMARY KEY (org_id, activity)
);
