//! Resident and household import (.xlsx): the same sheet reader, row report and all-or-nothing
//! rule as the member roster.

use xianfeng_domain::auth::Actor;
use xianfeng_domain::household::{ResidentInput, FIELDS, RELATIONS};
use xianfeng_domain::org::Org;
use xianfeng_domain::{FieldError, Invalid};
use xianfeng_store::{people::households, people::orgs, Conn, StoreError, Vault};

use crate::roster::{read_sheet, row_error, template_book, RosterError, TemplateSpec};
use crate::sheet::SheetLimits;

pub const ORG_COLUMN: &str = "所属村（社区）党组织";
const REQUIRED: [&str; 4] = [ORG_COLUMN, "户主姓名", "家庭住址", "姓名"];

pub struct ResidentRow {
    pub row: usize,
    pub org_name: String,
    pub input: ResidentInput,
}

/// Reads an upload into residents to validate, within the default limits.
pub fn parse(bytes: &[u8]) -> Result<Vec<ResidentRow>, RosterError> {
    parse_within(bytes, &SheetLimits::default())
}

/// Reads an upload into residents to validate, within `limits` (the county's rules); rows
/// are streamed from the sheet, never held as a sheet.
pub fn parse_within(bytes: &[u8], limits: &SheetLimits) -> Result<Vec<ResidentRow>, RosterError> {
    let mut out = Vec::new();
    read_sheet(bytes, limits, &REQUIRED, |r| {
        let mut input = ResidentInput::default();
        for (field, label) in FIELDS {
            input.set(field, r.get(label));
        }
        out.push(ResidentRow {
            row: r.row,
            org_name: r.get(ORG_COLUMN),
            input,
        });
    })?;
    Ok(out)
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
    let mut orgs_by_name: std::collections::HashMap<String, orgs::Lookup<Org>> =
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
            orgs::Lookup::Found(o) => Some(o),
            orgs::Lookup::Missing(m) => {
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

/// The import template with dropdowns for the village, relation and sex.
pub fn template(village_names: &[String]) -> Result<Vec<u8>, StoreError> {
    let headers: Vec<&str> = std::iter::once(ORG_COLUMN)
        .chain(FIELDS.iter().map(|(_, l)| *l))
        .collect();
    template_book(&TemplateSpec {
        sheet: "群众名册",
        headers: &headers,
        wide: &[ORG_COLUMN, "身份证号", "家庭住址"],
        lists: vec![
            (ORG_COLUMN, "村（社区）", village_names.to_vec()),
            (
                "与户主关系",
                "与户主关系",
                RELATIONS.iter().map(|s| s.to_string()).collect(),
            ),
            ("性别", "性别", vec!["男".into(), "女".into()]),
        ],
        notes: &[
            "1. 每行一人，从第2行开始填写；同一户的每个人各占一行，户主姓名和家庭住址写法一致。",
            "2. 同一村（社区）内以“家庭住址”区分各户，系统为每户生成积分码。",
            "3. 身份证号、手机号可留空；填写时须有效，性别可按身份证号自动填写。",
            "4. 任何一行有误时整表不导入，系统会列出每一个错误的行、列和原因，改正后重新上传。",
            "5. “所属网格”可留空；填写时须是该村（社区）已建立的网格名称，该户即入此网格。",
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_has_every_column_the_reader_needs() {
        let bytes = template(&["红旗县委/城关镇党委/红星村党支部".into()]).unwrap();
        // Headers only: recognised, and no data rows yet.
        assert!(matches!(parse(&bytes), Err(RosterError::Empty)));
    }

    #[test]
    fn a_file_that_is_not_xlsx_is_refused_plainly() {
        assert!(matches!(
            parse(b"name,address\n"),
            Err(RosterError::NotXlsx)
        ));
    }
}
