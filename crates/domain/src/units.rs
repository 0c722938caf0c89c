//! Matching the responsible units a plan names (〔县委组织部、各镇（街）党（工）委〕) to
//! organisations in the tree: exact name, then "every X" phrases, then a fuzzy match.

use serde::Serialize;

use crate::org::OrgKind;

/// An organisation a unit may name.
#[derive(Debug, Clone)]
pub struct OrgRef {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    /// Depth below the scope root (the root is 0).
    pub depth: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "how", content = "org_ids", rename_all = "snake_case")]
pub enum UnitMatch {
    /// The name of one organisation.
    Exact(Vec<i64>),
    /// 各镇党委, 各党（工）委, 各村党支部: every organisation of that kind in scope.
    Every(Vec<i64>),
    /// A near name (one contains the other); the user should confirm.
    Fuzzy(Vec<i64>),
    /// Not an organisation of the tree (e.g. a government bureau): the user maps it.
    Unmatched,
}

fn plain(s: &str) -> String {
    // 各镇（街）党（工）委 → 各镇党委: bracketed alternatives dropped.
    let mut out = String::new();
    let mut depth = 0;
    for c in crate::text::normalize(s).chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = (depth - 1).max(0),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

pub fn match_unit(unit: &str, orgs: &[OrgRef]) -> UnitMatch {
    let u = plain(unit);
    if u.is_empty() {
        return UnitMatch::Unmatched;
    }
    let exact: Vec<i64> = orgs
        .iter()
        .filter(|o| plain(&o.name) == u)
        .map(|o| o.id)
        .collect();
    if !exact.is_empty() {
        return UnitMatch::Exact(exact);
    }
    if let Some(rest) = u
        .strip_prefix("各")
        .map(|r| r.trim_start_matches("有关").trim_start_matches("级"))
    {
        let committees = rest.ends_with("党委")
            || rest.ends_with("党工委")
            || rest.contains("镇")
            || rest.contains("街");
        let branches = rest.ends_with("党支部") || rest.ends_with("支部");
        let every: Vec<i64> = if branches {
            orgs.iter()
                .filter(|o| o.kind.is_branch())
                .map(|o| o.id)
                .collect()
        } else if committees || rest == "党组织" {
            let town = |o: &&OrgRef| matches!(o.kind, OrgKind::Committee | OrgKind::WorkCommittee);
            let below: Vec<i64> = orgs
                .iter()
                .filter(|o| o.depth > 0)
                .filter(town)
                .map(|o| o.id)
                .collect();
            // Read inside one town, "every town" is that town.
            if below.is_empty() {
                orgs.iter()
                    .filter(|o| o.depth == 0)
                    .filter(town)
                    .map(|o| o.id)
                    .collect()
            } else {
                below
            }
        } else {
            vec![]
        };
        if !every.is_empty() {
            return UnitMatch::Every(every);
        }
    }
    if u.chars().count() >= 3 {
        let fuzzy: Vec<i64> = orgs
            .iter()
            .filter(|o| {
                let n = plain(&o.name);
                n.chars().count() >= 3 && (n.contains(&u) || u.contains(&n))
            })
            .map(|o| o.id)
            .collect();
        if !fuzzy.is_empty() && fuzzy.len() <= 5 {
            return UnitMatch::Fuzzy(fuzzy);
        }
    }
    UnitMatch::Unmatched
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orgs() -> Vec<OrgRef> {
        let o = |id, name: &str, kind, depth| OrgRef {
            id,
            name: name.into(),
            kind,
            depth,
        };
        vec![
            o(1, "红旗县委", OrgKind::County, 0),
            o(2, "城关镇党委", OrgKind::Committee, 1),
            o(3, "新安街道党工委", OrgKind::WorkCommittee, 1),
            o(4, "红星村党支部", OrgKind::Branch, 2),
            o(5, "县委组织部机关党支部", OrgKind::Branch, 1),
        ]
    }

    #[test]
    fn exact_names_match_one_organisation() {
        assert_eq!(match_unit("城关镇党委", &orgs()), UnitMatch::Exact(vec![2]));
    }

    #[test]
    fn every_town_means_each_town_level_committee() {
        for u in [
            "各镇（街）党（工）委",
            "各镇党委",
            "各有关镇（街）党（工）委",
            "各党（工）委",
        ] {
            assert_eq!(match_unit(u, &orgs()), UnitMatch::Every(vec![2, 3]), "{u}");
        }
        assert_eq!(
            match_unit("各村党支部", &orgs()),
            UnitMatch::Every(vec![4, 5])
        );
    }

    #[test]
    fn inside_one_town_every_town_is_that_town() {
        let town = vec![OrgRef {
            id: 2,
            name: "城关镇党委".into(),
            kind: OrgKind::Committee,
            depth: 0,
        }];
        assert_eq!(match_unit("各镇党委", &town), UnitMatch::Every(vec![2]));
    }

    #[test]
    fn near_names_are_fuzzy_and_bureaus_are_unmatched() {
        assert_eq!(match_unit("县委组织部", &orgs()), UnitMatch::Fuzzy(vec![5]));
        assert_eq!(match_unit("县民政局", &orgs()), UnitMatch::Unmatched);
        assert_eq!(match_unit("城关镇", &orgs()), UnitMatch::Fuzzy(vec![2]));
    }
}
