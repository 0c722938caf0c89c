-- 计划落地 (publishing half): a task's kind (定量 / 自动 / 定性) and the plan item it came from
-- (so publishing a draft again updates its campaign instead of duplicating it, and lists what
-- the draft no longer holds); a 定性 assignment's completion report awaiting acceptance
-- (待验收 → 已验收, or 已退回 with the reason); an assignment's 第一责任人 (an account); a
-- draft's campaign and the hash of the file it was read from.
ALTER TABLE tasks ADD COLUMN kind TEXT NOT NULL DEFAULT '定量';
ALTER TABLE tasks ADD COLUMN plan_key TEXT;
ALTER TABLE tasks ADD COLUMN removed_on TEXT;
ALTER TABLE assignments ADD COLUMN review TEXT NOT NULL DEFAULT '';
ALTER TABLE assignments ADD COLUMN review_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE assignments ADD COLUMN review_report_id BIGINT;
ALTER TABLE assignments ADD COLUMN responsible_id BIGINT REFERENCES accounts(id);
CREATE INDEX assignments_responsible ON assignments(responsible_id);
ALTER TABLE plan_drafts ADD COLUMN campaign_id BIGINT REFERENCES campaigns(id);
ALTER TABLE plan_drafts ADD COLUMN file_sha256 TEXT;
CREATE INDEX plan_drafts_file ON plan_drafts(org_id, file_sha256);
-- A draft published before this version keeps its first campaign.
UPDATE plan_drafts SET campaign_id = (SELECT MIN(c.id) FROM campaigns c WHERE c.draft_id = plan_drafts.id);
