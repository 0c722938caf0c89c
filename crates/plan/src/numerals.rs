//! Chinese numerals: 三 → 3, 十五 → 15, 两 → 2, 一百二十 → 120, 4万 → 40000.

pub fn digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Parses Chinese numerals up to 万; `None` for anything else.
pub fn chinese(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut total = 0u64;
    let mut section = 0u64;
    let mut current: Option<u64> = None;
    for c in s.chars() {
        if let Some(d) = digit(c) {
            current = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => {
                section += current.take().unwrap_or(0);
                total += section.max(1) * 10_000;
                section = 0;
                continue;
            }
            _ => return None,
        };
        section += current.take().unwrap_or(1) * unit;
    }
    Some(total + section + current.unwrap_or(0))
}

/// Arabic or Chinese numerals, with an optional trailing 万.
pub fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Some(rest) = s.strip_suffix('万') {
        return number(rest).map(|n| n * 10_000.0);
    }
    if s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return s.parse().ok();
    }
    chinese(s).map(|n| n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_common_forms() {
        for (s, n) in [
            ("三", 3),
            ("十", 10),
            ("十五", 15),
            ("二十", 20),
            ("两", 2),
            ("一百二十", 120),
            ("一千零五", 1005),
            ("三万", 30000),
        ] {
            assert_eq!(chinese(s), Some(n), "{s}");
        }
        assert_eq!(number("4万"), Some(40000.0));
        assert_eq!(number("60"), Some(60.0));
        assert_eq!(number("2.5"), Some(2.5));
        assert_eq!(chinese("先锋"), None);
    }

    fn to_chinese(n: u64) -> String {
        const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        if n < 10 {
            return D[n as usize].into();
        }
        if n < 20 {
            return format!(
                "十{}",
                if n.is_multiple_of(10) {
                    ""
                } else {
                    D[(n % 10) as usize]
                }
            );
        }
        format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                D[(n % 10) as usize]
            }
        )
    }

    proptest! {
        #[test]
        fn round_trips_below_a_hundred(n in 0u64..100) {
            prop_assert_eq!(chinese(&to_chinese(n)), Some(n));
        }

        #[test]
        fn never_panics(s in "\\PC{0,12}") {
            let _ = number(&s);
        }
    }
}
