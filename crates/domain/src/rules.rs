//! Numbers are configuration: the defaults from the glossary, stored per deployment and
//! editable by the county. Code reads them from here, never from literals.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    /// A branch needs at least this many full members (正式党员).
    pub branch_min_full_members: i64,
    /// A branch normally has at most this many members.
    pub branch_max_members: i64,
    /// A general branch (党总支) normally has this many members.
    pub general_branch_min_members: i64,
    pub general_branch_max_members: i64,
    /// A branch with at least this many members elects a committee (支委会).
    pub committee_required_from: i64,
    pub committee_min_size: i64,
    pub committee_max_size: i64,
    /// Minimum age on the joining date.
    pub min_joining_age: i64,
    /// Login throttling per (user name, network address) pair: failures allowed before the
    /// pair is refused, the first refusal (minutes, doubling with each further failure) and
    /// its cap, and how long a pair's failures are remembered after the last one.
    pub login_free_failures: i64,
    pub login_delay_first_minutes: i64,
    pub login_delay_max_minutes: i64,
    pub login_forget_hours: i64,
    /// Failed logins with user names that do not exist, allowed per network address within
    /// the window; beyond it the address may only sign in to accounts that have not failed
    /// from it.
    pub login_max_unknown_per_ip: i64,
    pub login_window_minutes: i64,
    /// Session lifetime.
    pub session_hours: i64,
    /// Largest upload accepted (a multipart body may be this plus its form fields).
    pub upload_max_bytes: i64,
    /// The most an uploaded .xlsx or .docx may inflate to (all its parts together).
    pub upload_max_expanded_bytes: i64,
    /// An import spreadsheet may hold at most this many sheets, and its first sheet this many
    /// rows and columns, and a cell this many characters.
    pub import_max_sheets: i64,
    pub import_max_rows: i64,
    pub import_max_columns: i64,
    pub import_max_cell_chars: i64,
    /// Training each member needs a year (3 days = 24 学时).
    pub training_hours_per_year: i64,
    /// 谈心谈话 each member needs a year.
    pub talks_per_member_per_year: i64,
    /// Villages each leader links (联系点), and instructors per village.
    pub contact_villages_min: i64,
    pub contact_villages_max: i64,
    pub instructors_per_village: i64,
    /// A contact point not visited for this many days is flagged.
    pub contact_visit_days: i64,
    /// Heatmap colours: green at or above this share of organisations done, yellow above the next.
    pub heat_green_pct: i64,
    pub heat_yellow_pct: i64,
    /// 积分制: largest points a town's own rule may give or take per action.
    pub points_town_max: i64,
    /// Points earned within seven days above which new earning is flagged for review.
    pub points_velocity_week: i64,
    /// Leaderboards on the public board (1) or only for signed-in cadres (0).
    pub points_board_public: i64,
    /// Commitments (承诺) each member makes a year: at least, and at most.
    pub commitments_min_per_member: i64,
    pub commitments_max_per_member: i64,
    /// How every public page (no account) shows a person's name: 0 in full, 1 surname and a
    /// star (张*), 2 first and last character (张*丰). See `text::mask_name`.
    pub public_name_mask: i64,
    /// Items on one page of a public list (at most 50).
    pub public_page_size: i64,
    /// Public pages also answer at an organisation's id (1), or only at its public address (0).
    pub public_by_id: i64,
    /// Requests a minute one address may make to one kind of public code page (积分卡, its
    /// claims, 评议码, 公示异议), and one code (or notice board) may receive from anywhere.
    pub public_code_per_ip_minute: i64,
    pub public_code_per_code_minute: i64,
    /// 四议两公开 (see `decision`): the 党员大会 is valid with at least num/den of the branch's
    /// members present and passes with more than `_pass_pct` percent of those who should attend.
    pub decision_party_quorum_num: i64,
    pub decision_party_quorum_den: i64,
    pub decision_party_pass_pct: i64,
    /// 村民代表会议: at least num/den of the representatives present.
    pub decision_rep_quorum_num: i64,
    pub decision_rep_quorum_den: i64,
    /// 村民会议: more than this percent of adult villagers, or representatives of at least
    /// num/den of the households.
    pub decision_adult_quorum_pct: i64,
    pub decision_household_quorum_num: i64,
    pub decision_household_quorum_den: i64,
    /// A village meeting passes with more than this percent of those present.
    pub decision_village_pass_pct: i64,
    /// Days a resolution (决议公开) stays on the public board.
    pub decision_notice_days: i64,
    /// Days after the village meeting by which the resolution must be published (else 逾期).
    pub decision_publish_within_days: i64,
    /// 党员联户: households each member links, at least and at most; 两委成员 their own.
    pub link_member_min: i64,
    pub link_member_max: i64,
    pub link_committee_min: i64,
    pub link_committee_max: i64,
}

/// The largest upload limit a county may set (200 MB) and the largest expanded size (500 MB).
pub const UPLOAD_CEILING: i64 = 200 * 1024 * 1024;
pub const EXPANDED_CEILING: i64 = 500 * 1024 * 1024;

impl Rules {
    /// The upload limit in whole megabytes, for messages (文件超过20MB).
    pub fn upload_max_mb(&self) -> i64 {
        (self.upload_max_bytes + 1024 * 1024 - 1) / (1024 * 1024)
    }
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            branch_min_full_members: 3,
            branch_max_members: 50,
            general_branch_min_members: 50,
            general_branch_max_members: 100,
            committee_required_from: 7,
            committee_min_size: 3,
            committee_max_size: 7,
            min_joining_age: 18,
            login_free_failures: 5,
            login_delay_first_minutes: 1,
            login_delay_max_minutes: 60,
            login_forget_hours: 24,
            login_max_unknown_per_ip: 20,
            login_window_minutes: 15,
            session_hours: 12,
            upload_max_bytes: 20 * 1024 * 1024,
            upload_max_expanded_bytes: 50 * 1024 * 1024,
            import_max_sheets: 20,
            import_max_rows: 50_000,
            import_max_columns: 64,
            import_max_cell_chars: 1_000,
            training_hours_per_year: 24,
            talks_per_member_per_year: 1,
            contact_villages_min: 1,
            contact_villages_max: 2,
            instructors_per_village: 1,
            contact_visit_days: 90,
            heat_green_pct: 95,
            heat_yellow_pct: 80,
            points_town_max: 20,
            points_velocity_week: 100,
            points_board_public: 1,
            commitments_min_per_member: 2,
            commitments_max_per_member: 5,
            public_name_mask: 1,
            public_page_size: 50,
            public_by_id: 1,
            public_code_per_ip_minute: 60,
            public_code_per_code_minute: 20,
            decision_party_quorum_num: 2,
            decision_party_quorum_den: 3,
            decision_party_pass_pct: 50,
            decision_rep_quorum_num: 2,
            decision_rep_quorum_den: 3,
            decision_adult_quorum_pct: 50,
            decision_household_quorum_num: 2,
            decision_household_quorum_den: 3,
            decision_village_pass_pct: 50,
            decision_notice_days: 7,
            decision_publish_within_days: 7,
            link_member_min: 3,
            link_member_max: 10,
            link_committee_min: 2,
            link_committee_max: 3,
        }
    }
}

impl Rules {
    /// Each rule with its Chinese label, for the settings page.
    pub fn labelled(&self) -> Vec<(&'static str, &'static str, i64)> {
        vec![
            (
                "branch_min_full_members",
                "党支部正式党员下限",
                self.branch_min_full_members,
            ),
            (
                "branch_max_members",
                "党支部党员上限",
                self.branch_max_members,
            ),
            (
                "general_branch_min_members",
                "党总支党员下限",
                self.general_branch_min_members,
            ),
            (
                "general_branch_max_members",
                "党总支党员上限",
                self.general_branch_max_members,
            ),
            (
                "committee_required_from",
                "应设支委会的党员数",
                self.committee_required_from,
            ),
            (
                "committee_min_size",
                "支委会委员下限",
                self.committee_min_size,
            ),
            (
                "committee_max_size",
                "支委会委员上限",
                self.committee_max_size,
            ),
            ("min_joining_age", "入党最低年龄", self.min_joining_age),
            (
                "login_free_failures",
                "同一账号在同一地址连续登录失败达此次数即暂停登录",
                self.login_free_failures,
            ),
            (
                "login_delay_first_minutes",
                "首次暂停登录时长（分钟，此后每失败一次加倍）",
                self.login_delay_first_minutes,
            ),
            (
                "login_delay_max_minutes",
                "暂停登录时长上限（分钟）",
                self.login_delay_max_minutes,
            ),
            (
                "login_forget_hours",
                "登录失败记录保留时长（小时）",
                self.login_forget_hours,
            ),
            (
                "login_max_unknown_per_ip",
                "同一地址尝试不存在用户名的失败上限",
                self.login_max_unknown_per_ip,
            ),
            (
                "login_window_minutes",
                "不存在用户名失败的统计时长（分钟）",
                self.login_window_minutes,
            ),
            ("session_hours", "登录有效时长（小时）", self.session_hours),
            (
                "upload_max_bytes",
                "上传文件大小上限（字节）",
                self.upload_max_bytes,
            ),
            (
                "upload_max_expanded_bytes",
                "上传表格、文档解压后大小上限（字节）",
                self.upload_max_expanded_bytes,
            ),
            (
                "import_max_sheets",
                "导入表格工作表数上限",
                self.import_max_sheets,
            ),
            ("import_max_rows", "导入表格行数上限", self.import_max_rows),
            (
                "import_max_columns",
                "导入表格列数上限",
                self.import_max_columns,
            ),
            (
                "import_max_cell_chars",
                "导入表格单元格字数上限",
                self.import_max_cell_chars,
            ),
            (
                "training_hours_per_year",
                "党员年度培训学时",
                self.training_hours_per_year,
            ),
            (
                "talks_per_member_per_year",
                "每名党员年度谈心谈话次数",
                self.talks_per_member_per_year,
            ),
            (
                "contact_villages_min",
                "班子成员联系村数下限",
                self.contact_villages_min,
            ),
            (
                "contact_villages_max",
                "班子成员联系村数上限",
                self.contact_villages_max,
            ),
            (
                "instructors_per_village",
                "每村指导员人数",
                self.instructors_per_village,
            ),
            (
                "contact_visit_days",
                "联系点走访间隔上限（天）",
                self.contact_visit_days,
            ),
            (
                "heat_green_pct",
                "热力图绿色完成率（%）",
                self.heat_green_pct,
            ),
            (
                "heat_yellow_pct",
                "热力图黄色完成率（%）",
                self.heat_yellow_pct,
            ),
            (
                "points_town_max",
                "乡镇自定积分事项分值上限",
                self.points_town_max,
            ),
            (
                "points_velocity_week",
                "7日内积分超过此数提示复核",
                self.points_velocity_week,
            ),
            (
                "points_board_public",
                "积分排行榜公开（1公开/0不公开）",
                self.points_board_public,
            ),
            (
                "commitments_min_per_member",
                "党员每年承诺事项下限",
                self.commitments_min_per_member,
            ),
            (
                "commitments_max_per_member",
                "党员每年承诺事项上限",
                self.commitments_max_per_member,
            ),
            (
                "public_name_mask",
                "公开页面姓名显示（0全名/1姓加*/2首尾字）",
                self.public_name_mask,
            ),
            (
                "public_page_size",
                "公开页面每页条数（1至50）",
                self.public_page_size,
            ),
            (
                "public_by_id",
                "公开页面可用组织编号访问（1可以/0只用公开地址）",
                self.public_by_id,
            ),
            (
                "public_code_per_ip_minute",
                "每个IP每分钟访问积分卡、评议码等公开页面次数上限",
                self.public_code_per_ip_minute,
            ),
            (
                "public_code_per_code_minute",
                "每个积分码、评议码每分钟被访问次数上限",
                self.public_code_per_code_minute,
            ),
            (
                "decision_party_quorum_num",
                "四议两公开：党员大会到会比例（分子，不少于）",
                self.decision_party_quorum_num,
            ),
            (
                "decision_party_quorum_den",
                "四议两公开：党员大会到会比例（分母）",
                self.decision_party_quorum_den,
            ),
            (
                "decision_party_pass_pct",
                "四议两公开：党员大会通过须超过应到人数的百分比",
                self.decision_party_pass_pct,
            ),
            (
                "decision_rep_quorum_num",
                "四议两公开：村民代表会议到会比例（分子，不少于）",
                self.decision_rep_quorum_num,
            ),
            (
                "decision_rep_quorum_den",
                "四议两公开：村民代表会议到会比例（分母）",
                self.decision_rep_quorum_den,
            ),
            (
                "decision_adult_quorum_pct",
                "四议两公开：村民会议到会须超过成年村民的百分比",
                self.decision_adult_quorum_pct,
            ),
            (
                "decision_household_quorum_num",
                "四议两公开：村民会议户代表比例（分子，不少于）",
                self.decision_household_quorum_num,
            ),
            (
                "decision_household_quorum_den",
                "四议两公开：村民会议户代表比例（分母）",
                self.decision_household_quorum_den,
            ),
            (
                "decision_village_pass_pct",
                "四议两公开：村民（代表）会议通过须超过到会人数的百分比",
                self.decision_village_pass_pct,
            ),
            (
                "decision_notice_days",
                "四议两公开：决议公开天数",
                self.decision_notice_days,
            ),
            (
                "decision_publish_within_days",
                "四议两公开：村民（代表）会议后须在此天数内公开决议",
                self.decision_publish_within_days,
            ),
            ("link_member_min", "党员联户户数下限", self.link_member_min),
            ("link_member_max", "党员联户户数上限", self.link_member_max),
            (
                "link_committee_min",
                "两委成员联户户数下限",
                self.link_committee_min,
            ),
            (
                "link_committee_max",
                "两委成员联户户数上限",
                self.link_committee_max,
            ),
        ]
    }

    /// Sets one rule by key; refuses unknown keys and negative values.
    pub fn set(&mut self, key: &str, value: i64) -> Result<(), crate::Invalid> {
        if value < 0 {
            return Err(crate::Invalid::one(key, key, "不能为负数"));
        }
        if key.ends_with("_pct") && value > 100 {
            return Err(crate::Invalid::one(key, key, "百分比不能超过100"));
        }
        if matches!(key, "points_board_public" | "public_by_id") && value > 1 {
            return Err(crate::Invalid::one(key, key, "只能填1（是）或0（否）"));
        }
        if key == "public_name_mask" && value > 2 {
            return Err(crate::Invalid::one(
                key,
                key,
                "只能填0（全名）、1（姓加*）或2（首尾字）",
            ));
        }
        if key.starts_with("decision_")
            && (key.ends_with("_den") || key.ends_with("_days"))
            && value < 1
        {
            return Err(crate::Invalid::one(key, key, "至少为1"));
        }
        if key.starts_with("decision_") && key.ends_with("_num") && value > 100 {
            return Err(crate::Invalid::one(key, key, "不能超过100"));
        }
        if key == "public_page_size" && !(1..=50).contains(&value) {
            return Err(crate::Invalid::one(key, key, "须在1到50之间"));
        }
        if matches!(
            key,
            "public_code_per_ip_minute" | "public_code_per_code_minute"
        ) && value < 1
        {
            return Err(crate::Invalid::one(key, key, "至少为1"));
        }
        if matches!(
            key,
            "upload_max_bytes"
                | "upload_max_expanded_bytes"
                | "import_max_sheets"
                | "import_max_rows"
                | "import_max_columns"
                | "import_max_cell_chars"
        ) {
            // Zero would refuse every upload; past the ceiling a single file could again take
            // the server's memory.
            let (ceiling, unit) = match key {
                "upload_max_bytes" => (UPLOAD_CEILING, "字节"),
                "upload_max_expanded_bytes" => (EXPANDED_CEILING, "字节"),
                "import_max_sheets" => (1_000, "个"),
                "import_max_rows" => (1_000_000, "行"),
                "import_max_columns" => (1_000, "列"),
                _ => (100_000, "字"),
            };
            if !(1..=ceiling).contains(&value) {
                return Err(crate::Invalid::one(
                    key,
                    key,
                    format!("须在1到{ceiling}{unit}之间"),
                ));
            }
        }
        let slot = match key {
            "branch_min_full_members" => &mut self.branch_min_full_members,
            "branch_max_members" => &mut self.branch_max_members,
            "general_branch_min_members" => &mut self.general_branch_min_members,
            "general_branch_max_members" => &mut self.general_branch_max_members,
            "committee_required_from" => &mut self.committee_required_from,
            "committee_min_size" => &mut self.committee_min_size,
            "committee_max_size" => &mut self.committee_max_size,
            "min_joining_age" => &mut self.min_joining_age,
            "login_free_failures" => &mut self.login_free_failures,
            "login_delay_first_minutes" => &mut self.login_delay_first_minutes,
            "login_delay_max_minutes" => &mut self.login_delay_max_minutes,
            "login_forget_hours" => &mut self.login_forget_hours,
            "login_max_unknown_per_ip" => &mut self.login_max_unknown_per_ip,
            "login_window_minutes" => &mut self.login_window_minutes,
            "session_hours" => &mut self.session_hours,
            "upload_max_bytes" => &mut self.upload_max_bytes,
            "upload_max_expanded_bytes" => &mut self.upload_max_expanded_bytes,
            "import_max_sheets" => &mut self.import_max_sheets,
            "import_max_rows" => &mut self.import_max_rows,
            "import_max_columns" => &mut self.import_max_columns,
            "import_max_cell_chars" => &mut self.import_max_cell_chars,
            "training_hours_per_year" => &mut self.training_hours_per_year,
            "talks_per_member_per_year" => &mut self.talks_per_member_per_year,
            "contact_villages_min" => &mut self.contact_villages_min,
            "contact_villages_max" => &mut self.contact_villages_max,
            "instructors_per_village" => &mut self.instructors_per_village,
            "contact_visit_days" => &mut self.contact_visit_days,
            "heat_green_pct" => &mut self.heat_green_pct,
            "link_member_min" => &mut self.link_member_min,
            "link_member_max" => &mut self.link_member_max,
            "link_committee_min" => &mut self.link_committee_min,
            "link_committee_max" => &mut self.link_committee_max,
            "heat_yellow_pct" => &mut self.heat_yellow_pct,
            "points_town_max" => &mut self.points_town_max,
            "points_velocity_week" => &mut self.points_velocity_week,
            "points_board_public" => &mut self.points_board_public,
            "commitments_min_per_member" => &mut self.commitments_min_per_member,
            "commitments_max_per_member" => &mut self.commitments_max_per_member,
            "public_name_mask" => &mut self.public_name_mask,
            "public_page_size" => &mut self.public_page_size,
            "public_by_id" => &mut self.public_by_id,
            "public_code_per_ip_minute" => &mut self.public_code_per_ip_minute,
            "public_code_per_code_minute" => &mut self.public_code_per_code_minute,
            "decision_party_quorum_num" => &mut self.decision_party_quorum_num,
            "decision_party_quorum_den" => &mut self.decision_party_quorum_den,
            "decision_party_pass_pct" => &mut self.decision_party_pass_pct,
            "decision_rep_quorum_num" => &mut self.decision_rep_quorum_num,
            "decision_rep_quorum_den" => &mut self.decision_rep_quorum_den,
            "decision_adult_quorum_pct" => &mut self.decision_adult_quorum_pct,
            "decision_household_quorum_num" => &mut self.decision_household_quorum_num,
            "decision_household_quorum_den" => &mut self.decision_household_quorum_den,
            "decision_village_pass_pct" => &mut self.decision_village_pass_pct,
            "decision_notice_days" => &mut self.decision_notice_days,
            "decision_publish_within_days" => &mut self.decision_publish_within_days,
            _ => return Err(crate::Invalid::one(key, key, "未知的规则项")),
        };
        *slot = value;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_bounds_default_to_the_issue_figures_and_refuse_zero_and_the_unbounded() {
        let mut r = Rules::default();
        assert_eq!(r.upload_max_bytes, 20 * 1024 * 1024);
        assert_eq!(r.upload_max_mb(), 20);
        assert_eq!(r.upload_max_expanded_bytes, 50 * 1024 * 1024);
        assert_eq!(
            (
                r.import_max_sheets,
                r.import_max_rows,
                r.import_max_columns,
                r.import_max_cell_chars
            ),
            (20, 50_000, 64, 1_000)
        );
        for key in [
            "upload_max_bytes",
            "upload_max_expanded_bytes",
            "import_max_sheets",
            "import_max_rows",
            "import_max_columns",
            "import_max_cell_chars",
        ] {
            assert!(r.set(key, 0).is_err(), "{key} 0");
            assert!(r.set(key, i64::MAX).is_err(), "{key} unbounded");
            assert!(r.labelled().iter().any(|(k, _, _)| *k == key), "{key}");
        }
        r.set("import_max_rows", 10).unwrap();
        assert_eq!(r.import_max_rows, 10);
    }

    #[test]
    fn public_page_rules_refuse_what_would_open_the_pages_up() {
        let mut r = Rules::default();
        assert_eq!(r.public_name_mask, 1, "surname and a star by default");
        assert_eq!(r.public_page_size, 50);
        let page = r.set("public_page_size", 51).unwrap_err();
        assert!(page.to_string().contains("1到50"), "{page}");
        assert!(r.set("public_page_size", 0).is_err());
        assert!(r.set("public_name_mask", 3).is_err());
        assert!(r.set("public_by_id", 2).is_err());
        assert!(r.set("public_code_per_ip_minute", 0).is_err());
        assert!(r.set("points_mask_names", 0).is_err(), "one rule for names");
        r.set("public_by_id", 0).unwrap();
        r.set("public_page_size", 20).unwrap();
        assert_eq!((r.public_by_id, r.public_page_size), (0, 20));
        assert!(r
            .labelled()
            .iter()
            .any(|(k, _, _)| *k == "public_name_mask"));
    }
}
