//! Extraction over the outline: each section's own text (title and body) is scanned with the
//! section's path, so every item knows where it came from.

use std::sync::OnceLock;

use regex::{Captures, Regex};

use crate::numerals::number;
use crate::outline::{Outline, Section};
use crate::{Cadence, Criteria, Ignored, Measure, Phase, Plan, Quota, Responsible, Target};

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

/// Titles of sections that hold no work of their own, so no measures: the reasons and aims of
/// the document (指导思想, 总体要求, 基本原则, 目标任务 — statements of what is wanted, met by the
/// work sections), its timetable (方法步骤, 实施步骤 — read as phases), its yardsticks (评价标准,
/// 考核奖惩 — read as criteria, quotas and ignored sanctions), and its safeguards (组织领导,
/// 保障措施, 有关要求). Safeguards are left out on purpose: they ask every unit to take the work
/// seriously, name no deliverable and no unit of their own, and published as tasks they would
/// give every assignee a duty nobody can report done. A reviewer can still add one as a target.
const NON_WORK: [&str; 30] = [
    "指导思想",
    "总体要求",
    "基本原则",
    "工作原则",
    "目标任务",
    "主要目标",
    "工作目标",
    "总体目标",
    "目标要求",
    "目的意义",
    "重要意义",
    "方法步骤",
    "实施步骤",
    "工作步骤",
    "步骤安排",
    "时间安排",
    "进度安排",
    "组织领导",
    "保障措施",
    "组织保障",
    "工作保障",
    "工作要求",
    "有关要求",
    "相关要求",
    "评价标准",
    "考核奖惩",
    "奖惩措施",
    "考核办法",
    "纪律要求",
    "活动要求",
];

/// Whether a section title names a section without measures (see `NON_WORK`): one of its
/// parts ends with such a name (`加强组织领导`, `指导思想和目标任务`), not merely contains it
/// (`巩固农村基层党组织领导地位` is work).
pub fn non_work(title: &str) -> bool {
    title
        .split(['，', '、', ',', '及', '和', '与'])
        .map(|part| part.trim().trim_end_matches(['。', '；', '：']))
        .any(|part| NON_WORK.iter().any(|w| part.ends_with(w)))
}

/// A visited section: its path, the path its responsible units belong to, whether it lies in a
/// work section, and the section.
type Node<'a> = (Vec<String>, Vec<String>, bool, &'a Section);

/// Visits every section with its path and the path its responsible units belong to: a
/// bracket closing the last 一是… item names the units of the whole measure.
fn walk<'a>(sections: &'a [Section], path: &mut Vec<String>, work: bool, out: &mut Vec<Node<'a>>) {
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
        let work = work && (s.level == 5 || !non_work(&s.title));
        out.push((path.clone(), owner, work, s));
        walk(&s.children, path, work, out);
        path.pop();
    }
}

/// Sentences: split at 。；！？ and line breaks.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['。', '；', ';', '！', '？', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

pub fn extract_all(doc: &Outline, plan: &mut Plan) {
    let mut nodes = Vec::new();
    walk(&doc.sections, &mut Vec::new(), true, &mut nodes);
    let mut texts: Vec<(Vec<String>, Vec<String>, String)> =
        vec![(vec![], vec![], doc.preamble.clone())];
    for (path, owner, _, s) in &nodes {
        texts.push((path.clone(), owner.clone(), s.title.clone()));
        // Items are scanned as their own nodes; the parent keeps only its intro text.
        texts.push((path.clone(), owner.clone(), s.text.clone()));
    }
    for (path, owner, text) in &texts {
        for sentence in sentences(text) {
            let penal = penalty(sentence);
            let mut listing_quotas = false;
            for clause in clauses(sentence) {
                let cad = cadences(clause, path);
                let has_cadence = !cad.is_empty();
                plan.cadences.extend(cad);
                let q = quotas(clause, path, listing_quotas);
                listing_quotas = !q.is_empty();
                if listing_quotas {
                    // A quota sentence is an award kind, not also a target.
                    plan.quotas.extend(q);
                    continue;
                }
                let found = targets(clause, path, has_cadence);
                if let Some(why) = sanction(clause, penal, !found.is_empty()) {
                    match plan.ignored.last_mut() {
                        // One sentence, several reasons (24小时通讯畅通…扣除500元).
                        Some(last) if last.text == sentence && &last.path == path => {
                            if !last.why.contains(why) {
                                last.why = format!("{}；{why}", last.why);
                            }
                        }
                        _ => plan.ignored.push(Ignored {
                            text: sentence.to_string(),
                            why: why.to_string(),
                            path: path.clone(),
                        }),
                    }
                    continue;
                }
                plan.targets.extend(found);
            }
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
    dedupe_by(&mut plan.targets, |t| {
        format!("{}|{:?}|{}|{}", t.text, t.path, t.quantity, t.subject)
    });
    dedupe_by(&mut plan.quotas, |q| {
        format!("{}|{:?}|{}", q.text, q.path, q.name)
    });
    dedupe_by(&mut plan.ignored, |i| format!("{}|{:?}", i.text, i.path));
    plan.measures = measures(&nodes, plan);
}

/// The measures: in a work section, every section without sub-items (the lowest numbered
/// items, 一是… included), and a section with sub-items whose own text carries a target (so
/// every target of a work section lies in a measure's path or deeper). Each takes the units
/// of the nearest enclosing responsible entry.
fn measures(nodes: &[Node<'_>], plan: &Plan) -> Vec<Measure> {
    use std::collections::{HashMap, HashSet};
    let target_paths: HashSet<&[String]> = plan.targets.iter().map(|t| t.path.as_slice()).collect();
    let mut units_at: HashMap<&[String], Vec<String>> = HashMap::new();
    for r in &plan.responsible {
        let units = units_at.entry(r.path.as_slice()).or_default();
        for u in &r.units {
            if !units.contains(u) {
                units.push(u.clone());
            }
        }
    }
    let mut out = Vec::new();
    for (path, _, work, s) in nodes {
        if !work {
            continue;
        }
        let leaf = s.children.is_empty();
        if !leaf && !target_paths.contains(path.as_slice()) {
            continue;
        }
        // A leaf is its whole item; a section with sub-items is named by its title (or, with
        // none, the first sentence of its own text).
        let first_sentence = |t: &str| {
            t.split(['。', '\n'])
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let candidates = if leaf {
            vec![s.full.trim().to_string(), s.title.trim().to_string()]
        } else {
            vec![
                s.title.trim().to_string(),
                first_sentence(&s.text),
                first_sentence(&s.full),
            ]
        };
        let Some(text) = candidates
            .iter()
            .map(|c| strip_units(c))
            .find(|c| !c.is_empty())
            .map(str::to_string)
        else {
            continue;
        };
        let text = text.as_str();
        // The nearest enclosing entry: the item's own, else its parent's (a bracket closing
        // the last 一是 item), and so on up.
        let units = (0..=path.len())
            .rev()
            .find_map(|n| units_at.get(&path[..n]))
            .cloned()
            .unwrap_or_default();
        out.push(Measure {
            text: text.to_string(),
            path: path.clone(),
            units,
            deadline: deadline(text),
        });
    }
    out
}

/// A measure's text without the units written at its end (〔…〕, （责任单位：…）, a line
/// 责任单位：…): they are read as the measure's units.
fn strip_units(mut text: &str) -> &str {
    loop {
        let cut = if text.ends_with('〕') || text.ends_with('】') {
            text.rfind(['〔', '【'])
        } else if text.ends_with('）') {
            text.rfind('（').filter(|i| {
                ["责任单位", "牵头单位", "责任部门", "牵头部门"]
                    .iter()
                    .any(|w| text[*i..].contains(w))
            })
        } else {
            text.rfind('\n').filter(|i| {
                ["责任单位", "牵头单位", "责任部门", "牵头部门"]
                    .iter()
                    .any(|w| text[*i + 1..].starts_with(w))
            })
        };
        match cut {
            Some(i) if i > 0 => text = text[..i].trim_end(),
            _ => return text,
        }
    }
}

/// The first deadline written in a text, as written: `11月底前`, `2026年6月底`, `5月1日前`,
/// `年底前`. A start (`6月起`, `6月上旬至…`) and a yearly date (`每年7月`) are not deadlines.
pub fn deadline(text: &str) -> Option<String> {
    static DATE: OnceLock<Regex> = OnceLock::new();
    let date = re(
        &DATE,
        r"(?:(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日|底|末|中旬|上旬|下旬|初|份)?|\d{4}年(?:底|末)|年底|年末)(?:前|之前|以前)?",
    );
    for m in date.find_iter(text) {
        let before = &text[..m.start()];
        let after = &text[m.end()..];
        let d = m.as_str();
        if before.ends_with(|c: char| c.is_ascii_digit())
            || before.ends_with('每')
            || before.ends_with("每年")
            || after.starts_with(['起', '至', '到', '—', '－', '-', '~', '～', '和', '、'])
            || after.starts_with("开始")
            || after.starts_with("以来")
        {
            continue;
        }
        if (d.starts_with("年底") || d.starts_with("年末")) && !d.ends_with('前') {
            continue;
        }
        return Some(d.to_string());
    }
    None
}

/// Words of a sentence that punishes: a count reached in it is a threshold, not a target.
fn penalty(sentence: &str) -> bool {
    [
        "黄榜",
        "黄牌",
        "红牌",
        "通报批评",
        "约谈",
        "问责",
        "诫勉",
        "取消",
        "一票否决",
        "处分",
        "曝光",
        "扣除",
        "扣发",
        "罚款",
        "追责",
    ]
    .iter()
    .any(|w| sentence.contains(w))
}

/// Why a clause that reads like a target is a sanction or a duty, or `None`.
fn sanction(clause: &str, penal: bool, has_target: bool) -> Option<&'static str> {
    static MONEY: OnceLock<Regex> = OnceLock::new();
    static DUTY: OnceLock<Regex> = OnceLock::new();
    static TIMES: OnceLock<Regex> = OnceLock::new();
    if !clause
        .chars()
        .any(|ch| ch.is_ascii_digit() || crate::numerals::digit(ch).is_some() || ch == '十')
    {
        return None;
    }
    if re(
        &MONEY,
        r"(?:扣除|扣减|扣发|扣罚|罚款|罚|扣)(?:[\p{Han}]{0,6}?)(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)(?:万元|元|分)",
    )
    .is_match(clause)
    {
        return Some("扣款或扣分，是处罚，不是工作目标");
    }
    if re(
        &DUTY,
        r"\d+小时[\p{Han}]{0,8}?(?:畅通|值班|在岗|开机|待命|值守|响应|到位|办结)",
    )
    .is_match(clause)
    {
        return Some("值守要求（通讯畅通、值班在岗），不是工作目标");
    }
    if penal
        && has_target
        && re(
            &TIMES,
            r"(?:\d+|[一二两三四五六七八九十]+)次(?:及)?以上|累计(?:\d+|[一二两三四五六七八九十]+)次",
        )
        .is_match(clause)
    {
        return Some("处罚条件（达到次数即受处理），不是工作目标");
    }
    None
}

const LEVELS: &str = "县级|镇级|乡级|乡镇级|区级|市级|省级|街道级";
const HONOUR_ADJ: &str = "先进|优秀|模范|标兵|十佳|红旗|五星级|四星级|星级";
const ORG_NOUNS: [&str; 7] = ["党组织", "党支部", "党总支", "党委", "支部", "集体", "单位"];
const MEMBER_NOUNS: [&str; 7] = [
    "共产党员",
    "党员",
    "党务工作者",
    "书记",
    "干部",
    "个人",
    "标兵",
];

fn quota_subject(name: &str) -> Option<&'static str> {
    if MEMBER_NOUNS.iter().any(|n| name.ends_with(n)) {
        Some("member")
    } else if ORG_NOUNS.iter().any(|n| name.ends_with(n)) {
        Some("org")
    } else {
        None
    }
}

/// Honours to grant: `培树3个先进党组织和45名优秀共产党员` (counts) and `每年有15%党员争当镇级
/// 优秀` (a share of the subtree). `continues` is set when the previous clause of the sentence
/// listed quotas, so `，3名优秀党务工作者` goes on with the list without repeating the verb.
fn quotas(clause: &str, path: &[String], continues: bool) -> Vec<Quota> {
    static VERB: OnceLock<Regex> = OnceLock::new();
    static PCT: OnceLock<Regex> = OnceLock::new();
    static AWARD: OnceLock<Regex> = OnceLock::new();
    let mut out = Vec::new();
    if !clause.contains(['先', '优', '模', '标', '十', '红', '星']) {
        return out;
    }
    let verb = re(
        &VERB,
        r"培树|评选|表彰|选树|推荐|命名|评出|树立|争当|争创|评为|获评|授予",
    );
    let Some(first_verb) = verb.find(clause) else {
        if !continues {
            return out;
        }
        return count_quotas(clause, 0, path);
    };
    out.extend(count_quotas(
        clause,
        if continues { 0 } else { first_verb.start() },
        path,
    ));
    if !out.is_empty() {
        return out;
    }
    // A share: 15%党员争当镇级优秀, 2%的比例推荐县级优秀共产党员 (not 60%以上…: a target).
    let pct = re(&PCT, r"(\d+(?:\.\d+)?)%");
    let award = re(
        &AWARD,
        &format!(
            r"(?:培树|评选|表彰|选树|推荐|命名|评出|争当|争创|评为|获评)为?(?P<level>县级|镇级|乡级|乡镇级|区级|市级|省级|街道级)?(?P<name>(?:{HONOUR_ADJ})[\p{{Han}}]{{0,8}})"
        ),
    );
    let Some(p) = pct.captures(clause) else {
        return out;
    };
    let Some(m) = p.get(0) else { return out };
    if clause[m.end()..].starts_with("以上") || clause[m.end()..].starts_with("及以上") {
        return out;
    }
    let Some(a) = award.captures(&clause[m.end()..]) else {
        return out;
    };
    let mut name = a["name"].to_string();
    let subject = quota_subject(&name).unwrap_or_else(|| {
        let around = &clause[m.end()..];
        if around.contains("党员") {
            "member"
        } else {
            "org"
        }
    });
    if quota_subject(&name).is_none() {
        name.push_str(if subject == "member" {
            "党员"
        } else {
            "党组织"
        });
    }
    out.push(Quota {
        text: clause.to_string(),
        name,
        subject,
        count: None,
        percent: p[1].parse().ok(),
        level: a.name("level").map(|l| l.as_str().to_string()),
        path: path.to_vec(),
    });
    out
}

/// Counted honours after the verb: `3个先进党组织`, or the name first, `优秀共产党员20名`.
fn count_quotas(clause: &str, from: usize, path: &[String]) -> Vec<Quota> {
    static COUNT: OnceLock<Regex> = OnceLock::new();
    let nouns = format!("{}|{}", ORG_NOUNS.join("|"), MEMBER_NOUNS.join("|"));
    let count = re(
        &COUNT,
        &format!(
            r"(?P<n>\d+|[一二两三四五六七八九十]+)(?:个|名|家|位)(?P<level>{LEVELS})?(?P<name>(?:{HONOUR_ADJ})[\p{{Han}}]{{0,8}}(?:{nouns}))|(?P<level2>{LEVELS})?(?P<name2>(?:{HONOUR_ADJ})[\p{{Han}}]{{0,8}}?(?:{nouns}))(?P<n2>\d+|[一二两三四五六七八九十]+)(?:个|名|家|位)"
        ),
    );
    let mut out = Vec::new();
    for c in count.captures_iter(&clause[from..]) {
        let (Some(name), Some(n)) = (
            c.name("name").or(c.name("name2")),
            c.name("n").or(c.name("n2")),
        ) else {
            continue;
        };
        let name = name.as_str().to_string();
        let (Some(subject), Some(n)) = (quota_subject(&name), number(n.as_str())) else {
            continue;
        };
        if n < 1.0 {
            continue;
        }
        out.push(Quota {
            text: clause.to_string(),
            name,
            subject,
            count: Some(n as u32),
            percent: None,
            level: c
                .name("level")
                .or(c.name("level2"))
                .map(|l| l.as_str().to_string()),
            path: path.to_vec(),
        });
    }
    out
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
            subject: subject
                .trim()
                .trim_end_matches(['“', '"', '《', '（'])
                .to_string(),
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

/// A cadence's action kept short: `主题党日活动` is 主题党日.
fn short_action(action: String) -> String {
    match action.strip_suffix("活动") {
        Some(rest) if rest.chars().count() >= 2 => rest.to_string(),
        _ => action,
    }
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
        let action = short_action(if after.chars().count() >= 2 {
            action_of(after)
        } else if !before.is_empty() {
            format!("{}{}", before, action_of(mid))
        } else {
            action_of(mid)
        });
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

/// Lists announced by a numbered name (五个好, 五个模范, 五带头): the items follow the name at
/// once, either after a colon or 即/包括 as a 、-separated list, or as 一是…二是… items
/// starting right after it. A name in passing (打造“三联”建设，…) is no list.
fn criteria(text: &str) -> Vec<Criteria> {
    static NAME: OnceLock<Regex> = OnceLock::new();
    let name_re = re(
        &NAME,
        r"“?([二三四五六七八九十])(个)?([\p{Han}]{1,3})”?(?:标准|要求)?(?P<sep>，|：|:)?(?P<is>即|就是|是指|包括)?(?P<colon>：|:)?",
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
        let announced = c.name("is").is_some()
            || c.name("colon").is_some()
            || c.name("sep").is_some_and(|s| s.as_str() != "，");
        // A list follows its name closely: look at the next ~200 characters only.
        let window = text[m.end..]
            .char_indices()
            .nth(200)
            .map_or(text.len(), |(i, _)| m.end + i);
        let rest = &text[m.end..window];
        let (intro, items) = crate::outline::enumerate(rest);
        let list: Vec<String> = if items.len() >= n as usize && intro.chars().count() <= 4 {
            items
                .iter()
                .take(n as usize)
                .map(|(_, t)| first_clause(t))
                .collect()
        } else if announced {
            let end = rest.find(['。', '\n', '；', ';']).unwrap_or(rest.len());
            rest[..end]
                .split('、')
                .map(|s| s.trim().trim_matches(['“', '”']).to_string())
                .filter(|s| !s.is_empty())
                .collect()
        } else {
            continue;
        };
        let clean = |i: &String| {
            (2..=12).contains(&i.chars().count())
                && !i.contains(['，', ',', '：'])
                && !i.chars().any(|ch| ch.is_ascii_digit())
        };
        if list.len() == n as usize && list.iter().all(clean) {
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
    if !text.contains(['〔', '【', '[', '：', ':']) {
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
    // 责任单位：… as a label, in （…） or running to the end of the sentence.
    for (at, label) in re(&LABELLED, r"(?:责任单位|牵头单位|责任部门|牵头部门)[：:]")
        .find_iter(text)
        .map(|m| (m.end(), m.start()))
    {
        if text[..label].ends_with(['〔', '【', '[']) {
            continue; // read above as a bracket
        }
        let mut depth = 0usize;
        let mut end = text.len();
        for (i, ch) in text[at..].char_indices() {
            match ch {
                '（' | '(' => depth += 1,
                '）' | ')' if depth == 0 => {
                    end = at + i;
                    break;
                }
                '）' | ')' => depth -= 1,
                '。' | '\n' | '〕' | '】' | ']' => {
                    end = at + i;
                    break;
                }
                _ => {}
            }
        }
        let units = split(&text[at..end]);
        if !units.is_empty() && units.iter().all(|u| u.chars().count() <= 30) {
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
    fn false_lists_are_not_criteria() {
        // A name in passing, followed by a sentence: seed 000's 三联.
        let c = criteria(
            "大力实施党建联盟、产业联盟、合作组织联盟“三联”建设，打造先锋基地3个；三是创品牌。",
        );
        assert!(c.is_empty(), "{c:?}");
        // A list right after the name is read, not the 一是… items of the next list.
        let c = criteria("争创“五个好”：领导班子好、党员队伍好、工作机制好、工作业绩好、群众反映好。做到五带头，一是带头学习提高，二是带头争创佳绩，三是带头服务群众，四是带头遵纪守法，五是带头弘扬正气。");
        assert_eq!(c[0].items[0], "领导班子好");
        assert_eq!(c[1].items[0], "带头学习提高");
        let c = criteria("争做“五个模范”，即学习模范、服务模范、创业模范、守纪模范、奉献模范。");
        assert_eq!(c[0].name, "五个模范");
        assert_eq!(c[0].items[4], "奉献模范");
    }

    fn one_quota(clause: &str) -> Vec<Quota> {
        quotas(clause, &[], false)
    }

    #[test]
    fn quotas_of_counts_and_shares() {
        let q = one_quota("镇党委每年培树3个先进党组织和45名优秀共产党员");
        let got: Vec<_> = q
            .iter()
            .map(|q| (q.name.as_str(), q.subject, q.count))
            .collect();
        assert_eq!(
            got,
            [
                ("先进党组织", "org", Some(3)),
                ("优秀共产党员", "member", Some(45))
            ]
        );
        let q = one_quota("每年有15%党员争当镇级优秀");
        assert_eq!(
            (
                q[0].subject,
                q[0].percent,
                q[0].level.as_deref(),
                q[0].count
            ),
            ("member", Some(15.0), Some("镇级"), None)
        );
        let q = one_quota("按不超过党员总数2%的比例推荐县级优秀共产党员");
        assert_eq!(
            (q[0].name.as_str(), q[0].percent),
            ("优秀共产党员", Some(2.0))
        );
        let q = one_quota("评选表彰县级优秀共产党员20名、先进基层党组织5个");
        let got: Vec<_> = q
            .iter()
            .map(|q| (q.name.as_str(), q.count, q.level.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("优秀共产党员", Some(20), Some("县级")),
                ("先进基层党组织", Some(5), None)
            ]
        );
        let q = quotas("5名优秀党组织书记", &[], true);
        assert_eq!(
            (q[0].name.as_str(), q[0].count),
            ("优秀党组织书记", Some(5))
        );
        for not in [
            "60%以上的村级党支部创建镇级先进基层党组织",
            "创建党员先锋岗60个以上",
            "5名优秀党组织书记",
            "建成3个示范点",
        ] {
            assert!(one_quota(not).is_empty(), "{not}");
        }
    }

    #[test]
    fn sanctions_and_duties_are_named_not_targets() {
        let plan = crate::parse_text("一、考核\n（一）纪律。包村干部必须保持24小时通讯畅通。缺席会议的每次扣除500元。推进不力的扣800元绩效奖金。被通报二次以上的，列入黄榜。全年培训党员2次以上。");
        let why: Vec<&str> = plan.ignored.iter().map(|i| i.why.as_str()).collect();
        assert_eq!(why.len(), 4, "{:?}", plan.ignored);
        assert!(
            why[0].starts_with("值守要求")
                && why[1].starts_with("扣款")
                && why[2].starts_with("扣款")
        );
        assert!(why[3].starts_with("处罚条件"));
        assert_eq!(plan.ignored[3].text, "被通报二次以上的，列入黄榜");
        let t: Vec<&str> = plan.targets.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            t,
            ["全年培训党员2次以上"],
            "a count without a penalty stays a target"
        );
    }

    #[test]
    fn deadlines_as_written() {
        assert_eq!(deadline("各支部11月底前完成").as_deref(), Some("11月底前"));
        assert_eq!(
            deadline("2026年6月底完成改造").as_deref(),
            Some("2026年6月底")
        );
        assert_eq!(deadline("年底前全部完成").as_deref(), Some("年底前"));
        assert_eq!(deadline("6月上旬至6月中旬开展").as_deref(), Some("6月中旬"));
        for none in ["每年7月1日开展", "自3月起实施", "一月一督查", "年底考核"]
        {
            assert_eq!(deadline(none), None, "{none}");
        }
    }

    #[test]
    fn non_work_sections_by_their_title() {
        for t in [
            "指导思想",
            "总体要求",
            "加强组织领导",
            "保障措施",
            "实施步骤",
            "指导思想和目标任务",
        ] {
            assert!(non_work(t), "{t}");
        }
        for t in [
            "主要任务",
            "巩固农村基层党组织领导地位",
            "健全党组织领导的城乡治理机制",
            "强化督查考评",
        ] {
            assert!(!non_work(t), "{t}");
        }
    }

    #[test]
    fn measures_take_the_units_of_the_nearest_bracket_and_their_deadline() {
        let plan = crate::parse_text("一、总体要求\n坚持标准，建成2个示范点。\n二、主要任务\n（一）建强堡垒。一是健全组织生活，6月底前完成。二是开展结对共建。〔县委组织部、县民政局〕\n（二）选树典型。创建党员先锋岗60个以上。（责任单位：县委宣传部）\n三、组织领导\n（一）压实责任。");
        let got: Vec<(String, &str, Vec<String>, Option<&str>)> = plan
            .measures
            .iter()
            .map(|m| {
                (
                    m.path.join(" "),
                    m.text.as_str(),
                    m.units.clone(),
                    m.deadline.as_deref(),
                )
            })
            .collect();
        let units = |u: &[&str]| u.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            got,
            [
                (
                    "二 （一） 一是".to_string(),
                    "健全组织生活，6月底前完成。",
                    units(&["县委组织部", "县民政局"]),
                    Some("6月底前")
                ),
                (
                    "二 （一） 二是".to_string(),
                    "开展结对共建。",
                    units(&["县委组织部", "县民政局"]),
                    None
                ),
                (
                    "二 （二）".to_string(),
                    "选树典型。创建党员先锋岗60个以上。",
                    units(&["县委宣传部"]),
                    None
                ),
            ]
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
