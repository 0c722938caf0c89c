//! Refusals of awards and the workflow engine, commitments, evaluations, stars and leader
//! reviews on both backends: each refused write leaves every table and the audit log as they
//! were. Quotas, the wrong level or stage, closed rounds, spent and revoked codes, scores out
//! of scale, and actors outside their scope.

mod common;

use chrono::Duration;
use common::{actor, conflict, invalid, not_found, refuse};
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::award::AwardKindInput;
use xianfeng_domain::commitment::{CommitmentInput, CommitmentResult, CommitmentStep, Reviewer};
use xianfeng_domain::date;
use xianfeng_domain::evaluation::{Choice, Scheme};
use xianfeng_domain::household::ResidentInput;
use xianfeng_domain::org::Org;
use xianfeng_domain::stars::{BranchScheme, MemberScheme};
use xianfeng_domain::workflow::{Action, Definition, Stage};
use xianfeng_store::engines::workflow::{self, Start};
use xianfeng_store::recognition::evaluations::RoundInput;
use xianfeng_store::testing::{add_member, backends, org, TestStore};
use xianfeng_store::{
    people::households, recognition::awards, recognition::commitments,
    recognition::evaluation_scores, recognition::evaluations, recognition::leader_reviews,
    recognition::stars, vals,
};

struct Tree {
    county: Org,
    town: Org,
    other_town: Org,
    east: Org,
    west: Org,
    /// A branch of the other town.
    far: Org,
    /// A branch with no members.
    empty: Org,
}

fn tree(s: &TestStore) -> Tree {
    s.write(|c| -> xianfeng_store::Result<_> {
        let county = org(c, None, "测试县委", "县委");
        let town = org(c, Some(&county), "甲镇党委", "党委");
        let other_town = org(c, Some(&county), "乙镇党委", "党委");
        let east = org(c, Some(&town), "东村党支部", "党支部");
        let west = org(c, Some(&town), "西村党支部", "党支部");
        let far = org(c, Some(&other_town), "北村党支部", "党支部");
        let empty = org(c, Some(&town), "南村党支部", "党支部");
        Ok(Tree {
            county,
            town,
            other_town,
            east,
            west,
            far,
            empty,
        })
    })
    .unwrap()
}

fn kind_input(name: &str, branch: &str, town: &str) -> AwardKindInput {
    AwardKindInput {
        name: name.into(),
        subject: "党员".into(),
        year: "2026".into(),
        branch_quota: branch.into(),
        town_quota: town.into(),
        county_quota: String::new(),
        notice_days: "7".into(),
    }
}

const SUMMARY: &str = "带领群众发展特色种植，带动20户增收，群众评价高。";

#[test]
fn awards_refuse_over_quota_at_the_wrong_level_or_stage_and_write_nothing() {
    for s in backends() {
        let t = tree(&s);
        let county_admin = actor(&t.county, Role::CountyAdmin);
        let town_admin = actor(&t.town, Role::TownAdmin);
        let other_admin = actor(&t.other_town, Role::TownAdmin);
        let east_sec = actor(&t.east, Role::BranchSecretary);
        let west_sec = actor(&t.west, Role::BranchSecretary);
        let far_sec = actor(&t.far, Role::BranchSecretary);
        let east: Vec<i64> = (1..=2)
            .map(|n| add_member(&s, &t.east, n, "正式党员"))
            .collect();
        let west = add_member(&s, &t.west, 3, "正式党员");
        let far = add_member(&s, &t.far, 4, "正式党员");

        // Setting up an award: only a town or the county, with a valid form, once a year.
        invalid(
            refuse(&s, |c| {
                awards::create_kind(c, &east_sec, &t.east, &kind_input("优秀共产党员", "1", "1"))
            }),
            "只有乡镇（街道）或县级管理员能设立表彰",
        );
        invalid(
            refuse(&s, |c| {
                awards::create_kind(c, &county_admin, &t.county, &kind_input(" ", "1", "1"))
            }),
            "表彰名称",
        );
        let kind_id = s
            .write(|c| {
                awards::create_kind(
                    c,
                    &county_admin,
                    &t.county,
                    &kind_input("优秀共产党员", "1", "1"),
                )
            })
            .unwrap();
        invalid(
            refuse(&s, |c| {
                awards::create_kind(
                    c,
                    &county_admin,
                    &t.county,
                    &kind_input("优秀共产党员", "2", "2"),
                )
            }),
            "已设立“优秀共产党员”",
        );
        let kind = s.read(|c| awards::kind(c, kind_id)).unwrap();
        let town_kind_id = s
            .write(|c| {
                awards::create_kind(
                    c,
                    &town_admin,
                    &t.town,
                    &kind_input("甲镇优秀党员", "1", ""),
                )
            })
            .unwrap();
        let town_kind = s.read(|c| awards::kind(c, town_kind_id)).unwrap();
        invalid(
            refuse(&s, |c| {
                workflow::define(
                    c,
                    &t.county,
                    &Definition {
                        name: "空流程".into(),
                        steps: vec![],
                        notice_days: 7,
                    },
                )
            }),
            "至少需要一个环节",
        );

        // Nominating: from one's own branch, inside the award's reach, a member of the
        // branch, with a summary, once, within the branch's quota.
        let nominate =
            |who: &Actor, k: &awards::AwardKind, at: &Org, m: Option<i64>, text: &str| {
                let (who, k, at, text) = (who.clone(), k.clone(), at.clone(), text.to_string());
                move |c: &mut dyn xianfeng_store::Conn| {
                    awards::nominate(c, &who, &k, &at, m, "", &text)
                }
            };
        let cases: Vec<(_, &str)> = vec![
            (
                nominate(&east_sec, &kind, &t.west, Some(west), SUMMARY),
                "须为您管辖范围内的支部",
            ),
            (
                nominate(&town_admin, &kind, &t.town, Some(east[0]), SUMMARY),
                "须为您管辖范围内的支部",
            ),
            (
                nominate(&far_sec, &town_kind, &t.far, Some(far), SUMMARY),
                "不在“甲镇党委”的评选范围内",
            ),
            (
                nominate(&east_sec, &kind, &t.east, Some(east[0]), "表现好"),
                "请填写 10–2000 字的主要事迹",
            ),
            (
                nominate(&east_sec, &kind, &t.east, None, SUMMARY),
                "请选择党员",
            ),
            (
                nominate(&east_sec, &kind, &t.east, Some(west), SUMMARY),
                "须为本支部党员",
            ),
        ];
        for (f, needle) in cases {
            invalid(refuse(&s, f), needle);
        }
        let a = s
            .write(nominate(&east_sec, &kind, &t.east, Some(east[0]), SUMMARY))
            .unwrap();
        invalid(
            refuse(
                &s,
                nominate(&east_sec, &kind, &t.east, Some(east[0]), SUMMARY),
            ),
            "已在本项目的推荐中",
        );
        invalid(
            refuse(
                &s,
                nominate(&east_sec, &kind, &t.east, Some(east[1]), SUMMARY),
            ),
            "超出名额",
        );
        let w = s
            .write(nominate(&west_sec, &kind, &t.west, Some(west), SUMMARY))
            .unwrap();
        // An award for a person named in the text needs the name.
        let person_kind_id = s
            .write(|c| {
                awards::create_kind(
                    c,
                    &county_admin,
                    &t.county,
                    &AwardKindInput {
                        subject: "个人".into(),
                        ..kind_input("最美村民", "1", "1")
                    },
                )
            })
            .unwrap();
        let person_kind = s.read(|c| awards::kind(c, person_kind_id)).unwrap();
        invalid(
            refuse(&s, |c| {
                awards::nominate(c, &east_sec, &person_kind, &t.east, None, " ", SUMMARY)
            }),
            "请填写 1–20 字的姓名",
        );
        invalid(
            refuse(&s, |c| {
                workflow::start(
                    c,
                    &east_sec,
                    &Start {
                        definition_id: kind.definition_id,
                        origin: &t.west,
                        subject_kind: "党员",
                        subject_id: west,
                        subject_name: "党员3",
                        summary: SUMMARY,
                    },
                )
            }),
            "不在您的管辖范围内",
        );

        // Revising: only the nominating branch, while it waits at the first step.
        invalid(
            refuse(&s, |c| workflow::revise(c, &town_admin, a, SUMMARY)),
            "只有推荐单位在待推荐时能修改",
        );
        invalid(
            refuse(&s, |c| workflow::revise(c, &east_sec, a, "太短")),
            "请填写 10–2000 字的主要事迹",
        );

        // Acting: the step's own level, in scope, within its quota, with a reason where one
        // is needed, and only what the stage allows.
        let act = |who: &Actor, id: i64, action: Action, comment: &str| {
            let (who, comment) = (who.clone(), comment.to_string());
            move |c: &mut dyn xianfeng_store::Conn| {
                workflow::act(c, Some(&who), "", id, action, &comment)
            }
        };
        not_found(
            refuse(&s, act(&east_sec, 999_999, Action::Approve, "")),
            "审批事项",
        );
        invalid(
            refuse(&s, act(&town_admin, a, Action::Approve, "")),
            "支部推荐",
        );
        invalid(
            refuse(&s, act(&east_sec, a, Action::Reject, " ")),
            "请填写意见或理由",
        );
        invalid(
            refuse(&s, act(&east_sec, a, Action::Return, "补充材料")),
            "当前状态为",
        );
        invalid(
            refuse(&s, act(&east_sec, a, Action::Finalize, "")),
            "当前状态为",
        );
        invalid(
            refuse(&s, |c| {
                workflow::object(c, a, "张三", "", "反映该同志有违规行为")
            }),
            "当前状态为",
        );
        assert_eq!(
            s.write(act(&east_sec, a, Action::Approve, "")).unwrap(),
            Stage::Pending(1)
        );
        s.write(act(&west_sec, w, Action::Approve, "")).unwrap();
        invalid(
            refuse(&s, act(&other_admin, a, Action::Approve, "")),
            "不在您的管辖范围内",
        );
        invalid(
            refuse(&s, |c| workflow::revise(c, &east_sec, a, SUMMARY)),
            "只有推荐单位在待推荐时能修改",
        );
        s.write(act(&town_admin, a, Action::Approve, "")).unwrap();
        invalid(
            refuse(&s, act(&town_admin, w, Action::Approve, "")),
            "已达本级名额上限（1 个）",
        );
        assert_eq!(
            s.write(act(&county_admin, a, Action::Approve, "")).unwrap(),
            Stage::Notice
        );
        invalid(
            refuse(&s, act(&county_admin, a, Action::Finalize, "")),
            "期满后才能确定",
        );

        // Objections during notice: a name and facts; a resolution needs a conclusion, and an
        // objection is resolved once.
        invalid(
            refuse(&s, |c| {
                workflow::object(c, a, " ", "", "反映该同志有违规行为")
            }),
            "姓名",
        );
        invalid(
            refuse(&s, |c| workflow::object(c, a, "张三", "", "不好")),
            "异议内容",
        );
        let o = s
            .write(|c| workflow::object(c, a, "张三", "", "反映该同志有违规行为"))
            .unwrap();
        invalid(
            refuse(&s, |c| workflow::resolve(c, &county_admin, o, false, " ")),
            "核查结论",
        );
        invalid(
            refuse(&s, |c| {
                workflow::resolve(c, &town_admin, o, false, "经核查，反映不属实")
            }),
            "县委审定",
        );
        not_found(
            refuse(&s, |c| {
                workflow::resolve(c, &county_admin, 999_999, false, "经核查，反映不属实")
            }),
            "待处理的异议",
        );
        s.write(|c| workflow::resolve(c, &county_admin, o, false, "经核查，反映不属实"))
            .unwrap();
        not_found(
            refuse(&s, |c| {
                workflow::resolve(c, &county_admin, o, true, "经核查，反映属实")
            }),
            "待处理的异议",
        );
    }
}

#[test]
fn commitments_refuse_out_of_scope_over_the_limit_and_at_the_wrong_stage() {
    for s in backends() {
        let t = tree(&s);
        let sec = actor(&t.east, Role::BranchSecretary);
        let other = actor(&t.west, Role::BranchSecretary);
        let m = add_member(&s, &t.east, 1, "正式党员");
        let m2 = add_member(&s, &t.east, 2, "正式党员");
        let outsider = add_member(&s, &t.west, 3, "正式党员");
        let own = Actor {
            member_id: Some(m),
            ..actor(&t.east, Role::Member)
        };
        let today = date::today();
        let year = chrono::Datelike::year(&today);
        let input = |n: usize| CommitmentInput {
            content: format!("帮助{n}户困难群众发展庭院经济"),
            category: "产业振兴".into(),
            due: format!("{year}-12-31"),
        };
        let add = |who: &Actor, member: Option<i64>, i: CommitmentInput| {
            let (who, east) = (who.clone(), t.east.clone());
            move |c: &mut dyn xianfeng_store::Conn| {
                commitments::add(c, &who, &east, member, year, &i)
            }
        };
        invalid(
            refuse(&s, add(&other, Some(m), input(1))),
            "不在您的管辖范围内",
        );
        invalid(
            refuse(&s, add(&own, Some(m2), input(1))),
            "不在您的管辖范围内",
        );
        invalid(
            refuse(&s, add(&sec, Some(outsider), input(1))),
            "须为本支部党员",
        );
        invalid(
            refuse(
                &s,
                add(
                    &sec,
                    Some(m),
                    CommitmentInput {
                        due: format!("{}-12-31", year + 1),
                        ..input(1)
                    },
                ),
            ),
            "完成时限",
        );
        invalid(
            refuse(
                &s,
                add(
                    &sec,
                    Some(m),
                    CommitmentInput {
                        content: "帮".into(),
                        ..input(1)
                    },
                ),
            ),
            "至少 4 个字",
        );
        let ids: Vec<i64> = (1..=5)
            .map(|n| s.write(add(&sec, Some(m), input(n))).unwrap())
            .collect();
        invalid(refuse(&s, add(&sec, Some(m), input(6))), "最多 5 项");
        let k = ids[0];
        let step = |who: &Actor, st: CommitmentStep, r: Option<CommitmentResult>| {
            let who = who.clone();
            move |c: &mut dyn xianfeng_store::Conn| commitments::step(c, &who, k, st, r)
        };
        let fulfil = |who: &Actor, day: String, text: &str| {
            let (who, text) = (who.clone(), text.to_string());
            move |c: &mut dyn xianfeng_store::Conn| {
                commitments::fulfil(c, &who, k, &day, &text, None)
            }
        };
        let review = |who: &Actor| {
            let who = who.clone();
            move |c: &mut dyn xianfeng_store::Conn| {
                commitments::review(
                    c,
                    &who,
                    k,
                    Reviewer::Residents,
                    Choice::Satisfied,
                    "说到做到",
                )
            }
        };
        let today_s = today.to_string();
        not_found(
            refuse(&s, |c| {
                commitments::step(c, &sec, 999_999, CommitmentStep::Approve, None)
            }),
            "承诺",
        );
        // A draft: only a cadre approves it, nothing else happens to it yet.
        invalid(
            refuse(&s, step(&own, CommitmentStep::Approve, None)),
            "只有支部书记或上级管理员能办理",
        );
        invalid(
            refuse(&s, |c| {
                commitments::approve_all(c, &own, &t.east, year as i64)
            }),
            "只有支部书记或上级管理员能办理",
        );
        invalid(
            refuse(&s, step(&sec, CommitmentStep::StartReview, None)),
            "不能“开始评诺”",
        );
        invalid(
            refuse(&s, fulfil(&sec, today_s.clone(), "走访困难户3户")),
            "公示后才能记录践诺",
        );
        invalid(refuse(&s, review(&sec)), "开始评诺后才能登记");
        s.write(step(&sec, CommitmentStep::Approve, None)).unwrap();
        // Published: fulfilment entries, dated this year and not in the future, in scope.
        invalid(
            refuse(&s, fulfil(&other, today_s.clone(), "走访困难户3户")),
            "不在您的管辖范围内",
        );
        invalid(
            refuse(&s, fulfil(&sec, "六月底".into(), "走访困难户3户")),
            "请按 2026-06-30 的格式填写",
        );
        invalid(
            refuse(
                &s,
                fulfil(
                    &sec,
                    (today + Duration::days(1)).to_string(),
                    "走访困难户3户",
                ),
            ),
            "不晚于今天",
        );
        invalid(
            refuse(&s, fulfil(&sec, today_s.clone(), "走访")),
            "须为 4–500 字",
        );
        invalid(refuse(&s, review(&sec)), "开始评诺后才能登记");
        s.write(step(&sec, CommitmentStep::StartReview, None))
            .unwrap();
        invalid(
            refuse(&s, review(&own)),
            "只有支部书记或上级管理员能登记评诺",
        );
        invalid(
            refuse(&s, step(&sec, CommitmentStep::Settle, None)),
            "请选择评定结果",
        );
        s.write(step(
            &sec,
            CommitmentStep::Settle,
            Some(CommitmentResult::Kept),
        ))
        .unwrap();
        // Settled: no more steps, entries or reviews.
        invalid(
            refuse(
                &s,
                step(
                    &sec,
                    CommitmentStep::Settle,
                    Some(CommitmentResult::Excellent),
                ),
            ),
            "不能“评定结果”",
        );
        invalid(
            refuse(&s, fulfil(&sec, today_s.clone(), "走访困难户3户")),
            "公示后才能记录践诺",
        );
        invalid(refuse(&s, review(&sec)), "开始评诺后才能登记");
    }
}

struct Round {
    id: i64,
    codes: Vec<evaluations::Code>,
    members: Vec<i64>,
}

fn evaluation_world(s: &TestStore, t: &Tree) -> Round {
    let members: Vec<i64> = (1..=3)
        .map(|n| add_member(s, &t.east, n, "正式党员"))
        .collect();
    s.write(|c| -> xianfeng_store::Result<_> {
        for (i, head) in ["王建国", "李卫东"].iter().enumerate() {
            let d = ResidentInput {
                head_name: head.to_string(),
                address: format!("东村1组{}号", i + 1),
                name: head.to_string(),
                relation: "户主".into(),
                ..ResidentInput::default()
            }
            .validate()
            .unwrap();
            households::add_resident(c, &s.vault, None, &t.east, &d)?;
        }
        Ok(())
    })
    .unwrap();
    let sec = actor(&t.east, Role::BranchSecretary);
    let id = s
        .write(|c| {
            evaluations::open_round(
                c,
                &sec,
                &t.east,
                &RoundInput {
                    name: "2026年度民主评议党员".into(),
                    scheme: Scheme::five_leads().name,
                    closes_on: date::today().to_string(),
                },
            )
        })
        .unwrap();
    let codes = s.read(|c| evaluations::codes(c, id)).unwrap();
    Round { id, codes, members }
}

#[test]
fn evaluations_refuse_bad_schemes_spent_codes_bad_scores_and_closed_rounds() {
    for s in backends() {
        let t = tree(&s);
        let county_admin = actor(&t.county, Role::CountyAdmin);
        let sec = actor(&t.east, Role::BranchSecretary);
        let other = actor(&t.far, Role::BranchSecretary);
        // Schemes: the county's, with unique names, checked.
        invalid(
            refuse(&s, |c| {
                evaluations::save_scheme(c, &sec, None, Scheme::five_leads())
            }),
            "只有县级管理员能修改评议方案",
        );
        invalid(
            refuse(&s, |c| {
                evaluations::save_scheme(c, &county_admin, None, Scheme::five_leads())
            }),
            "已有名为",
        );
        not_found(
            refuse(&s, |c| {
                evaluations::save_scheme(
                    c,
                    &county_admin,
                    Some(99),
                    Scheme {
                        name: "新方案".into(),
                        ..Scheme::five_leads()
                    },
                )
            }),
            "评议方案",
        );
        invalid(
            refuse(&s, |c| {
                evaluations::save_scheme(
                    c,
                    &county_admin,
                    None,
                    Scheme {
                        name: "空方案".into(),
                        criteria: vec![],
                        ..Scheme::five_leads()
                    },
                )
            }),
            "至少需要一项",
        );
        let r = evaluation_world(&s, &t);
        // Opening: a valid form, in scope, with someone to rate.
        let open = |who: &Actor, at: &Org, scheme: String, closes: String| {
            let (who, at) = (who.clone(), at.clone());
            move |c: &mut dyn xianfeng_store::Conn| {
                evaluations::open_round(
                    c,
                    &who,
                    &at,
                    &RoundInput {
                        name: "第二轮评议".into(),
                        scheme,
                        closes_on: closes,
                    },
                )
            }
        };
        let today = date::today();
        let leads = Scheme::five_leads().name;
        let goods = Scheme::five_goods().name;
        invalid(
            refuse(
                &s,
                open(&sec, &t.east, "无此方案".into(), today.to_string()),
            ),
            "请选择评议方案",
        );
        invalid(
            refuse(
                &s,
                open(
                    &sec,
                    &t.east,
                    leads.clone(),
                    (today - Duration::days(1)).to_string(),
                ),
            ),
            "不能早于今天",
        );
        invalid(
            refuse(&s, open(&other, &t.east, leads.clone(), today.to_string())),
            "不在您的管辖范围内",
        );
        invalid(
            refuse(
                &s,
                open(&county_admin, &t.empty, leads.clone(), today.to_string()),
            ),
            "本组织没有党员",
        );
        invalid(
            refuse(&s, open(&sec, &t.east, goods, today.to_string())),
            "本组织下没有支部",
        );
        // Scoring by account: a subject of the round, by someone who may, on the scale.
        let score = |who: &Actor, subject: i64, raw: &[&str]| {
            let who = who.clone();
            let raw: Vec<String> = raw.iter().map(|x| x.to_string()).collect();
            let id = r.id;
            move |c: &mut dyn xianfeng_store::Conn| {
                evaluation_scores::score(c, &who, id, subject, &raw)
            }
        };
        let fine = ["18", "18", "18", "18", "18"];
        let m = r.members[0];
        invalid(refuse(&s, score(&other, m, &fine)), "您不能为该对象打分");
        not_found(
            refuse(&s, |c| {
                evaluation_scores::score(c, &sec, 999_999, m, &["18".to_string()])
            }),
            "评议",
        );
        not_found(refuse(&s, score(&sec, 999_999, &fine)), "评议对象");
        invalid(
            refuse(&s, score(&sec, m, &["999", "18", "18", "18", "18"])),
            "超出分值范围",
        );
        invalid(refuse(&s, score(&sec, m, &[])), "请打分");
        s.write(score(&sec, m, &fine)).unwrap();
        // Voting by code: a known code, a choice about a subject of the round, once.
        let vote = |code: &str, choices: Vec<(i64, Choice)>| {
            let code = code.to_string();
            move |c: &mut dyn xianfeng_store::Conn| {
                evaluation_scores::vote_with_code(c, &code, &choices)
            }
        };
        let good: Vec<(i64, Choice)> = r.members.iter().map(|m| (*m, Choice::Satisfied)).collect();
        let houses: Vec<&evaluations::Code> = r.codes.iter().filter(|c| c.household).collect();
        not_found(refuse(&s, vote("NOSUCHCODE", good.clone())), "评议码");
        invalid(refuse(&s, vote(&houses[0].code, vec![])), "请至少评议一项");
        invalid(
            refuse(
                &s,
                vote(&houses[0].code, vec![(999_999, Choice::Satisfied)]),
            ),
            "不是本轮评议对象",
        );
        s.write(vote(&houses[0].code, good.clone())).unwrap();
        invalid(refuse(&s, vote(&houses[0].code, good.clone())), "已使用过");
        // Revoking: in scope, an existing code; a revoked code does not vote.
        not_found(
            refuse(&s, |c| evaluations::revoke(c, &other, houses[1].id)),
            "评议码",
        );
        not_found(
            refuse(&s, |c| evaluations::revoke(c, &sec, 999_999)),
            "评议码",
        );
        s.write(|c| evaluations::revoke(c, &sec, houses[1].id))
            .unwrap();
        invalid(refuse(&s, vote(&houses[1].code, good.clone())), "已作废");
        // Closing: only the organising level, once; then nothing more is taken.
        invalid(
            refuse(&s, |c| evaluation_scores::close(c, &other, r.id)),
            "只有组织评议的单位能结束评议",
        );
        s.write(|c| evaluation_scores::close(c, &sec, r.id))
            .unwrap();
        conflict(
            refuse(&s, |c| evaluation_scores::close(c, &sec, r.id)),
            "评议已经结束",
        );
        let member_code = r.codes.iter().find(|c| !c.household).unwrap();
        conflict(
            refuse(&s, vote(&member_code.code, good.clone())),
            "评议已结束",
        );
        conflict(refuse(&s, score(&sec, m, &fine)), "评议已结束");
        conflict(
            refuse(&s, |c| evaluations::revoke(c, &sec, member_code.id)),
            "评议码不能再作废",
        );
        // A round past its closing date takes nothing, though nobody closed it.
        let late = s
            .write(open(&sec, &t.east, leads, today.to_string()))
            .unwrap();
        s.write(|c| {
            c.execute(
                "UPDATE evaluation_rounds SET closes_on = ? WHERE id = ?",
                vals![(today - Duration::days(1)).to_string(), late],
            )
        })
        .unwrap();
        let late_code = s
            .read(|c| evaluations::codes(c, late))
            .unwrap()
            .into_iter()
            .find(|c| c.household)
            .unwrap();
        conflict(refuse(&s, vote(&late_code.code, good)), "截止");
    }
}

#[test]
fn stars_and_leader_reviews_refuse_out_of_scope_and_bad_figures() {
    for s in backends() {
        let t = tree(&s);
        let county_admin = actor(&t.county, Role::CountyAdmin);
        let town_admin = actor(&t.town, Role::TownAdmin);
        let sec = actor(&t.east, Role::BranchSecretary);
        let other = actor(&t.west, Role::BranchSecretary);
        let m = add_member(&s, &t.east, 1, "正式党员");
        let year = chrono::Datelike::year(&date::today());
        invalid(
            refuse(&s, |c| {
                stars::save_schemes(c, &sec, &MemberScheme::default(), &BranchScheme::default())
            }),
            "只有县级管理员能修改评星方案",
        );
        let mut bad = MemberScheme::default();
        bad.items[0].max += 1;
        invalid(
            refuse(&s, |c| {
                stars::save_schemes(c, &county_admin, &bad, &BranchScheme::default())
            }),
            "合计须为 100",
        );
        invalid(
            refuse(&s, |c| stars::rate_year(c, Some(&other), &t.east, year)),
            "不在您的管辖范围内",
        );
        let grant = |who: &Actor, member: i64, month: &str, item: &str, points: &str| {
            let (who, month, item, points) = (
                who.clone(),
                month.to_string(),
                item.to_string(),
                points.to_string(),
            );
            move |c: &mut dyn xianfeng_store::Conn| {
                stars::grant(c, &who, member, &month, &item, &points)
            }
        };
        invalid(
            refuse(&s, grant(&other, m, "2026-11", "义务", "5")),
            "不在您的管辖范围内",
        );
        invalid(
            refuse(&s, grant(&sec, m, "2026-11", "组织生活", "5")),
            "不是由支部评定的项目",
        );
        invalid(
            refuse(&s, grant(&sec, m, "2026-11", "义务", "9")),
            "须为 0–8 的整数",
        );
        invalid(
            refuse(&s, grant(&sec, m, "2026-11", "义务", "-1")),
            "须为 0–8 的整数",
        );
        invalid(
            refuse(&s, grant(&sec, m, "2026-13", "义务", "5")),
            "请按 2026-11 的格式填写",
        );
        not_found(
            refuse(&s, grant(&sec, 999_999, "2026-11", "义务", "5")),
            "党员",
        );
        s.write(grant(&sec, m, "2026-11", "义务", "5")).unwrap();
        // Leader reviews: from above only, with a reviewer, a dated past day and content.
        let review = |who: &Actor, reviewer: &str, day: String, content: &str| {
            let (who, reviewer, content, east) = (
                who.clone(),
                reviewer.to_string(),
                content.to_string(),
                t.east.clone(),
            );
            move |c: &mut dyn xianfeng_store::Conn| {
                leader_reviews::add(c, &who, &east, &reviewer, &day, &content)
            }
        };
        let today = date::today();
        let content = "本季度主题党日形式新颖，群众参与度高。";
        invalid(
            refuse(&s, review(&sec, "支部书记", today.to_string(), content)),
            "只有上级党组织能点评本级以下的组织",
        );
        invalid(
            refuse(&s, review(&town_admin, " ", today.to_string(), content)),
            "点评领导",
        );
        invalid(
            refuse(
                &s,
                review(
                    &town_admin,
                    "镇党委书记 王明",
                    (today + Duration::days(1)).to_string(),
                    content,
                ),
            ),
            "不晚于今天",
        );
        invalid(
            refuse(
                &s,
                review(&town_admin, "镇党委书记 王明", today.to_string(), "很好"),
            ),
            "须为 10–2000 字",
        );
        s.write(review(
            &town_admin,
            "镇党委书记 王明",
            today.to_string(),
            content,
        ))
        .unwrap();
    }
}
