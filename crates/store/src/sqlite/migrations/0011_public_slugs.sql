-- Each organisation's public address (公开地址): public pages are opened at /board/{slug}
-- instead of the sequential id that let anyone walk the county. Random, 16 characters
-- (domain::org::public_slug); the version's hook gives one to every organisation already
-- there, and people::public_slugs gives one to each new organisation.
ALTER TABLE orgs ADD COLUMN public_slug TEXT;
CREATE UNIQUE INDEX orgs_public_slug ON orgs(public_slug);
