-- Login throttling per (user name, network address) pair instead of per account and per
-- address: consecutive failures of the pair, when the last one was, and until when the pair
-- is refused. User names that do not exist get pairs too, so a refusal does not tell which
-- names are accounts. `login_failures` keeps only failures on unknown user names, counted
-- per address (key `unknown:ADDRESS`); its old per-account and per-address rows go.

CREATE TABLE login_pairs (
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (username, ip)
);
CREATE INDEX login_pairs_last_failure ON login_pairs(last_failure_at);

DELETE FROM login_failures;
