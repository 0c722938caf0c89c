//! Public pages without an account: a person's or household's points card, opened from the
//! QR code printed for them (the code in the address is the credential, rate-limited by
//! `crate::limits`), where they see their balance and claim points with a photo; and the
//! public leaderboard when the county has made it public. Names on both are shown the
//! `public::Names` way; the leaderboard is paged and addressed by the public slug.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use xianfeng_domain::date;
use xianfeng_domain::points::{BoardPeriod, ClaimStatus, EarnInput};
use xianfeng_store::people::{households, orgs, public_slugs};
use xianfeng_store::points::point_claims::{self, By, Claim};
use xianfeng_store::points::point_rules::{self, Rule};
use xianfeng_store::points::{self, Account, Entry, HOUSEHOLD, PERSON};
use xianfeng_store::{points::point_board, settings};

use crate::pages::public::{self, Names, Paging, PublicQuery};
use crate::pages::{field, render, render_as, Flash};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "points/card.html")]
struct CardPage {
    holder: Account,
    /// The holder's name as public pages show it.
    name: String,
    org_name: String,
    spendable: i64,
    people: Vec<(i64, String, i64)>,
    entries: Vec<Entry>,
    claims: Vec<Claim>,
    rules: Vec<Rule>,
    today: String,
    flash: Flash,
}

async fn card_page(state: &AppState, code: String, flash: Flash) -> Result<Response, AppError> {
    let page = crate::pages::read(state, move |c| {
        let Some(holder) = points::by_code(c, &code)? else {
            return Ok(None);
        };
        let org_name = orgs::require(c, holder.org_id)?.name;
        let spendable = points::spendable(c, &holder)?;
        let names = Names::of(&settings::rules(c)?);
        let (people, owners) = if holder.kind == HOUSEHOLD {
            let residents = households::people(
                c,
                holder
                    .household_id
                    .ok_or_else(|| AppError::Internal("户积分账户没有对应的户".into()))?,
            )?;
            let shown = names.household(
                &residents
                    .iter()
                    .map(|p| (p.name.clone(), p.relation.clone()))
                    .collect::<Vec<_>>(),
            );
            let people: Vec<(i64, String, i64)> = residents
                .into_iter()
                .zip(shown)
                .map(|(p, name)| (p.account_id, name, p.balance))
                .collect();
            let owners = people.iter().map(|p| p.0).collect::<Vec<_>>();
            (people, owners)
        } else {
            (Vec::new(), vec![holder.id])
        };
        let mut entries = Vec::new();
        let mut claims = Vec::new();
        for id in &owners {
            entries.extend(points::history(c, *id, 20)?);
            claims.extend(point_claims::of_account(c, *id, 10)?);
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.id));
        entries.truncate(30);
        claims.sort_by_key(|c| std::cmp::Reverse(c.id));
        let rules = point_rules::for_org(c, &holder.org_path)?
            .into_iter()
            .filter(|r| r.draft.points > 0)
            .collect();
        Ok(Some(CardPage {
            name: names.account(&holder.kind, &holder.name),
            holder,
            org_name,
            spendable,
            people,
            entries,
            claims,
            rules,
            today: date::today().to_string(),
            flash,
        }))
    })
    .await?
    .ok_or(AppError::NotFound("积分码"))?;
    Ok(public::private(render_as(page.flash.status, &page)?))
}

pub async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<PublicQuery>,
) -> Result<Response, AppError> {
    card_page(&state, code, Flash::notice(q.ok)).await
}

/// A claim from the card: by the person, or for one of the household's people. It waits for
/// the branch's approval when the rule asks for it.
pub async fn claim(
    State(state): State<AppState>,
    Path(code): Path<String>,
    form: Multipart,
) -> Result<Response, AppError> {
    // The code before the body: an unknown card is 404 before any of the upload is read.
    let known = code.clone();
    crate::pages::read(&state, move |c| {
        points::by_code(c, &known)?
            .map(|_| ())
            .ok_or(AppError::NotFound("积分码"))
    })
    .await?;
    let crate::pages::form::Upload {
        fields: f,
        files,
        kept,
    } = match crate::pages::form::Upload::public(form, "evidence").await {
        Ok(u) => u,
        Err(r) => return card_page(&state, code, Flash::refusal(r.error, &r.kept)?).await,
    };
    let input = EarnInput {
        rule: field(&f, "rule"),
        day: field(&f, "day"),
        note: field(&f, "note"),
    };
    // Not chosen, or not a number: nobody (refused below), never person 0.
    let who = field(&f, "person").trim().parse::<i64>().ok();
    let card = code.clone();
    let result = crate::pages::write(&state, move |c| {
        let holder =
            points::by_code(c, &card)?.ok_or(xianfeng_store::StoreError::NotFound("积分码"))?;
        let person = if holder.kind == HOUSEHOLD {
            let people = points::household_people(
                c,
                holder
                    .household_id
                    .ok_or_else(|| AppError::Internal("户积分账户没有对应的户".into()))?,
            )?;
            match people.into_iter().find(|p| Some(p.id) == who) {
                Some(p) => p.id,
                None => {
                    return Err(xianfeng_domain::Invalid::one(
                        "person",
                        "申报人",
                        "请选择户里的申报人",
                    )
                    .into())
                }
            }
        } else if holder.kind == PERSON {
            holder.id
        } else {
            return Err(AppError::NotFound("积分码"));
        };
        let evidence = crate::pages::checked_evidence(c, &files)?;
        let d = input.validate(date::today())?;
        let file = evidence.first().map(|(_, m, b)| (m.as_str(), b.as_slice()));
        Ok(point_claims::earn(c, By::Card, person, &d, file)?)
    })
    .await;
    match result {
        Ok((id, status)) => {
            let msg = if status == ClaimStatus::Pending {
                format!("第{id}号申报已提交，等待村（社区）党组织审核")
            } else {
                format!("第{id}号申报已通过，积分已到账")
            };
            card_page(&state, code, Flash::notice(msg)).await
        }
        Err(e) => card_page(&state, code, Flash::refusal(e, &kept)?).await,
    }
}

#[derive(Template)]
#[template(path = "points/board.html")]
struct BoardPage {
    org_name: String,
    period: String,
    period_label: String,
    people: Vec<(i64, String, String, i64)>,
    households: Vec<(i64, String, String, i64)>,
    /// Child organisations on this page: public address, name, points.
    orgs: Vec<(String, String, i64)>,
    paging: Paging,
    /// What the previous and next links keep of the query (`period=year&`).
    pager_query: String,
}

/// The public leaderboard of a subtree, when the county has made it public: one page of
/// people, households and child organisations, names shown the `Names` way.
pub async fn board(
    State(state): State<AppState>,
    Path(at): Path<String>,
    Query(q): Query<PublicQuery>,
) -> Result<Response, AppError> {
    let (period, pager_query) = match q.period.as_str() {
        "quarter" => (BoardPeriod::Quarter, "period=quarter&"),
        "year" => (BoardPeriod::Year, "period=year&"),
        _ => (BoardPeriod::Month, ""),
    };
    let key = xianfeng_domain::cadence::Period::containing(period.frequency(), date::today()).key();
    let page = crate::pages::read(&state, move |c| {
        let rules = settings::rules(c)?;
        let org = match public::org_at(c, &at, &rules)? {
            Some(o) if rules.points_board_public == 1 => o,
            _ => return Ok(None),
        };
        let names = Names::of(&rules);
        let mut paging = Paging::new(&q.page, &rules);
        let mut standings = |kind: &str, paging: &mut Paging| -> Result<_, AppError> {
            let list =
                point_board::top_page(c, &org.path, kind, &key, paging.offset(), paging.fetch())?;
            Ok(paging
                .trim(list)
                .into_iter()
                .map(|s| (s.rank, names.account(kind, &s.name), s.org_name, s.points))
                .collect::<Vec<_>>())
        };
        let people = standings(PERSON, &mut paging)?;
        let households = standings(HOUSEHOLD, &mut paging)?;
        let children: Vec<_> = orgs::children(c, org.id)?
            .into_iter()
            .filter(|o| o.dissolved_on.is_none())
            .collect();
        let ranked = point_board::orgs(c, &children, &key)?;
        let shown = paging.slice(ranked);
        let slugs =
            public_slugs::of_many(c, &shown.iter().map(|(id, _, _)| *id).collect::<Vec<_>>())?;
        let orgs = shown
            .into_iter()
            .filter_map(|(id, name, pts)| Some((slugs.get(&id)?.clone(), name, pts)))
            .collect();
        Ok(Some(BoardPage {
            people,
            households,
            orgs,
            org_name: org.name,
            period: q.period.clone(),
            period_label: format!("{}（{key}）", period.label()),
            paging,
            pager_query: pager_query.to_string(),
        }))
    })
    .await?
    .ok_or(AppError::NotFound("排行榜"))?;
    Ok(public::cacheable(render(&page)?))
}
