//! The county's evaluation and star schemes (评议方案、评星方案): criteria, weights,
//! thresholds, the 优秀 cap and tie-breaks; star items and lines. Configuration, edited as
//! forms and checked before saving.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use xianfeng_domain::evaluation_form::SchemeInput;
use xianfeng_domain::stars::{BranchSchemeInput, MemberSchemeInput};
use xianfeng_store::{recognition::evaluations, recognition::stars};

use crate::pages::form::{empty_as_none, CsrfForm, Kept};
use crate::pages::{done, render_as, Ctx};
use crate::session::Session;
use crate::{blocking, AppError, AppState};

#[derive(Template)]
#[template(path = "recognition/schemes.html")]
struct SchemesPage {
    ctx: Ctx,
    schemes: Vec<SchemeInput>,
    member: MemberSchemeInput,
    branch: BranchSchemeInput,
}

/// A refused form as typed, shown again in place of what is saved.
#[derive(Default)]
enum Refill {
    #[default]
    Saved,
    /// An evaluation scheme: the one at `index` (none: the new one).
    Evaluation(Option<usize>, SchemeInput),
    Stars(MemberSchemeInput, BranchSchemeInput),
}

async fn page(
    state: &AppState,
    s: &Session,
    ctx: Ctx,
    refill: Refill,
) -> Result<Response, AppError> {
    if !s.actor.is_county_admin() {
        return Err(AppError::Forbidden);
    }
    let (schemes, member, branch) = crate::pages::read(state, move |c| {
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
    let mut member = MemberSchemeInput::from_scheme(&member);
    let mut branch = BranchSchemeInput::from_scheme(&branch);
    match refill {
        Refill::Saved => {}
        Refill::Evaluation(index, typed) => {
            let last = forms.len() - 1;
            let at = index.filter(|i| *i < last).unwrap_or(last);
            forms[at] = typed;
        }
        Refill::Stars(m, b) => {
            member = m;
            branch = b;
        }
    }
    let status = ctx.status();
    let p = SchemesPage {
        ctx,
        schemes: forms,
        member,
        branch,
    };
    render_as(status, &p)
}

pub async fn show(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "settings");
    page(&state, &s, ctx, Refill::Saved).await
}

/// One evaluation scheme as posted: the weights `w0`–`w3` and thresholds `t0`–`t2` are
/// numbered fields.
#[derive(Deserialize)]
pub struct SchemeForm {
    /// Which saved scheme this replaces; empty for a new one.
    #[serde(default, deserialize_with = "empty_as_none")]
    index: Option<usize>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    criteria: String,
    #[serde(default)]
    w0: String,
    #[serde(default)]
    w1: String,
    #[serde(default)]
    w2: String,
    #[serde(default)]
    w3: String,
    #[serde(default)]
    t0: String,
    #[serde(default)]
    t1: String,
    #[serde(default)]
    t2: String,
    #[serde(default)]
    cap: String,
    #[serde(default)]
    tie_breaks: String,
}

impl SchemeForm {
    fn input(self) -> SchemeInput {
        SchemeInput {
            name: self.name,
            subject: self.subject,
            criteria: self.criteria,
            weights: [self.w0, self.w1, self.w2, self.w3],
            thresholds: [self.t0, self.t1, self.t2],
            cap: self.cap,
            tie_breaks: self.tie_breaks,
        }
    }
}

/// Adds or replaces one evaluation scheme (`index` empty: a new one).
pub async fn save_evaluation(
    State(state): State<AppState>,
    s: Session,
    CsrfForm(f, _): CsrfForm<SchemeForm>,
) -> Result<Response, AppError> {
    let index = f.index;
    let input = f.input();
    let typed = input.clone();
    let actor = s.actor.clone();
    let r = blocking(&state, move |st| {
        let scheme = input.parse().map_err(AppError::Invalid)?;
        Ok(st.write(|c| evaluations::save_scheme(c, &actor, index, scheme))?)
    })
    .await;
    match r {
        Ok(()) => Ok(done(
            "/settings/schemes",
            "评议方案已保存，新开展的评议使用新方案",
        )),
        Err(e) => {
            // Every scheme's form has the same field names: the page puts the input back into
            // the form it came from, so nothing is put back by name.
            let mut ctx = Ctx::new(&s, "settings").refusal(e, &Kept::default())?;
            ctx.flash.kept_json.clear();
            page(&state, &s, ctx, Refill::Evaluation(index, typed)).await
        }
    }
}

/// The star schemes as posted: member lines `m0`–`m3`, branch lines `b0`–`b3`.
#[derive(Deserialize)]
pub struct StarsForm {
    #[serde(default)]
    items: String,
    #[serde(default)]
    review_percent: String,
    #[serde(default)]
    m0: String,
    #[serde(default)]
    m1: String,
    #[serde(default)]
    m2: String,
    #[serde(default)]
    m3: String,
    #[serde(default)]
    base: String,
    #[serde(default)]
    per_honour: String,
    #[serde(default)]
    per_overdue_problem: String,
    #[serde(default)]
    per_missed_obligation: String,
    #[serde(default)]
    b0: String,
    #[serde(default)]
    b1: String,
    #[serde(default)]
    b2: String,
    #[serde(default)]
    b3: String,
}

impl StarsForm {
    fn inputs(self) -> (MemberSchemeInput, BranchSchemeInput) {
        (
            MemberSchemeInput {
                items: self.items,
                review_percent: self.review_percent,
                stars: [self.m0, self.m1, self.m2, self.m3],
            },
            BranchSchemeInput {
                base: self.base,
                per_honour: self.per_honour,
                per_overdue_problem: self.per_overdue_problem,
                per_missed_obligation: self.per_missed_obligation,
                stars: [self.b0, self.b1, self.b2, self.b3],
            },
        )
    }
}

pub async fn save_stars(
    State(state): State<AppState>,
    s: Session,
    CsrfForm(f, kept): CsrfForm<StarsForm>,
) -> Result<Response, AppError> {
    let (member, branch) = f.inputs();
    let typed = Refill::Stars(member.clone(), branch.clone());
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
    match r {
        Ok(()) => Ok(done("/settings/schemes", "评星方案已保存，重新评定后生效")),
        Err(e) => {
            let ctx = Ctx::new(&s, "settings").refusal(e, &kept)?;
            page(&state, &s, ctx, typed).await
        }
    }
}
