//! Cleaning real documents: traditional → simplified, full-width digits and letters →
//! half-width, pinyin annotations (`鄉(xiāng)`) removed, web noise (`##paidbegin##`,
//! 相关推荐/相关文章 link lists, 上一篇…) cut, a summary line repeated before the body dropped,
//! spaces inside Chinese text removed. Paragraphs are kept one per line.

use std::sync::OnceLock;

use regex::Regex;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid pattern"))
}

fn width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF10}'..='\u{FF19}'
        | '\u{FF21}'..='\u{FF3A}'
        | '\u{FF41}'..='\u{FF5A}'
        | '\u{FF05}'
        | '\u{FF0E}'
        | '\u{FF0B}'
        | '\u{FF0D}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '(' => '（',
        ')' => '）',
        '\u{00A0}' | '\t' => ' ',
        _ => c,
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xFF00..=0xFFEF | 0x2018..=0x201F)
}

/// Lines that start the trailing link lists of web pages.
const TAIL_MARKERS: [&str; 4] = ["相关推荐", "相关文章", "相关阅读", "猜你喜欢"];
const NOISE_LINES: [&str; 7] = [
    "上一篇",
    "下一篇",
    "责任编辑",
    "扫一扫",
    "分享到",
    "打印本页",
    "关闭窗口",
];

pub fn normalize(raw: &str) -> String {
    static PINYIN: OnceLock<Regex> = OnceLock::new();
    static MARKER: OnceLock<Regex> = OnceLock::new();
    let simplified = fast2s::convert(raw);
    let no_pinyin = re(
        &PINYIN,
        r"(\p{Han})\s*[（(]\s*[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}\s*[)）]",
    )
    .replace_all(&simplified, "$1");
    let no_markers = re(&MARKER, r"##[A-Za-z]{2,20}##").replace_all(&no_pinyin, "");
    let text: String = no_markers.chars().map(width).collect();

    let mut lines: Vec<String> = Vec::new();
    let mut body_seen = false;
    for line in text.lines() {
        let line = squeeze(line);
        if line.is_empty() {
            continue;
        }
        let bare = line.trim_start_matches(['-', '—', '·', '|', '>', '»', '*', ' ']);
        if TAIL_MARKERS.iter().any(|m| bare.starts_with(m)) {
            // Below the body a link list ends the document; above it (a page's navigation)
            // the line alone is noise.
            if body_seen {
                break;
            }
            continue;
        }
        if NOISE_LINES.iter().any(|m| bare.starts_with(m)) {
            continue;
        }
        body_seen |= line.chars().count() > 40 || line.ends_with('。');
        lines.push(line);
    }
    drop_repeated_summary(&mut lines);
    lines.join("\n")
}

/// Removes spaces next to Chinese characters and collapses runs of spaces.
fn squeeze(line: &str) -> String {
    let chars: Vec<char> = line.trim().chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars.get(i + 1).copied();
            if prev.is_none_or(|p| p == ' ' || is_cjk(p)) || next.is_none_or(is_cjk) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// A summary line (a web page's abstract) repeated before the body: an early line that the
/// start of a later line repeats is dropped.
fn drop_repeated_summary(lines: &mut Vec<String>) {
    let mut i = 0;
    while i < lines.len().min(3) {
        let head = lines[i].trim_end_matches(['…', '.', '。']).to_string();
        let repeated =
            head.chars().count() >= 20 && lines[i + 1..].iter().any(|l| l.starts_with(&head));
        if repeated {
            lines.remove(i);
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_full_width_and_pinyin_are_cleaned() {
        assert_eq!(
            normalize("鄉(xiāng)鎮(zhèn)黨委　２０２４年"),
            "乡镇党委2024年"
        );
        assert_eq!(normalize("(一)加強組織建設"), "（一）加强组织建设");
    }

    #[test]
    fn web_noise_and_trailing_link_lists_are_cut() {
        let t = normalize("一、总体要求\n##paidbegin##坚持标准。##paidend##\n上一篇：某文章\n相关推荐\n某某链接一\n某某链接二");
        assert_eq!(t, "一、总体要求\n坚持标准。");
    }

    #[test]
    fn a_link_list_marker_above_the_body_is_dropped_not_the_document() {
        let t = normalize("-相关推荐\n相关推荐\n某镇实施方案\n一、总体要求\n坚持标准。");
        assert_eq!(t, "某镇实施方案\n一、总体要求\n坚持标准。");
    }

    #[test]
    fn a_summary_repeated_before_the_body_is_dropped() {
        let body =
            "为进一步加强基层党组织建设，推动党支部标准化规范化建设，现制定如下方案。具体如下";
        let summary = "为进一步加强基层党组织建设，推动党支部标准化规范化建设…";
        let t = normalize(&format!("{summary}\n{body}"));
        assert_eq!(t, body);
    }

    #[test]
    fn spaces_next_to_chinese_are_removed_but_kept_between_latin_words() {
        assert_eq!(
            normalize("强化理论武装 ，争做 先锋 of the year"),
            "强化理论武装，争做先锋of the year"
        );
    }
}
