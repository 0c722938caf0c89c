//! Campaigns (活动): a plan document made accountable. Categories and measures hold tasks;
//! a task is assigned to organisations and carries indicators with targets; assignees append
//! progress reports. The rules here decide what a report may say and where a task stands.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::org::labelled_enum;
use crate::text::normalize;
use crate::Invalid;

labelled_enum!(
    /// How the reported figure is compared with the target.
    Comparator {
        AtLeast => "不少于",
        AtMost => "不超过",
        Between => "介于",
    }
);

impl Comparator {
    /// Reads the plan parser's comparator (`>=`, `>`, `<=`, `=`); a target with an upper
    /// bound (2–3户) is a range.
    pub fn from_plan(op: &str, has_max: bool) -> Comparator {
        match op {
            _ if has_max => Comparator::Between,
            "<=" | "<" => Comparator::AtMost,
            _ => Comparator::AtLeast,
        }
    }
}

labelled_enum!(
    /// Where a task stands for one organisation.
    TaskStatus {
        NotStarted => "未开始",
        InProgress => "进行中",
        Done => "已完成",
        Overdue => "逾期",
    }
);

impl TaskStatus {
    /// 红黄绿 for lists: done green, overdue red, in progress yellow, not started grey.
    pub fn colour(self) -> &'static str {
        match self {
            TaskStatus::Done => "green",
            TaskStatus::Overdue => "red",
            TaskStatus::InProgress => "yellow",
            TaskStatus::NotStarted => "grey",
        }
    }
}

/// A target: quantity (and an upper bound for ranges), unit and comparator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub quantity: f64,
    pub quantity_max: Option<f64>,
    pub unit: String,
    pub comparator: Comparator,
}

impl Target {
    /// Whether `value` meets the target.
    pub fn met(&self, value: f64) -> bool {
        match self.comparator {
            Comparator::AtLeast => value >= self.quantity,
            Comparator::AtMost => value <= self.quantity,
            Comparator::Between => {
                value >= self.quantity && self.quantity_max.is_none_or(|m| value <= m)
            }
        }
    }

    /// Progress toward the target in whole percent, 0–100.
    pub fn percent(&self, value: f64) -> i64 {
        if self.met(value) {
            return 100;
        }
        match self.comparator {
            Comparator::AtMost => 0,
            _ if self.quantity <= 0.0 => 100,
            _ => ((value / self.quantity) * 100.0).clamp(0.0, 99.0) as i64,
        }
    }

    /// The largest figure a report may carry before it is refused as implausible: ten times
    /// the target (or its upper bound), and never less than 100.
    pub fn sensible_bound(&self) -> f64 {
        (self.quantity_max.unwrap_or(self.quantity) * 10.0).max(100.0)
    }

    /// `60个以上`, `2–3户`, `不超过5个`.
    pub fn describe(&self) -> String {
        let q = fmt_quantity(self.quantity);
        match (self.comparator, self.quantity_max) {
            (Comparator::Between, Some(m)) => format!("{q}–{}{}", fmt_quantity(m), self.unit),
            (Comparator::AtMost, _) => format!("不超过{q}{}", self.unit),
            _ => format!("{q}{}以上", self.unit),
        }
    }
}

labelled_enum!(
    /// How an indicator's figure is obtained: reported by the assignee, or computed from
    /// records the system already holds.
    MeasureKind {
        Reported => "上报数量",
        Records => "活动次数",
        OrgShare => "组织占比",
        MemberShare => "党员占比",
        Coverage => "联系群众覆盖率",
    }
);

labelled_enum!(
    /// The organisations a share is taken among.
    Among {
        Branches => "党支部",
        RuralBranches => "村级党支部",
    }
);

labelled_enum!(
    /// What a member must have done to count toward a member share.
    MemberCondition {
        Trained => "年度学时达标",
        Talked => "开展谈心谈话",
    }
);

/// An indicator's measure. Computed ones are kept current by the system: `Records` counts
/// counted records of an activity in the campaign's year (e.g. 主题党日 held); `OrgShare` is
/// the percentage of branches (or village branches) holding an honour (e.g. 镇级先进基层党组织);
/// `MemberShare` the percentage of members meeting a condition this year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    Reported,
    Records {
        activity: String,
    },
    OrgShare {
        title: String,
        among: Among,
    },
    MemberShare {
        condition: MemberCondition,
    },
    /// 联系群众全覆盖: the percentage of the subtree's households linked to a member.
    Coverage,
}

impl Measure {
    pub fn kind(&self) -> MeasureKind {
        match self {
            Measure::Reported => MeasureKind::Reported,
            Measure::Records { .. } => MeasureKind::Records,
            Measure::OrgShare { .. } => MeasureKind::OrgShare,
            Measure::MemberShare { .. } => MeasureKind::MemberShare,
            Measure::Coverage => MeasureKind::Coverage,
        }
    }

    pub fn computed(&self) -> bool {
        *self != Measure::Reported
    }

    /// The stored form of the measure's parameters (`source` column).
    pub fn source(&self) -> String {
        match self {
            Measure::Reported => String::new(),
            Measure::Records { activity } => activity.clone(),
            Measure::OrgShare { title, among } => format!("{title}|{}", among.label()),
            Measure::MemberShare { condition } => condition.label().to_string(),
            Measure::Coverage => String::new(),
        }
    }

    /// Reads the stored columns back; anything unreadable is a reported figure.
    pub fn from_stored(kind: &str, source: &str) -> Measure {
        match MeasureKind::parse(kind) {
            Some(MeasureKind::Records) if !source.is_empty() => Measure::Records {
                activity: source.to_string(),
            },
            Some(MeasureKind::OrgShare) => match source.rsplit_once('|') {
                Some((title, among)) if !title.is_empty() => match Among::parse(among) {
                    Some(among) => Measure::OrgShare {
                        title: title.to_string(),
                        among,
                    },
                    None => Measure::Reported,
                },
                _ => Measure::Reported,
            },
            Some(MeasureKind::Coverage) => Measure::Coverage,
            Some(MeasureKind::MemberShare) => match MemberCondition::parse(source) {
                Some(condition) => Measure::MemberShare { condition },
                None => Measure::Reported,
            },
            _ => Measure::Reported,
        }
    }

    /// Checks a measure typed into the task form: `param` is the activity, the honour, or
    /// the member condition, and `among` the organisations of a share.
    pub fn parse(kind: &str, param: &str, among: &str) -> Result<Measure, Invalid> {
        let param = normalize(param);
        let Some(kind) = MeasureKind::parse(kind) else {
            return Err(Invalid::one("measure", "计算方式", "请选择计算方式"));
        };
        let bad = |m: &str| Err(Invalid::one("source", "计算依据", m));
        match kind {
            MeasureKind::Reported => Ok(Measure::Reported),
            MeasureKind::Records if param.is_empty() || param.chars().count() > 20 => {
                bad("请填写统计的活动名称（如“主题党日”），不超过20个字")
            }
            MeasureKind::Records => Ok(Measure::Records { activity: param }),
            MeasureKind::OrgShare
                if param.is_empty() || param.chars().count() > 40 || param.contains('|') =>
            {
                bad("请填写荣誉称号（如“镇级先进基层党组织”），不超过40个字")
            }
            MeasureKind::OrgShare => match Among::parse(among) {
                Some(among) => Ok(Measure::OrgShare {
                    title: param,
                    among,
                }),
                None => Err(Invalid::one(
                    "among",
                    "统计范围",
                    "请选择党支部或村级党支部",
                )),
            },
            MeasureKind::Coverage => Ok(Measure::Coverage),
            MeasureKind::MemberShare => match MemberCondition::parse(&param) {
                Some(condition) => Ok(Measure::MemberShare { condition }),
                None => bad("党员占比只能按“年度学时达标”或“开展谈心谈话”统计"),
            },
        }
    }

    /// 村级党支部中获“镇级先进基层党组织”的占比.
    pub fn describe(&self) -> String {
        match self {
            Measure::Reported => "责任单位上报".into(),
            Measure::Records { activity } => format!("本年度“{activity}”记录次数（自动统计）"),
            Measure::OrgShare { title, among } => {
                format!("{}中获“{title}”的占比（自动统计）", among.label())
            }
            Measure::MemberShare { condition } => {
                format!("党员中{}的占比（自动统计）", condition.label())
            }
            Measure::Coverage => "农户中已有党员联户的占比（联系群众全覆盖，自动统计）".into(),
        }
    }
}

/// Reads a plan target that is really about the tree: "60%以上的村级党支部创建镇级先进基层党组织"
/// is the share of village branches holding that honour; "开展主题党日12次" counts records of
/// one of `activities`. Anything else is reported by the assignees.
pub fn infer_measure(text: &str, unit: &str, activities: &[&str]) -> Measure {
    let text = normalize(text);
    if unit == "%" || unit == "％" {
        let among = if text.contains("村级党支部") || text.contains("村党支部") {
            Some(Among::RuralBranches)
        } else if text.contains("党支部") {
            Some(Among::Branches)
        } else {
            None
        };
        let verbs = ["创建为", "创建", "评为", "获评", "争创", "获得", "达到"];
        let title = verbs.iter().find_map(|v| {
            text.find(v).map(|i| {
                text[i + v.len()..]
                    .trim_matches(|c: char| "“”\"'。；，、 ".contains(c))
                    .trim_end_matches("称号")
                    .trim_matches(|c: char| "“”\"'".contains(c))
                    .to_string()
            })
        });
        if let (Some(among), Some(title)) = (among, title) {
            if !title.is_empty() && title.chars().count() <= 40 && !title.contains('|') {
                return Measure::OrgShare { title, among };
            }
        }
    }
    if unit == "次" {
        if let Some(a) = activities.iter().find(|a| text.contains(**a)) {
            return Measure::Records {
                activity: a.to_string(),
            };
        }
    }
    Measure::Reported
}

/// The percentage `part` is of `whole` (0 when there is no whole), to two decimals.
pub fn share_pct(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        ((part as f64) * 10000.0 / whole as f64).round() / 100.0
    }
}

/// Whole numbers without decimals.
pub fn fmt_quantity(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e12 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

/// Where a task stands for one organisation on `today`.
pub fn task_status(
    target: &Target,
    reported: Option<f64>,
    due: Option<NaiveDate>,
    today: NaiveDate,
) -> TaskStatus {
    match reported {
        Some(v) if target.met(v) => TaskStatus::Done,
        _ if due.is_some_and(|d| today > d) => TaskStatus::Overdue,
        Some(_) => TaskStatus::InProgress,
        None => TaskStatus::NotStarted,
    }
}

/// A progress report as typed: the cumulative figure so far and what was done.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportInput {
    pub quantity: String,
    pub narrative: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDraft {
    pub quantity: f64,
    pub narrative: String,
}

impl ReportInput {
    pub fn validate(&self, target: &Target) -> Result<ReportDraft, Invalid> {
        let mut e = Collector::default();
        let q = normalize(&self.quantity);
        let quantity = match q.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => {
                if v > target.sensible_bound() {
                    e.push(
                        "quantity",
                        "完成数量",
                        format!(
                            "{}超出合理范围（目标{}，最多{}），请核对",
                            fmt_quantity(v),
                            target.describe(),
                            fmt_quantity(target.sensible_bound())
                        ),
                    );
                }
                v
            }
            _ => {
                e.push("quantity", "完成数量", "应为不小于0的数字（累计完成数）");
                0.0
            }
        };
        let narrative = self.narrative.trim().to_string();
        if narrative.is_empty() {
            e.push("narrative", "进展情况", "请简要说明做了什么");
        } else if narrative.chars().count() > 2000 {
            e.push("narrative", "进展情况", "不能超过2000个字");
        }
        e.finish(ReportDraft {
            quantity,
            narrative,
        })
    }
}

labelled_enum!(
    /// How a task is judged done: 定量 by a reported figure against its target, 自动 by a figure
    /// computed from the tree, 定性 by a completion report the level above accepts.
    TaskKind {
        Quantitative => "定量",
        Computed => "自动",
        Qualitative => "定性",
    }
);

labelled_enum!(
    /// Where a 定性 assignment's completion report stands.
    Review {
        Pending => "待验收",
        Accepted => "已验收",
        Returned => "已退回",
    }
);

impl Review {
    /// Whether an assignee may report the task done: never reported, or returned.
    pub fn may_report(review: Option<Review>) -> bool {
        matches!(review, None | Some(Review::Returned))
    }
}

/// The one indicator of a 定性 task: accepted (1) or not yet (0), so it rolls up as the share
/// of assignees accepted.
pub const ACCEPTED_LABEL: &str = "完成并通过验收";

pub fn accepted_target() -> Target {
    Target {
        quantity: 1.0,
        quantity_max: None,
        unit: "项".into(),
        comparator: Comparator::AtLeast,
    }
}

/// A 定性 task reported done: what was done, with at least one piece of evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompletionInput {
    pub narrative: String,
}

impl CompletionInput {
    pub fn validate(&self, files: usize) -> Result<String, Invalid> {
        let mut e = Collector::default();
        let narrative = self.narrative.trim().to_string();
        if narrative.is_empty() {
            e.push("narrative", "完成情况", "请说明完成了什么、怎样完成的");
        } else if narrative.chars().count() > 2000 {
            e.push("narrative", "完成情况", "不能超过2000个字");
        }
        if files == 0 {
            e.push(
                "evidence",
                "佐证材料",
                "请上传至少一份佐证材料（照片或文件）",
            );
        }
        e.finish(narrative)
    }
}

/// The reason a completion report is returned: required, at most 500 characters.
pub fn check_return_reason(reason: &str) -> Result<String, Invalid> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(Invalid::one("reason", "退回理由", "退回时请写明理由"));
    }
    if r.chars().count() > 500 {
        return Err(Invalid::one("reason", "退回理由", "不能超过500个字"));
    }
    Ok(r.to_string())
}

/// What may be attached to a report as evidence: images, PDF, Word and Excel files.
pub fn check_evidence(name: &str, bytes: &[u8], max_bytes: i64) -> Result<&'static str, Invalid> {
    use crate::files::{sniff, FileKind};
    if bytes.is_empty() {
        return Err(Invalid::one("evidence", name, "文件为空"));
    }
    if bytes.len() as i64 > max_bytes {
        return Err(Invalid::one(
            "evidence",
            name,
            format!("文件超过{}MB上限", max_bytes / 1024 / 1024),
        ));
    }
    let lower = name.to_lowercase();
    match sniff(bytes) {
        Some(FileKind::OfficeZip) if lower.ends_with(".docx") => {
            Ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        }
        Some(FileKind::OfficeZip) if lower.ends_with(".xlsx") => {
            Ok("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
        Some(k) if k != FileKind::OfficeZip => Ok(k.mime()),
        _ => Err(Invalid::one(
            "evidence",
            name,
            "只能上传图片、PDF、Word（.docx）或 Excel（.xlsx）文件",
        )),
    }
}

/// A campaign's name and year as typed: the name normalised, 1–100 characters, a year in
/// 2000–2100. Both fields are checked and named together.
pub fn check_header(title: &str, year: i64) -> Result<String, Invalid> {
    let title = normalize(title);
    let mut e = Collector::default();
    if title.is_empty() || title.chars().count() > 100 {
        e.push("title", "活动名称", "应为1–100个字");
    }
    if !(2000..=2100).contains(&year) {
        e.push("year", "年度", "应为2000–2100之间的年份");
    }
    e.finish(title)
}

/// Copying a campaign makes a later year's edition.
pub fn check_copy_year(from: i64, to: i64) -> Result<(), Invalid> {
    if to <= from {
        return Err(Invalid::one(
            "year",
            "年度",
            format!("应晚于原活动的{from}年"),
        ));
    }
    check_header("复制", to).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_completion_needs_a_narrative_and_evidence() {
        let empty = CompletionInput::default().validate(0).unwrap_err();
        let fields: Vec<&str> = empty.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["narrative", "evidence"]);
        let ok = CompletionInput {
            narrative: " 已召开专题会议 ".into(),
        };
        assert_eq!(ok.validate(1).unwrap(), "已召开专题会议");
    }

    #[test]
    fn a_return_needs_a_reason_and_only_a_new_or_returned_task_may_be_reported() {
        assert!(check_return_reason("  ").is_err());
        assert_eq!(check_return_reason(" 照片不清晰 ").unwrap(), "照片不清晰");
        assert!(Review::may_report(None));
        assert!(Review::may_report(Some(Review::Returned)));
        assert!(!Review::may_report(Some(Review::Pending)));
        assert!(!Review::may_report(Some(Review::Accepted)));
        assert!(accepted_target().met(1.0) && !accepted_target().met(0.0));
    }
    use proptest::prelude::*;

    fn at_least(q: f64) -> Target {
        Target {
            quantity: q,
            quantity_max: None,
            unit: "个".into(),
            comparator: Comparator::AtLeast,
        }
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn status_follows_progress_and_due_date() {
        let t = at_least(60.0);
        assert_eq!(
            task_status(&t, None, Some(d(11, 30)), d(11, 22)),
            TaskStatus::NotStarted
        );
        assert_eq!(
            task_status(&t, Some(20.0), Some(d(11, 30)), d(11, 22)),
            TaskStatus::InProgress
        );
        assert_eq!(
            task_status(&t, Some(20.0), Some(d(11, 30)), d(12, 1)),
            TaskStatus::Overdue
        );
        assert_eq!(
            task_status(&t, Some(61.0), Some(d(11, 30)), d(12, 1)),
            TaskStatus::Done
        );
    }

    #[test]
    fn implausible_progress_is_refused_with_the_field_named() {
        let t = at_least(60.0);
        let err = ReportInput {
            quantity: "6000".into(),
            narrative: "新建先锋岗".into(),
        }
        .validate(&t)
        .unwrap_err();
        assert!(err.for_field("quantity").unwrap().contains("超出合理范围"));
        let ok = ReportInput {
            quantity: "２０".into(),
            narrative: "新建先锋岗20个".into(),
        }
        .validate(&t)
        .unwrap();
        assert_eq!(ok.quantity, 20.0);
        assert!(ReportInput::default().validate(&t).is_err());
    }

    #[test]
    fn ranges_and_caps() {
        let range = Target {
            quantity: 2.0,
            quantity_max: Some(3.0),
            unit: "户".into(),
            comparator: Comparator::Between,
        };
        assert!(range.met(2.0) && range.met(3.0) && !range.met(4.0) && !range.met(1.0));
        assert_eq!(range.describe(), "2–3户");
        assert_eq!(at_least(60.0).describe(), "60个以上");
        assert_eq!(at_least(60.0).percent(30.0), 50);
        assert_eq!(at_least(60.0).percent(90.0), 100);
    }

    #[test]
    fn evidence_must_be_an_image_pdf_or_office_file() {
        assert!(check_evidence("a.pdf", b"%PDF-1.4", 1 << 20).is_ok());
        assert!(check_evidence("a.docx", b"PK\x03\x04rest", 1 << 20).is_ok());
        assert!(check_evidence("a.zip", b"PK\x03\x04rest", 1 << 20).is_err());
        assert!(check_evidence("a.exe", b"MZ\x90\x00", 1 << 20).is_err());
    }

    #[test]
    fn measures_round_trip_through_storage() {
        for m in [
            Measure::Reported,
            Measure::Records {
                activity: "主题党日".into(),
            },
            Measure::OrgShare {
                title: "镇级先进基层党组织".into(),
                among: Among::RuralBranches,
            },
            Measure::MemberShare {
                condition: MemberCondition::Trained,
            },
        ] {
            assert_eq!(Measure::from_stored(m.kind().label(), &m.source()), m);
        }
        assert!(Measure::parse("组织占比", "", "党支部").is_err());
        assert!(Measure::parse("党员占比", "会唱歌", "").is_err());
        assert_eq!(share_pct(2, 3), 66.67);
        assert_eq!(share_pct(1, 0), 0.0);
    }

    #[test]
    fn plan_targets_about_the_tree_are_computed() {
        assert_eq!(
            infer_measure("60%以上的村级党支部创建镇级先进基层党组织。", "%", &[]),
            Measure::OrgShare {
                title: "镇级先进基层党组织".into(),
                among: Among::RuralBranches
            }
        );
        assert_eq!(
            infer_measure("每个支部全年开展主题党日12次", "次", &["主题党日", "党课"]),
            Measure::Records {
                activity: "主题党日".into()
            }
        );
        assert_eq!(
            infer_measure("全县创建党员先锋岗60个以上", "个", &["主题党日"]),
            Measure::Reported
        );
    }

    #[test]
    fn a_campaign_needs_a_name_and_a_year_in_range() {
        assert_eq!(check_header(" 六个先锋 ", 2026).unwrap(), "六个先锋");
        let e = check_header("", 1999).unwrap_err();
        assert!(e.for_field("title").is_some() && e.for_field("year").is_some());
        assert!(check_copy_year(2026, 2026).is_err());
        assert!(check_copy_year(2026, 2027).is_ok());
    }

    proptest! {
        #[test]
        fn campaign_header_never_panics(t in "\\PC{0,120}", y in -5000i64..5000) {
            if let Ok(title) = check_header(&t, y) {
                prop_assert!(!title.is_empty() && title.chars().count() <= 100);
                prop_assert!((2000..=2100).contains(&y));
            }
        }
    }

    proptest! {
        #[test]
        fn inferring_a_measure_never_panics(t in "\\PC{0,40}", u in "\\PC{0,3}") {
            let _ = infer_measure(&t, &u, &["主题党日"]);
        }

        #[test]
        fn shares_stay_within_0_and_100(part in 0i64..10_000, extra in 0i64..10_000) {
            let p = share_pct(part, part + extra);
            prop_assert!((0.0..=100.0).contains(&p));
        }

        #[test]
        fn stored_measures_never_panic(k in "\\PC{0,8}", s in "\\PC{0,30}") {
            let _ = Measure::from_stored(&k, &s);
            let _ = Measure::parse(&k, &s, &s);
        }

        #[test]
        fn percent_is_bounded_and_full_only_when_met(q in 1.0f64..1000.0, v in 0.0f64..5000.0) {
            let t = at_least(q);
            let p = t.percent(v);
            prop_assert!((0..=100).contains(&p));
            prop_assert_eq!(p == 100, t.met(v));
        }

        #[test]
        fn report_validation_never_panics(q in "\\PC{0,12}", n in "\\PC{0,40}") {
            let _ = ReportInput { quantity: q, narrative: n }.validate(&at_least(10.0));
        }
    }
}
