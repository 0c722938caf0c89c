//! Normalisation of typed and imported text: full-width ASCII to half-width, ideographic
//! spaces, surrounding white space; and how a person's name shows on a public page.

/// Converts full-width ASCII variants (`１２３ＡＢＣ`) to half-width and the ideographic space
/// to a plain space, then trims. Chinese characters are left as they are.
pub fn normalize(input: &str) -> String {
    let mapped: String = input
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    mapped.trim().to_string()
}

/// Normalises and removes every white space inside (for ID numbers and phone numbers).
pub fn compact(input: &str) -> String {
    normalize(input)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// How a person's name shows on a public page (the rule `public_name_mask`): one rule for
/// every page a visitor without an account can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMask {
    /// 张三丰 (rule value 0).
    Full,
    /// 张* (1, the default): the surname and one star, so not even the length shows.
    Surname,
    /// 张*丰 (2): the first and last character, a star for each one between.
    FirstLast,
}

impl NameMask {
    /// The mask a stored rule value names; anything unknown masks (the safe side).
    pub fn from_rule(value: i64) -> NameMask {
        match value {
            0 => NameMask::Full,
            2 => NameMask::FirstLast,
            _ => NameMask::Surname,
        }
    }
}

/// Two-character surnames (复姓): the whole surname stays, the given name goes.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "司空", "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门", "百里", "呼延", "万俟",
    "澹台", "公冶", "太史", "申屠", "闻人", "赫连", "拓跋", "第五", "鲜于", "闾丘", "濮阳", "淳于",
    "单于", "公羊", "左丘", "东郭", "子车", "谷梁", "宰父", "乐正",
];

/// The surname of a Chinese name: a listed compound surname, else the first character.
fn surname_len(chars: &[char]) -> usize {
    let two: String = chars.iter().take(2).collect();
    if chars.len() > 2 && COMPOUND_SURNAMES.contains(&two.as_str()) {
        2
    } else {
        1
    }
}

/// `name` as a public page shows it under `rule`. Outside spaces are dropped first; a
/// one-character name is a single star under any masking rule.
pub fn mask_name(name: &str, rule: NameMask) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    if rule == NameMask::Full {
        return chars.into_iter().collect();
    }
    match chars.len() {
        0 => String::new(),
        1 => "*".to_string(),
        2 => format!("{}*", chars[0]),
        n => match rule {
            NameMask::FirstLast => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
            _ => {
                let keep: String = chars[..surname_len(&chars)].iter().collect();
                format!("{keep}*")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_default_keeps_the_surname_and_one_star() {
        let rule = NameMask::from_rule(1);
        assert_eq!(mask_name("张三", rule), "张*");
        assert_eq!(mask_name("雷锋", rule), "雷*");
        assert_eq!(mask_name("李秀英", rule), "李*");
        assert_eq!(mask_name("欧阳建国", rule), "欧阳*");
        assert_eq!(mask_name("欧阳", rule), "欧*");
        assert_eq!(mask_name("阿依古丽·买买提", rule), "阿*");
        assert_eq!(mask_name(" 王 ", rule), "*");
        assert_eq!(mask_name("", rule), "");
    }

    #[test]
    fn first_and_last_and_full_names_when_the_county_chooses_them() {
        assert_eq!(mask_name("张三", NameMask::FirstLast), "张*");
        assert_eq!(mask_name("欧阳建国", NameMask::FirstLast), "欧**国");
        assert_eq!(mask_name(" 欧阳建国", NameMask::Full), "欧阳建国");
        assert_eq!(NameMask::from_rule(0), NameMask::Full);
        assert_eq!(NameMask::from_rule(2), NameMask::FirstLast);
        assert_eq!(NameMask::from_rule(7), NameMask::Surname);
    }

    proptest! {
        /// A masked name never shows the given name: only the surname survives, then a star.
        #[test]
        fn a_masked_name_is_the_surname_and_a_star(name in "[\\u{4e00}-\\u{9fa5}]{2,6}") {
            let shown = mask_name(&name, NameMask::Surname);
            prop_assert!(shown.ends_with('*'));
            let kept = shown.trim_end_matches('*');
            prop_assert!(name.starts_with(kept));
            prop_assert!(kept.chars().count() < name.chars().count());
            prop_assert!(kept.chars().count() <= 2);
        }
    }

    #[test]
    fn full_width_digits_and_letters_become_half_width() {
        assert_eq!(normalize("　１２３ＡＢｃ　"), "123ABc");
    }

    #[test]
    fn chinese_text_is_kept() {
        assert_eq!(normalize(" 张三 "), "张三");
    }

    #[test]
    fn compact_removes_inner_spaces_and_dashes() {
        assert_eq!(compact("138 0013-8000"), "13800138000");
    }
}
