//! County settings (the configurable rules) and the audit log view.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use std::collections::HashMap;
use xianfeng_domain::audit::AuditEntry;
use xianfeng_domain::{FieldError, Invalid};
use xianfeng_store::{audit, people::orgs, settings};

use super::form::CsrfForm;
use super::{done, render, render_as, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    ctx: Ctx,
    rules: Vec<(&'static str, &'static str, String, String)>,
}

fn require_county(s: &Session) -> Result<(), AppError> {
    if s.actor.is_county_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn settings(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    require_county(&s)?;
    let rules = super::read(&state, move |c| Ok(settings::rules(c)?)).await?;
    render(&SettingsPage {
        ctx: Ctx::new(&s, "settings"),
        rules: rules
            .labelled()
            .into_iter()
            .map(|(k, l, v)| (k, l, v.to_string(), String::new()))
            .collect(),
    })
}

/// Saves the rules. The form's field names are the rule keys, so it is read as a map.
pub async fn save_settings(
    State(state): State<AppState>,
    s: Session,
    CsrfForm(f, kept): CsrfForm<HashMap<String, String>>,
) -> Result<Response, AppError> {
    require_county(&s)?;
    let actor = s.actor.clone();
    let submitted = f.clone();
    let result = super::write(&state, move |c| {
        let before = settings::rules(c)?;
        let mut rules = before.clone();
        let mut errors = Vec::new();
        for (key, label, _) in before.labelled() {
            let raw = submitted
                .get(key)
                .map(|v| xianfeng_domain::text::normalize(v))
                .unwrap_or_default();
            match raw.parse::<i64>() {
                Ok(v) if v >= 0 => {
                    // A value the rule refuses (a page of 51, a mask of 3) is said beside its
                    // field, never saved quietly as the old value.
                    if let Err(refused) = rules.set(key, v) {
                        errors.extend(
                            refused
                                .0
                                .into_iter()
                                .map(|e| FieldError::new(key, label, e.message)),
                        );
                    }
                }
                _ => errors.push(FieldError::new(key, label, "应为非负整数")),
            }
        }
        if rules.committee_min_size > rules.committee_max_size {
            errors.push(FieldError::new(
                "committee_min_size",
                "支委会委员下限",
                "不能大于上限",
            ));
        }
        if rules.login_delay_first_minutes > rules.login_delay_max_minutes {
            errors.push(FieldError::new(
                "login_delay_first_minutes",
                "首次暂停登录时长",
                "不能大于暂停登录时长上限",
            ));
        }
        if rules.general_branch_min_members > rules.general_branch_max_members {
            errors.push(FieldError::new(
                "general_branch_min_members",
                "党总支党员下限",
                "不能大于上限",
            ));
        }
        if !errors.is_empty() {
            return Err(Invalid(errors).into());
        }
        settings::save_rules(c, &rules)?;
        audit::append(
            c,
            audit::Record {
                actor: Some(&actor),
                org_id: Some(actor.scope_org_id),
                action: "settings.rules",
                entity: "settings",
                entity_id: None,
                before: serde_json::to_value(&before).unwrap_or_default(),
                after: serde_json::to_value(&rules).unwrap_or_default(),
            },
        )?;
        Ok(())
    })
    .await;
    match result {
        Ok(()) => Ok(done("/settings", "已保存，立即生效。")),
        Err(e) => {
            let message = |k: &str| match &e {
                AppError::Invalid(i) => i.for_field(k).unwrap_or("").to_string(),
                _ => String::new(),
            };
            let rules = xianfeng_domain::rules::Rules::default()
                .labelled()
                .into_iter()
                .map(|(k, l, _)| (k, l, f.get(k).cloned().unwrap_or_default(), message(k)))
                .collect();
            let page = SettingsPage {
                ctx: Ctx::new(&s, "settings").refusal(e, &kept)?,
                rules,
            };
            render_as(page.ctx.status(), &page)
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: Ctx,
    entries: Vec<AuditEntry>,
    verified: String,
}

pub async fn audit(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    require_county(&s)?;
    let scope = s.actor.scope_org_id;
    let (entries, verified) = super::read(&state, move |c| {
        let root = orgs::require(c, scope)?;
        // scores of rounds still open stay out of sight (results are hidden until close)
        let open = xianfeng_store::recognition::evaluations::open_rounds(c)?;
        let entries = audit::recent(c, &root.path, 100)?
            .into_iter()
            .filter(|e| {
                !(e.action == "evaluation.score" && e.entity_id.is_some_and(|r| open.contains(&r)))
            })
            .collect();
        let verified = match audit::verify(c)? {
            xianfeng_store::Check::Sound(n) => format!("哈希链完整：共{n}条记录校验通过"),
            xianfeng_store::Check::Broken(e) => format!("哈希链校验失败：{e}"),
        };
        Ok((entries, verified))
    })
    .await?;
    render(&AuditPage {
        ctx: Ctx::new(&s, "audit"),
        entries,
        verified,
    })
}
