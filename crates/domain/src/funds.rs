//! 经费 (funds): budget lines per organisation and year (财政预算, 党费返还, 专项) and spending
//! against them. Amounts are integer fen; a spend beyond its line's balance is refused; the
//! ledger is append-only and a mistake is undone by a reversal (冲正).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::org::labelled_enum;
use crate::text::normalize;
use crate::Invalid;

labelled_enum!(
    /// Where a budget line's money comes from.
    FundSource {
        Budget => "财政预算",
        DuesReturn => "党费返还",
        Special => "专项",
    }
);

labelled_enum!(
    /// One entry of a line's ledger.
    FundEntryKind {
        Spend => "支出",
        Reversal => "冲正",
    }
);

/// The largest amount one entry may carry: 1 亿元.
pub const MAX_FEN: i64 = 10_000_000_000;

/// `12`, `12.5`, `12.50`, `1,200.00`, `¥12` (yuan) → fen. Negative, zero, more than two
/// decimals or more than `MAX_FEN` are refused.
pub fn parse_yuan(raw: &str) -> Option<i64> {
    let t = normalize(raw);
    let t = t
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .replace(',', "");
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w.to_string(), f.to_string()),
        None => (t.clone(), String::new()),
    };
    if whole.is_empty()
        || frac.len() > 2
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || whole.len() > 12
    {
        return None;
    }
    let yuan: i64 = whole.parse().ok()?;
    let fen: i64 = format!("{frac:0<2}").parse().ok()?;
    let total = yuan.checked_mul(100)?.checked_add(fen)?;
    (total > 0 && total <= MAX_FEN).then_some(total)
}

/// fen → `1,234.50`.
pub fn fmt_fen(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    let yuan = (a / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", a % 100)
}

fn amount(c: &mut Collector, raw: &str) -> i64 {
    parse_yuan(raw).unwrap_or_else(|| {
        c.push(
            "amount",
            "金额",
            format!(
                "请填写大于 0 的金额（元，最多两位小数），“{}”不行",
                raw.trim()
            ),
        );
        0
    })
}

fn text(c: &mut Collector, field: &str, label: &str, raw: &str, max: usize) -> String {
    let t = normalize(raw);
    let n = t.chars().count();
    if n < 2 || n > max {
        c.push(field, label, format!("请填写 2–{max} 字（现为 {n} 字）"));
    }
    t
}

/// Raw input of a budget line.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BudgetInput {
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetDraft {
    pub source: FundSource,
    pub year: i32,
    pub title: String,
    pub amount_fen: i64,
}

impl BudgetInput {
    pub fn validate(&self, today: NaiveDate) -> Result<BudgetDraft, Invalid> {
        let mut c = Collector::default();
        let source = FundSource::parse(&self.source).unwrap_or_else(|| {
            c.push("source", "经费来源", "请选择财政预算、党费返还或专项");
            FundSource::Budget
        });
        let this = chrono::Datelike::year(&today);
        let year = match normalize(&self.year).parse::<i32>() {
            Ok(y) if (this - 1..=this + 1).contains(&y) => y,
            _ => {
                c.push("year", "年度", format!("须为 {}–{} 年", this - 1, this + 1));
                this
            }
        };
        let title = text(&mut c, "title", "预算项目", &self.title, 60);
        let amount_fen = amount(&mut c, &self.amount);
        c.finish(BudgetDraft {
            source,
            year,
            title,
            amount_fen,
        })
    }
}

/// Raw input of a spending record.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SpendInput {
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub purpose: String,
    /// The receipt's number (凭证号).
    #[serde(default)]
    pub receipt: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendDraft {
    pub day: NaiveDate,
    pub amount_fen: i64,
    pub purpose: String,
    pub receipt: String,
}

impl SpendInput {
    pub fn validate(&self, today: NaiveDate) -> Result<SpendDraft, Invalid> {
        let mut c = Collector::default();
        let day = match crate::date::parse(&self.day) {
            Some(d) if d <= today => d,
            _ => {
                c.push("day", "支出日期", "请填写今天或以前的日期");
                today
            }
        };
        let amount_fen = amount(&mut c, &self.amount);
        let purpose = text(&mut c, "purpose", "用途", &self.purpose, 200);
        let receipt = text(&mut c, "receipt", "凭证号", &self.receipt, 40);
        c.finish(SpendDraft {
            day,
            amount_fen,
            purpose,
            receipt,
        })
    }
}

/// Whether spending `amount` fits the line: `budget − spent ≥ amount`.
pub fn fits(budget: i64, spent: i64, amount: i64) -> bool {
    amount > 0 && budget - spent >= amount
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn yuan_are_read_into_fen() {
        assert_eq!(parse_yuan("12"), Some(1200));
        assert_eq!(parse_yuan("12.5"), Some(1250));
        assert_eq!(parse_yuan("￥1,200.05元"), Some(120005));
        for bad in ["", "0", "-3", "1.234", "abc", "1e5", "100000000.01"] {
            assert_eq!(parse_yuan(bad), None, "{bad}");
        }
        assert_eq!(fmt_fen(123456789), "1,234,567.89");
        assert_eq!(fmt_fen(-5), "-0.05");
    }

    #[test]
    fn a_spend_names_every_bad_field() {
        let e = SpendInput::default()
            .validate("2026-06-01".parse().unwrap())
            .unwrap_err();
        for f in ["day", "amount", "purpose", "receipt"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
    }

    proptest! {
        #[test]
        fn fen_print_and_read_back(fen in 1i64..=MAX_FEN) {
            prop_assert_eq!(parse_yuan(&fmt_fen(fen)), Some(fen));
        }

        #[test]
        fn a_spend_fits_exactly_when_the_balance_covers_it(budget in 0i64..1_000_000, spent in 0i64..1_000_000, amount in 1i64..1_000_000) {
            prop_assume!(spent <= budget);
            prop_assert_eq!(fits(budget, spent, amount), budget - spent >= amount);
        }
    }
}
