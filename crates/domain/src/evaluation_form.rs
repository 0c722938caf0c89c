//! An evaluation scheme as the county types it on the settings form, read into a checked
//! `Scheme`: criteria one per line, four group weights, three grade lines, the 优秀 cap as a
//! fraction and the tie-break groups.

use serde::Deserialize;

use crate::error::Collector;
use crate::evaluation::{Criterion, RaterGroup, Scheme, SubjectKind};
use crate::text::normalize;
use crate::Invalid;

/// A scheme as typed on the settings form: criteria one per line (`带头学习提高 20`), the four
/// group weights in percent, three thresholds, the cap as `1/3` and the tie-break groups.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SchemeInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub criteria: String,
    #[serde(default)]
    pub weights: [String; 4],
    #[serde(default)]
    pub thresholds: [String; 3],
    #[serde(default)]
    pub cap: String,
    #[serde(default)]
    pub tie_breaks: String,
}

impl SchemeInput {
    /// The form as it shows an existing scheme.
    pub fn from_scheme(s: &Scheme) -> SchemeInput {
        SchemeInput {
            name: s.name.clone(),
            subject: s.subject.label().into(),
            criteria: s
                .criteria
                .iter()
                .map(|k| format!("{} {}", k.name, k.max))
                .collect::<Vec<_>>()
                .join("\n"),
            weights: [
                RaterGroup::SelfReview,
                RaterGroup::Peers,
                RaterGroup::Residents,
                RaterGroup::Organisation,
            ]
            .map(|g| s.weight(g).to_string()),
            thresholds: s.thresholds.map(|t| t.to_string()),
            cap: format!("{}/{}", s.cap.0, s.cap.1),
            tie_breaks: s
                .tie_breaks
                .iter()
                .map(|g| g.label())
                .collect::<Vec<_>>()
                .join("、"),
        }
    }

    /// Parses and checks the form; every problem names its field (and line).
    pub fn parse(&self) -> Result<Scheme, Invalid> {
        let mut c = Collector::default();
        let subject = SubjectKind::parse(&self.subject).unwrap_or_else(|| {
            c.push("subject", "评议对象", "须为 党员 或 党组织");
            SubjectKind::Member
        });
        let mut criteria = Vec::new();
        for (i, line) in self.criteria.lines().enumerate() {
            let line = normalize(line);
            if line.is_empty() {
                continue;
            }
            let (name, max) = match line.rsplit_once(' ') {
                Some((n, m)) => (n.trim().to_string(), m.parse::<u32>().ok()),
                None => (line.clone(), None),
            };
            match max {
                Some(max) if (1..=100).contains(&max) && !name.is_empty() => {
                    criteria.push(Criterion { name, max })
                }
                _ => c.push(
                    "criteria",
                    "评议内容",
                    format!("第{}行“{line}”应为“名称 分值”，分值 1–100", i + 1),
                ),
            }
        }
        let mut weights = Vec::new();
        for (g, raw) in RaterGroup::ALL.iter().zip(&self.weights) {
            match normalize(raw).trim_end_matches('%').parse::<u32>() {
                Ok(w) if w <= 100 => {
                    if w > 0 {
                        weights.push((*g, w))
                    }
                }
                _ => c.push(
                    "weights",
                    g.label(),
                    format!("权重须为 0–100 的整数，“{raw}”不行"),
                ),
            }
        }
        let mut thresholds = [0u32; 3];
        for (i, (raw, label)) in self
            .thresholds
            .iter()
            .zip(["优秀线", "合格线", "基本合格线"])
            .enumerate()
        {
            match normalize(raw).parse::<u32>() {
                Ok(t) if t <= 100 => thresholds[i] = t,
                _ => c.push(
                    "thresholds",
                    label,
                    format!("须为 0–100 的整数，“{raw}”不行"),
                ),
            }
        }
        let cap = normalize(&self.cap);
        let cap = match cap
            .split_once('/')
            .map(|(a, b)| (a.trim().parse::<u32>(), b.trim().parse::<u32>()))
        {
            Some((Ok(a), Ok(b))) if b > 0 && a <= b => (a, b),
            _ => {
                c.push(
                    "cap",
                    "优秀比例",
                    format!("请写成 1/3 这样的分数，“{cap}”不行"),
                );
                (1, 3)
            }
        };
        let mut tie_breaks = Vec::new();
        for part in normalize(&self.tie_breaks)
            .split(['、', ',', '，', ' '])
            .filter(|p| !p.is_empty())
        {
            match RaterGroup::parse(part) {
                Some(g) if !tie_breaks.contains(&g) => tie_breaks.push(g),
                Some(_) => {}
                None => c.push(
                    "tie_breaks",
                    "同分比较",
                    format!("“{part}”不是评议方（自评、党员互评、群众评议、组织评价）"),
                ),
            }
        }
        let scheme = Scheme {
            name: normalize(&self.name),
            subject,
            criteria,
            weights,
            thresholds,
            cap,
            tie_breaks,
        };
        let early = c.finish(());
        match (early, scheme.check()) {
            (Ok(()), Ok(())) => Ok(scheme),
            (Err(Invalid(mut a)), Err(Invalid(b))) => {
                a.extend(
                    b.into_iter()
                        .filter(|e| e.field != "criteria" && e.field != "weights"),
                );
                Err(Invalid(a))
            }
            (Err(e), Ok(())) | (Ok(()), Err(e)) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_scheme_reads_back_through_its_form_and_bad_lines_are_named() {
        for s in Scheme::builtin() {
            let mut parsed = SchemeInput::from_scheme(&s).parse().unwrap();
            parsed.name = s.name.clone();
            assert_eq!(parsed, s);
        }
        let mut f = SchemeInput::from_scheme(&Scheme::five_leads());
        f.criteria = "带头学习提高 20\n带头服务群众\n带头遵纪守法 200".into();
        f.weights[0] = "abc".into();
        f.cap = "3/1".into();
        f.tie_breaks = "组织评价、领导".into();
        let e = f.parse().unwrap_err();
        assert!(e.0.iter().any(|x| x.message.contains("第2行")));
        assert!(e.0.iter().any(|x| x.message.contains("第3行")));
        assert!(e.for_field("weights").unwrap().contains("abc"));
        assert!(e.for_field("cap").is_some());
        assert!(e.for_field("tie_breaks").unwrap().contains("领导"));
    }

    proptest! {
        #[test]
        fn scheme_forms_never_panic_and_parse_only_to_valid_schemes(
            name in ".{0,8}", subject in ".{0,4}", criteria in ".{0,60}",
            w in proptest::array::uniform4("[0-9a-z%]{0,4}"), t in proptest::array::uniform3("[0-9]{0,3}"),
            cap in ".{0,5}", ties in ".{0,12}",
        ) {
            let input = SchemeInput { name, subject, criteria, weights: w, thresholds: t, cap, tie_breaks: ties };
            if let Ok(s) = input.parse() {
                prop_assert!(s.check().is_ok());
            }
        }

    }
}
