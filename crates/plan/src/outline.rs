//! The outline: 一、 (level 1), （一） (2), 1. (3), （1） (4) and 一是…二是… items (5).
//! Tolerates a missing bracket (`一）`), a missing separator (`1把…`, when it continues the
//! numbering) and skipped numbers.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub number: String,
    pub level: u8,
    pub title: String,
    pub text: String,
    pub children: Vec<Section>,
    /// The item as written, without its number: the heading line's rest and the lines that
    /// follow it (a 一是 item's body). Found verbatim in the normalised document.
    #[serde(skip)]
    pub full: String,
}

/// The title, the preamble before the first heading, and the sections.
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    pub title: String,
    pub preamble: String,
    pub sections: Vec<Section>,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid pattern"))
}

const CN: &str = "[一二三四五六七八九十]{1,3}";

/// A heading at the start of a line: `(level, number as shown in paths, rest of the line)`.
fn heading(line: &str, last_l3: Option<u64>) -> Option<(u8, String, String)> {
    static L1: OnceLock<Regex> = OnceLock::new();
    static L2: OnceLock<Regex> = OnceLock::new();
    static L2_OPEN: OnceLock<Regex> = OnceLock::new();
    static L3: OnceLock<Regex> = OnceLock::new();
    static L3_BARE: OnceLock<Regex> = OnceLock::new();
    static L4: OnceLock<Regex> = OnceLock::new();
    if let Some(c) = re(&L1, &format!(r"^({CN})[、．.，,]\s*(.+)$")).captures(line) {
        return Some((1, c[1].to_string(), c[2].to_string()));
    }
    if let Some(c) = re(&L2, &format!(r"^[（(]({CN})[）)]\s*(.+)$")).captures(line) {
        return Some((2, format!("（{}）", &c[1]), c[2].to_string()));
    }
    if let Some(c) = re(&L2_OPEN, &format!(r"^({CN})[）)]\s*(.+)$")).captures(line) {
        return Some((2, format!("（{}）", &c[1]), c[2].to_string()));
    }
    if let Some(c) = re(&L4, r"^[（(](\d{1,2})[）)]\s*(.+)$").captures(line) {
        return Some((4, format!("（{}）", &c[1]), c[2].to_string()));
    }
    if let Some(c) = re(&L3, r"^(\d{1,2})[、．.]\s*([^\d].*)$").captures(line) {
        return Some((3, c[1].to_string(), c[2].to_string()));
    }
    // `1把创先争优…`: a bare number counts only when it continues the numbering and is not a
    // quantity (`2个社区…`).
    if let Some(c) = re(&L3_BARE, r"^(\d{1,2})([\p{Han}“].*)$").captures(line) {
        let n: u64 = c[1].parse().ok()?;
        let expected = last_l3.map_or(1, |l| l + 1);
        let unit_like = c[2].starts_with([
            '个', '名', '人', '户', '家', '次', '年', '月', '日', '项', '条', '天', '万', '%',
        ]);
        if n == expected && !unit_like {
            return Some((3, c[1].to_string(), c[2].to_string()));
        }
    }
    None
}

/// Splits `强化理论武装，争做学思践悟的先锋。一是…` into a title and the text after it; the title
/// loses trailing punctuation.
fn split_title(rest: &str) -> (String, String) {
    let (title, text) = split_title_raw(rest);
    (
        title
            .trim_end_matches(['，', '；', '、', ',', ';', '：', ':'])
            .to_string(),
        text,
    )
}

fn split_title_raw(rest: &str) -> (String, String) {
    let rest = rest.trim();
    match rest.find(['。', '：', ':']) {
        Some(i) if rest[..i].chars().count() <= 40 => {
            let sep = rest[i..].chars().next().map_or(0, char::len_utf8);
            (
                rest[..i].trim().to_string(),
                rest[i + sep..].trim().to_string(),
            )
        }
        None if rest.chars().count() <= 40 => (rest.to_string(), String::new()),
        _ => {
            // A long first sentence: the title is its first clause.
            let end = rest
                .find(['，', ','])
                .filter(|i| rest[..*i].chars().count() <= 30)
                .unwrap_or(0);
            if end == 0 {
                (String::new(), rest.to_string())
            } else {
                (rest[..end].to_string(), rest.to_string())
            }
        }
    }
}

/// Splits a text at 一是、二是、三是… into the text before and the items, when the markers run in
/// order from 一是.
pub fn enumerate(text: &str) -> (String, Vec<(String, String)>) {
    let mut marks = Vec::new();
    let mut expected = 1u64;
    let mut search_from = 0;
    while let Some(ch) = crate::render::cn_number(expected) {
        let marker = format!("{ch}是");
        let Some(pos) = text[search_from..].find(&marker).map(|p| p + search_from) else {
            break;
        };
        // A marker starts a sentence or clause: the character before is punctuation or start.
        let before = text[..pos].chars().last();
        if before.is_none_or(|c| "。；;，,：:！？\n".contains(c)) {
            marks.push((pos, marker.clone()));
            expected += 1;
        }
        search_from = pos + marker.len();
    }
    if marks.len() < 2 {
        return (text.to_string(), vec![]);
    }
    let intro = text[..marks[0].0].trim().to_string();
    let mut items = Vec::new();
    for (k, (pos, marker)) in marks.iter().enumerate() {
        let end = marks.get(k + 1).map_or(text.len(), |m| m.0);
        items.push((
            marker.clone(),
            text[pos + marker.len()..end].trim().to_string(),
        ));
    }
    (intro, items)
}

static TITLE_RE: OnceLock<Regex> = OnceLock::new();

/// The kinds of document a title names, longest first.
const KINDS: [&str; 14] = [
    "实施方案",
    "工作方案",
    "活动方案",
    "实施意见",
    "实施细则",
    "工作要点",
    "工作计划",
    "方案",
    "意见",
    "通知",
    "计划",
    "办法",
    "细则",
    "规定",
];

/// Navigation and page furniture of a web page (breadcrumbs, 相关推荐, dates, sources, hit
/// counts): never a title.
pub fn is_page_noise(line: &str) -> bool {
    let bare = line.trim_start_matches(['-', '—', '·', '|', '>', '»', '*', ' ']);
    let short = line.chars().count() <= 80;
    bare.len() < line.len()
        || [
            "相关推荐",
            "相关文章",
            "相关阅读",
            "上一篇",
            "下一篇",
            "首页",
            "当前位置",
            "您的位置",
            "您现在的位置",
            "返回",
            "网站",
        ]
        .iter()
        .any(|w| bare.starts_with(w))
        || (short
            && [
                "点击数",
                "点击量",
                "浏览次数",
                "阅读次数",
                "阅读量",
                "发布时间",
                "发布日期",
                "来源：",
                "作者：",
                "字号",
            ]
            .iter()
            .any(|w| line.contains(w)))
        || (short && (line.contains('>') || line.contains('»')))
}

/// A line that reads as a document's title: short, no sentence punctuation, ending with the
/// kind of document (方案, 意见, 通知 …), optionally followed by （试行） or the like.
fn title_like(line: &str) -> bool {
    let t = line.trim();
    let core = t
        .trim_end_matches(['）', ')'])
        .rsplit_once(['（', '('])
        .filter(|(_, tail)| {
            ["试行", "草案", "征求意见稿", "修订"]
                .iter()
                .any(|w| tail.starts_with(w))
        })
        .map_or(t, |(head, _)| head)
        .trim_end_matches(['”', '"', '》']);
    let n = t.chars().count();
    (4..=60).contains(&n)
        && !t.contains(['。', '，', '；', '：', ':', ','])
        && heading(t, None).is_none()
        && !is_page_noise(t)
        && KINDS.iter().any(|k| core.ends_with(k))
}

/// A would-be title that is a piece of a sentence (`开展情况制定如下实施方案`) or a web page's
/// generic heading (`乡镇的创先争优工作方案`), not the document's own title.
pub fn is_fragment(title: &str) -> bool {
    let generic = [
        "乡镇的",
        "村的",
        "社区的",
        "街道的",
        "学校的",
        "机关的",
        "企业的",
        "单位的",
        "医院的",
    ];
    title.is_empty()
        || title.starts_with(|c: char| !(c.is_alphanumeric() || c == '“' || c == '《'))
        || title.starts_with('的')
        || generic.iter().any(|g| title.starts_with(g))
        || [
            "如下",
            "制定本",
            "现就",
            "特制定",
            "情况制定",
            "结合实际制定",
        ]
        .iter()
        .any(|w| title.contains(w))
}

/// A title made from the document's subject and kind when it has none of its own:
/// `开展情况制定如下实施方案` in a text about 开展创先争优活动 becomes 创先争优活动实施方案.
fn made_title(fragment: &str, head: &str) -> String {
    static SUBJECT: OnceLock<Regex> = OnceLock::new();
    static QUOTED: OnceLock<Regex> = OnceLock::new();
    let kind = KINDS
        .iter()
        .find(|k| fragment.ends_with(*k))
        .copied()
        .unwrap_or("实施方案");
    let subject = re(
        &SUBJECT,
        r"(?:开展|实施|推进|创建)((?:“[^”]{2,16}”|[\p{Han}]){2,16}?活动)",
    )
    .captures(head)
    .map(|c| c[1].to_string())
    .or_else(|| {
        // The fragment itself, without its generic lead and its kind: 乡镇的创先争优工作方案.
        let core = fragment
            .split_once('的')
            .map_or(fragment, |(_, rest)| rest)
            .trim_end_matches(kind)
            .trim_end_matches("工作")
            .trim_start_matches(|c: char| !c.is_alphanumeric() && c != '“');
        (core.chars().count() >= 2 && !is_fragment(core)).then(|| core.to_string())
    })
    .or_else(|| {
        re(&QUOTED, r"“([^”]{2,16})”")
            .captures(head)
            .map(|c| format!("“{}”", &c[1]))
    });
    let made = match subject {
        Some(s) if s.ends_with(kind) => s,
        Some(s) => format!("{s}{kind}"),
        None => String::new(),
    };
    // Never a fragment: no title at all is better (the draft shows its file name).
    if is_fragment(&made) {
        String::new()
    } else {
        made
    }
}

/// The title and, when it is a line of its own, that line's index (lines above it are page
/// noise). Among the lines before the body starts, the last one that reads as a title wins (a
/// site's generic heading can stand above the document's own title).
fn find_title(lines: &[&str]) -> (Option<usize>, String) {
    let mut found = None;
    for (i, line) in lines.iter().enumerate().take(12) {
        if heading(line, None).is_some() {
            break;
        }
        if title_like(line) {
            found = Some(i);
            continue;
        }
        if is_page_noise(line) || line.chars().count() <= 20 && !line.ends_with('。') {
            continue;
        }
        break;
    }
    if let Some(i) = found {
        let t = lines[i].trim().to_string();
        if !is_fragment(&t) {
            return (Some(i), t);
        }
    }
    let head: String = lines
        .iter()
        .filter(|l| !is_page_noise(l))
        .take(3)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    let r = re(
        &TITLE_RE,
        r"(关于[^。，；\n]{2,60}?(?:实施意见|实施方案|工作方案|通知|方案|意见|计划))|((?:开展|实施|创建)[^。，；\n]{2,40}?(?:实施意见|实施方案|工作方案|方案|计划))",
    );
    let candidate = found
        .map(|i| lines[i].trim().to_string())
        .or_else(|| r.find(&head).map(|m| m.as_str().to_string()))
        .or_else(|| {
            // A short first line without sentence punctuation (a title of another kind).
            let (i, first) = lines.iter().enumerate().find(|(_, l)| !is_page_noise(l))?;
            let plain = first.chars().count() <= 40
                && !first.contains(['。', '，', '；', '：', ':', ','])
                && heading(first, None).is_none();
            plain.then(|| {
                found = Some(i);
                first.trim().to_string()
            })
        })
        .unwrap_or_default();
    if !candidate.is_empty() && !is_fragment(&candidate) {
        return (found, candidate);
    }
    if candidate.is_empty() {
        return (None, String::new());
    }
    (found, made_title(&candidate, &head))
}

/// Builds the outline of a normalised document.
pub fn outline(text: &str) -> Outline {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let (title_line, title) = find_title(&lines);
    let mut preamble = String::new();
    // Stack of open sections; closed ones are folded into their parent.
    let mut stack: Vec<Section> = Vec::new();
    let mut roots: Vec<Section> = Vec::new();
    let mut last_l3: Option<u64> = None;
    for (i, line) in lines.iter().enumerate() {
        // The title line and the page noise above it are not part of the body.
        if title_line.is_some_and(|t| i <= t) {
            continue;
        }
        match heading(line, last_l3) {
            Some((level, number, rest)) => {
                while stack.last().is_some_and(|s| s.level >= level) {
                    close(&mut stack, &mut roots);
                }
                if level <= 2 {
                    last_l3 = None;
                }
                if level == 3 {
                    last_l3 = number.parse().ok();
                }
                let (title, text) = split_title(&rest);
                stack.push(Section {
                    number,
                    level,
                    title,
                    text,
                    children: vec![],
                    full: rest.trim().to_string(),
                });
            }
            None => match stack.last_mut() {
                Some(s) => {
                    if !s.text.is_empty() {
                        s.text.push('\n');
                    }
                    s.text.push_str(line);
                    s.full.push('\n');
                    s.full.push_str(line);
                }
                None => {
                    if !preamble.is_empty() {
                        preamble.push('\n');
                    }
                    preamble.push_str(line);
                }
            },
        }
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    Outline {
        title,
        preamble,
        sections: roots,
    }
}

/// Pops the top section, splits its 一是… items, and attaches it to its parent.
fn close(stack: &mut Vec<Section>, roots: &mut Vec<Section>) {
    let Some(mut s) = stack.pop() else { return };
    let (intro, items) = enumerate(&s.text);
    if !items.is_empty() {
        s.text = intro;
        for (marker, body) in items {
            let (title, _) = split_title(&body);
            s.children.push(Section {
                number: marker,
                level: 5,
                title,
                full: body.clone(),
                text: body,
                children: vec![],
            });
        }
    }
    match stack.last_mut() {
        Some(parent) => parent.children.push(s),
        None => roots.push(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(s: &[Section]) -> Vec<String> {
        s.iter().map(|x| x.number.clone()).collect()
    }

    #[test]
    fn four_levels_and_items_nest() {
        let o = outline("关于开展示范创建的实施方案\n为做好工作，制定本方案。\n一、总体要求\n（一）指导思想。坚持标准。\n（二）目标任务。一是建强班子。二是配强队伍，做好培训。\n二、工作措施\n1.抓好学习。每月学习。\n（1）集中学。要求如下。\n2、抓好宣传");
        assert_eq!(o.title, "关于开展示范创建的实施方案");
        assert_eq!(o.preamble, "为做好工作，制定本方案。");
        assert_eq!(numbers(&o.sections), vec!["一", "二"]);
        let first = &o.sections[0];
        assert_eq!(first.title, "总体要求");
        assert_eq!(numbers(&first.children), vec!["（一）", "（二）"]);
        assert_eq!(first.children[0].title, "指导思想");
        let items = &first.children[1].children;
        assert_eq!(numbers(items), vec!["一是", "二是"]);
        assert_eq!(items[0].title, "建强班子");
        let second = &o.sections[1];
        assert_eq!(numbers(&second.children), vec!["1", "2"]);
        assert_eq!(numbers(&second.children[0].children), vec!["（1）"]);
    }

    #[test]
    fn missing_bracket_missing_separator_and_skipped_numbers_are_tolerated() {
        let o = outline("一、主要任务\n一)围绕中心工作。内容。\n1把创先争优活动融入中心工作。\n2个社区要建成示范点。\n4、强化保障。\n二、组织领导");
        let first = &o.sections[0];
        assert_eq!(numbers(&first.children), vec!["（一）"]);
        let l3 = &first.children[0].children;
        assert_eq!(
            numbers(l3),
            vec!["1", "4"],
            "2个… is a quantity, not heading 2"
        );
        assert!(l3[0].text.contains("2个社区"));
        assert_eq!(o.sections[1].title, "组织领导");
    }

    #[test]
    fn the_title_is_the_documents_own_line_below_page_noise() {
        let o = outline("首页 > 工作方案 > 正文\n-相关推荐\n发布时间：2024-03-12 来源：网络\n某镇关于开展创先争优活动的实施方案\n为推动工作，制定本方案。\n一、总体要求");
        assert_eq!(o.title, "某镇关于开展创先争优活动的实施方案");
        assert_eq!(
            o.preamble, "为推动工作，制定本方案。",
            "noise above the title is dropped"
        );
        let o = outline("乡镇的创先争优工作方案\n某镇创先争优活动实施方案（试行）\n各党支部：\n为推动工作，制定本方案。\n一、总体要求");
        assert_eq!(
            o.title, "某镇创先争优活动实施方案（试行）",
            "the last title line wins"
        );
    }

    #[test]
    fn a_fragment_is_never_the_title() {
        let o = outline("为深入开展创先争优活动，结合我镇开展情况制定如下实施方案。\n一、总体要求");
        assert_eq!(o.title, "创先争优活动实施方案");
        let o = outline("-相关推荐\n乡镇的创先争优工作方案\n为推动创先争优活动常态化，决定在全镇深入开展创先争优活动，现制定本方案。\n一、总体要求");
        assert_eq!(o.title, "创先争优活动工作方案");
        assert!(o.preamble.starts_with("为推动"), "{}", o.preamble);
        for f in [
            "开展情况制定如下实施方案",
            "-相关推荐",
            "乡镇的创先争优工作方案",
            "的实施方案",
        ] {
            assert!(is_fragment(f), "{f}");
        }
        for t in [
            "关于实施“立行先锋”计划的通知",
            "乡镇基层党建示范点创建工作方案",
        ] {
            assert!(!is_fragment(t), "{t}");
        }
        let o = outline("为开展如下活动，制定如下实施方案。\n一、总体要求");
        assert_eq!(
            o.title, "",
            "a made title that would be a fragment is left empty"
        );
    }

    #[test]
    fn items_need_to_start_at_one_and_follow_punctuation() {
        let (intro, items) = enumerate("要做到：一是学习。二是实践。三是总结。");
        assert_eq!(intro, "要做到：");
        assert_eq!(items.len(), 3);
        let (_, none) = enumerate("统一是前提，二是后话");
        assert!(none.is_empty());
    }
}
