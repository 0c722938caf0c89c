//! Extraction over the outline: each section's own text (title and body) is scanned with the
//! section's path, so every item knows where it came from.

use std::sync::OnceLock;

use regex::{Captures, Regex};

use crate::numerals::number;
use crate::outline::{Outline, Section};
use crate::{Cadence, Criteria, Phase, Plan, Responsible, Target};

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid pattern"))
}

fn period(word: &str) -> Option<&'static str> {
    Some(match word {
        "周" | "星期" => "week",
        "月" => "month",
        "季" | "季度" => "quarter",
        "半年" => "half_year",
        "年" => "year",
        _ => return None,
    })
}

/// Visits every section with its path and the path its responsible units belong to: a
/// bracket closing the last 一是… item names the units of the whole measure.
fn walk<'a>(
    sections: &'a [Section],
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Vec<String>, &'a Section)>,
) {
    for (i, s) in sections.iter().enumerate() {
        let owner = if s.level == 5 && i + 1 == sections.len() {
            path.clone()
        } else {
            Vec::new()
        };
        path.push(s.number.clone());
        let owner = if owner.is_empty() {
            path.clone()
        } else {
            owner
        };
        out.push((path.clone(), owner, s));
        walk(&s.children, path, out);
        path.pop();
    }
}

pub fn extract_all(doc: &Outline, plan: &mut Plan) {
    let mut nodes = Vec::new();
    walk(&doc.sections, &mut Vec::new(), &mut nodes);
    let mut texts: Vec<(Vec<String>, Vec<String>, String)> =
        vec![(vec![], vec![], doc.preamble.clone())];
    for (path, owner, s) in &nodes {
        texts.push((path.clone(), owner.clone(), s.title.clone()));
        // Items are scanned as their own nodes; the parent keeps only its intro text.
        texts.push((path.clone(), owner.clone(), s.text.clone()));
    }
    for (path, owner, text) in &texts {
        for clause in clauses(text) {
            let cad = cadences(clause, path);
            let has_cadence = !cad.is_empty();
            plan.cadences.extend(cad);
            plan.targets.extend(targets(clause, path, has_cadence));
        }
        plan.responsible.extend(responsible(text, owner));
    }
    // Criteria lists run across 一是… items, so they are read from the whole document.
    plan.criteria = criteria(&plan.text);
    for (_, _, text) in &texts {
        plan.phases.extend(phases(text));
    }
    dedupe_by(&mut plan.criteria, |c| c.name.clone());
    dedupe_by(&mut plan.phases, |p| p.name.clone());
    dedupe_by(&mut plan.cadences, |c| {
        format!("{}|{}|{}", c.text, c.period, c.action)
    });
}

fn dedupe_by<T>(v: &mut Vec<T>, key: impl Fn(&T) -> String) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(key(x)));
}

/// Clauses: split at 。；！？，: and line breaks; quotes kept with their clause.
pub fn clauses(text: &str) -> Vec<&str> {
    text.split(['。', '；', ';', '！', '？', '，', ',', '\n', '：', ':'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

/// Whether byte offset `at` lies inside “…” or 《…》 in `s`.
fn quoted(s: &str, at: usize) -> bool {
    let before = &s[..at];
    let open = before.matches(['“', '《', '"']).count();
    let close = before.matches(['”', '》']).count();
    open > close
}

const NUM: &str = r"\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+";
const UNITS: &str = "%|个|名|人次|户次|场次|人|户|家|项|条|处|场|期|篇|支|所|座|村|天|学时|课时|小时|万元|亿元|元|亩|公里|批|件|套|台|本|份|堂|轮|类|种|位|次";
const VERBS: &[&str] = &[
    "创建", "建成", "建立", "打造", "培育", "选树", "评选", "发展", "组建", "开展", "实现", "达到",
    "覆盖", "确保", "力争", "举办", "设立", "完成", "新建", "提升", "吸纳", "招募", "联系", "结对",
    "表彰", "推荐", "培训", "输转", "开办", "带动", "帮助", "抓好", "改造", "新增", "落实", "慰问",
];

fn comparator_before(before: &str) -> Option<&'static str> {
    let pairs: [(&str, &'static str); 12] = [
        ("不少于", ">="),
        ("不低于", ">="),
        ("不小于", ">="),
        ("至少", ">="),
        ("达到", ">="),
        ("超过", ">"),
        ("多于", ">"),
        ("不超过", "<="),
        ("不高于", "<="),
        ("不多于", "<="),
        ("控制在", "<="),
        ("最多", "<="),
    ];
    pairs
        .iter()
        .find(|(w, _)| before.ends_with(w))
        .map(|(_, c)| *c)
}

fn comparator_after(after: &str) -> Option<&'static str> {
    if after.starts_with("以上") || after.starts_with("及以上") || after.starts_with("以上的")
    {
        Some(">=")
    } else if after.starts_with("以下") || after.starts_with("以内") || after.starts_with("及以下")
    {
        Some("<=")
    } else {
        None
    }
}

/// Removes any of `words` from the end of `s`, repeatedly.
fn trim_words_end<'a>(mut s: &'a str, words: &[&str]) -> &'a str {
    while let Some(w) = words.iter().find(|w| s.ends_with(*w)) {
        s = &s[..s.len() - w.len()];
    }
    s
}

fn trim_words_start<'a>(mut s: &'a str, words: &[&str]) -> &'a str {
    while let Some(w) = words.iter().find(|w| s.starts_with(*w)) {
        s = &s[w.len()..];
    }
    s
}

/// The noun phrase before a quantity: what follows the last verb that leaves at least two
/// characters (`开办劳务技能培训班` keeps 劳务技能培训班, not 班).
fn strip_verbs(s: &str) -> &str {
    let mut hits: Vec<(usize, &str)> = VERBS
        .iter()
        .flat_map(|v| s.match_indices(v).map(|(i, _)| (i, *v)))
        .collect();
    hits.sort_by_key(|h| std::cmp::Reverse(h.0));
    let cut = hits
        .into_iter()
        .map(|(i, v)| &s[i + v.len()..])
        .find(|rest| rest.chars().count() >= 2)
        .unwrap_or(s);
    trim_words_start(
        trim_words_end(
            cut,
            &[
                "不少于",
                "不低于",
                "至少",
                "达到",
                "超过",
                "不超过",
                "控制在",
            ],
        ),
        &["的", "了"],
    )
}

fn targets(clause: &str, path: &[String], has_cadence: bool) -> Vec<Target> {
    static Q: OnceLock<Regex> = OnceLock::new();
    let q = re(
        &Q,
        &format!(
            r"(?P<n1>{NUM})(?P<w1>万)?(?:\s*(?:-|－|—|–|~|～|至|到)\s*(?P<n2>{NUM})(?P<w2>万)?)?\s*(?P<unit>{UNITS})"
        ),
    );
    let mut out = Vec::new();
    if !clause
        .chars()
        .any(|ch| ch.is_ascii_digit() || crate::numerals::digit(ch).is_some() || ch == '十')
    {
        return out;
    }
    for c in q.captures_iter(clause) {
        let m = c.get(0).map_or(0..0, |m| m.range());
        let n1 = &c["n1"];
        let chinese = !n1.starts_with(|ch: char| ch.is_ascii_digit());
        let unit = c["unit"].to_string();
        let before = &clause[..m.start];
        let after = &clause[m.end..];
        // Ordinals, slogans in quotes, dates, cadences and items of the outline are not targets.
        if before.ends_with('第')
            || quoted(clause, m.start)
            || (unit == "次" && has_cadence)
            || after.starts_with(['是', '年', '月', '日', '大'])
        {
            continue;
        }
        if before
            .chars()
            .last()
            .is_some_and(|ch| ch.is_ascii_digit() || ch == '.')
        {
            continue;
        }
        // 五次全会, 三次会议: ordinals of sessions, not counts.
        if unit == "次" && (after.starts_with(['全', '会', '党']) || before.ends_with('届')) {
            continue;
        }
        let cmp = comparator_before(before).or_else(|| comparator_after(after));
        // Chinese numerals name slogans and policies (八项规定, 四个意识) far more often than
        // targets: without a comparator they count only right after a verb (建成三个…).
        let verb_adjacent = VERBS.iter().any(|v| before.ends_with(v));
        if chinese && cmp.is_none() && !verb_adjacent {
            continue;
        }
        if chinese && n1 == "一" && cmp.is_none() {
            continue;
        }
        let w = |g: &str| c.name(g).is_some();
        let Some(quantity) = number(n1).map(|v| if w("w1") { v * 10_000.0 } else { v }) else {
            continue;
        };
        let quantity_max = c.name("n2").and_then(|n| number(n.as_str())).map(|v| {
            if w("w2") {
                v * 10_000.0
            } else {
                v
            }
        });
        let rest = trim_words_start(after, &["及以上", "以上", "以下", "以内", "的", "左右"]);
        // The subject after the unit ends where the next quantity begins (`4万亩A和2.5万亩B`).
        let rest = match q.find(rest) {
            Some(next) => trim_words_end(&rest[..next.start()], &["和", "及", "与", "、", "以及"]),
            None => rest,
        };
        let subject = if rest.chars().count() >= 2 {
            rest.to_string()
        } else {
            strip_verbs(before).to_string()
        };
        static PER: OnceLock<Regex> = OnceLock::new();
        let per = re(&PER, r"每(周|月|季度|季|半年|年)[^每]{0,6}$")
            .captures(before)
            .and_then(|p| period(&p[1]));
        out.push(Target {
            text: clause.to_string(),
            quantity,
            quantity_max,
            unit: if unit == "％" { "%".into() } else { unit },
            comparator: cmp.unwrap_or("="),
            per,
            subject: subject.trim().to_string(),
            path: path.to_vec(),
        });
    }
    out
}

fn times(s: &str) -> Option<u32> {
    number(s).map(|n| n as u32).filter(|n| *n > 0)
}

fn action_of(s: &str) -> String {
    let s = s.trim().trim_start_matches(['的', '要', '须', '应']);
    for w in [
        "不少于",
        "至少",
        "不低于",
        "召开",
        "开展",
        "组织",
        "举办",
        "进行",
    ] {
        if let Some(rest) = s.strip_prefix(w) {
            return rest.to_string();
        }
    }
    trim_words_end(s, &["不少于", "至少", "不低于"]).to_string()
}

fn cadences(clause: &str, path: &[String]) -> Vec<Cadence> {
    static EVERY: OnceLock<Regex> = OnceLock::new();
    static ONE_EACH: OnceLock<Regex> = OnceLock::new();
    static PAIRS: OnceLock<Regex> = OnceLock::new();
    let mut out = Vec::new();
    let maybe_every = clause.contains('每') && clause.contains('次');
    let maybe_one_each = clause.contains('一');
    let maybe_pairs = clause.contains(['月', '季', '年', '周']);
    if !(maybe_every || maybe_one_each || maybe_pairs) {
        return out;
    }
    let every = re(
        &EVERY,
        r"每(?:个)?(周|星期|月|季度|季|半年|年)(?P<mid>[^每]{0,16}?)(?P<cmp>不少于|至少|不低于)?(?P<n>\d+|[一二两三四五六七八九十]+)次(?P<more>以上)?",
    );
    for c in every.captures_iter(if maybe_every { clause } else { "" }) {
        let (Some(p), Some(n)) = (period(&c[1]), times(&c["n"])) else {
            continue;
        };
        let m = c.get(0).map_or(0..0, |m| m.range());
        let before = clause[..m.start].trim();
        let after = clause[m.end..].trim();
        let mid = c.name("mid").map_or("", |m| m.as_str());
        let action = if after.chars().count() >= 2 {
            action_of(after)
        } else if !before.is_empty() {
            format!("{}{}", before, action_of(mid))
        } else {
            action_of(mid)
        };
        let cmp = if c.name("cmp").is_some() || c.name("more").is_some() {
            ">="
        } else {
            "="
        };
        out.push(Cadence {
            text: clause.to_string(),
            period: p,
            times: n,
            comparator: cmp,
            action,
            path: path.to_vec(),
        });
    }
    // 一周一报告、一月一督查、一季一点评、半年一评议、一年一考评
    let one_each = re(
        &ONE_EACH,
        r"(一周|一月|一季度|一季|半年|一年)一([\p{Han}]{2})",
    );
    for c in one_each.captures_iter(if maybe_one_each { clause } else { "" }) {
        let word = c[1].trim_start_matches('一');
        let Some(p) = period(word) else { continue };
        if c[2].starts_with('度') || c[2].starts_with('次') {
            continue;
        }
        out.push(Cadence {
            text: clause.to_string(),
            period: p,
            times: 1,
            comparator: "=",
            action: c[2].to_string(),
            path: path.to_vec(),
        });
    }
    // 月通报季评比: period-action pairs standing together.
    let pairs = re(
        &PAIRS,
        r"(月|季|年|周)(通报|评比|考核|督查|调度|研判|点评|讲评|总结|分析|排名)",
    );
    let found: Vec<Captures> = if maybe_pairs {
        pairs.captures_iter(clause).collect()
    } else {
        vec![]
    };
    for (i, c) in found.iter().enumerate() {
        let m = c.get(0).map_or(0..0, |m| m.range());
        let adjacent = found
            .get(i + 1)
            .is_some_and(|n| n.get(0).is_some_and(|n| n.start() == m.end))
            || (i > 0 && found[i - 1].get(0).is_some_and(|p| p.end() == m.start));
        if !adjacent {
            continue;
        }
        if let Some(p) = period(&c[1]) {
            out.push(Cadence {
                text: clause.to_string(),
                period: p,
                times: 1,
                comparator: "=",
                action: c[2].to_string(),
                path: path.to_vec(),
            });
        }
    }
    out
}

fn phases(text: &str) -> Vec<Phase> {
    static NAMED: OnceLock<Regex> = OnceLock::new();
    static NUMBERED: OnceLock<Regex> = OnceLock::new();
    static DATE: OnceLock<Regex> = OnceLock::new();
    // 第二阶段：组织实施（…） names the phase after the colon.
    let numbered = re(
        &NUMBERED,
        r"第[一二三四五六七八九十]阶段[：:，,]?\s*([\p{Han}]{2,8}?)(?:阶段)?[（(：:，,。\s]",
    );
    let named = re(&NAMED, r"([\p{Han}]{2,6}?阶段)");
    let date = re(
        &DATE,
        r"(?:\d{4}年)?\d{1,2}月(?:上旬|中旬|下旬|初|底|末|中|\d{1,2}日)?",
    );
    let mut out = Vec::new();
    for line in text.lines().filter(|l| l.contains("阶段")) {
        let numbered_hits: Vec<(std::ops::Range<usize>, String)> = numbered
            .captures_iter(line)
            .filter_map(|c| Some((c.get(0)?.range(), format!("{}阶段", &c[1]))))
            .collect();
        let named_hits = named
            .captures_iter(line)
            .filter_map(|c| Some((c.get(0)?.range(), c[1].to_string())));
        for (whole, name) in numbered_hits.clone().into_iter().chain(named_hits) {
            if name.starts_with(['第', '各', '本', '这', '该', '此', '个', '一', '两']) {
                continue;
            }
            if numbered_hits
                .iter()
                .any(|(r, _)| r.start <= whole.start && whole.end <= r.end && r != &whole)
            {
                continue;
            }
            let tail: String = line[whole.end..].chars().take(40).collect();
            let dates: Vec<&str> = date.find_iter(&tail).map(|d| d.as_str()).take(2).collect();
            if dates.is_empty() && !line[..whole.start].trim().is_empty() {
                // A phase named in passing, without dates, inside a sentence.
                continue;
            }
            out.push(Phase {
                name,
                start: dates.first().map(|d| d.to_string()),
                end: dates.get(1).map(|d| d.to_string()),
                text: line.to_string(),
            });
        }
    }
    out
}

fn criteria(text: &str) -> Vec<Criteria> {
    static NAME: OnceLock<Regex> = OnceLock::new();
    let name_re = re(
        &NAME,
        r"“?([二三四五六七八九十])(个)?([\p{Han}]{1,3})”?(?:标准|要求)?(?:，|：|:)?(?:即|就是|是指|包括)?(?:：|:)?",
    );
    let mut out = Vec::new();
    for c in name_re.captures_iter(text) {
        let Some(n) = number(&c[1]) else { continue };
        // 二是…, 三是…: item markers, not list names.
        if c[3].starts_with('是') {
            continue;
        }
        let name = format!("{}{}{}", &c[1], c.get(2).map_or("", |m| m.as_str()), &c[3]);
        let m = c.get(0).map_or(0..0, |m| m.range());
        // A list follows its name closely: look at the next ~200 characters only.
        let window = text[m.end..]
            .char_indices()
            .nth(200)
            .map_or(text.len(), |(i, _)| m.end + i);
        let rest = &text[m.end..window];
        let (_, items) = crate::outline::enumerate(rest);
        let list: Vec<String> = if items.len() >= n as usize {
            items
                .iter()
                .take(n as usize)
                .map(|(_, t)| first_clause(t))
                .collect()
        } else {
            let end = rest.find(['。', '\n']).unwrap_or(rest.len());
            rest[..end]
                .split(['、', '；', ';', '，'])
                .map(|s| s.trim().trim_matches(['“', '”']).to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        if list.len() == n as usize && list.iter().all(|i| (2..=12).contains(&i.chars().count())) {
            out.push(Criteria { name, items: list });
        }
    }
    out
}

fn first_clause(s: &str) -> String {
    s.split(['。', '，', '；', '：'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

fn responsible(text: &str, path: &[String]) -> Vec<Responsible> {
    static BRACKET: OnceLock<Regex> = OnceLock::new();
    static LABELLED: OnceLock<Regex> = OnceLock::new();
    let mut out = Vec::new();
    if !text.contains(['〔', '【', '[', '（']) {
        return out;
    }
    let split = |s: &str| -> Vec<String> {
        s.split(['、', '，', ',', '；'])
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .collect()
    };
    for c in re(&BRACKET, r"[〔【\[]([^〔〕【】\[\]]{2,200})[〕】\]]").captures_iter(text) {
        let inner = c[1]
            .trim_start_matches("责任单位")
            .trim_start_matches("牵头单位")
            .trim_start_matches(['：', ':']);
        let units = split(inner);
        if !units.is_empty() && units.iter().all(|u| u.chars().count() <= 30) {
            out.push(Responsible {
                path: path.to_vec(),
                units,
            });
        }
    }
    for c in re(
        &LABELLED,
        r"（(?:责任单位|牵头单位|责任部门|牵头部门)[：:]([^（）]*(?:（[^（）]*）[^（）]*)*)）",
    )
    .captures_iter(text)
    {
        let units = split(&c[1]);
        if !units.is_empty() {
            out.push(Responsible {
                path: path.to_vec(),
                units,
            });
        }
    }
    out
}

/// Targets and cadences in a fragment of text (a selection made while reviewing).
pub fn from_fragment(text: &str) -> (Vec<Target>, Vec<Cadence>) {
    let mut t = Vec::new();
    let mut c = Vec::new();
    for clause in clauses(text) {
        let cad = cadences(clause, &[]);
        t.extend(targets(clause, &[], !cad.is_empty()));
        c.extend(cad);
    }
    (t, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_target(s: &str) -> Target {
        let t = targets(s, &[], false);
        assert_eq!(t.len(), 1, "{s}: {t:?}");
        t.into_iter().next().unwrap()
    }

    #[test]
    fn targets_read_quantity_unit_comparator_and_subject() {
        let t = one_target("创建党员先锋岗60个以上");
        assert_eq!(
            (
                t.quantity,
                t.unit.as_str(),
                t.comparator,
                t.subject.as_str()
            ),
            (60.0, "个", ">=", "党员先锋岗")
        );
        let t = one_target("建成2个社区基层党建示范点");
        assert_eq!(
            (t.quantity, t.subject.as_str()),
            (2.0, "社区基层党建示范点")
        );
        let t = one_target("60%以上的村级党支部创建镇级先进基层党组织");
        assert_eq!((t.unit.as_str(), t.comparator), ("%", ">="));
        assert!(t.subject.starts_with("村级党支部"));
        let t = one_target("每名党员联系2-3户群众");
        assert_eq!((t.quantity, t.quantity_max), (2.0, Some(3.0)));
        let t = one_target("培训党员不少于十五名");
        assert_eq!((t.quantity, t.comparator), (15.0, ">="));
        let t = one_target("年内开办劳务技能培训班1期");
        assert_eq!(t.subject, "劳务技能培训班");
        let t = one_target("培训劳动力700人次以上");
        assert_eq!(
            (t.unit.as_str(), t.comparator, t.subject.as_str()),
            ("人次", ">=", "劳动力")
        );
        let t = one_target("发放资金4万元");
        assert_eq!((t.quantity, t.unit.as_str()), (40000.0, "元"));
    }

    #[test]
    fn slogans_ordinals_and_dates_are_not_targets() {
        for s in [
            "争做“六个先锋”",
            "第一个阶段",
            "增强四个意识",
            "2024年6月",
            "党的二十大精神",
            "一是建强班子",
            "落实市委四届六次全会精神",
            "严格落实中央八项规定精神",
        ] {
            assert!(targets(s, &[], false).is_empty(), "{s}");
        }
    }

    #[test]
    fn cadences_of_every_kind() {
        let c = cadences("领导点评每季度不少于一次", &[]);
        assert_eq!(
            (
                c[0].period,
                c[0].times,
                c[0].comparator,
                c[0].action.as_str()
            ),
            ("quarter", 1, ">=", "领导点评")
        );
        let c = cadences("每月召开一次支委会", &[]);
        assert_eq!((c[0].period, c[0].action.as_str()), ("month", "支委会"));
        let c = cadences("党务每半年公开一次", &[]);
        assert_eq!(
            (c[0].period, c[0].action.as_str()),
            ("half_year", "党务公开")
        );
        let all: Vec<_> = [
            "一周一报告",
            "一月一督查",
            "一季一点评",
            "半年一评议",
            "一年一考评",
        ]
        .iter()
        .flat_map(|s| cadences(s, &[]))
        .collect();
        let got: Vec<(&str, &str)> = all.iter().map(|c| (c.period, c.action.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("week", "报告"),
                ("month", "督查"),
                ("quarter", "点评"),
                ("half_year", "评议"),
                ("year", "考评")
            ]
        );
        let c = cadences("实行月通报季评比", &[]);
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].period, c[1].period), ("month", "quarter"));
        assert!(cadences("一年一度的表彰", &[]).is_empty());
    }

    #[test]
    fn criteria_lists_announced_by_their_name() {
        let c =
            criteria("争创“五个好”：领导班子好、党员队伍好、工作机制好、工作业绩好、群众反映好。");
        assert_eq!(c[0].name, "五个好");
        assert_eq!(c[0].items.len(), 5);
        let c = criteria("做到五带头，一是带头学习提高，二是带头争创佳绩，三是带头服务群众，四是带头遵纪守法，五是带头弘扬正气。");
        assert_eq!(c[0].name, "五带头");
        assert_eq!(c[0].items[4], "带头弘扬正气");
        assert!(
            criteria("强化“六个先锋”引领").is_empty(),
            "a name with no list is not criteria"
        );
    }

    #[test]
    fn phases_with_dates() {
        let p = phases("（一）动员部署阶段（6月上旬至6月中旬）。制定方案。");
        assert_eq!(p[0].name, "动员部署阶段");
        assert_eq!(p[0].start.as_deref(), Some("6月上旬"));
        assert_eq!(p[0].end.as_deref(), Some("6月中旬"));
        let p = phases("第二阶段：组织实施（2024年7月—10月）");
        assert_eq!(p[0].name, "组织实施阶段");
        assert_eq!(p[0].start.as_deref(), Some("2024年7月"));
    }

    #[test]
    fn responsible_units_in_brackets_or_labelled() {
        let r = responsible(
            "加强指导。〔县委组织部、县民政局、各镇（街）党（工）委〕",
            &["二".into()],
        );
        assert_eq!(
            r[0].units,
            vec!["县委组织部", "县民政局", "各镇（街）党（工）委"]
        );
        let r = responsible("完善机制（责任单位：镇党建办、各村党支部）", &[]);
        assert_eq!(r[0].units, vec!["镇党建办", "各村党支部"]);
    }
}
