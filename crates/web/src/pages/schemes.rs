//! The county's evaluation and star schemes (评议方案、评星方案): criteria, weights,
//! thresholds, the 优秀 cap and tie-breaks; star items and lines. Configuration, edited as
//! forms and checked before saving.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use xianfeng_domain::evaluation_form::SchemeInput;
use xianfeng_domain::stars::{BranchSchemeInput, MemberSchemeInput};
use xianfeng_store::{recognition::evaluations, recognition::stars};

use super::awards::Notice;
use super::shared::with_status;
use super::{done, field, render, settle, Ctx, Pairs};
use crate::session::Session;
use crate::{blocking, AppError, AppState};

#[derive(Template)]
#[template(path = "schemes.html")]
struct SchemesPage {
    ctx: Ctx,
    schemes: Vec<SchemeInput>,
    member: MemberSchemeInput,
    branch: BranchSchemeInput,
    notice: String,
    error: String,
}

async fn page(
    state: &AppState,
    s: &Session,
    notice: String,
    error: (StatusCode, String),
) -> Result<Response, AppError> {
    if !s.actor.is_county_admin() {
        return Err(AppError::Forbidden);
    }
    let (schemes, member, branch) = super::read(state, move |c| {
        Ok((
            evaluations::schemes(c)?,
            stars::member_scheme(c)?,
            stars::branch_scheme(c)?,
        ))
    })
    .await?;
    let mut forms: Vec<SchemeInput> = schemes.iter().map(SchemeInput::from_scheme).collect();
    forms.push(SchemeInput {
        weights: ["20", "40", "20", "20"].map(String::from),
        thresholds: ["90", "75", "60"].map(String::from),
        cap: "1/3".into(),
        subject: "党员".into(),
        ..SchemeInput::default()
    });
    let p = SchemesPage {
        ctx: Ctx::new(s, "settings"),
        schemes: forms,
        member: MemberSchemeInput::from_scheme(&member),
        branch: BranchSchemeInput::from_scheme(&branch),
        notice,
        error: error.1,
    };
    Ok(with_status(error.0, render(&p)?))
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<Notice>,
) -> Result<Response, AppError> {
    page(&state, &s, q.ok, (StatusCode::OK, String::new())).await
}

/// Adds or replaces one evaluation scheme (`index` empty: a new one).
pub async fn save_evaluation(
    State(state): State<AppState>,
    s: Session,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    let input = SchemeInput {
        name: field(&f, "name"),
        subject: field(&f, "subject"),
        criteria: field(&f, "criteria"),
        weights: ["w0", "w1", "w2", "w3"].map(|k| field(&f, k)),
        thresholds: ["t0", "t1", "t2"].map(|k| field(&f, k)),
        cap: field(&f, "cap"),
        tie_breaks: field(&f, "tie_breaks"),
    };
    let index: Option<usize> = field(&f, "index").parse().ok();
    let actor = s.actor.clone();
    let r = blocking(&state, move |st| {
        let scheme = input.parse().map_err(AppError::Invalid)?;
        Ok(st.write(|c| evaluations::save_scheme(c, &actor, index, scheme))?)
    })
    .await;
    settle(
        r,
        |()| {
            done(
                "/settings/schemes",
                "评议方案已保存，新开展的评议使用新方案",
            )
        },
        |e| page(&state, &s, String::new(), e),
    )
    .await
}

pub async fn save_stars(
    State(state): State<AppState>,
    s: Session,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    let member = MemberSchemeInput {
        items: field(&f, "items"),
        review_percent: field(&f, "review_percent"),
        stars: ["m0", "m1", "m2", "m3"].map(|k| field(&f, k)),
    };
    let branch = BranchSchemeInput {
        base: field(&f, "base"),
        per_honour: field(&f, "per_honour"),
        per_overdue_problem: field(&f, "per_overdue_problem"),
        per_missed_obligation: field(&f, "per_missed_obligation"),
        stars: ["b0", "b1", "b2", "b3"].map(|k| field(&f, k)),
    };
    let actor = s.actor.clone();
    let r = blocking(&state, move |st| {
        let (m, b) = match (member.parse(), branch.parse()) {
            (Ok(m), Ok(b)) => (m, b),
            (Err(mut a), Err(b)) => {
                a.0.extend(b.0);
                return Err(AppError::Invalid(a));
            }
            (Err(e), _) | (_, Err(e)) => return Err(AppError::Invalid(e)),
        };
        Ok(st.write(|c| stars::save_schemes(c, &actor, &m, &b))?)
    })
    .await;
    settle(
        r,
        |()| done("/settings/schemes", "评星方案已保存，重新评定后生效"),
        |e| page(&state, &s, String::new(), e),
    )
    .await
}
