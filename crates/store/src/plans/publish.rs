//! Publishing a reviewed plan draft as a campaign: each target becomes a task with one
//! indicator, filed under its category (the section it sits in) and assigned to the units the
//! plan names for it — as the reviewer mapped them, else as matched in the tree ("各镇党委"
//! fans out to every town) — or to the publishing organisation when none is named.

use chrono::{Datelike, NaiveDate};
use serde_json::Value as Json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::cadence::Applies;
use xianfeng_domain::campaign::{infer_measure, Comparator, Target};
use xianfeng_domain::org::Org;
use xianfeng_domain::units::{match_unit, OrgRef, UnitMatch};

use crate::campaigns::{self, NewTask, Phase};
use crate::db::Conn;
use crate::plans::drafts::Draft;
use crate::{people::orgs, Result};

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

/// The organisations the units name, by the reviewer's mapping or a match in the tree.
fn resolve(units: &[String], draft: &Draft, refs: &[OrgRef]) -> Vec<i64> {
    let mut out = Vec::new();
    for u in units {
        let mapped: Vec<i64> = draft.unit_map[u.as_str()]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_i64())
            .collect();
        let ids = if mapped.is_empty() {
            match match_unit(u, refs) {
                UnitMatch::Exact(ids) | UnitMatch::Every(ids) | UnitMatch::Fuzzy(ids) => ids,
                UnitMatch::Unmatched => vec![],
            }
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

/// Creates the campaign for `draft` under `org` and returns its id.
pub fn publish(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    draft: &Draft,
    year: i32,
) -> Result<i64> {
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
    let due = phases
        .iter()
        .find(|p| p.name.contains("实施"))
        .and_then(|p| month_end_in(&p.ends, year));
    let title = if draft.title.trim().is_empty() {
        plan["title"].as_str().unwrap_or("").to_string()
    } else {
        draft.title.clone()
    };
    let id = campaigns::create(c, actor, org, &title, year as i64, Some(draft.id), &phases)?;
    let campaign = campaigns::get(c, id)?.ok_or(crate::StoreError::NotFound("活动"))?;
    let refs: Vec<OrgRef> = orgs::active_in(c, org, 20_000)?
        .into_iter()
        .map(|o| OrgRef {
            depth: o.depth() - org.depth(),
            id: o.id,
            name: o.name,
            kind: o.kind,
        })
        .collect();
    let responsible: Vec<(Vec<String>, Vec<String>)> = plan["responsible"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| (strings(&r["path"]), strings(&r["units"])))
        .collect();
    for t in plan["targets"].as_array().into_iter().flatten() {
        let path = strings(&t["path"]);
        // The category is the second-level section (（一）建强支部堡垒), else the first.
        let titles = section_titles(&plan["sections"], &path);
        let category = titles
            .get(1)
            .or(titles.first())
            .cloned()
            .unwrap_or_else(|| "其他任务".into());
        // The most specific responsibility whose section contains the target.
        let units = responsible
            .iter()
            .filter(|(p, _)| !p.is_empty() && path.starts_with(p))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, u)| u.clone())
            .unwrap_or_default();
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
        let activities: Vec<&str> = xianfeng_domain::life::MeetingKind::ALL
            .iter()
            .map(|k| k.label())
            .collect();
        let measure = infer_measure(&text, &target.unit, &activities);
        // A figure computed from the tree is measured where the tree is: in each town (or
        // the publishing organisation itself); the departments named lead it.
        let mut assignees = if measure.computed() {
            let mut towns = Vec::new();
            for r in refs
                .iter()
                .filter(|r| r.depth == 1 && Applies::Towns.fits(r.kind, 0))
            {
                if crate::campaigns::measures::applies_to(c, r.id, &measure)? {
                    towns.push(r.id);
                }
            }
            towns
        } else {
            resolve(&units, draft, &refs)
        };
        if assignees.is_empty() {
            assignees.push(org.id);
        }
        campaigns::add_task(
            c,
            &campaign,
            &NewTask {
                category,
                title: text.chars().take(200).collect(),
                detail: String::new(),
                lead: units.join("、"),
                due_on: due,
                indicators: vec![(
                    if subject.is_empty() {
                        text.clone()
                    } else {
                        subject
                    },
                    target,
                    measure,
                )],
                assignees,
            },
        )?;
    }
    Ok(id)
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
