//! Publishing a reviewed plan draft as a campaign. Each measure (an actionable item of a work
//! section) becomes a task filed under its category (the section it sits in), titled by its
//! text, led by its units and due at its written deadline: 定量 when a target lies in it (the
//! target is its indicator), 自动 when that target is computed from the tree, 定性 otherwise
//! (done by a report the level above accepts, `campaigns::completion`). A target outside
//! every measure becomes a task of its own. Tasks are assigned to the units named — as the
//! reviewer mapped them, else as matched in the tree ("各镇党委" fans out to every town) — or
//! to the publishing organisation when none is named. A draft makes at most one campaign;
//! publishing it again updates that campaign by plan item (`update`).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::{json, Value as Json};
use xianfeng_domain::auth::Actor;
use xianfeng_domain::cadence::Applies;
use xianfeng_domain::campaign::{
    accepted_target, infer_measure, Comparator, Measure, Target, TaskKind, ACCEPTED_LABEL,
};
use xianfeng_domain::org::Org;
use xianfeng_domain::units::{match_unit, OrgRef, UnitMatch};

use crate::audit::{self, Record};
use crate::campaigns::{self, NewTask, Phase};
use crate::db::Conn;
use crate::plans::drafts::{self, Draft};
use crate::plans::rules::{self, PublishedRules};
use crate::{people::orgs, vals, Result, StoreError};

fn strings(v: &Json) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// The titles of the sections a target's path of numbers (`["二", "（一）"]`) leads through.
fn section_titles(sections: &Json, path: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut level = sections;
    for number in path {
        let Some(found) = level
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["number"].as_str() == Some(number.as_str()))
        else {
            break;
        };
        out.push(found["title"].as_str().unwrap_or(number).to_string());
        level = &found["children"];
    }
    out
}

/// The last day of the month named in `text` (`11月底`, `12月`), in `year`.
pub fn month_end_in(text: &str, year: i32) -> Option<NaiveDate> {
    let digits: String = text
        .split('月')
        .next()?
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let m: u32 = digits.parse().ok().filter(|m| (1..=12).contains(m))?;
    let (ny, nm) = if m == 12 {
        (year + 1, 1)
    } else {
        (year, m + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1).map(|d| d - chrono::Duration::days(1))
}

/// Each unit's organisations, matched once per publish (a plan names the same few units over
/// and over; matching reads every organisation's name).
type Matched = std::collections::HashMap<String, Vec<i64>>;

/// The organisations the units name, by the reviewer's mapping or a match in the tree.
fn resolve(units: &[String], draft: &Draft, refs: &[OrgRef], seen: &mut Matched) -> Vec<i64> {
    let mut out = Vec::new();
    for u in units {
        let mapped: Vec<i64> = draft.unit_map[u.as_str()]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_i64())
            .collect();
        let ids = if mapped.is_empty() {
            seen.entry(u.clone())
                .or_insert_with(|| match match_unit(u, refs) {
                    UnitMatch::Exact(ids) | UnitMatch::Every(ids) | UnitMatch::Fuzzy(ids) => ids,
                    UnitMatch::Unmatched => vec![],
                })
                .clone()
        } else {
            mapped
        };
        for id in ids {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// A task as publishing made it (the CLI prints these).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedTask {
    pub id: i64,
    pub title: String,
    /// The category (the section the item sits in).
    pub section: String,
    /// 定量 / 自动 / 定性
    pub kind: String,
    /// The indicators' labels joined (`None` for a 定性 task).
    pub indicator: Option<String>,
    /// Names of the organisations it is assigned to.
    pub assignees: Vec<String>,
    pub lead: String,
    pub due: Option<String>,
}

/// What publishing (or updating) a draft's campaign did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Published {
    pub campaign_id: i64,
    /// Tasks made by this call (on an update, only the new items).
    pub added: Vec<PublishedTask>,
    /// Titles of tasks whose items the draft no longer holds: kept, marked removed.
    pub removed: Vec<String>,
    pub rules: PublishedRules,
}

/// A measure as the plan JSON gives it.
struct PlanMeasure {
    path: Vec<String>,
    text: String,
    units: Vec<String>,
    deadline: Option<String>,
}

/// The first sentence of a measure (its heading sentence), else its first 200 characters.
fn measure_title(text: &str) -> String {
    let text = text.trim();
    let first = text.split('。').next().unwrap_or(text).trim();
    let pick = if first.is_empty() { text } else { first };
    pick.chars().take(200).collect()
}

fn key(kind: &str, path: &[String], text: &str) -> String {
    format!("{kind}|{}|{text}", path.join("/"))
}

/// The tasks `draft` asks for: one per measure (carrying the targets inside it), one per
/// target outside every measure.
fn planned(
    c: &mut dyn Conn,
    org: &Org,
    draft: &Draft,
    year: i32,
    refs: &[OrgRef],
) -> Result<Vec<NewTask>> {
    let plan = &draft.plan;
    let due = plan["phases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"].as_str().unwrap_or("").contains("实施"))
        .and_then(|p| month_end_in(p["end"].as_str().unwrap_or(""), year));
    let responsible: Vec<(Vec<String>, Vec<String>)> = plan["responsible"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| (strings(&r["path"]), strings(&r["units"])))
        .collect();
    // The most specific responsibility whose section contains `path`.
    let units_at = |path: &[String]| {
        responsible
            .iter()
            .filter(|(p, _)| !p.is_empty() && path.starts_with(p))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, u)| u.clone())
            .unwrap_or_default()
    };
    let category_at = |path: &[String]| {
        // The category is the second-level section (（一）建强支部堡垒), else the first.
        let titles = section_titles(&plan["sections"], path);
        titles
            .get(1)
            .or(titles.first())
            .cloned()
            .unwrap_or_else(|| "其他任务".into())
    };
    let measures: Vec<PlanMeasure> = plan["measures"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| PlanMeasure {
            path: strings(&m["path"]),
            text: m["text"].as_str().unwrap_or("").trim().to_string(),
            units: strings(&m["units"]),
            deadline: m["deadline"].as_str().map(str::to_string),
        })
        .filter(|m| !m.text.is_empty())
        .collect();
    let activities: Vec<&str> = xianfeng_domain::life::MeetingKind::ALL
        .iter()
        .map(|k| k.label())
        .collect();
    // Each target, with the measure (the most specific one whose path it lies in) owning it.
    let mut owned: Vec<Vec<(String, Target, Measure)>> = vec![Vec::new(); measures.len()];
    let mut owned_texts: Vec<Vec<String>> = vec![Vec::new(); measures.len()];
    let mut loose = Vec::new();
    for t in plan["targets"].as_array().into_iter().flatten() {
        let path = strings(&t["path"]);
        let quantity = t["quantity"].as_f64().unwrap_or(0.0);
        let quantity_max = t["quantity_max"].as_f64();
        let target = Target {
            quantity,
            quantity_max,
            unit: t["unit"].as_str().unwrap_or("").to_string(),
            comparator: Comparator::from_plan(
                t["comparator"].as_str().unwrap_or(""),
                quantity_max.is_some(),
            ),
        };
        let text = t["text"].as_str().unwrap_or("").to_string();
        let subject = t["subject"].as_str().unwrap_or("").to_string();
        let measure = infer_measure(&text, &target.unit, &activities);
        let label = if subject.is_empty() {
            text.clone()
        } else {
            subject
        };
        let owner = measures
            .iter()
            .enumerate()
            .filter(|(_, m)| !m.path.is_empty() && path.starts_with(&m.path))
            .max_by_key(|(_, m)| m.path.len())
            .map(|(i, _)| i);
        match owner {
            Some(i) => {
                owned[i].push((label, target, measure));
                owned_texts[i].push(text);
            }
            None => loose.push((path, text, label, target, measure)),
        }
    }
    // A measure holding both figures its assignees report and figures computed from the tree
    // keeps the reported ones; each computed one is measured where the tree is (in the towns),
    // as a task of its own.
    for ((m, indicators), texts) in measures.iter().zip(owned.iter_mut()).zip(owned_texts) {
        if indicators.iter().any(|(_, _, x)| x.computed())
            && indicators.iter().any(|(_, _, x)| !x.computed())
        {
            let (computed, reported): (Vec<_>, Vec<_>) = std::mem::take(indicators)
                .into_iter()
                .zip(texts)
                .partition(|((_, _, x), _)| x.computed());
            *indicators = reported.into_iter().map(|(i, _)| i).collect();
            for ((label, target, measure), text) in computed {
                loose.push((m.path.clone(), text, label, target, measure));
            }
        }
    }
    let mut out = Vec::new();
    let mut seen = Matched::new();
    for (m, indicators) in measures.into_iter().zip(owned) {
        let PlanMeasure {
            path,
            text,
            units,
            deadline,
        } = m;
        let units = if units.is_empty() {
            units_at(&path)
        } else {
            units
        };
        let computed = !indicators.is_empty() && indicators.iter().all(|(_, _, m)| m.computed());
        let kind = if indicators.is_empty() {
            TaskKind::Qualitative
        } else if computed {
            TaskKind::Computed
        } else {
            TaskKind::Quantitative
        };
        let mut assignees = if computed {
            computed_towns(c, refs, &indicators[0].2)?
        } else {
            resolve(&units, draft, refs, &mut seen)
        };
        if assignees.is_empty() {
            assignees.push(org.id);
        }
        let title = measure_title(&text);
        out.push(NewTask {
            category: category_at(&path),
            detail: if title.chars().count() < text.chars().count() {
                text.clone()
            } else {
                String::new()
            },
            title,
            lead: units.join("、"),
            due_on: deadline
                .as_deref()
                .and_then(|d| month_end_in(d, year))
                .or(due),
            indicators: if indicators.is_empty() {
                vec![(
                    ACCEPTED_LABEL.to_string(),
                    accepted_target(),
                    Measure::Reported,
                )]
            } else {
                indicators
            },
            assignees,
            kind: Some(kind),
            plan_key: Some(key("m", &path, &text)),
        });
    }
    for (path, text, label, target, measure) in loose {
        let units = units_at(&path);
        // A figure computed from the tree is measured where the tree is: in each town (or
        // the publishing organisation itself); the departments named lead it.
        let mut assignees = if measure.computed() {
            computed_towns(c, refs, &measure)?
        } else {
            resolve(&units, draft, refs, &mut seen)
        };
        if assignees.is_empty() {
            assignees.push(org.id);
        }
        out.push(NewTask {
            category: category_at(&path),
            title: text.chars().take(200).collect(),
            detail: String::new(),
            lead: units.join("、"),
            due_on: due,
            kind: Some(if measure.computed() {
                TaskKind::Computed
            } else {
                TaskKind::Quantitative
            }),
            indicators: vec![(label, target, measure)],
            assignees,
            plan_key: Some(key("t", &path, &text)),
        });
    }
    Ok(out)
}

/// The towns a computed figure means something in.
fn computed_towns(c: &mut dyn Conn, refs: &[OrgRef], measure: &Measure) -> Result<Vec<i64>> {
    let mut towns = Vec::new();
    for r in refs
        .iter()
        .filter(|r| r.depth == 1 && Applies::Towns.fits(r.kind, 0))
    {
        if crate::campaigns::measures::applies_to(c, r.id, measure)? {
            towns.push(r.id);
        }
    }
    Ok(towns)
}

fn tree_refs(c: &mut dyn Conn, org: &Org) -> Result<Vec<OrgRef>> {
    Ok(orgs::active_in(c, org, 20_000)?
        .into_iter()
        .map(|o| OrgRef {
            depth: o.depth() - org.depth(),
            id: o.id,
            name: o.name,
            kind: o.kind,
        })
        .collect())
}

/// Makes the planned tasks whose plan items the campaign does not hold yet; marks the
/// campaign's plan tasks whose items the draft no longer holds as removed (not deleted).
fn make_tasks(
    c: &mut dyn Conn,
    org: &Org,
    campaign: &campaigns::Campaign,
    draft: &Draft,
    refs: &[OrgRef],
) -> Result<(Vec<PublishedTask>, Vec<String>)> {
    let wanted = planned(c, org, draft, campaign.year as i32, refs)?;
    let existing = campaigns::tasks(c, campaign.id)?;
    let names: std::collections::HashMap<i64, &str> =
        refs.iter().map(|r| (r.id, r.name.as_str())).collect();
    let name_of = |id: i64| names.get(&id).unwrap_or(&org.name.as_str()).to_string();
    let mut added = Vec::new();
    for t in wanted.iter() {
        if existing
            .iter()
            .any(|e| e.plan_key.is_some() && e.plan_key == t.plan_key)
        {
            continue;
        }
        let id = campaigns::add_task(c, campaign, t)?;
        added.push(PublishedTask {
            id,
            title: t.title.clone(),
            section: t.category.clone(),
            kind: t.kind().label().to_string(),
            indicator: (t.kind() != TaskKind::Qualitative).then(|| {
                t.indicators
                    .iter()
                    .map(|(l, ..)| l.as_str())
                    .collect::<Vec<_>>()
                    .join("；")
            }),
            assignees: t.assignees.iter().map(|id| name_of(*id)).collect(),
            lead: t.lead.clone(),
            due: t.due_on.map(|d| d.to_string()),
        });
    }
    let mut removed = Vec::new();
    let today = xianfeng_domain::date::today().to_string();
    for e in existing {
        let gone = e.plan_key.is_some()
            && e.removed_on.is_none()
            && !wanted.iter().any(|t| t.plan_key == e.plan_key);
        if gone {
            c.execute(
                "UPDATE tasks SET removed_on = ? WHERE id = ?",
                vals![today.as_str(), e.id],
            )?;
            removed.push(e.title);
        }
    }
    Ok((added, removed))
}

/// Creates the campaign for `draft` under `org`: its tasks, then its cadence rules, schemes and
/// award kinds. Refused when the draft already has a campaign (checked under a lock on the
/// draft, so two publishes at once make one campaign): update that one with `update`.
pub fn publish(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    draft: &Draft,
    year: i32,
) -> Result<Published> {
    if let Some(existing) = drafts::lock_campaign(c, draft.id)? {
        return Err(StoreError::Conflict(format!(
            "该草稿已发布为活动（编号{existing}），请在草稿页选择“更新活动”，不会重复发布"
        )));
    }
    let plan = &draft.plan;
    let phases: Vec<Phase> = plan["phases"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| Phase {
            name: p["name"].as_str().unwrap_or("").to_string(),
            starts: p["start"].as_str().unwrap_or("").to_string(),
            ends: p["end"].as_str().unwrap_or("").to_string(),
        })
        .collect();
    let title = if draft.title.trim().is_empty() {
        plan["title"].as_str().unwrap_or("").to_string()
    } else {
        draft.title.clone()
    };
    let id = campaigns::create(c, actor, org, &title, year as i64, Some(draft.id), &phases)?;
    drafts::set_campaign(c, draft.id, id)?;
    let campaign = campaigns::get(c, id)?.ok_or(StoreError::NotFound("活动"))?;
    let refs = tree_refs(c, org)?;
    let (added, removed) = make_tasks(c, org, &campaign, draft, &refs)?;
    let rules = rules::apply(c, actor, org, id, plan, year)?;
    Ok(Published {
        campaign_id: id,
        added,
        removed,
        rules,
    })
}

/// Brings a published draft's campaign up to the draft: new measures and targets become
/// tasks, items the draft no longer holds are listed (and marked) as removed, and the plan's
/// rules are applied again (they add only what is new). Refused for an unpublished draft.
pub fn update(c: &mut dyn Conn, actor: &Actor, draft: &Draft) -> Result<Published> {
    let Some(id) = drafts::lock_campaign(c, draft.id)? else {
        return Err(StoreError::Conflict(
            "该草稿尚未发布，请先发布为活动".into(),
        ));
    };
    let campaign = campaigns::get(c, id)?.ok_or(StoreError::NotFound("活动"))?;
    if !campaign.open() {
        return Err(StoreError::Conflict("活动已结束，不能再更新".into()));
    }
    let org = orgs::require(c, campaign.org_id)?;
    let refs = tree_refs(c, &org)?;
    let (added, removed) = make_tasks(c, &org, &campaign, draft, &refs)?;
    let rules = rules::apply(c, actor, &org, id, &draft.plan, campaign.year as i32)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "campaign.update_from_draft",
            entity: "campaign",
            entity_id: Some(id),
            before: json!({"draft_id": draft.id}),
            after: json!({"added": added.len(), "removed": removed}),
        },
    )?;
    Ok(Published {
        campaign_id: id,
        added,
        removed,
        rules,
    })
}

/// The campaign a file was published as, as the CLI prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignRef {
    pub id: i64,
    pub title: String,
    pub year: i64,
    /// The publishing organisation's name.
    pub org: String,
}

/// A sentence the reader set aside (a sanction, a duty), with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IgnoredItem {
    pub text: String,
    pub why: String,
}

/// What publishing a plan file did (or found done before).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    pub campaign: CampaignRef,
    /// Every task of the campaign (still in the plan).
    pub tasks: Vec<PublishedTask>,
    pub cadences: Vec<rules::PublishedCadence>,
    pub schemes: Vec<rules::PublishedScheme>,
    pub awards: Vec<rules::PublishedAward>,
    pub ignored: Vec<IgnoredItem>,
    /// The same file (by its SHA-256) was published under this organisation before: nothing
    /// was made, and the campaign shown is that one (rules are not listed again).
    pub already_published: bool,
}

/// The campaign's tasks as publishing reports them.
pub fn task_summaries(c: &mut dyn Conn, campaign_id: i64) -> Result<Vec<PublishedTask>> {
    let mut out = Vec::new();
    for t in campaigns::tasks(c, campaign_id)? {
        if t.removed_on.is_some() {
            continue;
        }
        let assignees = c
            .query(
                "SELECT o.name FROM assignments a JOIN orgs o ON o.id = a.org_id WHERE a.task_id = ? ORDER BY a.id",
                vals![t.id],
            )?
            .into_iter()
            .map(|r| r.text(0))
            .collect::<Result<Vec<_>>>()?;
        out.push(PublishedTask {
            id: t.id,
            section: t.category,
            kind: t.kind.label().to_string(),
            indicator: (t.kind != TaskKind::Qualitative).then(|| {
                t.indicators
                    .iter()
                    .map(|i| i.label.as_str())
                    .collect::<Vec<_>>()
                    .join("；")
            }),
            title: t.title,
            assignees,
            lead: t.lead,
            due: t.due_on,
        });
    }
    Ok(out)
}

/// Publishes a plan file under `org` in one step, the reader's suggestions accepted as they
/// are (no unit mapping beyond the tree's matches): a draft recognised by the file's SHA-256,
/// then its campaign. The same file again answers `already_published` and makes nothing.
#[allow(clippy::too_many_arguments)]
pub fn publish_file(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    file_name: &str,
    bytes: &[u8],
    title: &str,
    body: &str,
    plan: &Json,
    year: i32,
) -> Result<FileReport> {
    use sha2::{Digest, Sha256};
    let sha = hex::encode(Sha256::digest(bytes));
    let ignored = plan["ignored"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| IgnoredItem {
            text: i["text"].as_str().unwrap_or("").to_string(),
            why: i["why"].as_str().unwrap_or("").to_string(),
        })
        .collect();
    let (campaign_id, rules, already) = match drafts::by_file(c, org.id, &sha)? {
        Some(Draft {
            campaign_id: Some(id),
            ..
        }) => (id, PublishedRules::default(), true),
        found => {
            let draft = match found {
                Some(d) => d,
                None => {
                    let id = drafts::create(c, actor, org, file_name, title, body, plan)?;
                    drafts::set_file_sha256(c, id, &sha)?;
                    drafts::get(c, id)?.ok_or(StoreError::NotFound("草稿"))?
                }
            };
            let p = publish(c, actor, org, &draft, year)?;
            (p.campaign_id, p.rules, false)
        }
    };
    let camp = campaigns::get(c, campaign_id)?.ok_or(StoreError::NotFound("活动"))?;
    Ok(FileReport {
        campaign: CampaignRef {
            id: camp.id,
            title: camp.title,
            year: camp.year,
            org: camp.org_name,
        },
        tasks: task_summaries(c, campaign_id)?,
        cadences: rules.cadences,
        schemes: rules.schemes,
        awards: rules.awards,
        ignored,
        already_published: already,
    })
}

/// This year, for a new campaign.
pub fn this_year() -> i32 {
    xianfeng_domain::date::today().year()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_end_reads_the_month_named() {
        assert_eq!(
            month_end_in("11月底", 2026),
            NaiveDate::from_ymd_opt(2026, 11, 30)
        );
        assert_eq!(
            month_end_in("12月", 2026),
            NaiveDate::from_ymd_opt(2026, 12, 31)
        );
        assert_eq!(
            month_end_in("2月下旬", 2028),
            NaiveDate::from_ymd_opt(2028, 2, 29)
        );
        assert_eq!(month_end_in("年底", 2026), None);
    }
}
