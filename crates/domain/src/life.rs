//! Organisational life (组织生活): meetings of every kind with attendance, training hours, and
//! what a member's year of branch life adds up to.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::org::{labelled_enum, OrgKind};
use crate::rules::Rules;
use crate::text::normalize;
use crate::Invalid;

labelled_enum!(
    /// Kinds of meeting; the label is also the activity name of its cadence rule.
    MeetingKind {
        GeneralMeeting => "支部党员大会",
        CommitteeMeeting => "支委会",
        GroupMeeting => "党小组会",
        PartyLecture => "党课",
        ThemedDay => "主题党日",
        LifeMeeting => "组织生活会",
        MemberReview => "民主评议党员",
        HeartTalk => "谈心谈话",
    }
);

impl MeetingKind {
    /// Where the meeting is held: 党小组会 in a group, everything else in a branch.
    pub fn fits(self, org: OrgKind) -> bool {
        match self {
            MeetingKind::GroupMeeting => org == OrgKind::Group,
            _ => org.is_branch() || org == OrgKind::GeneralBranch,
        }
    }

    /// Whether the whole branch is expected. 支委会 (the committee), 党小组会 (the group's
    /// members) and 谈心谈话 (those talked with) expect only the people listed.
    pub fn whole_roster(self) -> bool {
        !matches!(
            self,
            MeetingKind::CommitteeMeeting | MeetingKind::GroupMeeting | MeetingKind::HeartTalk
        )
    }
}

labelled_enum!(
    /// Attendance of one member at one meeting.
    Presence {
        Present => "出席",
        Leave => "请假",
        Absent => "缺席",
    }
);

/// The meeting form as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MeetingInput {
    pub kind: String,
    pub date: String,
    /// "1" when the meeting has taken place (已召开), otherwise it is planned (计划).
    pub held: String,
    pub place: String,
    pub host: String,
    pub topic: String,
    /// "1" when the first agenda item is 第一议题 study.
    pub first_topic: String,
    pub agenda: String,
    pub minutes: String,
}

/// A checked meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingDraft {
    pub kind: MeetingKind,
    pub date: NaiveDate,
    pub held: bool,
    pub place: String,
    pub host: String,
    pub topic: String,
    pub first_topic: bool,
    pub agenda: String,
    pub minutes: String,
}

fn bounded(
    errors: &mut Collector,
    field: &str,
    label: &str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let v = value.trim().to_string();
    if required && v.is_empty() {
        errors.push(field, label, "不能为空");
    } else if v.chars().count() > max {
        errors.push(field, label, format!("不能超过{max}个字"));
    }
    v
}

impl MeetingInput {
    pub fn validate(&self, org: OrgKind, today: NaiveDate) -> Result<MeetingDraft, Invalid> {
        let mut e = Collector::default();
        let kind = MeetingKind::parse(&self.kind);
        match kind {
            None => e.push("kind", "会议类型", "请选择会议类型"),
            Some(k) if !k.fits(org) => e.push(
                "kind",
                "会议类型",
                format!("{}不能在{}召开", k.label(), org.label()),
            ),
            _ => {}
        }
        let held = self.held == "1";
        let date = crate::date::parse(&self.date);
        match date {
            None => e.push("date", "会议日期", "日期格式应为 2026-11-22"),
            Some(d) if d.year() < 2000 => e.push("date", "会议日期", "日期过早"),
            Some(d) if held && d > today => e.push(
                "date",
                "会议日期",
                "会议日期在今天之后，不能登记为已召开；请先登记为计划",
            ),
            Some(d) if !held && d < today => e.push(
                "date",
                "会议日期",
                "计划日期已过；会议已召开的请登记为已召开",
            ),
            _ => {}
        }
        let place = bounded(&mut e, "place", "地点", &self.place, held, 100);
        let host = bounded(&mut e, "host", "主持人", &self.host, held, 50);
        let topic = bounded(&mut e, "topic", "主题", &self.topic, true, 100);
        let agenda = bounded(&mut e, "agenda", "议程", &self.agenda, false, 2000);
        let minutes = bounded(&mut e, "minutes", "会议记录", &self.minutes, false, 20000);
        let draft = match (kind, date) {
            (Some(kind), Some(date)) => Some(MeetingDraft {
                kind,
                date,
                held,
                place: normalize(&place),
                host: normalize(&host),
                topic: normalize(&topic),
                first_topic: self.first_topic == "1",
                agenda,
                minutes,
            }),
            _ => None,
        };
        e.finish(())?;
        draft.ok_or_else(|| Invalid::one("kind", "会议", "输入不完整"))
    }
}

/// One attendance line as submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceEntry {
    pub member_id: i64,
    pub presence: Presence,
    pub reason: String,
}

/// Parses the attendance part of a form: fields `a{member_id}` = 出席/请假/缺席 and
/// `r{member_id}` = reason.
pub fn parse_attendance(fields: &[(String, String)]) -> Result<Vec<AttendanceEntry>, Invalid> {
    let mut e = Collector::default();
    let mut out: Vec<AttendanceEntry> = Vec::new();
    for (k, v) in fields {
        let Some(id) = k.strip_prefix('a').and_then(|s| s.parse::<i64>().ok()) else {
            continue;
        };
        if v.trim().is_empty() {
            continue;
        }
        match Presence::parse(v) {
            Some(p) => {
                let reason = fields
                    .iter()
                    .find(|(rk, _)| rk == &format!("r{id}"))
                    .map(|(_, rv)| rv.trim().to_string())
                    .unwrap_or_default();
                if out.iter().any(|a| a.member_id == id) {
                    e.push(k, "出勤", "同一党员重复登记");
                } else {
                    out.push(AttendanceEntry {
                        member_id: id,
                        presence: p,
                        reason,
                    });
                }
            }
            None => e.push(k, "出勤", "应为出席、请假或缺席"),
        }
    }
    e.finish(out)
}

/// Checks attendance against the roster the meeting expects (`roster`: id and name).
pub fn check_attendance(
    roster: &[(i64, String)],
    entries: &[AttendanceEntry],
) -> Result<(), Invalid> {
    let mut e = Collector::default();
    for a in entries {
        let field = format!("a{}", a.member_id);
        if !roster.iter().any(|(id, _)| *id == a.member_id) {
            e.push(&field, "出勤", "不是本组织在册党员，不能登记出勤");
            continue;
        }
        if a.presence == Presence::Leave && a.reason.is_empty() {
            let name = roster
                .iter()
                .find(|(id, _)| *id == a.member_id)
                .map(|(_, n)| n.as_str())
                .unwrap_or("");
            e.push(&format!("r{}", a.member_id), name, "请假须填写事由");
        }
        if a.reason.chars().count() > 200 {
            e.push(&format!("r{}", a.member_id), "请假事由", "不能超过200个字");
        }
    }
    e.finish(())
}

/// Whether a held meeting counts: a 支部党员大会 needs more than half of the expected members
/// present; other meetings count when held.
pub fn meeting_valid(kind: MeetingKind, expected: i64, present: i64) -> bool {
    match kind {
        MeetingKind::GeneralMeeting => expected > 0 && present * 2 > expected,
        _ => present > 0,
    }
}

/// A training course as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainingInput {
    pub title: String,
    pub date: String,
    pub hours: String,
    pub organiser: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainingDraft {
    pub title: String,
    pub date: NaiveDate,
    pub hours: i64,
    pub organiser: String,
}

impl TrainingInput {
    pub fn validate(&self, today: NaiveDate) -> Result<TrainingDraft, Invalid> {
        let mut e = Collector::default();
        let title = bounded(&mut e, "title", "培训名称", &self.title, true, 100);
        let organiser = bounded(&mut e, "organiser", "举办单位", &self.organiser, false, 100);
        let date = crate::date::parse(&self.date);
        match date {
            None => e.push("date", "培训日期", "日期格式应为 2026-11-22"),
            Some(d) if d > today => e.push("date", "培训日期", "培训结束后再登记学时"),
            _ => {}
        }
        let hours = normalize(&self.hours).parse::<i64>().ok();
        match hours {
            Some(h) if (1..=200).contains(&h) => {}
            _ => e.push("hours", "学时", "应为1–200之间的整数"),
        }
        e.finish(())?;
        Ok(TrainingDraft {
            title: normalize(&title),
            date: date.unwrap_or_default(),
            hours: hours.unwrap_or_default(),
            organiser: normalize(&organiser),
        })
    }
}

/// One member's year of branch life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MemberYear {
    /// Held meetings where the member was expected.
    pub expected: i64,
    pub present: i64,
    pub leave: i64,
    pub training_hours: i64,
    pub talks: i64,
}

impl MemberYear {
    /// Attendance rate in whole percent; `None` when nothing was expected yet.
    pub fn attendance_pct(&self) -> Option<i64> {
        (self.expected > 0).then(|| self.present * 100 / self.expected)
    }

    pub fn training_done(&self, rules: &Rules) -> bool {
        self.training_hours >= rules.training_hours_per_year
    }

    pub fn talks_done(&self, rules: &Rules) -> bool {
        self.talks >= rules.talks_per_member_per_year
    }
}

/// A 领导点评 as typed: who reviewed, the day, what was said.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LeaderReviewInput {
    #[serde(default)]
    pub reviewer: String,
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub content: String,
}

/// A checked 领导点评.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaderReviewDraft {
    pub reviewer: String,
    pub day: NaiveDate,
    pub content: String,
}

impl LeaderReviewInput {
    /// The reviewer 1–30 characters, the content 10–2000, a day not after `today`.
    pub fn validate(&self, today: NaiveDate) -> Result<LeaderReviewDraft, Invalid> {
        let reviewer = normalize(&self.reviewer);
        let content = normalize(&self.content);
        let mut e = Collector::default();
        if reviewer.is_empty() || reviewer.chars().count() > 30 {
            e.push("reviewer", "点评领导", "须为 1–30 字，如：镇党委书记 王明");
        }
        if content.chars().count() < 10 || content.chars().count() > 2000 {
            e.push("content", "点评内容", "须为 10–2000 字");
        }
        let day = crate::date::parse(&self.day).filter(|d| *d <= today);
        if day.is_none() {
            e.push(
                "day",
                "点评日期",
                "请按 2026-06-30 的格式填写，且不晚于今天",
            );
        }
        let day = e.finish(day)?.unwrap_or(today);
        Ok(LeaderReviewDraft {
            reviewer,
            day,
            content,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn input(kind: &str, date: &str, held: bool) -> MeetingInput {
        MeetingInput {
            kind: kind.into(),
            date: date.into(),
            held: if held { "1".into() } else { String::new() },
            place: "党员活动室".into(),
            host: "张书记".into(),
            topic: "学习贯彻全会精神".into(),
            ..Default::default()
        }
    }

    #[test]
    fn future_meeting_cannot_be_marked_held() {
        let err = input("主题党日", "2026-12-05", true)
            .validate(OrgKind::Branch, d(2026, 11, 22))
            .unwrap_err();
        assert!(err.for_field("date").unwrap().contains("不能登记为已召开"));
        assert!(input("主题党日", "2026-12-05", false)
            .validate(OrgKind::Branch, d(2026, 11, 22))
            .is_ok());
    }

    #[test]
    fn group_meeting_only_in_a_group() {
        let err = input("党小组会", "2026-11-20", true)
            .validate(OrgKind::Branch, d(2026, 11, 22))
            .unwrap_err();
        assert!(err.for_field("kind").is_some());
        assert!(input("党小组会", "2026-11-20", true)
            .validate(OrgKind::Group, d(2026, 11, 22))
            .is_ok());
    }

    #[test]
    fn general_meeting_needs_more_than_half_present() {
        assert!(!meeting_valid(MeetingKind::GeneralMeeting, 10, 5));
        assert!(meeting_valid(MeetingKind::GeneralMeeting, 10, 6));
        assert!(!meeting_valid(MeetingKind::GeneralMeeting, 0, 0));
        assert!(meeting_valid(MeetingKind::ThemedDay, 10, 3));
        assert!(!meeting_valid(MeetingKind::CommitteeMeeting, 5, 0));
    }

    #[test]
    fn only_branch_wide_meetings_expect_the_whole_roster() {
        assert!(MeetingKind::GeneralMeeting.whole_roster());
        assert!(MeetingKind::ThemedDay.whole_roster());
        assert!(!MeetingKind::CommitteeMeeting.whole_roster());
        assert!(!MeetingKind::GroupMeeting.whole_roster());
        assert!(!MeetingKind::HeartTalk.whole_roster());
    }

    #[test]
    fn attendance_for_a_non_member_is_refused_by_field() {
        let roster = vec![(1, "王伟".to_string()), (2, "李娜".to_string())];
        let entries = parse_attendance(&[
            ("a1".into(), "出席".into()),
            ("a2".into(), "请假".into()),
            ("a9".into(), "出席".into()),
        ])
        .unwrap();
        let err = check_attendance(&roster, &entries).unwrap_err();
        assert!(err.for_field("a9").unwrap().contains("不是本组织在册党员"));
        assert!(err.for_field("r2").unwrap().contains("事由"));
    }

    #[test]
    fn attendance_values_are_checked() {
        assert!(parse_attendance(&[("a1".into(), "迟到".into())]).is_err());
        assert!(
            parse_attendance(&[("x".into(), "出席".into()), ("a1".into(), "".into())])
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn training_hours_bounded_and_after_the_fact() {
        let t = TrainingInput {
            title: "党员冬训".into(),
            date: "2026-11-20".into(),
            hours: "８".into(),
            organiser: String::new(),
        };
        assert_eq!(t.validate(d(2026, 11, 22)).unwrap().hours, 8);
        let bad = TrainingInput {
            hours: "0".into(),
            date: "2026-12-01".into(),
            ..t
        };
        let err = bad.validate(d(2026, 11, 22)).unwrap_err();
        assert!(err.for_field("hours").is_some() && err.for_field("date").is_some());
    }

    #[test]
    fn a_leader_review_names_every_bad_field() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let bad = LeaderReviewInput {
            reviewer: String::new(),
            day: "2027-01-01".into(),
            content: "太短".into(),
        };
        let e = bad.validate(today).unwrap_err();
        for f in ["reviewer", "day", "content"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
        let good = LeaderReviewInput {
            reviewer: "镇党委书记 王明".into(),
            day: "2026-11-30".into(),
            content: "支部组织生活规范，材料齐全，继续保持。".into(),
        };
        assert_eq!(good.validate(today).unwrap().day.to_string(), "2026-11-30");
    }

    proptest! {
        #[test]
        fn leader_review_validation_never_panics(r in "\\PC{0,40}", d in "\\PC{0,12}", c in "\\PC{0,60}") {
            let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
            let input = LeaderReviewInput { reviewer: r, day: d, content: c };
            if let Ok(draft) = input.validate(today) {
                prop_assert!(draft.day <= today);
            }
        }
    }

    proptest! {
        #[test]
        fn quorum_is_strict_majority(expected in 0i64..200, present in 0i64..200) {
            let present = present.min(expected);
            prop_assert_eq!(meeting_valid(MeetingKind::GeneralMeeting, expected, present), present * 2 > expected);
        }

        #[test]
        fn meeting_validation_never_panics(kind in "\\PC{0,8}", date in "\\PC{0,12}", topic in "\\PC{0,120}") {
            let i = MeetingInput { kind, date, topic, held: "1".into(), ..Default::default() };
            let _ = i.validate(OrgKind::Branch, d(2026, 11, 22));
        }
    }
}
