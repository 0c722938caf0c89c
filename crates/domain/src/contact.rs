//! Leaders' contact points (联系点): committee members linked to villages, an instructor per
//! village, visits; and the bounds the county sets on them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::org::labelled_enum;
use crate::rules::Rules;

labelled_enum!(
    /// What a person is to the village they are linked to.
    ContactRole {
        Leader => "联系领导",
        Instructor => "指导员",
    }
);

/// One active link as the bounds check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub member_id: i64,
    pub member_name: String,
    pub village_id: i64,
    pub role: ContactRole,
    pub last_visit: Option<NaiveDate>,
    pub since: NaiveDate,
}

/// Every breach of the configured bounds, as a sentence a town office can act on.
pub fn violations(
    links: &[Link],
    villages: &[(i64, String)],
    rules: &Rules,
    today: NaiveDate,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut leaders: Vec<(i64, &str)> = links
        .iter()
        .filter(|l| l.role == ContactRole::Leader)
        .map(|l| (l.member_id, l.member_name.as_str()))
        .collect();
    leaders.sort();
    leaders.dedup();
    for (id, name) in leaders {
        let n = links
            .iter()
            .filter(|l| l.role == ContactRole::Leader && l.member_id == id)
            .count() as i64;
        if n > rules.contact_villages_max {
            out.push(format!(
                "{name}联系{n}个村，超过{}个的上限",
                rules.contact_villages_max
            ));
        } else if n < rules.contact_villages_min {
            out.push(format!(
                "{name}联系{n}个村，少于{}个的下限",
                rules.contact_villages_min
            ));
        }
    }
    for (vid, vname) in villages {
        let here = |role| {
            links
                .iter()
                .filter(|l| l.village_id == *vid && l.role == role)
                .count() as i64
        };
        if here(ContactRole::Leader) == 0 {
            out.push(format!("{vname}没有联系领导"));
        }
        let instructors = here(ContactRole::Instructor);
        if instructors != rules.instructors_per_village {
            out.push(format!(
                "{vname}有{instructors}名指导员，应为{}名",
                rules.instructors_per_village
            ));
        }
    }
    for l in links {
        let since = l.last_visit.unwrap_or(l.since);
        let days = (today - since).num_days();
        if days > rules.contact_visit_days {
            let vname = villages
                .iter()
                .find(|(id, _)| *id == l.village_id)
                .map(|(_, n)| n.as_str())
                .unwrap_or("联系村");
            out.push(format!(
                "{}（{}）已{}天未走访{}",
                l.member_name,
                l.role.label(),
                days,
                vname
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn link(member: i64, village: i64, role: ContactRole) -> Link {
        Link {
            member_id: member,
            member_name: format!("委员{member}"),
            village_id: village,
            role,
            last_visit: Some(d(11, 1)),
            since: d(1, 1),
        }
    }

    #[test]
    fn leader_with_too_many_villages_and_village_without_instructor_are_listed() {
        let villages = vec![
            (1, "东村".to_string()),
            (2, "西村".into()),
            (3, "南村".into()),
        ];
        let links = vec![
            link(10, 1, ContactRole::Leader),
            link(10, 2, ContactRole::Leader),
            link(10, 3, ContactRole::Leader),
            link(20, 1, ContactRole::Instructor),
            link(21, 2, ContactRole::Instructor),
        ];
        let v = violations(&links, &villages, &Rules::default(), d(11, 22));
        assert!(v.iter().any(|s| s.contains("委员10联系3个村")), "{v:?}");
        assert!(v.iter().any(|s| s.contains("南村有0名指导员")), "{v:?}");
        assert_eq!(v.len(), 2, "{v:?}");
    }

    #[test]
    fn stale_visits_are_flagged() {
        let villages = vec![(1, "东村".to_string())];
        let mut l = link(10, 1, ContactRole::Leader);
        l.last_visit = Some(d(1, 5));
        let links = vec![l, link(20, 1, ContactRole::Instructor)];
        let v = violations(&links, &villages, &Rules::default(), d(11, 22));
        assert_eq!(v.len(), 1);
        assert!(v[0].contains("天未走访东村"));
    }
}
