//! The monthly bulletin as files: a Word document (title, summary, ranking table, overdue
//! tasks, open problems, commended organisations) and a workbook with the same tables.

use docx_rs::{
    AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow, WidthType,
};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use xianfeng_domain::campaign::fmt_quantity;
use xianfeng_store::campaigns::bulletin::Bulletin;

use crate::AppError;

/// The summary lines shared by every form of the bulletin.
pub fn summary_lines(b: &Bulletin) -> Vec<String> {
    let mut out = vec![format!(
        "本月共开展督查{}次，发现问题{}个，整改销号{}个；截至月底未销号问题{}个，其中逾期未整改{}个。",
        b.inspections,
        b.problems_raised,
        b.problems_closed,
        b.open_problems.len(),
        b.overdue_problems
    )];
    out.extend(b.life_lines().into_iter().map(|l| format!("本月{l}")));
    for c in &b.campaigns {
        out.push(format!(
            "“{}”：{}/{}项指标已完成（{}%），逾期{}项。",
            c.title,
            c.overall.done,
            c.overall.assigned,
            c.overall.pct(),
            c.overdue.len()
        ));
    }
    if !b.commended.is_empty() {
        out.push(format!("本月{}个组织获得表彰。", b.commended.len()));
    }
    out
}

fn font() -> RunFonts {
    RunFonts::new()
        .east_asia("仿宋_GB2312")
        .ascii("仿宋_GB2312")
        .hi_ansi("仿宋_GB2312")
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text).fonts(font()).size(28))
}

fn heading(text: &str) -> Paragraph {
    Paragraph::new().add_run(
        Run::new()
            .add_text(text)
            .fonts(RunFonts::new().east_asia("黑体").ascii("黑体"))
            .size(32)
            .bold(),
    )
}

fn table(head: &[&str], rows: &[Vec<String>]) -> Table {
    let cell = |t: &str, bold: bool| {
        let mut r = Run::new().add_text(t).fonts(font()).size(21);
        if bold {
            r = r.bold();
        }
        TableCell::new().add_paragraph(Paragraph::new().add_run(r))
    };
    let mut out = vec![TableRow::new(head.iter().map(|h| cell(h, true)).collect())];
    for r in rows {
        out.push(TableRow::new(r.iter().map(|t| cell(t, false)).collect()));
    }
    Table::new(out).width(9000, WidthType::Dxa)
}

/// Rows of each table, shared by the .docx and the .xlsx.
pub struct Tables {
    pub ranking: (Vec<&'static str>, Vec<Vec<String>>),
    pub overdue: (Vec<&'static str>, Vec<Vec<String>>),
    pub problems: (Vec<&'static str>, Vec<Vec<String>>),
    pub commended: (Vec<&'static str>, Vec<Vec<String>>),
}

pub fn tables(b: &Bulletin) -> Tables {
    let mut ranking = Vec::new();
    let mut overdue = Vec::new();
    for c in &b.campaigns {
        for (i, (name, s)) in c.ranking.iter().enumerate() {
            ranking.push(vec![
                c.title.clone(),
                (i + 1).to_string(),
                name.clone(),
                format!("{}/{}", s.done, s.assigned),
                format!("{}%", s.pct()),
            ]);
        }
        for s in &c.overdue {
            overdue.push(vec![
                c.title.clone(),
                s.org_name.clone(),
                s.task.clone(),
                s.target.clone(),
                s.value.map(fmt_quantity).unwrap_or_else(|| "未报送".into()),
            ]);
        }
    }
    let problems = b
        .open_problems
        .iter()
        .map(|p| {
            vec![
                p.org_name.clone(),
                p.description.clone(),
                p.deadline.to_string(),
                p.status.label().to_string(),
                if p.level > 0 {
                    format!("第{}级", p.level)
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let commended = b
        .commended
        .iter()
        .map(|t| vec![t.org_name.clone(), t.title.clone(), t.granted_on.clone()])
        .collect();
    Tables {
        ranking: (vec!["活动", "名次", "组织", "完成", "完成率"], ranking),
        overdue: (vec!["活动", "单位", "任务", "目标", "已完成"], overdue),
        problems: (
            vec!["责任单位", "问题", "整改期限", "状态", "升级"],
            problems,
        ),
        commended: (vec!["组织", "称号", "日期"], commended),
    }
}

/// The bulletin as a Word document.
pub fn docx(b: &Bulletin) -> Result<Vec<u8>, AppError> {
    let t = tables(b);
    let mut d = Docx::new().add_paragraph(
        Paragraph::new().align(AlignmentType::Center).add_run(
            Run::new()
                .add_text(&b.title)
                .fonts(
                    RunFonts::new()
                        .east_asia("方正小标宋简体")
                        .ascii("方正小标宋简体"),
                )
                .size(44),
        ),
    );
    d = d.add_paragraph(heading("一、总体情况"));
    for l in summary_lines(b) {
        d = d.add_paragraph(para(&l));
    }
    let sections = [
        ("二、排名情况", &t.ranking),
        ("三、逾期任务", &t.overdue),
        ("四、未销号问题", &t.problems),
        ("五、表彰先进", &t.commended),
    ];
    for (title, (head, rows)) in sections {
        d = d.add_paragraph(heading(title));
        if rows.is_empty() {
            d = d.add_paragraph(para("无。"));
        } else {
            d = d.add_table(table(head, rows));
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build()
        .pack(&mut out)
        .map_err(|e| AppError::Internal(format!("生成Word文件失败：{e}")))?;
    Ok(out.into_inner())
}

fn xlsx_err(e: XlsxError) -> AppError {
    AppError::Internal(format!("生成Excel文件失败：{e}"))
}

/// The bulletin's tables as a workbook, one sheet each, with the summary first.
pub fn xlsx(b: &Bulletin) -> Result<Vec<u8>, AppError> {
    let t = tables(b);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let summary = wb.add_worksheet().set_name("总体情况").map_err(xlsx_err)?;
    summary
        .write_string_with_format(0, 0, &b.title, &bold)
        .map_err(xlsx_err)?;
    for (i, l) in summary_lines(b).iter().enumerate() {
        summary.write_string(i as u32 + 2, 0, l).map_err(xlsx_err)?;
    }
    summary.set_column_width(0, 100).map_err(xlsx_err)?;
    for (name, (head, rows)) in [
        ("排名", &t.ranking),
        ("逾期任务", &t.overdue),
        ("未销号问题", &t.problems),
        ("表彰", &t.commended),
    ] {
        let ws = wb.add_worksheet().set_name(name).map_err(xlsx_err)?;
        for (j, h) in head.iter().enumerate() {
            ws.write_string_with_format(0, j as u16, *h, &bold)
                .map_err(xlsx_err)?;
            ws.set_column_width(j as u16, 24).map_err(xlsx_err)?;
        }
        for (i, r) in rows.iter().enumerate() {
            for (j, v) in r.iter().enumerate() {
                ws.write_string(i as u32 + 1, j as u16, v)
                    .map_err(xlsx_err)?;
            }
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}
