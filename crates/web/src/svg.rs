//! Charts drawn on the server as SVG: no script, prints well, readable on a phone.

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart: one row per `(label, value)`.
pub fn bar_chart(title: &str, rows: &[(String, i64)]) -> String {
    let row_h = 28;
    let label_w = 150;
    let bar_w = 200;
    let width = label_w + bar_w + 60;
    let height = 30 + row_h * rows.len().max(1);
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let mut out = format!(
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title><text x="0" y="16" class="chart-title">{t}</text>"#,
        t = escape(title)
    );
    if rows.is_empty() {
        out.push_str(r#"<text x="0" y="46" class="chart-label">暂无数据</text>"#);
    }
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = 30 + i * row_h;
        let w = ((*value as f64 / max as f64) * bar_w as f64).round() as i64;
        let short: String = label.chars().take(10).collect();
        out.push_str(&format!(
            r#"<text x="{lx}" y="{ty}" text-anchor="end" class="chart-label">{l}</text><rect x="{bx}" y="{ry}" width="{w}" height="18" rx="3" class="chart-bar"><title>{full}：{value}</title></rect><text x="{vx}" y="{ty}" class="chart-value">{value}</text>"#,
            lx = label_w - 6,
            ty = y + 14,
            l = escape(&short),
            full = escape(label),
            bx = label_w,
            ry = y + 1,
            vx = label_w as i64 + w + 6,
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_labels_are_escaped() {
        let svg = bar_chart("党员数", &[("甲<镇>".into(), 50), ("乙镇".into(), 25)]);
        assert!(svg.contains(r#"width="200""#));
        assert!(svg.contains(r#"width="100""#));
        assert!(svg.contains("甲&lt;镇&gt;"));
        assert!(!svg.contains("甲<镇>"));
    }

    #[test]
    fn empty_chart_says_so() {
        assert!(bar_chart("x", &[]).contains("暂无数据"));
    }
}
