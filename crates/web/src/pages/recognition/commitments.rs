//! 承诺践诺 pages: a subtree's commitments for a year (with members short of the minimum),
//! adding and approving them, a commitment's fulfilment entries (with a photo), reviews and
//! result; leader reviews (领导点评); and the public half-yearly fulfilment report.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use xianfeng_domain::commitment::{
    half_of, half_range, suggested, CommitmentInput, CommitmentResult, CommitmentStage,
    CommitmentStep, Reviewer,
};
use xianfeng_domain::evaluation::Choice;
use xianfeng_domain::org::Org;
use xianfeng_store::recognition::commitments::{self, Commitment, Entry};
use xianfeng_store::recognition::leader_reviews::{self, LeaderReview};
use xianfeng_store::{files, people::orgs};

use crate::pages::form::{empty_as_none, CsrfForm, Kept};
use crate::pages::public::{self, Names, Paging, PublicQuery};
use crate::pages::shared::{with_org, year_of, YearQuery};
use crate::pages::{done, field, render, render_as, write, Ctx};
use crate::session::Session;
use crate::{blocking, AppError, AppState};

#[derive(Template)]
#[template(path = "recognition/commitments.html")]
struct ListPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    year: i32,
    items: Vec<Commitment>,
    stage: String,
    stages: Vec<(&'static str, usize)>,
    truncated: bool,
    drafts: usize,
    short: Vec<(i64, String, i64)>,
    members: Vec<(i64, String)>,
    reviews: Vec<LeaderReview>,
    categories: Vec<String>,
    can_write: bool,
    can_review: bool,
    min: usize,
    today: String,
    half: String,
    /// The organisation's public address (its report is at `/board/{slug}/commitments`).
    slug: String,
    /// The commitment form as typed when it was refused.
    add: Typed,
    /// The leader review form as typed when it was refused.
    review: Typed,
}

/// One of the list page's forms as typed when it was refused, with each field's message. The
/// commitment and leader review forms share field names (`content`), so their input is put
/// back into its own form by the page, not by name.
#[derive(Default)]
struct Typed {
    kept: Kept,
    errors: Option<xianfeng_domain::Invalid>,
}

impl Typed {
    fn is_empty(&self) -> bool {
        self.kept.fields.is_empty()
    }

    fn get(&self, name: &str) -> &str {
        self.kept.get(name)
    }

    /// The message beside `field`, or "".
    fn error(&self, field: &str) -> &str {
        self.errors
            .as_ref()
            .and_then(|i| i.for_field(field))
            .unwrap_or("")
    }
}

/// Which of the list page's forms was refused.
enum ListForm {
    Add,
    Review,
    Other,
}

async fn list_page(
    state: &AppState,
    s: &Session,
    id: i64,
    (year, stage): (i32, String),
    ctx: Ctx,
    (add, review): (Typed, Typed),
) -> Result<Response, AppError> {
    let (org, crumbs, (items, members, reviews, categories, min, slug)) =
        with_org(state, s, id, move |c, org| {
            let members: Vec<(i64, String)> = if org.kind.is_branch() {
                xianfeng_store::people::members::names_at(c, org.id, 500)?
            } else {
                Vec::new()
            };
            Ok((
                commitments::list(c, &org.path, year as i64)?,
                members,
                leader_reviews::list(c, &org.path, 20)?,
                commitments::categories(c, year as i64)?,
                xianfeng_store::settings::rules(c)?
                    .commitments_min_per_member
                    .max(0) as usize,
                xianfeng_store::people::public_slugs::of(c, org.id)?,
            ))
        })
        .await?;
    let member_view = s.actor.role == xianfeng_domain::auth::Role::Member;
    if !s.actor.can_read_org(&org.path) {
        return Err(AppError::Forbidden);
    }
    // a member sees their own commitments; staff see the subtree's
    let items: Vec<Commitment> = items
        .into_iter()
        .filter(|k| s.actor.can_access_commitment(&k.org_path, k.member_id))
        .collect();
    let short = if member_view {
        Vec::new()
    } else {
        members
            .iter()
            .map(|(mid, name)| {
                let n = items.iter().filter(|k| k.member_id == Some(*mid)).count() as i64;
                (*mid, name.clone(), n)
            })
            .filter(|(_, _, n)| (*n as usize) < min)
            .collect()
    };
    let truncated = items.len() >= commitments::LIST_LIMIT;
    let stages: Vec<(&'static str, usize)> = CommitmentStage::ALL
        .iter()
        .map(|st| (st.label(), items.iter().filter(|k| k.stage == *st).count()))
        .collect();
    let drafts = items
        .iter()
        .filter(|k| k.stage == CommitmentStage::Draft && k.org_id == org.id)
        .count();
    let items: Vec<Commitment> = match CommitmentStage::parse(&stage) {
        Some(st) => items.into_iter().filter(|k| k.stage == st).collect(),
        None => items,
    };
    let members = if member_view {
        members
            .into_iter()
            .filter(|(m, _)| Some(*m) == s.actor.member_id)
            .collect()
    } else {
        members
    };
    let status = ctx.status();
    let p = ListPage {
        ctx,
        can_write: org.kind.is_branch() && (s.actor.can_record_life(&org.path) || member_view),
        can_review: s.actor.can_inspect(&org.path) && org.kind.is_branch(),
        org,
        crumbs,
        year,
        items,
        stage,
        stages,
        truncated,
        drafts,
        short,
        members,
        reviews,
        categories,
        min,
        today: xianfeng_domain::date::today().to_string(),
        half: half_of(xianfeng_domain::date::today()),
        slug,
        add,
        review,
    };
    render_as(status, &p)
}

pub async fn list(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "commitments");
    let forms = (Typed::default(), Typed::default());
    list_page(&state, &s, id, (year_of(&q.year), q.stage), ctx, forms).await
}

#[derive(Deserialize)]
pub struct AddForm {
    /// The member committing; empty for the branch's own commitment.
    #[serde(default, deserialize_with = "empty_as_none")]
    member: Option<i64>,
    #[serde(default)]
    content: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    due: String,
}

pub async fn add(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<AddForm>,
) -> Result<Response, AppError> {
    let input = CommitmentInput {
        content: f.content,
        category: f.category,
        due: f.due,
    };
    let member = f.member;
    let year = input
        .due
        .get(..4)
        .map(year_of)
        .unwrap_or_else(|| year_of(""));
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let org = orgs::require(c, id)?;
        Ok(commitments::add(c, &actor, &org, member, year, &input)?)
    })
    .await;
    let notice = |_| "已登记承诺，待支部审核后公示".to_string();
    on_list(&state, &s, (id, year), r, notice, (ListForm::Add, kept)).await
}

#[derive(Deserialize)]
pub struct YearForm {
    #[serde(default)]
    year: String,
}

/// The branch approves all its drafts at once (支部统一审核后公示).
pub async fn approve_all(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<YearForm>,
) -> Result<Response, AppError> {
    let year = year_of(&f.year);
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let org = orgs::require(c, id)?;
        Ok(commitments::approve_all(c, &actor, &org, year as i64)?)
    })
    .await;
    let notice = |n| format!("已审核通过 {n} 项承诺并公示");
    on_list(&state, &s, (id, year), r, notice, (ListForm::Other, kept)).await
}

/// The end of a form on the list page: back to it with `notice`, or the page with the refusal
/// and `form` as typed.
async fn on_list<T>(
    state: &AppState,
    s: &Session,
    (id, year): (i64, i32),
    r: Result<T, AppError>,
    notice: impl FnOnce(T) -> String,
    (form, kept): (ListForm, Kept),
) -> Result<Response, AppError> {
    let e = match r {
        Ok(v) => return Ok(done(&format!("/orgs/{id}/commitments"), &notice(v))),
        Err(e) => e,
    };
    let typed = Typed {
        errors: match &e {
            AppError::Invalid(i) => Some(i.clone()),
            _ => None,
        },
        kept,
    };
    let mut ctx = Ctx::new(s, "commitments").refusal(e, &Kept::default())?;
    // The page puts the input back into the form it came from (see `Typed`).
    ctx.flash.kept_json.clear();
    let forms = match form {
        ListForm::Add => (typed, Typed::default()),
        ListForm::Review => (Typed::default(), typed),
        ListForm::Other => (Typed::default(), Typed::default()),
    };
    list_page(state, s, id, (year, String::new()), ctx, forms).await
}

#[derive(Deserialize)]
pub struct LeaderReviewForm {
    #[serde(default)]
    reviewer: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    content: String,
}

pub async fn leader_review(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<LeaderReviewForm>,
) -> Result<Response, AppError> {
    let LeaderReviewForm {
        reviewer,
        day,
        content,
    } = f;
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let org = orgs::require(c, id)?;
        Ok(leader_reviews::add(
            c, &actor, &org, &reviewer, &day, &content,
        )?)
    })
    .await;
    let notice = |()| "已记录领导点评".to_string();
    let form = (ListForm::Review, kept);
    on_list(&state, &s, (id, year_of("")), r, notice, form).await
}

#[derive(Template)]
#[template(path = "recognition/commitment.html")]
struct DetailPage {
    ctx: Ctx,
    k: Commitment,
    entries: Vec<Entry>,
    reviews: Vec<(Reviewer, Choice, String)>,
    suggested: String,
    reviewers: Vec<&'static str>,
    choices: Vec<&'static str>,
    results: Vec<&'static str>,
    can_run: bool,
    can_fulfil: bool,
    today: String,
}

async fn detail_page(
    state: &AppState,
    s: &Session,
    id: i64,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (k, entries, reviews) = crate::pages::read(state, move |c| {
        let k = commitments::get(c, id)?;
        if !actor.can_access_commitment(&k.org_path, k.member_id) {
            return Err(AppError::NotFound("承诺"));
        }
        Ok((
            k,
            commitments::entries(c, id)?,
            commitments::reviews(c, id)?,
        ))
    })
    .await?;
    let can_run = s.actor.can_record_life(&k.org_path);
    let choices: Vec<Choice> = reviews.iter().map(|(_, c, _)| *c).collect();
    let status = ctx.status();
    let p = DetailPage {
        ctx,
        can_fulfil: s.actor.can_access_commitment(&k.org_path, k.member_id)
            && xianfeng_domain::commitment::accepts_fulfilment(k.stage),
        can_run,
        suggested: suggested(&choices)
            .map(|r| r.label().to_string())
            .unwrap_or_default(),
        k,
        entries,
        reviews,
        reviewers: Reviewer::ALL.iter().map(|r| r.label()).collect(),
        choices: Choice::ALL.iter().map(|c| c.label()).collect(),
        results: CommitmentResult::ALL.iter().map(|r| r.label()).collect(),
        today: xianfeng_domain::date::today().to_string(),
    };
    render_as(status, &p)
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "commitments");
    detail_page(&state, &s, id, ctx).await
}

/// The end of a form on a commitment's page: back to it with `notice`, or the page again with
/// the refusal and what was typed.
async fn after(
    state: &AppState,
    s: &Session,
    (id, kept): (i64, Kept),
    notice: &str,
    r: Result<(), AppError>,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(done(&format!("/commitments/{id}"), notice)),
        Err(e) => {
            let ctx = Ctx::new(s, "commitments").refusal(e, &kept)?;
            detail_page(state, s, id, ctx).await
        }
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    /// The button pressed: 审核通过, 开始评诺 or 评定结果.
    #[serde(default)]
    step: String,
    #[serde(default)]
    result: String,
}

/// Approve, start review, or settle with a result.
pub async fn step(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, mut kept): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    // The pressed button is not put back: the form's buttons share its name.
    kept.fields.retain(|(k, _)| k != "step");
    let step = CommitmentStep::parse(&f.step);
    let result = CommitmentResult::parse(&f.result);
    let actor = s.actor.clone();
    let r = blocking(&state, move |st| {
        let step = step.ok_or_else(|| {
            AppError::Invalid(xianfeng_domain::Invalid::one(
                "step",
                "办理",
                "请选择办理方式",
            ))
        })?;
        Ok(st.write(|c| commitments::step(c, &actor, id, step, result))?)
    })
    .await;
    after(&state, &s, (id, kept), "已办理", r).await
}

/// A fulfilment entry with an optional photo.
pub async fn fulfil(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, AppError> {
    // Scope before body: a commitment the actor may not see is 404 before its photo is read.
    let who = s.actor.clone();
    crate::pages::read(&state, move |c| {
        let k = commitments::get(c, id)?;
        match who.can_access_commitment(&k.org_path, k.member_id) {
            true => Ok(()),
            false => Err(AppError::NotFound("承诺")),
        }
    })
    .await?;
    let crate::pages::form::Upload {
        fields: f,
        files,
        kept,
    } = match crate::pages::form::Upload::read(&s, form, "photo").await {
        Ok(u) => u,
        Err(r) => return after(&state, &s, (id, r.kept), "", Err(r.error)).await,
    };
    let (day, content) = (field(&f, "day"), field(&f, "content"));
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let evidence = crate::pages::checked_evidence(c, &files)?;
        let sha = match evidence.first() {
            Some((_, mime, bytes)) => Some(files::put(c, mime, bytes)?),
            None => None,
        };
        commitments::fulfil(c, &actor, id, &day, &content, sha.as_deref())?;
        Ok(())
    })
    .await;
    after(&state, &s, (id, kept), "已记录践诺情况", r).await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    reviewer: String,
    #[serde(default)]
    choice: String,
    #[serde(default)]
    comment: String,
}

pub async fn review(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<ReviewForm>,
) -> Result<Response, AppError> {
    let reviewer = Reviewer::parse(&f.reviewer);
    let choice = Choice::parse(&f.choice);
    let comment = f.comment;
    let actor = s.actor.clone();
    let r = blocking(&state, move |st| {
        let (Some(reviewer), Some(choice)) = (reviewer, choice) else {
            return Err(AppError::Invalid(xianfeng_domain::Invalid::one(
                "choice",
                "评诺",
                "请选择评议方和评价",
            )));
        };
        Ok(st.write(|c| commitments::review(c, &actor, id, reviewer, choice, &comment))?)
    })
    .await;
    after(&state, &s, (id, kept), "已登记评诺", r).await
}

pub async fn photo(
    State(state): State<AppState>,
    s: Session,
    Path((id, sha)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    crate::pages::attached_file(&state, sha, "照片", move |c, sha| {
        let k = commitments::get(c, id)?;
        Ok(actor.can_access_commitment(&k.org_path, k.member_id)
            && commitments::entries(c, id)?
                .iter()
                .any(|e| e.sha256.as_deref() == Some(sha)))
    })
    .await
}

#[derive(Template)]
#[template(path = "recognition/commitments_report.html")]
struct ReportPage {
    org_name: String,
    half: String,
    from: String,
    to: String,
    /// This page's commitments, makers' names shown the `Names` way.
    items: Vec<(Commitment, Vec<Entry>)>,
    total: i64,
    kept: i64,
    settled: i64,
    paging: Paging,
    pager_query: String,
}

/// The public half-yearly fulfilment report (践诺情况公开) of a subtree, one page at a time.
pub async fn report(
    State(state): State<AppState>,
    Path(at): Path<String>,
    Query(q): Query<PublicQuery>,
) -> Result<Response, AppError> {
    let half = if half_range(&q.half).is_some() {
        q.half
    } else {
        half_of(xianfeng_domain::date::today())
    };
    let (from, to) = half_range(&half).ok_or(AppError::NotFound("报告期"))?;
    let page = crate::pages::read(&state, move |c| {
        let rules = xianfeng_store::settings::rules(c)?;
        let Some(org) = public::org_at(c, &at, &rules)? else {
            return Ok(None);
        };
        let names = Names::of(&rules);
        let mut paging = Paging::new(&q.page, &rules);
        let report =
            commitments::report_page(c, &org.path, from, to, paging.offset(), paging.fetch())?;
        let items = paging
            .trim(report.items)
            .into_iter()
            .map(|(mut k, e)| {
                k.member_name = names.person(&k.member_name);
                (k, e)
            })
            .collect();
        Ok(Some(ReportPage {
            org_name: org.name,
            pager_query: format!("half={half}&"),
            half: half.clone(),
            from: xianfeng_domain::date::format_cn(from),
            to: xianfeng_domain::date::format_cn(to),
            items,
            total: report.total,
            kept: report.kept,
            settled: report.settled,
            paging,
        }))
    })
    .await?
    .ok_or(AppError::NotFound("组织"))?;
    Ok(public::cacheable(render(&page)?))
}
