//! 定性 tasks on the assignment page: the assignee reports the task done (narrative and
//! evidence), the level above accepts it or returns it with a reason, and the campaign's
//! organisation names each assignment's 第一责任人, who finds it under 我的任务.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use serde::Deserialize;
use xianfeng_domain::campaign::{CompletionInput, ReportInput};
use xianfeng_store::campaigns::{self, completion};

use super::{assignment_page, load_assignment};
use crate::pages::form::{empty_as_none, CsrfForm, Upload};
use crate::pages::{done, field, render, Ctx, FieldErrors};
use crate::session::Session;
use crate::{AppError, AppState};

/// Reports a 定性 task done (multipart: narrative, evidence files).
pub async fn report_done(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, AppError> {
    let Upload {
        fields,
        files,
        kept,
    } = Upload::read(&s, form, "evidence").await?;
    let (a, ..) = load_assignment(&state, &s, id).await?;
    if !s.actor.can_report_task(&a.org_path) {
        return Err(AppError::Forbidden);
    }
    let input = CompletionInput {
        narrative: field(&fields, "narrative"),
    };
    let actor = s.actor.clone();
    let typed = input.clone();
    let result = crate::pages::write(&state, move |c| {
        let evidence = crate::pages::checked_evidence(c, &files)?;
        Ok(completion::report_done(c, &actor, &a, &typed, &evidence)?)
    })
    .await;
    match result {
        Ok(_) => Ok(done(
            &format!("/assignments/{id}"),
            "完成情况已报送，等待上级验收。",
        )),
        Err(e) => {
            let errors = FieldErrors::of(&e);
            let ctx = Ctx::new(&s, "campaigns").refusal(e, &kept)?;
            let back = ReportInput {
                quantity: String::new(),
                narrative: input.narrative,
            };
            assignment_page(&state, &s, id, ctx, errors, back).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    /// `accept` or `return`.
    decision: String,
    reason: String,
}

/// Accepts or returns (with a reason) the completion report awaiting acceptance.
pub async fn decide(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<DecisionForm>,
) -> Result<Response, AppError> {
    let (a, camp, ..) = load_assignment(&state, &s, id).await?;
    if !s.actor.can_accept_task(&camp.org_path, &a.org_path) {
        return Err(AppError::Forbidden);
    }
    let accept = match f.decision.as_str() {
        "accept" => true,
        "return" => false,
        _ => {
            let e: AppError =
                xianfeng_domain::Invalid::one("decision", "验收", "请选择通过或退回").into();
            let errors = FieldErrors::of(&e);
            let ctx = Ctx::new(&s, "campaigns").refusal(e, &kept)?;
            return assignment_page(&state, &s, id, ctx, errors, ReportInput::default()).await;
        }
    };
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        Ok(completion::decide(c, &actor, &a, accept, &f.reason)?)
    })
    .await;
    match result {
        Ok(r) => Ok(done(&format!("/assignments/{id}"), r.label())),
        Err(e) => {
            let errors = FieldErrors::of(&e);
            let ctx = Ctx::new(&s, "campaigns").refusal(e, &kept)?;
            assignment_page(&state, &s, id, ctx, errors, ReportInput::default()).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ResponsibleForm {
    #[serde(default, deserialize_with = "empty_as_none")]
    responsible: Option<i64>,
}

/// Names (or clears) the assignment's 第一责任人.
pub async fn responsible(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<ResponsibleForm>,
) -> Result<Response, AppError> {
    let (a, camp, ..) = load_assignment(&state, &s, id).await?;
    if !s.actor.can_manage_town(&camp.org_path) {
        return Err(AppError::Forbidden);
    }
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        Ok(completion::set_responsible(c, &actor, &a, f.responsible)?)
    })
    .await;
    match result {
        Ok(()) => Ok(done(&format!("/assignments/{id}"), "第一责任人已保存")),
        Err(e) => {
            let errors = FieldErrors::of(&e);
            let ctx = Ctx::new(&s, "campaigns").refusal(e, &kept)?;
            assignment_page(&state, &s, id, ctx, errors, ReportInput::default()).await
        }
    }
}

#[derive(Template)]
#[template(path = "campaigns/mine.html")]
struct MinePage {
    ctx: Ctx,
    items: Vec<completion::MyTask>,
}

/// 我的任务: the assignments whose 第一责任人 is the signed-in account.
pub async fn mine(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    let account = s.actor.account_id;
    let items = crate::pages::read(&state, move |c| {
        Ok(campaigns::completion::mine(c, account)?)
    })
    .await?;
    render(&MinePage {
        ctx: Ctx::new(&s, "campaigns"),
        items,
    })
}
