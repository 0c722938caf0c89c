//! The organisation tree (隶属关系): kinds, domains, structural rules.

use serde::{Deserialize, Serialize};

use crate::rules::Rules;
use crate::text::normalize;
use crate::Invalid;

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The Chinese label, which is also how the value is stored and typed.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The value a person typed or picked, compared after normalising both sides (a
            /// label with full-width brackets matches however it was typed).
            pub fn parse(s: &str) -> Option<$name> {
                let s = $crate::text::normalize(s);
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| $crate::text::normalize(v.label()) == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}
pub(crate) use labelled_enum;

/// A labelled enum that is also stored: each value has a stable machine code for the database
/// beside its Chinese label, so renaming a label is not a data migration.
macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $code:literal $label:literal),+ $(,)? }) => {
        $crate::org::labelled_enum!($(#[$m])* $name { $($variant => $label),+ });

        impl $name {
            /// The stable code stored in the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The value a stored code names.
            pub fn from_code(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.code() == s)
            }
        }
    };
}
pub(crate) use coded_enum;

coded_enum!(
    /// Kind of party organisation.
    OrgKind {
        County => "county" "县委",
        Committee => "committee" "党委",
        WorkCommittee => "work_committee" "党工委",
        GeneralBranch => "general_branch" "党总支",
        Branch => "branch" "党支部",
        JointBranch => "joint_branch" "联合党支部",
        FunctionalBranch => "functional_branch" "功能型党支部",
        Group => "group" "党小组",
    }
);

coded_enum!(
    /// The field a branch sits in.
    OrgDomain {
        Rural => "rural" "农村",
        Community => "community" "社区",
        Government => "government" "机关",
        Enterprise => "enterprise" "企业",
        School => "school" "学校",
        Hospital => "hospital" "医院",
        NewOrganisation => "new_organisation" "两新组织",
        Other => "other" "其他",
    }
);

impl OrgKind {
    /// Branch-level kinds: the organisations members belong to.
    pub fn is_branch(self) -> bool {
        matches!(
            self,
            OrgKind::Branch | OrgKind::JointBranch | OrgKind::FunctionalBranch
        )
    }

    /// Town-level committees (镇党委 / 街道党工委) and above.
    pub fn is_committee(self) -> bool {
        matches!(
            self,
            OrgKind::County | OrgKind::Committee | OrgKind::WorkCommittee
        )
    }

    /// Which kinds may sit directly under this one.
    pub fn allows_child(self, child: OrgKind) -> bool {
        use OrgKind::*;
        match self {
            County => {
                matches!(child, Committee | WorkCommittee | GeneralBranch) || child.is_branch()
            }
            Committee | WorkCommittee => {
                matches!(child, Committee | GeneralBranch) || child.is_branch()
            }
            GeneralBranch => child.is_branch(),
            Branch | JointBranch | FunctionalBranch => child == Group,
            Group => false,
        }
    }
}

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub path: String,
    pub name: String,
    pub kind: OrgKind,
    pub domain: OrgDomain,
    /// Members of the 支委会 (0: none elected).
    pub committee_size: i64,
    /// Set when dissolved; the row stays for history.
    pub dissolved_on: Option<String>,
    /// The day it was set up (`2026-11-22`): its cadence obligations start then.
    #[serde(default)]
    pub created_on: String,
}

impl Org {
    pub fn depth(&self) -> i64 {
        crate::path::depth(&self.path)
    }
}

/// The letters of an organisation's public address (公开地址): lower case and digits, without
/// the look-alikes 0 o 1 l, so a printed address can be typed back.
const SLUG_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
/// Characters of a public address: 16 of 32 letters carry 80 random bits.
pub const SLUG_LEN: usize = 16;

/// The public address of an organisation from 10 random bytes (the store draws them), so
/// public pages can be opened without the sequential id that lets anyone walk the tree.
pub fn public_slug(bytes: [u8; 10]) -> String {
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    (0..SLUG_LEN)
        .rev()
        .map(|i| SLUG_ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
        .collect()
}

/// Whether `text` has the shape of a public address (an id never does).
pub fn is_public_slug(text: &str) -> bool {
    text.len() == SLUG_LEN && text.bytes().all(|b| SLUG_ALPHABET.contains(&b))
}

/// Validated input for creating or renaming an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDraft {
    pub name: String,
    pub kind: OrgKind,
    pub domain: OrgDomain,
    pub committee_size: i64,
}

/// Raw form input.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrgInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub committee_size: String,
}

impl OrgInput {
    pub fn validate(&self, parent_kind: Option<OrgKind>) -> Result<OrgDraft, Invalid> {
        let mut c = crate::error::Collector::default();
        let name = normalize(&self.name);
        if name.is_empty() {
            c.push("name", "名称", "不能为空");
        } else if name.chars().count() > 60 {
            c.push("name", "名称", "不能超过60个字");
        }
        let kind = OrgKind::parse(&self.kind);
        if kind.is_none() {
            c.push("kind", "类型", format!("应为{}之一", join(OrgKind::ALL)));
        }
        let domain = if self.domain.trim().is_empty() {
            Some(OrgDomain::Other)
        } else {
            OrgDomain::parse(&self.domain)
        };
        if domain.is_none() {
            c.push(
                "domain",
                "领域",
                format!("应为{}之一", join(OrgDomain::ALL)),
            );
        }
        let committee_size = match normalize(&self.committee_size).as_str() {
            "" => 0,
            s => match s.parse::<i64>() {
                Ok(n) if (0..=15).contains(&n) => n,
                _ => {
                    c.push("committee_size", "支委会人数", "应为0到15之间的整数");
                    0
                }
            },
        };
        if let (Some(p), Some(k)) = (parent_kind, kind) {
            if !p.allows_child(k) {
                c.push(
                    "kind",
                    "类型",
                    format!("{}下不能设立{}", p.label(), k.label()),
                );
            }
        }
        match (kind, domain) {
            (Some(kind), Some(domain)) => c.finish(OrgDraft {
                name,
                kind,
                domain,
                committee_size,
            }),
            _ => Err(c.finish(()).err().unwrap_or_else(|| Invalid(vec![]))),
        }
    }
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("、")
}

/// Why a move is refused, if it is: a move under itself or its own descendant makes a cycle.
pub fn check_move(moving: &Org, new_parent: &Org) -> Result<(), Invalid> {
    if crate::path::within(&new_parent.path, &moving.path) {
        return Err(Invalid::one(
            "parent_id",
            "新上级组织",
            "不能移到自身或其下级组织之下（会形成循环）",
        ));
    }
    if new_parent.dissolved_on.is_some() {
        return Err(Invalid::one("parent_id", "新上级组织", "该组织已撤销"));
    }
    if !new_parent.kind.allows_child(moving.kind) {
        return Err(Invalid::one(
            "parent_id",
            "新上级组织",
            format!(
                "{}下不能设立{}",
                new_parent.kind.label(),
                moving.kind.label()
            ),
        ));
    }
    Ok(())
}

/// Member counts an organisation's structural check needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MemberCounts {
    pub members: i64,
    pub full_members: i64,
}

/// One structural warning, e.g. a branch with fewer than three full members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StructuralWarning {
    pub code: &'static str,
    pub message: String,
}

/// The glossary's structural checks for one organisation, given its subtree member counts: a
/// 党总支 holds no members itself, so its size is the members of the branches below it.
pub fn structural_warnings(
    org: &Org,
    counts: MemberCounts,
    rules: &Rules,
) -> Vec<StructuralWarning> {
    let mut out = Vec::new();
    if org.dissolved_on.is_some() {
        return out;
    }
    if org.kind.is_branch() {
        if counts.full_members < rules.branch_min_full_members {
            out.push(StructuralWarning {
                code: "branch_too_few_full",
                message: format!(
                    "正式党员{}名，少于{}名，不符合成立党支部的条件",
                    counts.full_members, rules.branch_min_full_members
                ),
            });
        }
        if counts.members > rules.branch_max_members {
            out.push(StructuralWarning {
                code: "branch_too_large",
                message: format!(
                    "党员{}名，超过{}名，应考虑分设党支部或成立党总支",
                    counts.members, rules.branch_max_members
                ),
            });
        }
        if counts.members >= rules.committee_required_from && org.committee_size == 0 {
            out.push(StructuralWarning {
                code: "committee_missing",
                message: format!(
                    "党员{}名（≥{}名），应设立支部委员会",
                    counts.members, rules.committee_required_from
                ),
            });
        }
        if org.committee_size > 0
            && (org.committee_size < rules.committee_min_size
                || org.committee_size > rules.committee_max_size)
        {
            out.push(StructuralWarning {
                code: "committee_size",
                message: format!(
                    "支委会委员{}名，应为{}至{}名",
                    org.committee_size, rules.committee_min_size, rules.committee_max_size
                ),
            });
        }
    }
    if org.kind == OrgKind::GeneralBranch
        && (counts.members < rules.general_branch_min_members
            || counts.members > rules.general_branch_max_members)
    {
        out.push(StructuralWarning {
            code: "general_branch_size",
            message: format!(
                "党员{}名，党总支一般应为{}至{}名",
                counts.members, rules.general_branch_min_members, rules.general_branch_max_members
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_addresses_are_sixteen_letters_and_never_an_id() {
        let a = public_slug([0; 10]);
        assert_eq!(a, "aaaaaaaaaaaaaaaa");
        let b = public_slug([255; 10]);
        assert_eq!(b, "9999999999999999");
        let c = public_slug([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert!(is_public_slug(&c), "{c}");
        assert_ne!(c, public_slug([1, 2, 3, 4, 5, 6, 7, 8, 9, 11]));
        assert!(!is_public_slug("12"));
        assert!(!is_public_slug("aaaaaaaaaaaaaaa0"));
        assert!(!is_public_slug("AAAAAAAAAAAAAAAA"));
    }

    #[test]
    fn every_label_reads_back_however_its_brackets_are_typed() {
        for k in crate::cadence::Applies::ALL {
            assert_eq!(
                crate::cadence::Applies::parse(k.label()),
                Some(*k),
                "{}",
                k.label()
            );
        }
        for r in crate::auth::Role::ALL {
            assert_eq!(crate::auth::Role::parse(r.label()), Some(*r));
            assert_eq!(
                crate::auth::Role::parse(&r.label().replace('（', "(").replace('）', ")")),
                Some(*r)
            );
        }
    }

    #[test]
    fn stored_codes_are_unique_ascii_and_read_back() {
        fn check<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            code: fn(T) -> &'static str,
            from: fn(&str) -> Option<T>,
        ) {
            let mut seen = std::collections::HashSet::new();
            for v in all {
                let c = code(*v);
                assert!(c.is_ascii() && !c.is_empty(), "{c}");
                assert!(seen.insert(c), "duplicate code {c}");
                assert_eq!(from(c), Some(*v));
            }
        }
        check(OrgKind::ALL, OrgKind::code, OrgKind::from_code);
        check(OrgDomain::ALL, OrgDomain::code, OrgDomain::from_code);
        use crate::member::{Education, MemberStatus};
        check(
            MemberStatus::ALL,
            MemberStatus::code,
            MemberStatus::from_code,
        );
        check(Education::ALL, Education::code, Education::from_code);
        check(
            crate::auth::Role::ALL,
            crate::auth::Role::code,
            crate::auth::Role::from_code,
        );
        // A label is for people, not storage.
        assert_eq!(OrgKind::from_code("党支部"), None);
    }

    fn org(kind: OrgKind, committee: i64) -> Org {
        Org {
            id: 3,
            parent_id: Some(2),
            path: "/1/2/3/".into(),
            name: "测试村党支部".into(),
            kind,
            domain: OrgDomain::Rural,
            committee_size: committee,
            dissolved_on: None,
            created_on: String::new(),
        }
    }

    fn codes(w: Vec<StructuralWarning>) -> Vec<&'static str> {
        w.into_iter().map(|w| w.code).collect()
    }

    #[test]
    fn branch_with_two_full_members_is_flagged() {
        let w = structural_warnings(
            &org(OrgKind::Branch, 0),
            MemberCounts {
                members: 4,
                full_members: 2,
            },
            &Rules::default(),
        );
        assert_eq!(codes(w), vec!["branch_too_few_full"]);
    }

    #[test]
    fn branch_of_seven_without_committee_is_flagged() {
        let w = structural_warnings(
            &org(OrgKind::Branch, 0),
            MemberCounts {
                members: 7,
                full_members: 7,
            },
            &Rules::default(),
        );
        assert_eq!(codes(w), vec!["committee_missing"]);
        let ok = structural_warnings(
            &org(OrgKind::Branch, 3),
            MemberCounts {
                members: 7,
                full_members: 7,
            },
            &Rules::default(),
        );
        assert!(ok.is_empty());
    }

    #[test]
    fn branch_over_fifty_and_general_branch_outside_range_are_flagged() {
        let w = structural_warnings(
            &org(OrgKind::Branch, 5),
            MemberCounts {
                members: 51,
                full_members: 51,
            },
            &Rules::default(),
        );
        assert_eq!(codes(w), vec!["branch_too_large"]);
        let g = structural_warnings(
            &org(OrgKind::GeneralBranch, 0),
            MemberCounts {
                members: 30,
                full_members: 30,
            },
            &Rules::default(),
        );
        assert_eq!(codes(g), vec!["general_branch_size"]);
    }

    #[test]
    fn general_branch_size_is_the_count_it_is_given() {
        let general = org(OrgKind::GeneralBranch, 5);
        let check = |members| {
            structural_warnings(
                &general,
                MemberCounts {
                    members,
                    full_members: members,
                },
                &Rules::default(),
            )
        };
        for fits in [50, 60, 93, 100] {
            assert!(check(fits).is_empty(), "{fits}");
        }
        for off in [0, 10, 49, 101] {
            assert_eq!(codes(check(off)), vec!["general_branch_size"], "{off}");
        }
        assert_eq!(check(10)[0].message, "党员10名，党总支一般应为50至100名");
    }

    #[test]
    fn configured_rules_change_the_outcome() {
        let rules = Rules {
            branch_min_full_members: 1,
            ..Rules::default()
        };
        let w = structural_warnings(
            &org(OrgKind::Branch, 0),
            MemberCounts {
                members: 2,
                full_members: 2,
            },
            &rules,
        );
        assert!(w.is_empty());
    }

    #[test]
    fn move_under_own_descendant_is_a_cycle() {
        let town = Org {
            id: 2,
            path: "/1/2/".into(),
            kind: OrgKind::Committee,
            ..org(OrgKind::Committee, 0)
        };
        let branch = org(OrgKind::Branch, 0);
        let err = check_move(&town, &branch).unwrap_err();
        assert!(err.to_string().contains("循环"));
        let other = Org {
            id: 9,
            path: "/1/9/".into(),
            kind: OrgKind::Committee,
            ..org(OrgKind::Committee, 0)
        };
        assert!(check_move(&branch, &other).is_ok());
    }

    #[test]
    fn input_validation_names_each_bad_field() {
        let input = OrgInput {
            name: " ".into(),
            kind: "村委".into(),
            domain: "农村".into(),
            committee_size: "x".into(),
        };
        let err = input.validate(None).unwrap_err();
        assert!(err.for_field("name").is_some());
        assert!(err.for_field("kind").is_some());
        assert!(err.for_field("committee_size").is_some());
    }

    #[test]
    fn a_group_cannot_hold_a_branch() {
        let input = OrgInput {
            name: "一组".into(),
            kind: "党支部".into(),
            domain: "".into(),
            committee_size: "".into(),
        };
        assert!(input.validate(Some(OrgKind::Group)).is_err());
        assert!(input.validate(Some(OrgKind::Committee)).is_ok());
    }
}
