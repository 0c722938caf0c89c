//! 文件导入: upload a plan document, review what was read beside the text, correct it, map the
//! responsible units to organisations, and keep it as a draft owned by the uploader's
//! organisation.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{json, Value as Json};
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::units::{match_unit, OrgRef, UnitMatch};
use xianfeng_domain::Invalid;
use xianfeng_plan::review::{self, KINDS};
use xianfeng_store::plans::drafts::{self, Draft};
use xianfeng_store::{people::orgs, Conn};

use super::form::{empty_as_none, one_file, CsrfForm, FileRule, Kept, Received};
use super::{render_as, Ctx, FieldErrors};
use crate::session::Session;
use crate::{AppError, AppState};

/// Uploads larger than this are refused.
pub const MAX_PLAN_BYTES: usize = 10 * 1024 * 1024;

fn require_staff(s: &Session) -> Result<(), AppError> {
    if s.actor.role == Role::Member {
        Err(AppError::Forbidden)
    } else {
        Ok(())
    }
}

pub struct DraftRow {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub updated_at: String,
    pub targets: usize,
    /// The campaign it was published as.
    pub campaign_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "plans/plans.html")]
struct PlansPage {
    ctx: Ctx,
    drafts: Vec<DraftRow>,
}

async fn list_page(state: &AppState, s: &Session, ctx: Ctx) -> Result<Response, AppError> {
    let scope = s.actor.scope_org_id;
    let drafts = super::read(state, move |c| {
        let root = orgs::require(c, scope)?;
        Ok(drafts::list_in(c, &root.path, 200)?)
    })
    .await?;
    let rows = drafts
        .into_iter()
        .map(|d| DraftRow {
            targets: d.plan["targets"].as_array().map_or(0, Vec::len),
            campaign_id: d.campaign_id,
            id: d.id,
            title: if d.title.is_empty() {
                d.file_name.clone()
            } else {
                d.title
            },
            file_name: d.file_name,
            updated_at: d.updated_at,
        })
        .collect();
    let page = PlansPage { ctx, drafts: rows };
    render_as(page.ctx.status(), &page)
}

pub async fn list(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    require_staff(&s)?;
    list_page(&state, &s, Ctx::new(&s, "plans")).await
}

/// The upload refused: the message beside the file field (422), and which file was chosen.
fn refused_file(s: &Session, message: String, chosen: &str) -> Result<Ctx, AppError> {
    let files: Vec<(String, String)> = [("file".to_string(), chosen.to_string())]
        .into_iter()
        .filter(|(_, n)| !n.is_empty())
        .collect();
    Ctx::new(s, "plans").refusal(
        Invalid::one("file", "文件", message).into(),
        &Kept::multipart(&[], &files),
    )
}

pub async fn upload(
    State(state): State<AppState>,
    s: Session,
    form: Multipart,
) -> Result<Response, AppError> {
    require_staff(&s)?;
    let rule = FileRule {
        label: "文件",
        limit: MAX_PLAN_BYTES,
        too_large: "文件超过10MB，请上传方案正文（.txt 或 .docx）".into(),
        endings: &[".txt", ".docx"],
        wrong_type: |name| {
            format!("“{name}”不是 .txt 或 .docx 文件；.doc、.pdf、图片请先另存为 .docx 或文本")
        },
        missing: "请选择要上传的文件",
    };
    let (name, data) = match one_file(&s, form, &rule).await? {
        Received::File { name, bytes } => (name, bytes),
        Received::Refused { error, kept } => {
            let ctx = Ctx::new(&s, "plans").refusal(error, &kept)?;
            return list_page(&state, &s, ctx).await;
        }
    };
    let expanded = super::read(&state, |c| {
        Ok(xianfeng_store::settings::rules(c)?.upload_max_expanded_bytes)
    })
    .await?;
    let limits = xianfeng_plan::archive::Limits {
        max_expanded: expanded.max(1) as u64,
        ..Default::default()
    };
    let parsed = crate::blocking(&state, move |_| {
        Ok(xianfeng_plan::parse_bytes_within(&data, limits))
    })
    .await?;
    let plan = match parsed {
        Ok(p) => p,
        Err(e) => {
            let ctx = refused_file(&s, e.to_string(), &name)?;
            return list_page(&state, &s, ctx).await;
        }
    };
    let json = serde_json::to_value(&plan).map_err(|e| AppError::Internal(e.to_string()))?;
    let actor = s.actor.clone();
    let id = super::write(&state, move |c| {
        let org = orgs::require(c, actor.scope_org_id)?;
        Ok(drafts::create(
            c,
            &actor,
            &org,
            &name,
            &plan.title,
            &plan.text,
            &json,
        )?)
    })
    .await?;
    Ok(Redirect::to(&format!("/plans/{id}")).into_response())
}

/// Loads a draft the actor may see, or 404.
pub fn visible(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<Draft, AppError> {
    match drafts::get(c, id)? {
        Some(d) if actor.role != Role::Member && actor.can_read_org(&d.org_path) => Ok(d),
        _ => Err(AppError::NotFound("草稿")),
    }
}

pub struct OutlineRow {
    pub depth: usize,
    pub number: String,
    pub title: String,
}

fn outline_rows(sections: &Json, depth: usize, out: &mut Vec<OutlineRow>) {
    for s in sections.as_array().into_iter().flatten() {
        out.push(OutlineRow {
            depth,
            number: s["number"].as_str().unwrap_or("").into(),
            title: s["title"].as_str().unwrap_or("").into(),
        });
        outline_rows(&s["children"], depth + 1, out);
    }
}

pub struct ItemRow {
    pub kind: &'static str,
    pub index: usize,
    pub path: String,
    pub summary: String,
    pub text: String,
    /// Current values for the edit form: (field, label, value, message).
    pub fields: Vec<(&'static str, &'static str, String, String)>,
    /// The edit form is shown open (a refused edit of this item).
    pub open: bool,
}

fn edit_fields(kind: &str, v: &Json) -> Vec<(&'static str, &'static str, String, String)> {
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    let n = |k: &str| {
        if v[k].is_null() {
            String::new()
        } else {
            num(&v[k])
        }
    };
    let fields = match kind {
        "targets" => vec![
            ("subject", "对象", s("subject")),
            ("quantity", "数量", n("quantity")),
            ("quantity_max", "上限", n("quantity_max")),
            ("unit_name", "单位", s("unit")),
            ("comparator", "比较", s("comparator")),
        ],
        "cadences" => vec![
            ("action", "事项", s("action")),
            ("period", "周期", s("period")),
            (
                "times",
                "次数",
                v["times"]
                    .as_u64()
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
            ),
            ("comparator", "比较", s("comparator")),
        ],
        "measures" => vec![
            ("units", "责任单位（用“、”分隔）", joined(&v["units"])),
            ("deadline", "完成时限", s("deadline")),
        ],
        "quotas" => vec![
            ("name", "荣誉名称", s("name")),
            ("who", "对象（org 组织 / member 党员）", s("subject")),
            ("count", "名额", n("count")),
            ("percent", "比例（%）", n("percent")),
            ("level", "级别", s("level")),
        ],
        _ => vec![],
    };
    fields
        .into_iter()
        .map(|(name, label, value)| (name, label, value, String::new()))
        .collect()
}

fn path_of(v: &Json) -> String {
    v["path"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

fn num(v: &Json) -> String {
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 => format!("{}", f as i64),
        Some(f) => f.to_string(),
        None => "？".into(),
    }
}

fn joined(v: &Json) -> String {
    v.as_array()
        .map(|i| {
            i.iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join("、")
        })
        .unwrap_or_default()
}

fn summary(kind: &str, v: &Json) -> String {
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    match kind {
        "measures" => {
            let text = s("text");
            let first = text.split(['。', '\n']).next().unwrap_or("").to_string();
            let units = joined(&v["units"]);
            format!(
                "{first}{}{}",
                if units.is_empty() {
                    " 〔未写责任单位〕".to_string()
                } else {
                    format!(" 〔{units}〕")
                },
                v["deadline"]
                    .as_str()
                    .map(|d| format!(" 时限：{d}"))
                    .unwrap_or_default()
            )
        }
        "quotas" => {
            let amount = if v["count"].is_null() {
                format!("{}%", num(&v["percent"]))
            } else {
                format!(
                    "{}{}",
                    num(&v["count"]),
                    if s("subject") == "org" { "个" } else { "名" }
                )
            };
            format!(
                "{}{}（{}） {amount}",
                s("level"),
                s("name"),
                if s("subject") == "org" {
                    "组织"
                } else {
                    "党员"
                }
            )
        }
        "ignored" => format!("未作为目标：{}", s("why")),
        "targets" => {
            let max = if v["quantity_max"].is_null() {
                String::new()
            } else {
                format!("–{}", num(&v["quantity_max"]))
            };
            format!(
                "{} {} {}{}{}",
                s("subject"),
                s("comparator"),
                num(&v["quantity"]),
                max,
                s("unit")
            )
        }
        "cadences" => format!(
            "{}：每{} {} {}次",
            s("action"),
            xianfeng_plan::render::period_cn(&s("period")),
            s("comparator"),
            v["times"]
        ),
        "phases" => format!(
            "{}（{} — {}）",
            s("name"),
            v["start"].as_str().unwrap_or("?"),
            v["end"].as_str().unwrap_or("?")
        ),
        "criteria" => format!(
            "{}：{}",
            s("name"),
            v["items"]
                .as_array()
                .map(|i| i
                    .iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join("、"))
                .unwrap_or_default()
        ),
        _ => v["units"]
            .as_array()
            .map(|i| {
                i.iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            })
            .unwrap_or_default(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The document with every extracted item's text marked (first occurrence, no overlaps).
fn highlighted(body: &str, items: &[ItemRow]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = items
        .iter()
        .filter(|i| !i.text.is_empty())
        .filter_map(|i| body.find(&i.text).map(|at| (at, at + i.text.len(), i.kind)))
        .collect();
    spans.sort();
    let mut out = String::new();
    let mut pos = 0;
    for (start, end, kind) in spans {
        if start < pos {
            continue;
        }
        out.push_str(&escape(&body[pos..start]));
        out.push_str(&format!(
            r#"<mark class="k-{kind}">{}</mark>"#,
            escape(&body[start..end])
        ));
        pos = end;
    }
    out.push_str(&escape(&body[pos..]));
    out.replace('\n', "<br>")
}

pub struct UnitRow {
    pub name: String,
    pub how: String,
    pub orgs: String,
    pub unmatched: bool,
    /// The organisation picked in a refused mapping of this unit, and why it was refused.
    pub picked: Option<i64>,
    pub error: String,
}

#[derive(Template)]
#[template(path = "plans/plan.html")]
struct PlanPage {
    ctx: Ctx,
    id: i64,
    title: String,
    file_name: String,
    outline: Vec<OutlineRow>,
    body_html: String,
    groups: Vec<(String, String, Vec<ItemRow>)>,
    units: Vec<UnitRow>,
    map_targets: Vec<(i64, String)>,
    /// The campaign it was published as: publishing again offers to update it.
    campaign_id: Option<i64>,
}

/// A refused correction shown again. Every item on the review page has its own small form
/// with the same field names, so what was typed is put back into the one item (or unit) it
/// was for, here on the server, rather than by the layout's script into every form.
struct Again {
    form: ItemForm,
    errors: FieldErrors,
}

impl Again {
    fn edits(&self, kind: &str, index: usize) -> bool {
        self.form.op == "edit"
            && self.form.kind == kind
            && self.form.index.trim() == index.to_string()
    }

    fn typed(&self, field: &str) -> String {
        let f = &self.form;
        match field {
            "subject" => &f.subject,
            "quantity" => &f.quantity,
            "quantity_max" => &f.quantity_max,
            "unit_name" => &f.unit_name,
            "comparator" => &f.comparator,
            "action" => &f.action,
            "period" => &f.period,
            "times" => &f.times,
            "units" => &f.units,
            "deadline" => &f.deadline,
            "name" => &f.name,
            "who" => &f.who,
            "count" => &f.count,
            "percent" => &f.percent,
            "level" => &f.level,
            _ => "",
        }
        .to_string()
    }
}

async fn review_page(
    state: &AppState,
    s: &Session,
    id: i64,
    ctx: Ctx,
    again: Option<Again>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (d, org_refs, names) = super::read(state, move |c| {
        let d = visible(c, &actor, id)?;
        let root = orgs::require(c, actor.scope_org_id)?;
        let list = orgs::active_in(c, &root, 5000)?;
        let refs: Vec<OrgRef> = list
            .iter()
            .map(|o| OrgRef {
                id: o.id,
                name: o.name.clone(),
                kind: o.kind,
                depth: o.depth() - root.depth(),
            })
            .collect();
        Ok((d, refs, orgs::indented(&root, list)))
    })
    .await?;
    let mut outline = Vec::new();
    outline_rows(&d.plan["sections"], 0, &mut outline);
    let mut groups = Vec::new();
    let mut all = Vec::new();
    for (key, label) in KINDS {
        let items: Vec<ItemRow> = d.plan[key]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, v)| {
                let mut fields = edit_fields(key, v);
                let open = again.as_ref().is_some_and(|a| a.edits(key, i));
                if let Some(a) = again.as_ref().filter(|_| open) {
                    for (name, _, value, error) in fields.iter_mut() {
                        *value = a.typed(name);
                        *error = a.errors.get(name);
                    }
                }
                ItemRow {
                    kind: key,
                    index: i,
                    path: path_of(v),
                    summary: summary(key, v),
                    text: v["text"].as_str().unwrap_or("").to_string(),
                    fields,
                    open,
                }
            })
            .collect();
        // Measures are whole paragraphs: marked, they would hide the targets inside them.
        all.extend(
            items
                .iter()
                .filter(|i| i.kind != "measures")
                .map(|i| ItemRow {
                    kind: i.kind,
                    index: i.index,
                    path: String::new(),
                    summary: String::new(),
                    text: i.text.clone(),
                    fields: vec![],
                    open: false,
                }),
        );
        groups.push((key.to_string(), label.to_string(), items));
    }
    let name_of = |ids: &[i64]| {
        ids.iter()
            .filter_map(|id| org_refs.iter().find(|o| o.id == *id))
            .map(|o| o.name.clone())
            .collect::<Vec<_>>()
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut units = Vec::new();
    for r in d.plan["responsible"].as_array().into_iter().flatten() {
        for u in r["units"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u.as_str())
        {
            if !seen.insert(u.to_string()) {
                continue;
            }
            let mapped: Vec<i64> = d.unit_map[u]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_i64())
                .collect();
            let (how, ids) = if !mapped.is_empty() {
                ("已指定".to_string(), mapped)
            } else {
                match match_unit(u, &org_refs) {
                    UnitMatch::Exact(ids) => ("名称一致".into(), ids),
                    UnitMatch::Every(ids) => (format!("全部（{}个）", ids.len()), ids),
                    UnitMatch::Fuzzy(ids) => ("相近，请确认".into(), ids),
                    UnitMatch::Unmatched => ("未匹配".into(), vec![]),
                }
            };
            let names = name_of(&ids);
            let shown = if names.len() > 6 {
                format!("{}等{}个", names[..6].join("、"), names.len())
            } else {
                names.join("、")
            };
            let mapping = again
                .as_ref()
                .filter(|a| a.form.op == "map" && a.form.unit.trim() == u);
            units.push(UnitRow {
                name: u.to_string(),
                unmatched: ids.is_empty(),
                how,
                orgs: shown,
                picked: mapping.and_then(|a| a.form.org_id),
                error: mapping.map(|a| a.errors.get("org_id")).unwrap_or_default(),
            });
        }
    }
    let page = PlanPage {
        ctx,
        id: d.id,
        title: d.title.clone(),
        file_name: d.file_name.clone(),
        outline,
        body_html: highlighted(&d.body, &all),
        groups,
        units,
        map_targets: names,
        campaign_id: d.campaign_id,
    };
    render_as(page.ctx.status(), &page)
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_staff(&s)?;
    review_page(&state, &s, id, Ctx::new(&s, "plans"), None).await
}

#[derive(Deserialize, Clone)]
pub struct ItemForm {
    #[serde(default)]
    op: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    index: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    unit: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    org_id: Option<i64>,
    // Edited fields of a target or cadence.
    #[serde(default)]
    subject: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    quantity_max: String,
    #[serde(default)]
    unit_name: String,
    #[serde(default)]
    comparator: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    times: String,
    // Edited fields of a measure or quota.
    #[serde(default)]
    units: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    who: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    percent: String,
    #[serde(default)]
    level: String,
}

fn invalid(problems: Vec<review::Problem>) -> Invalid {
    Invalid(
        problems
            .into_iter()
            .map(|p| xianfeng_domain::FieldError::new(p.field, p.label, p.message))
            .collect(),
    )
}

/// Applies one correction to the draft: item edits follow `xianfeng_plan::review`; the unit
/// mapping (checked against scope by the caller) is recorded here.
fn apply(d: &Draft, f: &ItemForm) -> Result<(Json, Json, String), Invalid> {
    let mut plan = d.plan.clone();
    let mut map = d.unit_map.clone();
    let edit = review::Edit {
        subject: &f.subject,
        quantity: &f.quantity,
        quantity_max: &f.quantity_max,
        unit: &f.unit_name,
        comparator: &f.comparator,
        action: &f.action,
        period: &f.period,
        times: &f.times,
        units: &f.units,
        deadline: &f.deadline,
        name: &f.name,
        who: &f.who,
        count: &f.count,
        percent: &f.percent,
        level: &f.level,
    };
    let what = match f.op.as_str() {
        "delete" => review::delete(&mut plan, &f.kind, &f.index),
        "add" => review::add(&mut plan, &d.body, &f.kind, &f.text),
        "edit" => review::edit(&mut plan, &f.kind, &f.index, &edit),
        "promote" => review::promote(&mut plan, &f.index),
        "map" => {
            let org = f
                .org_id
                .ok_or_else(|| Invalid::one("org_id", "对应组织", "请选择组织"))?;
            if f.unit.trim().is_empty() {
                return Err(Invalid::one("unit", "责任单位", "缺少单位名称"));
            }
            if !map.is_object() {
                map = json!({});
            }
            map[f.unit.trim()] = json!([org]);
            Ok(format!("指定责任单位：{} → {org}", f.unit.trim()))
        }
        _ => return Err(Invalid::one("op", "操作", "未知的操作")),
    };
    Ok((plan, map, what.map_err(invalid)?))
}

pub async fn edit(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, _): CsrfForm<ItemForm>,
) -> Result<Response, AppError> {
    require_staff(&s)?;
    let actor = s.actor.clone();
    let form = f.clone();
    let result = super::write(&state, move |c| {
        let d = visible(c, &actor, id)?;
        if f.op == "map" {
            let ok = f
                .org_id
                .map(|t| orgs::get(c, t))
                .transpose()?
                .flatten()
                .is_some_and(|o| actor.can_read_org(&o.path));
            if !ok {
                return Err(Invalid::one("org_id", "对应组织", "请选择管辖范围内的组织").into());
            }
        }
        let (plan, map, what) = apply(&d, &f)?;
        drafts::update(c, &actor, &d, &plan, &map, &what)?;
        Ok(())
    })
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/plans/{id}")).into_response()),
        Err(e) => {
            let errors = match &e {
                AppError::Invalid(i) => FieldErrors::from_invalid(i),
                _ => FieldErrors::default(),
            };
            // The typed values go back server-side into the one form they came from (see
            // `Again`), so the layout's script is given nothing to spread over every form.
            let mut ctx = Ctx::new(&s, "plans").refusal(e, &Kept::default())?;
            ctx.flash.kept_json.clear();
            let again = Again { form, errors };
            review_page(&state, &s, id, ctx, Some(again)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_escape_the_text_and_skip_overlaps() {
        let items = vec![
            ItemRow {
                kind: "targets",
                index: 0,
                path: String::new(),
                summary: String::new(),
                text: "建成2个示范点".into(),
                fields: vec![],
                open: false,
            },
            ItemRow {
                kind: "cadences",
                index: 0,
                path: String::new(),
                summary: String::new(),
                text: "2个示范".into(),
                fields: vec![],
                open: false,
            },
        ];
        let html = highlighted("<b>全镇建成2个示范点\n完", &items);
        assert_eq!(
            html,
            r#"&lt;b&gt;全镇<mark class="k-targets">建成2个示范点</mark><br>完"#
        );
    }
}
