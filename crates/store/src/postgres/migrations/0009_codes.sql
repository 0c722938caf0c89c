-- Stored values get stable codes: the Chinese label lives in the domain, so renaming a label is
-- not a data migration. Organisations' kind and field, members' sex, status and education, and
-- residents' sex.
UPDATE orgs SET kind = CASE kind WHEN '县委' THEN 'county' WHEN '党委' THEN 'committee' WHEN '党工委' THEN 'work_committee' WHEN '党总支' THEN 'general_branch' WHEN '党支部' THEN 'branch' WHEN '联合党支部' THEN 'joint_branch' WHEN '功能型党支部' THEN 'functional_branch' WHEN '党小组' THEN 'group' ELSE kind END;
UPDATE orgs SET domain = CASE domain WHEN '农村' THEN 'rural' WHEN '社区' THEN 'community' WHEN '机关' THEN 'government' WHEN '企业' THEN 'enterprise' WHEN '学校' THEN 'school' WHEN '医院' THEN 'hospital' WHEN '两新组织' THEN 'new_organisation' WHEN '其他' THEN 'other' ELSE domain END;
UPDATE members SET gender = CASE gender WHEN '男' THEN 'male' WHEN '女' THEN 'female' ELSE gender END, status = CASE status WHEN '正式党员' THEN 'full' WHEN '预备党员' THEN 'probationary' ELSE status END, education = CASE education WHEN '研究生' THEN 'postgraduate' WHEN '大学本科' THEN 'bachelor' WHEN '大学专科' THEN 'college' WHEN '中专' THEN 'secondary' WHEN '高中' THEN 'high_school' WHEN '初中' THEN 'junior' WHEN '小学及以下' THEN 'primary' ELSE education END;
UPDATE residents SET gender = CASE gender WHEN '男' THEN 'male' WHEN '女' THEN 'female' ELSE gender END;
