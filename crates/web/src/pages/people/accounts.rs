//! 账号管理: administrators create accounts for the roles below theirs inside their subtree,
//! reset passwords, disable accounts and lift login refusals (解除锁定). Every change is
//! audited; passwords never are.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use xianfeng_domain::auth::{
    check_new_password, check_username, hash_password, role_fits, Actor, Role,
};
use xianfeng_domain::login::minutes_until;
use xianfeng_domain::{FieldError, Invalid};
use xianfeng_store::people::accounts::{self, AccountRow, NewAccount};
use xianfeng_store::{audit, people::members, people::orgs, settings, Conn};

use crate::pages::form::{empty_as_none, CsrfForm};
use crate::pages::{done, render_as, Ctx, FieldErrors};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "people/accounts.html")]
struct AccountsPage {
    ctx: Ctx,
    rows: Vec<AccountRow>,
    /// Accounts refused after repeated failed logins: id → minutes left (0: not refused now,
    /// but the next failure from that address would be).
    restricted: HashMap<i64, i64>,
    roles: Vec<(String, String)>,
    orgs: Vec<(i64, String)>,
    form: NewAccountForm,
    errors: FieldErrors,
}

impl AccountsPage {
    /// For a refused account, the minutes its refusal has left (0: over, but remembered).
    fn restriction(&self, id: &i64) -> Option<i64> {
        self.restricted.get(id).copied()
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct NewAccountForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub org_id: Option<i64>,
    #[serde(default)]
    pub password: String,
}

fn require_admin(s: &Session) -> Result<(), AppError> {
    if matches!(s.actor.role, Role::CountyAdmin | Role::TownAdmin) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn grantable(actor: &Actor) -> Vec<(String, String)> {
    [Role::TownAdmin, Role::BranchSecretary]
        .into_iter()
        .filter(|r| actor.can_manage_account(*r, &actor.scope_path))
        .map(|r| (r.code().to_string(), r.label().to_string()))
        .collect()
}

async fn page(
    state: &AppState,
    s: &Session,
    ctx: Ctx,
    form: NewAccountForm,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (rows, restricted, org_list) = crate::pages::read(state, move |c| {
        let root = orgs::require(c, actor.scope_org_id)?;
        let rows = accounts::list_in(c, &root.path)?;
        let now = accounts::epoch();
        let rules = settings::rules(c)?;
        let restricted = accounts::restricted_in(c, &root.path, &rules, now)?
            .into_iter()
            .map(|(id, until)| {
                (
                    id,
                    if until > now {
                        minutes_until(until, now)
                    } else {
                        0
                    },
                )
            })
            .collect::<HashMap<_, _>>();
        let pickable = orgs::active_in(c, &root, 3000)?
            .into_iter()
            .filter(|o| o.kind != xianfeng_domain::org::OrgKind::Group);
        let list = orgs::indented(&root, pickable);
        Ok((rows, restricted, list))
    })
    .await?;
    let p = AccountsPage {
        rows,
        restricted,
        roles: grantable(&s.actor),
        orgs: org_list,
        form,
        errors,
        ctx,
    };
    render_as(p.ctx.status(), &p)
}

pub async fn list(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    require_admin(&s)?;
    page(
        &state,
        &s,
        Ctx::new(&s, "accounts"),
        NewAccountForm::default(),
        FieldErrors::default(),
    )
    .await
}

/// Validates and writes a new account in the caller's transaction.
fn create_account(
    c: &mut dyn Conn,
    actor: &Actor,
    f: &NewAccountForm,
    member_id: Option<i64>,
    role: Option<Role>,
) -> Result<i64, xianfeng_store::StoreError> {
    let mut errs = Vec::new();
    let username = xianfeng_domain::text::normalize(&f.username);
    if let Err(Invalid(e)) = check_username(&username) {
        errs.extend(e);
    }
    let display = xianfeng_domain::text::normalize(&f.display_name);
    if display.is_empty() {
        errs.push(FieldError::new("display_name", "显示名称", "不能为空"));
    }
    if let Err(Invalid(e)) = check_new_password(&f.password) {
        errs.extend(e);
    }
    let role = role.or_else(|| Role::from_code(&f.role));
    let org = match f.org_id.map(|id| orgs::get(c, id)).transpose()?.flatten() {
        Some(o) if actor.can_read_org(&o.path) && o.dissolved_on.is_none() => Some(o),
        _ => {
            errs.push(FieldError::new(
                "org_id",
                "所属组织",
                "请选择管辖范围内的组织",
            ));
            None
        }
    };
    match (role, &org) {
        (None, _) => errs.push(FieldError::new("role", "角色", "请选择角色")),
        (Some(r), Some(o)) if !actor.can_manage_account(r, &o.path) => errs.push(FieldError::new(
            "role",
            "角色",
            format!("无权在“{}”开通{}账号", o.name, r.label()),
        )),
        (Some(r), Some(o)) if !role_fits(r, o.kind) => errs.push(FieldError::new(
            "org_id",
            "所属组织",
            format!(
                "{}账号应设在{}",
                r.label(),
                if r == Role::TownAdmin {
                    "镇（街道）党委或党总支"
                } else {
                    "党支部"
                }
            ),
        )),
        _ => {}
    }
    let (Some(role), Some(org), true) = (role, org, errs.is_empty()) else {
        return Err(Invalid(errs).into());
    };
    let hash =
        hash_password(&f.password).map_err(|e| xianfeng_store::StoreError::Db(e.to_string()))?;
    let id = accounts::create(
        c,
        &NewAccount {
            username: &username,
            display_name: &display,
            password_hash: &hash,
            role,
            org_id: org.id,
            member_id,
        },
    )?;
    audit::append(
        c,
        audit::Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "account.create",
            entity: "account",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"username": username, "display_name": display, "role": role.code(), "org_id": org.id, "member_id": member_id}),
        },
    )?;
    Ok(id)
}

pub async fn create(
    State(state): State<AppState>,
    s: Session,
    CsrfForm(f, kept): CsrfForm<NewAccountForm>,
) -> Result<Response, AppError> {
    require_admin(&s)?;
    let actor = s.actor.clone();
    let form = f.clone();
    match crate::pages::write(&state, move |c| {
        Ok(create_account(c, &actor, &form, None, None)?)
    })
    .await
    {
        Ok(_) => Ok(done(
            "/accounts",
            "账号已创建。请将用户名和初始密码当面交给本人。",
        )),
        Err(e) => {
            let errors = match &e {
                AppError::Invalid(i) => FieldErrors::from_invalid(i),
                _ => FieldErrors::default(),
            };
            let ctx = Ctx::new(&s, "accounts").refusal(e, &kept)?;
            let typed = NewAccountForm {
                password: String::new(),
                ..f
            };
            page(&state, &s, ctx, typed, errors).await
        }
    }
}

/// An account the caller may manage, or 404.
fn managed(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<AccountRow, AppError> {
    match accounts::get_row(c, id)? {
        Some(a) if actor.can_manage_account(a.role, &a.org_path) && a.id != actor.account_id => {
            Ok(a)
        }
        _ => Err(AppError::NotFound("账号")),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, _): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    require_admin(&s)?;
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let a = managed(c, &actor, id)?;
        check_new_password(&f.password)?;
        let hash = hash_password(&f.password)
            .map_err(|e| xianfeng_store::StoreError::Db(e.to_string()))?;
        accounts::set_password(c, a.id, &hash)?;
        audit::append(
            c,
            audit::Record {
                actor: Some(&actor),
                org_id: Some(a.org_id),
                action: "account.password",
                entity: "account",
                entity_id: Some(a.id),
                before: json!(null),
                after: json!({"username": a.username}),
            },
        )?;
        Ok(())
    })
    .await;
    match result {
        Ok(()) => Ok(done("/accounts", "密码已重置，该账号原有登录已失效。")),
        Err(AppError::Invalid(e)) => {
            // Every row of the list has its own password box, so the message goes at the top
            // rather than beside one of them.
            let ctx = Ctx::new(&s, "accounts").refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("未重置：{e}"),
                &Default::default(),
            );
            page(
                &state,
                &s,
                ctx,
                NewAccountForm::default(),
                FieldErrors::default(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct ToggleForm {
    #[serde(default)]
    disable: String,
}

pub async fn toggle(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, _): CsrfForm<ToggleForm>,
) -> Result<Response, AppError> {
    require_admin(&s)?;
    let actor = s.actor.clone();
    let disable = f.disable == "1";
    crate::pages::write(&state, move |c| {
        let a = managed(c, &actor, id)?;
        accounts::set_disabled(c, a.id, disable)?;
        audit::append(
            c,
            audit::Record {
                actor: Some(&actor),
                org_id: Some(a.org_id),
                action: if disable {
                    "account.disable"
                } else {
                    "account.enable"
                },
                entity: "account",
                entity_id: Some(a.id),
                before: json!({"disabled": a.disabled}),
                after: json!({"disabled": disable}),
            },
        )?;
        Ok(())
    })
    .await?;
    Ok(done(
        "/accounts",
        if disable {
            "账号已停用。"
        } else {
            "账号已启用。"
        },
    ))
}

/// 解除锁定: forgets an account's failed logins from every address, so it may sign in again at
/// once. Only for accounts the caller manages (a higher administrator); audited.
pub async fn unlock(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(_, _): CsrfForm<crate::pages::CsrfOnly>,
) -> Result<Response, AppError> {
    require_admin(&s)?;
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let a = managed(c, &actor, id)?;
        let pairs = accounts::unlock(c, &a.username)?;
        if pairs == 0 {
            return Err(AppError::Conflict(format!(
                "账号“{}”没有被暂停登录，无需解除",
                a.username
            )));
        }
        audit::append(
            c,
            audit::Record {
                actor: Some(&actor),
                org_id: Some(a.org_id),
                action: "account.unlock",
                entity: "account",
                entity_id: Some(a.id),
                before: json!({"username": a.username, "addresses": pairs}),
                after: json!(null),
            },
        )?;
        Ok(a.username)
    })
    .await;
    match result {
        Ok(name) => Ok(done(
            "/accounts",
            &format!("已解除“{name}”的登录限制，可立即登录。"),
        )),
        Err(e) => {
            let ctx = Ctx::new(&s, "accounts").refusal(e, &Default::default())?;
            page(
                &state,
                &s,
                ctx,
                NewAccountForm::default(),
                FieldErrors::default(),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct MemberAccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// 开通党员账号 from the member page; a refused account shows the member page again with the
/// user name typed and the message beside its field.
pub async fn for_member(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<MemberAccountForm>,
) -> Result<Response, AppError> {
    require_admin(&s)?;
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let m = match members::get(c, id)? {
            Some(m) if actor.can_read_member(&m.org_path, m.member.id) => m,
            _ => return Err(AppError::NotFound("党员")),
        };
        let form = NewAccountForm {
            username: f.username,
            display_name: m.member.name.clone(),
            role: String::new(),
            org_id: Some(m.member.org_id),
            password: f.password,
        };
        Ok(create_account(
            c,
            &actor,
            &form,
            Some(m.member.id),
            Some(Role::Member),
        )?)
    })
    .await;
    match result {
        Ok(_) => Ok(done(
            &format!("/members/{id}"),
            "党员账号已开通。请将用户名和初始密码当面交给本人。",
        )),
        Err(e) => {
            let ctx = Ctx::new(&s, "members").refusal(e, &kept)?;
            crate::pages::people::members::again(&state, &s, id, ctx).await
        }
    }
}
