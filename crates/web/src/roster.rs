//! Roster import and export (.xlsx): the template with dropdowns, the parser (outside input:
//! fuzzed, never panics), the all-or-nothing import, and the subtree export.

use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook};
use xianfeng_domain::auth::Actor;
use xianfeng_domain::member::{Education, MemberInput, MemberStatus, ETHNICITIES, FIELDS};
use xianfeng_domain::org::Org;
use xianfeng_domain::{date, FieldError, Invalid};
use xianfeng_store::{people::members, people::orgs, settings, Conn, StoreError, Vault};

use crate::sheet::{self, SheetError, SheetLimits};

pub const ORG_COLUMN: &str = "所属党组织";
const SHEET: &str = "党员名册";
const LISTS: &str = "选项";
const REQUIRED: [&str; 5] = [ORG_COLUMN, "姓名", "身份证号", "民族", "入党日期"];

/// Column headers in template order.
pub fn headers() -> Vec<&'static str> {
    std::iter::once(ORG_COLUMN)
        .chain(FIELDS.iter().map(|(_, l)| *l))
        .collect()
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RosterError {
    #[error("文件不是有效的 .xlsx 表格，请使用下载的模板填写后上传")]
    NotXlsx,
    #[error("表格中没有工作表")]
    NoSheet,
    #[error("表头缺少“{0}”列，请使用下载的模板")]
    MissingColumn(String),
    #[error("表格中没有数据行")]
    Empty,
    #[error("文件超过{0}MB，请分批导入")]
    TooLarge(i64),
    /// Past one of the spreadsheet's bounds (expanded size, sheets, rows, columns, a cell).
    #[error(transparent)]
    Bounds(SheetError),
}

impl From<SheetError> for RosterError {
    fn from(e: SheetError) -> Self {
        match e {
            SheetError::NotXlsx => RosterError::NotXlsx,
            SheetError::NoSheet => RosterError::NoSheet,
            other => RosterError::Bounds(other),
        }
    }
}

/// One data row as typed, with its spreadsheet row number (header is row 1).
#[derive(Debug, Clone)]
pub struct RosterRow {
    pub row: usize,
    pub org_name: String,
    pub input: MemberInput,
}

/// One data row of a sheet: its spreadsheet row number and its cells, read by header.
pub struct SheetRow<'h> {
    pub row: usize,
    header: &'h [String],
    cells: Vec<(usize, String)>,
}

impl SheetRow<'_> {
    /// The cell under `header` (its first column of that name), or "" when the column is
    /// absent or empty.
    pub fn get(&self, header: &str) -> String {
        let header = xianfeng_domain::text::normalize(header);
        let Some(col) = self.header.iter().position(|h| *h == header) else {
            return String::new();
        };
        self.cells
            .iter()
            .find(|(c, _)| *c == col)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// Reads the first sheet of an upload (the one reader behind every import), streaming: the
/// first non-blank row is the header, matched by name in any order with `required` columns
/// checked; each non-blank row under it goes to `each` and is not kept here. Refused past
/// any of `limits`.
pub fn read_sheet(
    bytes: &[u8],
    limits: &SheetLimits,
    required: &[&str],
    mut each: impl FnMut(SheetRow<'_>),
) -> Result<(), RosterError> {
    let mut header: Option<Vec<String>> = None;
    let mut any = false;
    sheet::for_each_row(bytes, limits, |r| -> Result<(), RosterError> {
        match &header {
            None => {
                let width = r.cells.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
                let mut names = vec![String::new(); width];
                for (c, v) in r.cells {
                    names[c] = xianfeng_domain::text::normalize(&v);
                }
                for required in required {
                    let wanted = xianfeng_domain::text::normalize(required);
                    if !names.contains(&wanted) {
                        return Err(RosterError::MissingColumn(required.to_string()));
                    }
                }
                header = Some(names);
            }
            Some(names) => {
                let cells: Vec<(usize, String)> = r
                    .cells
                    .into_iter()
                    .filter(|(c, _)| names.get(*c).is_some_and(|h| !h.is_empty()))
                    .collect();
                if !cells.is_empty() {
                    any = true;
                    each(SheetRow {
                        row: r.number,
                        header: names,
                        cells,
                    });
                }
            }
        }
        Ok(())
    })?;
    if !any {
        return Err(RosterError::Empty);
    }
    Ok(())
}

/// Reads a roster upload into members to validate, within the default limits.
pub fn parse(bytes: &[u8]) -> Result<Vec<RosterRow>, RosterError> {
    parse_within(bytes, &SheetLimits::default())
}

/// Reads a roster upload into members to validate, within `limits` (the county's rules).
pub fn parse_within(bytes: &[u8], limits: &SheetLimits) -> Result<Vec<RosterRow>, RosterError> {
    let mut out = Vec::new();
    read_sheet(bytes, limits, &REQUIRED, |r| {
        out.push({
            let mut input = MemberInput::default();
            for (field, label) in FIELDS {
                let v = r.get(label);
                let slot = match field {
                    "name" => &mut input.name,
                    "gender" => &mut input.gender,
                    "ethnicity" => &mut input.ethnicity,
                    "birth_date" => &mut input.birth_date,
                    "id_number" => &mut input.id_number,
                    "phone" => &mut input.phone,
                    "joined_on" => &mut input.joined_on,
                    "full_on" => &mut input.full_on,
                    "status" => &mut input.status,
                    "education" => &mut input.education,
                    "post" => &mut input.post,
                    _ => &mut input.tags,
                };
                *slot = v;
            }
            RosterRow {
                row: r.row,
                org_name: r.get(ORG_COLUMN),
                input,
            }
        })
    })?;
    Ok(out)
}

/// One bad cell: row, column and reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

pub fn row_error(row: usize, e: &FieldError) -> FieldError {
    FieldError {
        field: format!("row{row}.{}", e.field),
        label: format!("第{row}行“{}”", e.label),
        message: e.message.clone(),
    }
}

/// Splits `row12.id_number` style errors back into rows for the report.
pub fn report(e: &Invalid) -> Vec<RowError> {
    e.0.iter()
        .map(|f| {
            let row = f
                .field
                .strip_prefix("row")
                .and_then(|r| r.split('.').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let column = f
                .label
                .split('“')
                .nth(1)
                .map(|s| s.trim_end_matches('”').to_string())
                .unwrap_or_else(|| f.label.clone());
            RowError {
                row,
                column,
                message: f.message.clone(),
            }
        })
        .collect()
}

/// Validates every row and writes them all in the caller's transaction; any bad row fails the
/// whole import (the transaction rolls back) with every problem listed.
pub fn import(
    c: &mut dyn Conn,
    vault: &Vault,
    actor: Option<&Actor>,
    scope: &Org,
    rows: &[RosterRow],
) -> Result<usize, StoreError> {
    let rules = settings::rules(c)?;
    let today = date::today();
    let mut errors: Vec<FieldError> = Vec::new();
    let mut seen_ids: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut org_cache: std::collections::HashMap<String, orgs::Lookup<Org>> =
        std::collections::HashMap::new();
    let mut ready = Vec::new();
    for r in rows {
        let org = match org_cache.get(&r.org_name) {
            Some(found) => found.clone(),
            None => {
                let found = orgs::resolve_branch(c, scope, &r.org_name)?;
                org_cache.insert(r.org_name.clone(), found.clone());
                found
            }
        };
        let org = match org {
            orgs::Lookup::Found(o) => Some(o),
            orgs::Lookup::Missing(m) => {
                errors.push(row_error(r.row, &FieldError::new("org", ORG_COLUMN, m)));
                None
            }
        };
        match r.input.validate(&rules, today, None) {
            Ok(d) => {
                if let Some(first) = seen_ids.insert(d.id_number.clone(), r.row) {
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
            if let Err(e) = members::create(c, vault, actor, org, d) {
                match e {
                    StoreError::Invalid(Invalid(es)) => {
                        errors.extend(es.iter().map(|e| row_error(*row, e)))
                    }
                    other => return Err(other),
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(ready.len())
    } else {
        errors.sort_by_key(|e| {
            e.field
                .trim_start_matches("row")
                .split('.')
                .next()
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0)
        });
        Err(Invalid(errors).into())
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> StoreError {
    StoreError::Db(format!("生成表格失败：{e}"))
}

/// An import template: a data sheet of text-formatted columns, dropdowns fed from a sheet of
/// choices, and a sheet of instructions. Every import (members, residents) is built from one.
pub struct TemplateSpec<'a> {
    pub sheet: &'a str,
    pub headers: &'a [&'a str],
    /// Columns shown wider (names of organisations, ID numbers, addresses).
    pub wide: &'a [&'a str],
    /// `(column, title on the choices sheet, choices)`.
    pub lists: Vec<(&'a str, &'a str, Vec<String>)>,
    pub notes: &'a [&'a str],
}

pub fn template_book(spec: &TemplateSpec<'_>) -> Result<Vec<u8>, StoreError> {
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color("#C00000")
        .set_font_color("#FFFFFF");
    let text = Format::new().set_num_format("@");
    {
        let ws = wb.add_worksheet().set_name(spec.sheet).map_err(xlsx_err)?;
        for (i, h) in spec.headers.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &head)
                .map_err(xlsx_err)?;
            let width = if spec.wide.contains(h) { 22 } else { 12 };
            ws.set_column_width(i as u16, width).map_err(xlsx_err)?;
            ws.set_column_format(i as u16, &text).map_err(xlsx_err)?;
        }
        for (n, (column, _, values)) in spec.lists.iter().enumerate() {
            let Some(col) = spec.headers.iter().position(|h| h == column) else {
                continue;
            };
            let letter = (b'A' + n as u8) as char;
            let formula = format!("={LISTS}!${letter}$2:${letter}${}", values.len().max(1) + 1);
            let dv = DataValidation::new()
                .allow_list_formula(Formula::new(formula))
                .set_error_title("请从下拉列表中选择")
                .map_err(xlsx_err)?;
            ws.add_data_validation(1, col as u16, 5000, col as u16, &dv)
                .map_err(xlsx_err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    }
    {
        let ws = wb.add_worksheet().set_name(LISTS).map_err(xlsx_err)?;
        for (c, (_, title, values)) in spec.lists.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *title, &head)
                .map_err(xlsx_err)?;
            for (r, v) in values.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, v)
                    .map_err(xlsx_err)?;
            }
            ws.set_column_width(c as u16, 22).map_err(xlsx_err)?;
        }
    }
    {
        let ws = wb.add_worksheet().set_name("填写说明").map_err(xlsx_err)?;
        ws.set_column_width(0, 100).map_err(xlsx_err)?;
        for (i, n) in spec.notes.iter().enumerate() {
            ws.write_string(i as u32, 0, *n).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The member import template: a text-formatted ID column, dropdowns for branch, sex,
/// ethnicity, status and education, and a sheet of instructions.
pub fn template(branch_names: &[String]) -> Result<Vec<u8>, StoreError> {
    template_book(&TemplateSpec {
        sheet: SHEET,
        headers: &headers(),
        wide: &[ORG_COLUMN, "身份证号"],
        lists: vec![
            (ORG_COLUMN, "党支部", branch_names.to_vec()),
            ("民族", "民族", ETHNICITIES.iter().map(|s| s.to_string()).collect()),
            ("性别", "性别", vec!["男".into(), "女".into()]),
            (
                "党员类别",
                "党员类别",
                MemberStatus::ALL.iter().map(|s| s.label().to_string()).collect(),
            ),
            (
                "学历",
                "学历",
                Education::ALL.iter().map(|s| s.label().to_string()).collect(),
            ),
        ],
        notes: &[
            "1. 每行一名党员，从第2行开始填写；不要修改第1行表头。",
            "2. “所属党组织”从下拉列表选择党支部全称。",
            "3. “身份证号”为18位，末位可为X；出生日期、性别可留空，系统按身份证号填写，填写时须与身份证号一致。",
            "4. 日期格式：2010-07-01；“党员类别”为正式党员或预备党员，预备党员不填转正日期。",
            "5. 手机号为11位大陆手机号，可留空；标签之间用顿号分隔，例如：老党员、流动党员。",
            "6. 任何一行有误时整表不导入，系统会列出每一个错误的行、列和原因，改正后重新上传。",
        ],
    })
}

/// The roster of a subtree in the import layout (so an export can be corrected and re-imported).
/// `labels` gives each branch's unique (qualified) name, the form the importer reads back.
pub fn export(
    rows: &[(xianfeng_domain::member::Member, String, String)],
    labels: &std::collections::HashMap<i64, String>,
) -> Result<Vec<u8>, StoreError> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold();
    let ws = wb.add_worksheet().set_name(SHEET).map_err(xlsx_err)?;
    for (i, h) in headers().iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &head)
            .map_err(xlsx_err)?;
        ws.set_column_width(
            i as u16,
            if i == 0 || *h == "身份证号" {
                22
            } else {
                12
            },
        )
        .map_err(xlsx_err)?;
    }
    for (r, (m, id_number, phone)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        let values = [
            labels
                .get(&m.org_id)
                .map(String::as_str)
                .unwrap_or(m.org_name.as_str()),
            &m.name,
            &m.gender,
            &m.ethnicity,
            &m.birth_date,
            id_number,
            phone,
            &m.joined_on,
            m.full_on.as_deref().unwrap_or(""),
            &m.status,
            &m.education,
            &m.post,
            &m.tags.join("、"),
        ];
        for (c, v) in values.iter().enumerate() {
            ws.write_string(r, c as u16, *v).map_err(xlsx_err)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    wb.save_to_buffer().map_err(xlsx_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sheet(rows: &[Vec<&str>]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn template_parses_as_empty_with_all_headers() {
        let bytes = template(&["甲村党支部".into()]).unwrap();
        assert_eq!(parse(&bytes).unwrap_err(), RosterError::Empty);
    }

    #[test]
    fn rows_are_read_by_header_name_with_their_row_numbers() {
        let bytes = sheet(&[
            vec!["姓名", "所属党组织", "身份证号", "民族", "入党日期"],
            vec![
                "张三",
                "甲村党支部",
                "11010519491231002X",
                "汉族",
                "1980-07-01",
            ],
            vec![],
            vec!["李四", "乙村党支部", "", "回族", "2001-07-01"],
        ]);
        let rows = parse(&bytes).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].input.name, "张三");
        assert_eq!(rows[0].org_name, "甲村党支部");
        assert_eq!(rows[1].row, 4);
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let bytes = sheet(&[vec!["姓名", "所属党组织"], vec!["张三", "甲村党支部"]]);
        assert_eq!(
            parse(&bytes).unwrap_err(),
            RosterError::MissingColumn("身份证号".into())
        );
    }

    #[test]
    fn other_files_are_refused() {
        assert_eq!(parse(b"name,id\n").unwrap_err(), RosterError::NotXlsx);
        assert_eq!(
            parse(b"PK\x03\x04garbage").unwrap_err(),
            RosterError::NotXlsx
        );
    }

    #[test]
    fn report_splits_rows_and_columns() {
        let e = Invalid(vec![row_error(
            7,
            &FieldError::new("id_number", "身份证号", "校验位不正确"),
        )]);
        assert_eq!(
            report(&e),
            vec![RowError {
                row: 7,
                column: "身份证号".into(),
                message: "校验位不正确".into()
            }]
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_arbitrary_bytes(mut bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = parse(&bytes);
            bytes.splice(0..0, b"PK\x03\x04".iter().copied());
            let _ = parse(&bytes);
        }
    }
}
