//! The multi-level workflow engine (逐级推荐审批): one definition lists the steps by
//! organisation level and role; an instance moves only by allowed transitions; each level may
//! pass on at most its quota; an optional public notice (公示) with objections ends it.
//!
//! Awards use it now; brands, demonstration sites, funds and 四议两公开 are meant to reuse it.
//! Everything here is pure: the store supplies the instance, the actor and the quota in use,
//! and appends what `decide` returns to the instance's history.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::org::{labelled_enum, OrgKind};
use crate::path::within;
use crate::Invalid;

labelled_enum!(
    /// The organisation levels a workflow climbs.
    Level {
        Branch => "支部",
        Town => "乡镇（街道）",
        County => "县",
    }
);

impl Level {
    /// The level an organisation of `kind` sits at.
    pub fn of(kind: OrgKind) -> Level {
        match kind {
            OrgKind::County => Level::County,
            OrgKind::Committee | OrgKind::WorkCommittee => Level::Town,
            _ => Level::Branch,
        }
    }

    /// The role that acts for this level.
    pub fn role(self) -> Role {
        match self {
            Level::Branch => Role::BranchSecretary,
            Level::Town => Role::TownAdmin,
            Level::County => Role::CountyAdmin,
        }
    }

    fn rank(self) -> u8 {
        match self {
            Level::Branch => 0,
            Level::Town => 1,
            Level::County => 2,
        }
    }
}

/// One step: the level that decides it, what it is called (支部推荐, 镇党委审核, 县委审定) and
/// how many instances one organisation at that level may pass on (`None`: no limit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub level: Level,
    pub name: String,
    pub quota: Option<u32>,
}

/// A workflow definition: steps from the lowest level up, and the days of public notice after
/// the last step (0: none, the last approval is final).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub name: String,
    pub steps: Vec<Step>,
    pub notice_days: u32,
}

impl Definition {
    /// Steps must climb strictly (no level twice, never downwards) and there must be one.
    pub fn check(&self) -> Result<(), Invalid> {
        if self.steps.is_empty() {
            return Err(Invalid::one("steps", "审批环节", "至少需要一个环节"));
        }
        if self
            .steps
            .windows(2)
            .any(|w| w[0].level.rank() >= w[1].level.rank())
        {
            return Err(Invalid::one(
                "steps",
                "审批环节",
                "环节须自下而上逐级排列，同一层级只能出现一次",
            ));
        }
        if self.notice_days > 60 {
            return Err(Invalid::one("notice_days", "公示天数", "不能超过 60 天"));
        }
        Ok(())
    }

    /// The usual 支部推荐 → 镇党委审核 → 县委审定 chain with 7 days of notice.
    pub fn three_levels(name: &str, quotas: [Option<u32>; 3]) -> Definition {
        let names = ["支部推荐", "镇党委审核", "县委审定"];
        Definition {
            name: name.to_string(),
            steps: Level::ALL
                .iter()
                .zip(names)
                .zip(quotas)
                .map(|((level, n), quota)| Step {
                    level: *level,
                    name: n.to_string(),
                    quota,
                })
                .collect(),
            notice_days: 7,
        }
    }
}

/// Where an instance stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", content = "step")]
pub enum Stage {
    /// Waiting for step `n` to decide (after a return, the same: the lower level revises).
    Pending(usize),
    /// Every step approved; in public notice until the stored end date.
    Notice,
    /// An objection is open: nothing proceeds until it is resolved.
    Objected,
    Final,
    Rejected,
}

impl Stage {
    pub fn label(self, def: &Definition) -> String {
        match self {
            Stage::Pending(n) => match def.steps.get(n) {
                Some(s) => format!("待{}", s.name),
                None => "待审批".into(),
            },
            Stage::Notice => "公示中".into(),
            Stage::Objected => "异议处理中".into(),
            Stage::Final => "已确定".into(),
            Stage::Rejected => "未通过".into(),
        }
    }

    /// Stored form: `pending:1`, `notice`, `objected`, `final`, `rejected`.
    pub fn code(self) -> String {
        match self {
            Stage::Pending(n) => format!("pending:{n}"),
            Stage::Notice => "notice".into(),
            Stage::Objected => "objected".into(),
            Stage::Final => "final".into(),
            Stage::Rejected => "rejected".into(),
        }
    }

    pub fn from_code(s: &str) -> Option<Stage> {
        match s {
            "notice" => Some(Stage::Notice),
            "objected" => Some(Stage::Objected),
            "final" => Some(Stage::Final),
            "rejected" => Some(Stage::Rejected),
            _ => s.strip_prefix("pending:")?.parse().ok().map(Stage::Pending),
        }
    }

    /// Whether the instance has been passed on by step `n` (and so counts against its quota).
    pub fn passed(self, n: usize) -> bool {
        match self {
            Stage::Pending(m) => m > n,
            Stage::Notice | Stage::Objected | Stage::Final => true,
            Stage::Rejected => false,
        }
    }
}

labelled_enum!(
    /// What someone does to an instance; each is one appended history entry.
    Action {
        Approve => "同意",
        Return => "退回修改",
        Reject => "不同意",
        Object => "提出异议",
        Uphold => "异议成立",
        Dismiss => "异议不成立",
        Finalize => "公示期满确定",
    }
);

/// Who acts: their role and the organisation their account is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting<'a> {
    pub role: Role,
    pub scope_path: &'a str,
    pub scope_level: Level,
}

/// Everything `decide` needs besides the definition and the action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Situation<'a> {
    pub stage: Stage,
    /// The organisation the instance started from (a branch for a nomination).
    pub origin_path: &'a str,
    /// How many instances the deciding organisation has already passed on at this step.
    pub quota_used: u32,
    pub today: NaiveDate,
    /// The last day of public notice, once in notice.
    pub notice_until: Option<NaiveDate>,
    /// A non-empty comment is required to return, reject or object.
    pub comment: &'a str,
    /// Objections not yet resolved (a dismissal returns to notice only when it was the last).
    pub open_objections: u32,
}

/// Why a transition was refused. Every message names what is wrong and whose turn it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("当前状态为“{0}”，不能“{1}”")]
    NotNow(String, &'static str),
    #[error("当前环节“{step}”应由{level}层级办理，您的账号不能办理")]
    WrongLevel { step: String, level: &'static str },
    #[error("该事项不在您的管辖范围内")]
    OutOfScope,
    #[error("已达本级名额上限（{0} 个），不能再同意上报")]
    OverQuota(u32),
    #[error("请填写意见或理由")]
    CommentRequired,
    #[error("公示期到 {0} 结束，期满后才能确定")]
    NoticeRunning(NaiveDate),
}

impl From<Refused> for Invalid {
    fn from(r: Refused) -> Self {
        let field = match r {
            Refused::CommentRequired => "comment",
            _ => "action",
        };
        Invalid::one(
            field,
            if field == "comment" {
                "意见"
            } else {
                "办理"
            },
            r.to_string(),
        )
    }
}

/// The stage after `action` by `who`, or why not. Only these moves exist:
/// - at step n, the deciding level approves (to step n+1, or notice/final after the last),
///   returns to step n−1 for revision (not at the first step) or rejects;
/// - in notice, anyone may object (no scope check: the public files objections), and after
///   the notice period the last level finalises;
/// - an open objection is upheld (rejected) or dismissed (back to notice) by the last level.
pub fn decide(
    def: &Definition,
    s: &Situation<'_>,
    action: Action,
    who: Option<&Acting<'_>>,
) -> Result<Stage, Refused> {
    let not_now = || Refused::NotNow(s.stage.label(def), action.label());
    let needs_comment = matches!(
        action,
        Action::Return | Action::Reject | Action::Object | Action::Uphold
    );
    if needs_comment && s.comment.trim().is_empty() {
        return Err(Refused::CommentRequired);
    }
    let Some(last) = def.steps.len().checked_sub(1) else {
        return Err(not_now());
    };
    let deciding = match (s.stage, action) {
        (Stage::Notice | Stage::Objected, Action::Object) => return Ok(Stage::Objected),
        (Stage::Pending(n), Action::Approve | Action::Return | Action::Reject) if n <= last => n,
        (Stage::Notice, Action::Finalize) | (Stage::Objected, Action::Uphold | Action::Dismiss) => {
            last
        }
        _ => return Err(not_now()),
    };
    let step = &def.steps[deciding];
    let who = who.ok_or(Refused::OutOfScope)?;
    if who.scope_level != step.level || who.role != step.level.role() {
        return Err(Refused::WrongLevel {
            step: step.name.clone(),
            level: step.level.label(),
        });
    }
    if !within(s.origin_path, who.scope_path) {
        return Err(Refused::OutOfScope);
    }
    match (s.stage, action) {
        (Stage::Pending(n), Action::Approve) => {
            if let Some(q) = step.quota {
                if s.quota_used >= q {
                    return Err(Refused::OverQuota(q));
                }
            }
            Ok(if n < last {
                Stage::Pending(n + 1)
            } else if def.notice_days > 0 {
                Stage::Notice
            } else {
                Stage::Final
            })
        }
        (Stage::Pending(0), Action::Return) => Err(not_now()),
        (Stage::Pending(n), Action::Return) => Ok(Stage::Pending(n - 1)),
        (Stage::Pending(_), Action::Reject) => Ok(Stage::Rejected),
        (Stage::Notice, Action::Finalize) => match s.notice_until {
            Some(end) if s.today <= end => Err(Refused::NoticeRunning(end)),
            _ => Ok(Stage::Final),
        },
        (Stage::Objected, Action::Uphold) => Ok(Stage::Rejected),
        (Stage::Objected, Action::Dismiss) if s.open_objections > 1 => Ok(Stage::Objected),
        (Stage::Objected, Action::Dismiss) => Ok(Stage::Notice),
        _ => Err(not_now()),
    }
}

/// The actions `who` could take now (for showing buttons); quota and comment are checked on
/// submission.
pub fn available(
    def: &Definition,
    stage: Stage,
    origin_path: &str,
    who: &Acting<'_>,
) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| *a != Action::Object)
        .filter(|a| {
            let s = Situation {
                stage,
                origin_path,
                quota_used: 0,
                today: NaiveDate::MAX,
                notice_until: None,
                comment: "-",
                open_objections: 1,
            };
            decide(def, &s, *a, Some(who)).is_ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn def(quotas: [Option<u32>; 3]) -> Definition {
        Definition::three_levels("优秀共产党员", quotas)
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn acting(level: Level, path: &str) -> Acting<'_> {
        Acting {
            role: level.role(),
            scope_path: path,
            scope_level: level,
        }
    }

    fn sit(stage: Stage) -> Situation<'static> {
        Situation {
            stage,
            origin_path: "/1/2/3/",
            quota_used: 0,
            today: d("2026-06-01"),
            notice_until: None,
            comment: "",
            open_objections: 1,
        }
    }

    #[test]
    fn a_nomination_climbs_branch_town_county_then_notice_then_final() {
        let def = def([None, Some(2), None]);
        let mut st = Stage::Pending(0);
        for (level, path) in [
            (Level::Branch, "/1/2/3/"),
            (Level::Town, "/1/2/"),
            (Level::County, "/1/"),
        ] {
            st = decide(&def, &sit(st), Action::Approve, Some(&acting(level, path))).unwrap();
        }
        assert_eq!(st, Stage::Notice);
        let mut s = sit(st);
        s.notice_until = Some(d("2026-06-08"));
        let county = acting(Level::County, "/1/");
        assert_eq!(
            decide(&def, &s, Action::Finalize, Some(&county)),
            Err(Refused::NoticeRunning(d("2026-06-08")))
        );
        s.today = d("2026-06-09");
        assert_eq!(
            decide(&def, &s, Action::Finalize, Some(&county)),
            Ok(Stage::Final)
        );
    }

    #[test]
    fn approving_at_the_wrong_level_is_refused_with_the_step_named() {
        let def = def([None, None, None]);
        let county = acting(Level::County, "/1/");
        let err = decide(
            &def,
            &sit(Stage::Pending(1)),
            Action::Approve,
            Some(&county),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "当前环节“镇党委审核”应由乡镇（街道）层级办理，您的账号不能办理"
        );
        let other_town = acting(Level::Town, "/1/9/");
        assert_eq!(
            decide(
                &def,
                &sit(Stage::Pending(1)),
                Action::Approve,
                Some(&other_town)
            ),
            Err(Refused::OutOfScope)
        );
    }

    #[test]
    fn quota_comment_and_objections() {
        let def = def([None, Some(3), None]);
        let town = acting(Level::Town, "/1/2/");
        let mut s = sit(Stage::Pending(1));
        s.quota_used = 3;
        assert_eq!(
            decide(&def, &s, Action::Approve, Some(&town)),
            Err(Refused::OverQuota(3))
        );
        assert_eq!(
            decide(&def, &s, Action::Return, Some(&town)),
            Err(Refused::CommentRequired)
        );
        s.comment = "事迹材料不完整";
        assert_eq!(
            decide(&def, &s, Action::Return, Some(&town)),
            Ok(Stage::Pending(0))
        );
        let mut n = sit(Stage::Notice);
        n.comment = "该同志有违规操办酒席情况";
        assert_eq!(decide(&def, &n, Action::Object, None), Ok(Stage::Objected));
        n.stage = Stage::Objected;
        let county = acting(Level::County, "/1/");
        assert_eq!(
            decide(&def, &n, Action::Uphold, Some(&county)),
            Ok(Stage::Rejected)
        );
        assert_eq!(
            decide(&def, &n, Action::Dismiss, Some(&county)),
            Ok(Stage::Notice)
        );
        assert!(decide(&def, &n, Action::Finalize, Some(&county)).is_err());
    }

    #[test]
    fn definitions_must_climb() {
        let mut d = def([None, None, None]);
        assert!(d.check().is_ok());
        d.steps.swap(0, 1);
        assert!(d.check().is_err());
        d.steps.clear();
        assert!(d.check().is_err());
    }

    #[test]
    fn stage_codes_round_trip() {
        for st in [
            Stage::Pending(0),
            Stage::Pending(2),
            Stage::Notice,
            Stage::Objected,
            Stage::Final,
            Stage::Rejected,
        ] {
            assert_eq!(Stage::from_code(&st.code()), Some(st));
        }
        assert_eq!(Stage::from_code("pending:x"), None);
    }

    // The model: a county /1/ with towns /1/t/ and branches /1/t/b/; random actors try random
    // actions on random instances. Quotas are counted the way the store counts them.
    const TOWNS: [&str; 2] = ["/1/2/", "/1/3/"];
    const BRANCHES: [&str; 4] = ["/1/2/4/", "/1/2/5/", "/1/3/6/", "/1/3/7/"];

    fn holder(origin: &str, level: Level) -> String {
        let ids = crate::path::ids(origin);
        let keep = match level {
            Level::County => 1,
            Level::Town => 2,
            Level::Branch => 3,
        };
        format!(
            "/{}/",
            ids[..keep]
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join("/")
        )
    }

    fn actor_paths() -> Vec<(Level, &'static str)> {
        let mut v = vec![(Level::County, "/1/")];
        v.extend(TOWNS.iter().map(|t| (Level::Town, *t)));
        v.extend(BRANCHES.iter().map(|b| (Level::Branch, *b)));
        v
    }

    proptest! {
        #[test]
        fn no_skipped_step_no_quota_exceeded_no_out_of_scope_move(
            quotas in (proptest::option::of(0u32..3), proptest::option::of(0u32..3), proptest::option::of(0u32..3)),
            origins in proptest::collection::vec(0usize..4, 1..8),
            attempts in proptest::collection::vec((0usize..8, 0usize..7, 0usize..7, any::<bool>(), 0i64..20, any::<bool>()), 0..120),
        ) {
            let def = def([quotas.0, quotas.1, quotas.2]);
            let mut stages: Vec<Stage> = origins.iter().map(|_| Stage::Pending(0)).collect();
            let start = d("2026-06-01");
            let mut notice_until: Vec<Option<NaiveDate>> = vec![None; origins.len()];
            let actors = actor_paths();
            for (i, a, who, wrong_role, day, comment) in attempts {
                let i = i % origins.len();
                let origin = BRANCHES[origins[i]];
                let action = Action::ALL[a];
                let (level, path) = actors[who];
                let acting = Acting {
                    role: if wrong_role { Role::Member } else { level.role() },
                    scope_path: path,
                    scope_level: level,
                };
                let step_n = match stages[i] { Stage::Pending(n) => Some(n), _ => None };
                let used = step_n.map(|n| {
                    let h = holder(origin, def.steps[n].level);
                    (0..origins.len())
                        .filter(|j| holder(BRANCHES[origins[*j]], def.steps[n].level) == h && stages[*j].passed(n))
                        .count() as u32
                }).unwrap_or(0);
                let s = Situation {
                    stage: stages[i],
                    origin_path: origin,
                    quota_used: used,
                    today: start + chrono::Duration::days(day),
                    notice_until: notice_until[i],
                    comment: if comment { "意见" } else { "" },
                    open_objections: 1,
                };
                let Ok(next) = decide(&def, &s, action, Some(&acting)) else { continue };
                // no skipped step: pending moves by exactly one, notice only after the last
                match (stages[i], next) {
                    (Stage::Pending(n), Stage::Pending(m)) => prop_assert!(m == n + 1 || m + 1 == n),
                    (Stage::Pending(n), Stage::Notice | Stage::Final) => prop_assert_eq!(n, def.steps.len() - 1),
                    (Stage::Notice, Stage::Final) => prop_assert!(s.today > notice_until[i].unwrap()),
                    _ => {}
                }
                // nobody outside scope or at another level moved it (objections excepted)
                if action != Action::Object {
                    prop_assert!(within(origin, path));
                    prop_assert_eq!(acting.role, level.role());
                }
                if next == Stage::Notice && stages[i] != Stage::Objected {
                    notice_until[i] = Some(s.today + chrono::Duration::days(def.notice_days as i64));
                }
                stages[i] = next;
                // quotas never exceeded, at any level, for any holder
                for (n, step) in def.steps.iter().enumerate() {
                    if let Some(q) = step.quota {
                        let mut per: HashMap<String, u32> = HashMap::new();
                        for (j, st) in stages.iter().enumerate() {
                            if st.passed(n) {
                                *per.entry(holder(BRANCHES[origins[j]], step.level)).or_default() += 1;
                            }
                        }
                        prop_assert!(per.values().all(|c| *c <= q));
                    }
                }
            }
        }
    }
}
