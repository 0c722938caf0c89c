//! `--format text`: a readable outline for a terminal.

use std::fmt::Write;

use crate::{Plan, Section};

/// 1 → 一 … 99 → 九十九 (for item markers).
pub fn cn_number(n: u64) -> Option<String> {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => Some(D[n as usize].to_string()),
        10..=19 => Some(format!("十{}", D[(n % 10) as usize])),
        20..=99 => Some(format!(
            "{}十{}",
            D[(n / 10) as usize],
            D[(n % 10) as usize]
        )),
        _ => None,
    }
}

fn section(out: &mut String, s: &Section, depth: usize) {
    let _ = writeln!(out, "{}{} {}", "  ".repeat(depth), s.number, s.title);
    for c in &s.children {
        section(out, c, depth + 1);
    }
}

pub fn text(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "标题：{}\n\n【提纲】",
        if plan.title.is_empty() {
            "（未识别）"
        } else {
            &plan.title
        }
    );
    for s in &plan.sections {
        section(&mut out, s, 0);
    }
    let _ = writeln!(out, "\n【目标】{}项", plan.targets.len());
    for t in &plan.targets {
        let range = t.quantity_max.map(|m| format!("–{m}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  [{}] {} {} {}{}{} — {}",
            t.path.join(" "),
            t.subject,
            t.comparator,
            t.quantity,
            range,
            t.unit,
            t.text
        );
    }
    let _ = writeln!(out, "\n【频次】{}项", plan.cadences.len());
    for c in &plan.cadences {
        let _ = writeln!(
            out,
            "  [{}] {}：每{} {} {}次 — {}",
            c.path.join(" "),
            c.action,
            period_cn(c.period),
            c.comparator,
            c.times,
            c.text
        );
    }
    let _ = writeln!(out, "\n【阶段】{}个", plan.phases.len());
    for p in &plan.phases {
        let _ = writeln!(
            out,
            "  {}（{} — {}）",
            p.name,
            p.start.as_deref().unwrap_or("?"),
            p.end.as_deref().unwrap_or("?")
        );
    }
    let _ = writeln!(out, "\n【评价标准】{}组", plan.criteria.len());
    for c in &plan.criteria {
        let _ = writeln!(out, "  {}：{}", c.name, c.items.join("、"));
    }
    let _ = writeln!(out, "\n【责任单位】{}处", plan.responsible.len());
    for r in &plan.responsible {
        let _ = writeln!(out, "  [{}] {}", r.path.join(" "), r.units.join("、"));
    }
    let _ = writeln!(out, "\n【措施】{}项", plan.measures.len());
    for m in &plan.measures {
        let _ = writeln!(
            out,
            "  [{}] {}{}{}",
            m.path.join(" "),
            m.text.lines().next().unwrap_or(""),
            if m.units.is_empty() {
                String::new()
            } else {
                format!(" 〔{}〕", m.units.join("、"))
            },
            m.deadline
                .as_deref()
                .map(|d| format!(" 期限：{d}"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(out, "\n【名额】{}项", plan.quotas.len());
    for q in &plan.quotas {
        let amount = match (q.count, q.percent) {
            (Some(n), _) => format!("{n}{}", if q.subject == "org" { "个" } else { "名" }),
            (None, Some(p)) => format!("{p}%"),
            _ => "?".into(),
        };
        let _ = writeln!(
            out,
            "  [{}] {}{}（{}）{} — {}",
            q.path.join(" "),
            q.level.as_deref().unwrap_or(""),
            q.name,
            if q.subject == "org" {
                "组织"
            } else {
                "党员"
            },
            amount,
            q.text
        );
    }
    let _ = writeln!(out, "\n【非目标】{}项", plan.ignored.len());
    for i in &plan.ignored {
        let _ = writeln!(out, "  [{}] {} — {}", i.path.join(" "), i.text, i.why);
    }
    out
}

pub fn period_cn(p: &str) -> &'static str {
    match p {
        "week" => "周",
        "month" => "月",
        "quarter" => "季度",
        "half_year" => "半年",
        _ => "年",
    }
}
