//! 民主评议 pages: rounds of a subtree, opening one, scoring as the organisation, the code
//! sheet to print (with QR codes), closing, results and each result's explanation; and the
//! public rating page a household or member opens from their one-time code.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use xianfeng_domain::evaluation::{centi, Choice, Grade, RaterGroup};
use xianfeng_domain::org::Org;
use xianfeng_store::people::orgs;
use xianfeng_store::recognition::evaluations::{
    self, Code, ResultLine, Round, RoundInput, Subject,
};

use crate::pages::form::{CsrfForm, Kept};
use crate::pages::shared::with_org;
use crate::pages::Flash;
use crate::pages::{
    done, field, public_url, qr_svg, render, render_as, write, CsrfOnly, Ctx, Pairs,
};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "recognition/evaluations.html")]
struct RoundsPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    rounds: Vec<Round>,
    schemes: Vec<String>,
    /// The organisation's public address (its notice board is at `/notice/{slug}`).
    slug: String,
    can_open: bool,
    today: String,
}

async fn rounds_page(
    state: &AppState,
    s: &Session,
    id: i64,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let (org, crumbs, (rounds, schemes, slug)) = with_org(state, s, id, |c, org| {
        Ok((
            evaluations::rounds_in(c, &org.path)?,
            evaluations::schemes_at(c, &org.path)?,
            xianfeng_store::people::public_slugs::of(c, org.id)?,
        ))
    })
    .await?;
    if !s.actor.can_list_members(&org.path) {
        return Err(AppError::Forbidden);
    }
    let status = ctx.status();
    let p = RoundsPage {
        ctx,
        can_open: s.actor.can_record_life(&org.path),
        org,
        crumbs,
        rounds,
        schemes: schemes.into_iter().map(|s| s.name).collect(),
        slug,
        today: (xianfeng_domain::date::today() + chrono::Duration::days(14)).to_string(),
    };
    render_as(status, &p)
}

pub async fn list(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "evaluations");
    rounds_page(&state, &s, id, ctx).await
}

pub async fn open(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<RoundInput>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let org = orgs::require(c, id)?;
        Ok(evaluations::open_round(c, &actor, &org, &input)?)
    })
    .await;
    match r {
        Ok(round) => Ok(done(
            &format!("/evaluations/{round}"),
            "评议已开始，请打印评议码发放到户、到人",
        )),
        Err(e) => {
            let ctx = Ctx::new(&s, "evaluations").refusal(e, &kept)?;
            rounds_page(&state, &s, id, ctx).await
        }
    }
}

/// One subject on the round page, with the caller's scoring group when they may score it.
pub struct SubjectView {
    pub s: Subject,
    pub group: Option<RaterGroup>,
}

#[derive(Template)]
#[template(path = "recognition/evaluation.html")]
struct RoundPage {
    ctx: Ctx,
    r: Round,
    subjects: Vec<SubjectView>,
    results: Vec<ResultLine>,
    can_run: bool,
    past_deadline: bool,
    /// A refused score as typed: the subject and each criterion's value, shown again in that
    /// subject's row (every row's fields share their names).
    typed: (i64, Vec<String>),
}

impl RoundPage {
    /// The value typed for criterion `n` of `subject` in a refused score, or "".
    fn typed_score(&self, subject: &i64, n: &usize) -> &str {
        match &self.typed {
            (id, raw) if id == subject => raw.get(*n).map(String::as_str).unwrap_or(""),
            _ => "",
        }
    }
}

/// Formatting shared by the result pages.
trait ResultFormat {
    fn points(&self, v: &i64) -> String {
        centi(*v)
    }

    fn grade(&self, g: &Option<Grade>) -> &'static str {
        g.map(|g| g.label()).unwrap_or("无评分")
    }
}

impl ResultFormat for RoundPage {}
impl ResultFormat for ExplainPage {}

async fn round_page(
    state: &AppState,
    s: &Session,
    id: i64,
    ctx: Ctx,
    typed: (i64, Vec<String>),
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (r, subjects, results) = crate::pages::read(state, move |c| {
        let r = evaluations::round(c, id)?;
        if !actor.can_list_members(&r.org_path) {
            return Err(AppError::NotFound("评议"));
        }
        let subjects = evaluations::subjects(c, id)?
            .into_iter()
            .map(|sub| SubjectView {
                group: if r.open {
                    evaluations::account_group(&r, &sub, &actor)
                } else {
                    None
                },
                s: sub,
            })
            .collect();
        let results = if r.open {
            Vec::new()
        } else {
            evaluations::results(c, &r)?
        };
        Ok((r, subjects, results))
    })
    .await?;
    let status = ctx.status();
    let p = RoundPage {
        ctx,
        can_run: s.actor.can_record_life(&r.org_path),
        past_deadline: r.open && xianfeng_domain::date::today() > r.closes_on,
        r,
        subjects,
        results,
        typed,
    };
    render_as(status, &p)
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "evaluations");
    round_page(&state, &s, id, ctx, (0, Vec::new())).await
}

/// The organisation's scores for one subject: `subject` and `score_0` … `score_9`, one per
/// criterion (read as pairs: the criteria differ from scheme to scheme).
pub async fn score(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, _): CsrfForm<Pairs>,
) -> Result<Response, AppError> {
    // Missing or not a number: no such subject (a hidden field), never subject 0.
    let subject = field(&f, "subject").trim().parse::<i64>().ok();
    let raw: Vec<String> = (0..10).map(|i| field(&f, &format!("score_{i}"))).collect();
    let typed = raw.clone();
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let subject = subject.ok_or(AppError::NotFound("评议对象"))?;
        let n = evaluations::round(c, id)?.scheme.criteria.len();
        Ok(evaluations::score(
            c,
            &actor,
            id,
            subject,
            &raw[..n.min(raw.len())],
        )?)
    })
    .await;
    match r {
        Ok(()) => Ok(done(
            &format!("/evaluations/{id}"),
            "已保存打分（再次提交将以新版本替换）",
        )),
        Err(e) => {
            // Every subject's row has the same field names: the page puts the scores back
            // into the row they were for, so nothing is put back by name.
            let mut ctx = Ctx::new(&s, "evaluations").refusal(e, &Kept::default())?;
            ctx.flash.kept_json.clear();
            round_page(&state, &s, id, ctx, (subject.unwrap_or_default(), typed)).await
        }
    }
}

pub async fn close(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(_, kept): CsrfForm<CsrfOnly>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let r = write(&state, move |c| Ok(evaluations::close(c, &actor, id)?)).await;
    match r {
        Ok(_) => Ok(done(&format!("/evaluations/{id}"), "评议已结束，结果如下")),
        Err(e) => {
            let ctx = Ctx::new(&s, "evaluations").refusal(e, &kept)?;
            round_page(&state, &s, id, ctx, (0, Vec::new())).await
        }
    }
}

#[derive(Template)]
#[template(path = "recognition/evaluation_codes.html")]
struct CodesPage {
    ctx: Ctx,
    r: Round,
    codes: Vec<Code>,
    base: String,
    can_run: bool,
}

/// The code sheet to print and cut: one slip per household or member.
pub async fn codes(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (r, codes) = crate::pages::read(&state, move |c| {
        let r = evaluations::round(c, id)?;
        if !actor.can_record_life(&r.org_path) {
            return Err(AppError::NotFound("评议"));
        }
        Ok((r, evaluations::codes(c, id)?))
    })
    .await?;
    render(&CodesPage {
        ctx: Ctx::new(&s, "evaluations"),
        can_run: r.open,
        base: public_url(&state, &headers, "/r/"),
        r,
        codes,
    })
}

pub async fn revoke(
    State(state): State<AppState>,
    s: Session,
    Path(code_id): Path<i64>,
    CsrfForm(_, _): CsrfForm<CsrfOnly>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let round = write(&state, move |c| {
        Ok(evaluations::revoke(c, &actor, code_id)?)
    })
    .await?;
    Ok(done(&format!("/evaluations/{round}/codes"), "评议码已作废"))
}

#[derive(Template)]
#[template(path = "recognition/evaluation_result.html")]
struct ExplainPage {
    ctx: Ctx,
    r: Round,
    line: ResultLine,
    rated: usize,
    limit: usize,
}

/// Why a subject got its result: each group's raters, mean, weight and contribution.
pub async fn explain(
    State(state): State<AppState>,
    s: Session,
    Path((id, subject)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (r, lines) = crate::pages::read(&state, move |c| {
        let r = evaluations::round(c, id)?;
        if !actor.can_list_members(&r.org_path) {
            return Err(AppError::NotFound("评议"));
        }
        let lines = evaluations::results(c, &r)?;
        Ok((r, lines))
    })
    .await?;
    let rated = lines.iter().filter(|l| l.grade.is_some()).count();
    let limit = rated * r.scheme.cap.0 as usize / r.scheme.cap.1.max(1) as usize;
    let line = lines
        .into_iter()
        .find(|l| l.subject_id == subject)
        .ok_or(AppError::NotFound("评议结果"))?;
    render(&ExplainPage {
        ctx: Ctx::new(&s, "evaluations"),
        r,
        line,
        rated,
        limit,
    })
}

#[derive(Template)]
#[template(path = "recognition/rate.html")]
struct RatePage {
    code: String,
    r: Option<Round>,
    who: String,
    subjects: Vec<Subject>,
    choices: Vec<&'static str>,
    state: &'static str,
    flash: Flash,
}

impl RatePage {
    fn cn(&self, d: &chrono::NaiveDate) -> String {
        xianfeng_domain::date::format_cn(*d)
    }
}

fn choices() -> Vec<&'static str> {
    Choice::ALL.iter().map(|c| c.label()).collect()
}

async fn rate_page(state: &AppState, code: String, flash: Flash) -> Result<Response, AppError> {
    let c2 = code.clone();
    let found = crate::pages::read(state, move |c| {
        let Some(k) = evaluations::by_code(c, &c2)? else {
            return Ok(None);
        };
        let r = evaluations::round(c, k.round_id)?;
        let subjects = evaluations::subjects(c, r.id)?;
        Ok(Some((k, r, subjects)))
    })
    .await?;
    let Some((k, r, subjects)) = found else {
        return Err(AppError::NotFound("评议码"));
    };
    let state_text = if !r.open || xianfeng_domain::date::today() > r.closes_on {
        "closed"
    } else {
        match k.status.as_str() {
            "used" => "used",
            "revoked" => "revoked",
            _ => "open",
        }
    };
    let page = RatePage {
        code: k.code.clone(),
        who: k.label.clone(),
        subjects,
        choices: choices(),
        state: state_text,
        r: Some(r),
        flash,
    };
    // The code is a credential and the page names the people rated: never cached.
    Ok(crate::pages::public::private(render_as(
        page.flash.status,
        &page,
    )?))
}

/// The public rating page of one code (no sign-in: the code is the credential).
pub async fn rate_form(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    rate_page(&state, code, Flash::default()).await
}

/// A ballot: `s{subject}` = 满意 / 基本满意 / 不满意 for each subject rated.
pub async fn rate(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    let mut ballot = Vec::new();
    for (k, v) in &f {
        let Some(subject) = k.strip_prefix('s').and_then(|n| n.parse::<i64>().ok()) else {
            continue;
        };
        if v.trim().is_empty() {
            continue;
        }
        let choice = Choice::parse(v).ok_or_else(|| {
            AppError::Invalid(xianfeng_domain::Invalid::one(
                k,
                "评议",
                format!("“{v}”不是可选的评价"),
            ))
        })?;
        ballot.push((subject, choice));
    }
    let c2 = code.clone();
    let r = write(&state, move |c| {
        Ok(evaluations::vote_with_code(c, &c2, &ballot)?)
    })
    .await;
    match r {
        Ok(()) => render(&RatePage {
            code,
            r: None,
            who: String::new(),
            subjects: Vec::new(),
            choices: Vec::new(),
            state: "thanks",
            flash: Flash::default(),
        }),
        Err(e) => {
            // The choices go back into the ballot (one radio group per subject).
            let kept = Kept::multipart(&f, &[]);
            rate_page(&state, code, Flash::refusal(e, &kept)?).await
        }
    }
}

/// The QR code of a rating link, for the printed slip.
pub async fn code_qr(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let clean: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(16)
        .collect();
    qr_svg(&public_url(&state, &headers, &format!("/r/{clean}")), 160)
}
