//! Resident and household import (.xlsx): the same sheet reader, row report and all-or-nothing
//! rule as the member roster.

use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook};
use xianfeng_domain::auth::Actor;
use xianfeng_domain::household::{ResidentInput, FIELDS, RELATIONS};
use xianfeng_domain::org::Org;
use xianfeng_domain::{FieldError, Invalid};
use xianfeng_store::{households, orgs, Conn, StoreError, Vault};

use crate::roster::{read_sheet, row_error, RosterError};

pub const ORG_COLUMN: &str = "所属村（社区）党组织";
const REQUIRED: [&str; 4] = [ORG_COLUMN, "户主姓名", "家庭住址", "姓名"];

pub struct ResidentRow {
    pub row: usize,
    pub org_name: String,
    pub input: ResidentInput,
}

/// Reads an upload into residents to validate.
pub fn parse(bytes: &[u8]) -> Result<Vec<ResidentRow>, RosterError> {
    Ok(read_sheet(bytes, &REQUIRED)?
        .into_iter()
        .map(|r| {
            let mut input = ResidentInput::default();
            for (field, label) in FIELDS {
                input.set(field, r.get(label));
            }
            ResidentRow {
                row: r.row,
                org_name: r.get(ORG_COLUMN),
                input,
            }
        })
        .collect())
}

/// Validates every row, then adds them all in the caller's transaction; any bad row fails the
/// whole import with every problem listed by row and column.
pub fn import(
    c: &mut dyn Conn,
    vault: &Vault,
    actor: Option<&Actor>,
    scope: &Org,
    rows: &[ResidentRow],
) -> Result<usize, StoreError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut orgs_by_name: std::collections::HashMap<String, Result<Org, String>> =
        std::collections::HashMap::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut ready = Vec::new();
    for r in rows {
        let org = match orgs_by_name.get(&r.org_name) {
            Some(o) => o.clone(),
            None => {
                let o = orgs::resolve_branch(c, scope, &r.org_name)?;
                orgs_by_name.insert(r.org_name.clone(), o.clone());
                o
            }
        };
        let org = match org {
            Ok(o) => Some(o),
            Err(m) => {
                errors.push(row_error(r.row, &FieldError::new("org", ORG_COLUMN, m)));
                None
            }
        };
        match r.input.validate() {
            Ok(d) => {
                let first = d
                    .id_number
                    .as_ref()
                    .and_then(|n| seen.insert(n.clone(), r.row));
                if let Some(first) = first {
                    errors.push(row_error(
                        r.row,
                        &FieldError::new("id_number", "身份证号", format!("与第{first}行重复")),
                    ));
                } else if let Some(o) = org {
                    ready.push((r.row, o, d));
                }
            }
            Err(Invalid(es)) => errors.extend(es.iter().map(|e| row_error(r.row, e))),
        }
    }
    if errors.is_empty() {
        for (row, org, d) in &ready {
            match households::add_resident(c, vault, actor, org, d) {
                Ok(_) => {}
                Err(StoreError::Invalid(Invalid(es))) => {
                    errors.extend(es.iter().map(|e| row_error(*row, e)))
                }
                Err(other) => return Err(other),
            }
        }
    }
    if errors.is_empty() {
        Ok(ready.len())
    } else {
        Err(Invalid(errors).into())
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> StoreError {
    StoreError::Db(format!("生成表格失败：{e}"))
}

/// The import template with dropdowns for the village, relation and sex.
pub fn template(village_names: &[String]) -> Result<Vec<u8>, StoreError> {
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color("#C00000")
        .set_font_color("#FFFFFF");
    let text = Format::new().set_num_format("@");
    let headers: Vec<&str> = std::iter::once(ORG_COLUMN)
        .chain(FIELDS.iter().map(|(_, l)| *l))
        .collect();
    {
        let ws = wb.add_worksheet().set_name("群众名册").map_err(xlsx_err)?;
        for (i, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &head)
                .map_err(xlsx_err)?;
            let wide = matches!(*h, "身份证号" | "家庭住址") || *h == ORG_COLUMN;
            ws.set_column_width(i as u16, if wide { 24 } else { 12 })
                .map_err(xlsx_err)?;
            ws.set_column_format(i as u16, &text).map_err(xlsx_err)?;
        }
        let col = |name: &str| headers.iter().position(|h| *h == name).unwrap_or(0) as u16;
        for (name, letter, n) in [
            (ORG_COLUMN, "A", village_names.len().max(1)),
            ("与户主关系", "B", RELATIONS.len()),
            ("性别", "C", 2),
        ] {
            let dv = DataValidation::new()
                .allow_list_formula(Formula::new(format!(
                    "=选项!${letter}$2:${letter}${}",
                    n + 1
                )))
                .set_error_title("请从下拉列表中选择")
                .map_err(xlsx_err)?;
            ws.add_data_validation(1, col(name), 5000, col(name), &dv)
                .map_err(xlsx_err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    }
    {
        let ws = wb.add_worksheet().set_name("选项").map_err(xlsx_err)?;
        let columns: [(&str, Vec<String>); 3] = [
            ("村（社区）", village_names.to_vec()),
            (
                "与户主关系",
                RELATIONS.iter().map(|s| s.to_string()).collect(),
            ),
            ("性别", vec!["男".into(), "女".into()]),
        ];
        for (c, (title, values)) in columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *title, &head)
                .map_err(xlsx_err)?;
            for (r, v) in values.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, v)
                    .map_err(xlsx_err)?;
            }
            ws.set_column_width(c as u16, 24).map_err(xlsx_err)?;
        }
    }
    {
        let ws = wb.add_worksheet().set_name("填写说明").map_err(xlsx_err)?;
        let notes = [
            "1. 每行一人，从第2行开始填写；同一户的每个人各占一行，户主姓名和家庭住址写法一致。",
            "2. 同一村（社区）内以“家庭住址”区分各户，系统为每户生成积分码。",
            "3. 身份证号、手机号可留空；填写时须有效，性别可按身份证号自动填写。",
            "4. 任何一行有误时整表不导入，系统会列出每一个错误的行、列和原因，改正后重新上传。",
        ];
        ws.set_column_width(0, 100).map_err(xlsx_err)?;
        for (i, n) in notes.iter().enumerate() {
            ws.write_string(i as u32, 0, *n).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}
