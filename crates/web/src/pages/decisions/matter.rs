//! One matter: its steps, the form for the step due (with the branch roster for the 党员大会),
//! objections and their answers, documents and photos, and marking it carried out.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use serde::Deserialize;
use xianfeng_domain::date;
use xianfeng_domain::decision::{yuan, MatterStatus, StepInput, StepKind, VillageForm};
use xianfeng_domain::life::parse_attendance;
use xianfeng_domain::org::Org;
use xianfeng_store::decisions::categories;
use xianfeng_store::decisions::matters::{self, Matter, Step};
use xianfeng_store::engines::workflow::Objection;
use xianfeng_store::life::meetings;
use xianfeng_store::{people::orgs, settings};

use crate::pages::form::CsrfForm;
use crate::pages::{crumbs, done, field, read, render_as, write, CsrfOnly, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "decisions/matter.html")]
struct Page {
    ctx: Ctx,
    m: Matter,
    crumbs: Vec<(i64, String)>,
    steps: Vec<Step>,
    objections: Vec<Objection>,
    files: Vec<(String, String, Option<i64>)>,
    /// The steps that may be recorded now (labels), empty when none.
    allowed: Vec<String>,
    forms: Vec<String>,
    roster: Vec<(i64, String)>,
    today: String,
    notice_until: String,
}

impl Page {
    fn money(&self, fen: &Option<i64>) -> String {
        fen.map(|f| format!("{}元", yuan(f))).unwrap_or_default()
    }

    fn can_implement(&self) -> bool {
        self.m.status == MatterStatus::Open && self.m.done_step < 5
    }

    fn village_meeting(&self) -> bool {
        self.allowed
            .iter()
            .any(|a| a == StepKind::VillageMeeting.label())
    }

    fn party_assembly(&self) -> bool {
        self.allowed
            .iter()
            .any(|a| a == StepKind::PartyAssembly.label())
    }
}

/// The steps that may be recorded after `done` (the order rule itself is `check_order`).
fn allowed(m: &Matter, one_shoulder: bool) -> Vec<String> {
    if matches!(m.status, MatterStatus::Stopped | MatterStatus::Finished) {
        return Vec::new();
    }
    StepKind::ALL
        .iter()
        .filter(|k| xianfeng_domain::decision::check_order(m.done_step, **k, one_shoulder).is_ok())
        .map(|k| k.label().to_string())
        .collect()
}

/// A matter the actor may record for (404 when missing or outside the scope, alike).
async fn visible(state: &AppState, s: &Session, id: i64) -> Result<(Matter, Org), AppError> {
    let actor = s.actor.clone();
    read(state, move |c| {
        let m = matters::get(c, id)?
            .filter(|m| actor.can_record_decision(&m.org_path))
            .ok_or(AppError::NotFound("事项"))?;
        let org = orgs::require(c, m.org_id)?;
        Ok((m, org))
    })
    .await
}

async fn show_page(state: &AppState, s: &Session, id: i64, ctx: Ctx) -> Result<Response, AppError> {
    let (m, org) = visible(state, s, id).await?;
    let actor = s.actor.clone();
    let today = date::today();
    let page = read(state, move |c| {
        let one = categories::one_shoulder(c, org.id)?;
        let allowed = allowed(&m, one);
        let roster = if allowed.iter().any(|a| a == StepKind::PartyAssembly.label()) {
            meetings::roster_at(c, &org, &today.to_string())?
        } else {
            Vec::new()
        };
        Ok(Page {
            crumbs: crumbs(c, &actor, &org)?,
            steps: matters::steps(c, m.id)?,
            objections: matters::objections(c, &m)?,
            files: matters::files(c, m.id)?,
            notice_until: matters::notice_until(c, &m)?
                .map(|d| d.to_string())
                .unwrap_or_default(),
            allowed,
            forms: VillageForm::ALL
                .iter()
                .map(|f| f.label().to_string())
                .collect(),
            roster,
            today: today.to_string(),
            m,
            ctx,
        })
    })
    .await?;
    render_as(page.ctx.status(), &page)
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    show_page(&state, &s, id, Ctx::new(&s, "decisions")).await
}

/// Records the step due, with its documents or photos. Step 3's attendance is the roster's
/// `a{member_id}` fields.
pub async fn step(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, AppError> {
    visible(&state, &s, id).await?;
    let action = format!("/matters/{id}/steps");
    let up = match crate::pages::form::Upload::read(&s, form, "files").await {
        Ok(u) => u,
        Err(r) => {
            let ctx = Ctx::new(&s, "decisions").refusal(r.error, &r.kept.posted_to(action))?;
            return show_page(&state, &s, id, ctx).await;
        }
    };
    let f = &up.fields;
    let input = StepInput {
        step: field(f, "step"),
        date: field(f, "date"),
        form: field(f, "form"),
        expected: field(f, "expected"),
        present: field(f, "present"),
        yes: field(f, "yes"),
        no: field(f, "no"),
        abstain: field(f, "abstain"),
        minutes: field(f, "minutes"),
        text: field(f, "text"),
        amount: field(f, "amount"),
        final_result: field(f, "final_result"),
    };
    let attendance_fields: Vec<(String, String)> = f
        .iter()
        .filter(|(k, _)| k.starts_with('a') && k[1..].parse::<i64>().is_ok())
        .cloned()
        .collect();
    let files = up.files;
    let actor = s.actor.clone();
    let result = write(&state, move |c| {
        // Read again in this transaction: the page's copy may be stale.
        let m = matters::get(c, id)?
            .filter(|x| actor.can_record_decision(&x.org_path))
            .ok_or(AppError::NotFound("事项"))?;
        let d = input.validate(date::today())?;
        let attendance = parse_attendance(&attendance_fields)?;
        let step = matters::record_step(c, &actor, &m, &d, &attendance)?;
        let max = settings::rules(c)?.upload_max_bytes;
        for (name, bytes) in &files {
            let mime =
                xianfeng_domain::campaign::check_evidence(name, bytes, max).map_err(|e| {
                    xianfeng_domain::Invalid::one("files", "会议材料或照片", e.to_string())
                })?;
            matters::add_file(c, &actor, &m, Some(step.id), name, mime, bytes)?;
        }
        Ok(step)
    })
    .await;
    match result {
        Ok(step) if step.passed => Ok(done(&format!("/matters/{id}"), "议事步骤已登记")),
        Ok(step) => Ok(done(
            &format!("/matters/{id}"),
            &format!("已登记：{}，事项终止", step.reason),
        )),
        Err(e) => {
            let ctx = Ctx::new(&s, "decisions").refusal(e, &up.kept.posted_to(action))?;
            show_page(&state, &s, id, ctx).await
        }
    }
}

/// Marks the matter carried out before its steps are done (a must-go category opens a problem).
pub async fn implement(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(_, kept): CsrfForm<CsrfOnly>,
) -> Result<Response, AppError> {
    visible(&state, &s, id).await?;
    let actor = s.actor.clone();
    let result = write(&state, move |c| {
        // Read again in this transaction: the page's copy may be stale.
        let m = matters::get(c, id)?
            .filter(|x| actor.can_record_decision(&x.org_path))
            .ok_or(AppError::NotFound("事项"))?;
        Ok(matters::mark_implemented(c, &actor, &m, date::today())?)
    })
    .await;
    match result {
        Ok(Some(_)) => Ok(done(
            &format!("/matters/{id}"),
            "已标记为实施；该类事项须经“四议两公开”，已记入问题台账",
        )),
        Ok(None) => Ok(done(&format!("/matters/{id}"), "已标记为实施")),
        Err(e) => {
            let ctx = Ctx::new(&s, "decisions").refusal(e, &kept)?;
            show_page(&state, &s, id, ctx).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
    /// `uphold` when the objection stands (the resolution falls).
    #[serde(default)]
    decision: String,
}

/// The village's answer to an objection (dismissed, or upheld: the matter stops).
pub async fn answer(
    State(state): State<AppState>,
    s: Session,
    Path((id, oid)): Path<(i64, i64)>,
    CsrfForm(f, kept): CsrfForm<AnswerForm>,
) -> Result<Response, AppError> {
    visible(&state, &s, id).await?;
    let actor = s.actor.clone();
    let result = write(&state, move |c| {
        // Read again in this transaction: the page's copy may be stale.
        let m = matters::get(c, id)?
            .filter(|x| actor.can_record_decision(&x.org_path))
            .ok_or(AppError::NotFound("事项"))?;
        Ok(matters::answer(
            c,
            &actor,
            &m,
            oid,
            f.decision == "uphold",
            &f.answer,
        )?)
    })
    .await;
    match result {
        Ok(()) => Ok(done(&format!("/matters/{id}"), "答复已保存")),
        Err(e) => {
            let ctx = Ctx::new(&s, "decisions").refusal(e, &kept)?;
            show_page(&state, &s, id, ctx).await
        }
    }
}

/// A document or photo of the matter (404 unless it belongs to it).
pub async fn file(
    State(state): State<AppState>,
    s: Session,
    Path((id, sha)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let (m, _) = visible(&state, &s, id).await?;
    crate::pages::attached_file(&state, sha, "文件", move |c, sha| {
        matters::has_file(c, m.id, sha)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_offers_only_the_step_due() {
        let m = Matter {
            id: 1,
            org_id: 1,
            org_name: "东村党支部".into(),
            org_path: "/1/".into(),
            title: "村道".into(),
            category: "其他".into(),
            must_go: false,
            amount_fen: None,
            summary: String::new(),
            done_step: 0,
            status: MatterStatus::Open,
            stop_reason: String::new(),
            problem_id: None,
            notice_id: None,
            created_at: String::new(),
        };
        assert_eq!(allowed(&m, false), ["村党组织提议"]);
        assert_eq!(allowed(&m, true).len(), 2, "一肩挑 may merge");
        let stopped = Matter {
            status: MatterStatus::Stopped,
            ..m
        };
        assert!(allowed(&stopped, false).is_empty());
    }
}
