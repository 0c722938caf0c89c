//! Normalisation of typed and imported text: full-width ASCII to half-width, ideographic
//! spaces, surrounding white space.

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

#[cfg(test)]
mod tests {
    use super::*;

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
