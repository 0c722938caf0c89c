use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use xianfeng_domain::auth::Role;
use xianfeng_domain::Invalid;
use xianfeng_store::{audit, people::members, people::orgs, settings};

use crate::pages::form::{one_file, FileRule, Kept, Received};
use crate::pages::{render, render_as, visible_org, Ctx};
use crate::roster::{self, RowError};
use crate::session::Session;
use crate::{blocking, AppError, AppState};

#[derive(Template)]
#[template(path = "people/roster.html")]
struct RosterPage {
    ctx: Ctx,
    scope_id: i64,
    scope_name: String,
    rows: Vec<RowError>,
    max_mb: i64,
}

fn require_writer(s: &Session) -> Result<(), AppError> {
    if s.actor.role == Role::Member {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

async fn scope_info(
    state: &AppState,
    s: &Session,
) -> Result<(String, xianfeng_domain::rules::Rules), AppError> {
    let id = s.actor.scope_org_id;
    crate::pages::read(state, move |c| {
        Ok((orgs::require(c, id)?.name, settings::rules(c)?))
    })
    .await
}

pub async fn page(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    require_writer(&s)?;
    let (scope_name, rules) = scope_info(&state, &s).await?;
    let max_mb = rules.upload_max_mb();
    render(&RosterPage {
        ctx: Ctx::new(&s, "roster"),
        scope_id: s.actor.scope_org_id,
        scope_name,
        rows: vec![],
        max_mb,
    })
}

fn xlsx(name: &str, bytes: Vec<u8>) -> Response {
    crate::pages::download(name, crate::pages::XLSX, bytes)
}

pub async fn template(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    require_writer(&s)?;
    let scope = s.actor.scope_org_id;
    let bytes = blocking(&state, move |st| {
        let names: Vec<String> = st.read(|c| -> xianfeng_store::Result<_> {
            let root = orgs::require(c, scope)?;
            Ok(orgs::branches_in(c, &root.path)?
                .into_iter()
                .map(|o| o.name)
                .collect())
        })?;
        Ok(roster::template(&names)?)
    })
    .await?;
    Ok(xlsx("党员名册导入模板.xlsx", bytes))
}

pub async fn import(
    State(state): State<AppState>,
    s: Session,
    form: Multipart,
) -> Result<Response, AppError> {
    require_writer(&s)?;
    let (scope_name, rules) = scope_info(&state, &s).await?;
    let max_mb = rules.upload_max_mb();
    let limits = crate::sheet::SheetLimits::from_rules(&rules);
    let page = |ctx: Ctx, rows: Vec<RowError>| {
        let p = RosterPage {
            ctx,
            scope_id: s.actor.scope_org_id,
            scope_name: scope_name.clone(),
            rows,
            max_mb,
        };
        render_as(p.ctx.status(), &p)
    };
    let rule = FileRule {
        label: "名册文件",
        limit: rules.upload_max_bytes.max(0) as usize,
        too_large: roster::RosterError::TooLarge(max_mb).to_string(),
        endings: &[".xlsx"],
        wrong_type: |name| {
            format!("“{name}”不是 .xlsx 文件，请使用下载的模板（Excel 2007 及以上格式）")
        },
        missing: "请选择要上传的 .xlsx 文件",
    };
    let (name, data) = match one_file(&s, form, &rule).await? {
        Received::File { name, bytes } => (name, bytes),
        Received::Refused { error, kept } => {
            return page(Ctx::new(&s, "roster").refusal(error, &kept)?, vec![])
        }
    };
    let refused = |message: String, name: &str| {
        let kept = Kept::multipart(&[], &[("file".to_string(), name.to_string())]);
        Ctx::new(&s, "roster").refusal(Invalid::one("file", "名册文件", message).into(), &kept)
    };
    // Parsed off the async threads, within the county's bounds.
    let rows = match blocking(&state, move |_| Ok(roster::parse_within(&data, &limits))).await? {
        Ok(r) => r,
        Err(e) => return page(refused(e.to_string(), &name)?, vec![]),
    };
    let actor = s.actor.clone();
    let vault = state.store.vault.clone();
    let result = crate::pages::write(&state, move |c| {
        let scope = orgs::require(c, actor.scope_org_id)?;
        Ok(roster::import(c, &vault, Some(&actor), &scope, &rows)?)
    })
    .await;
    match result {
        Ok(n) => {
            let ctx = Ctx::new(&s, "roster").with_notice(format!("导入成功：共{n}名党员。"));
            page(ctx, vec![])
        }
        Err(AppError::Invalid(e)) => {
            // Every bad row is listed in the report below; the file's name is kept.
            let rows = roster::report(&e);
            let kept = Kept::multipart(&[], &[("file".to_string(), name)]);
            let ctx = Ctx::new(&s, "roster").refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("共{}处错误，未导入任何数据。请改正后重新上传。", rows.len()),
                &kept,
            );
            page(ctx, rows)
        }
        Err(e) => Err(e),
    }
}

pub async fn export(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (name, bytes) = blocking(&state, move |st| {
        let (name, rows, labels) = st.write(|c| {
            let org = match visible_org(c, &actor, id) {
                Ok(o) if actor.can_list_members(&o.path) => o,
                _ => return Err(AppError::NotFound("组织")),
            };
            let reveal = actor.can_reveal_personal(&org.path, -1);
            let rows = members::export(c, &st.vault, &org.path, reveal)?;
            let labels = labels_for(c, &actor)?;
            audit::append(
                c,
                audit::Record {
                    actor: Some(&actor),
                    org_id: Some(org.id),
                    action: "roster.export",
                    entity: "org",
                    entity_id: Some(org.id),
                    before: serde_json::Value::Null,
                    after: serde_json::json!({"rows": rows.len(), "personal_data": reveal}),
                },
            )?;
            Ok::<_, AppError>((org.name, rows, labels))
        })?;
        Ok((name, roster::export(&rows, &labels)?))
    })
    .await?;
    Ok(xlsx(&format!("{name}党员名册.xlsx"), bytes))
}

/// Branch labels as the caller's own imports will read them (unique within the caller's scope).
fn labels_for(
    c: &mut dyn xianfeng_store::Conn,
    actor: &xianfeng_domain::auth::Actor,
) -> xianfeng_store::Result<std::collections::HashMap<i64, String>> {
    let root = orgs::require(c, actor.scope_org_id)?;
    Ok(orgs::qualified_branch_names(c, &root)?
        .into_iter()
        .collect())
}
