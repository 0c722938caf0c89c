//! `/api/v1`: JSON with the same session, scope and CSRF rules as the pages.
//! Writes need the `X-CSRF-Token` header (returned by `POST /session` and `GET /me`).

mod openapi;

use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use xianfeng_domain::date;
use xianfeng_domain::member::{Member, MemberInput};
use xianfeng_domain::org::{structural_warnings, Org, OrgInput};
use xianfeng_store::{people::accounts, people::members, people::orgs, settings};

use crate::error::ApiError;
use crate::pages::visible_org;
use crate::session::{self, ApiSession, ClientIp, Session};
use crate::{blocking, AppError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::spec))
        .route("/session", post(login).delete(logout))
        .route("/me", get(me))
        .route("/warnings", get(warnings))
        .route("/orgs/{id}", get(org))
        .route("/orgs/{id}/compliance", get(compliance))
        .route("/orgs/{id}/points/board", get(points_board))
        .route("/orgs/{id}/children", get(children).post(create_child))
        .route("/orgs/{id}/members", get(member_list).post(create_member))
        .route("/members/{id}", get(member))
}

type ApiResult = Result<Response, ApiError>;

fn csrf(s: &Session, headers: &HeaderMap) -> Result<(), AppError> {
    s.check_csrf(
        headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    )
}

#[derive(Deserialize)]
struct Credentials {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Result<Json<Credentials>, axum::extract::rejection::JsonRejection>,
) -> ApiResult {
    let Json(c) = body.map_err(|e| {
        AppError::Invalid(xianfeng_domain::Invalid::one(
            "body",
            "请求体",
            format!("应为 JSON：{e}"),
        ))
    })?;
    let (token, csrf, actor) = blocking(&state, move |s| {
        let (token, csrf) = session::login(s, &c.username, &c.password, &ip)?;
        let actor = s
            .read(|c| accounts::session(c, &token))?
            .map(|(a, _)| a)
            .ok_or(AppError::Unauthenticated)?;
        Ok((token, csrf, actor))
    })
    .await?;
    Ok((
        [(SET_COOKIE, session::cookie(&token, state.secure_cookies))],
        Json(json!({"csrf_token": csrf, "user": actor_json(&actor)})),
    )
        .into_response())
}

async fn logout(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    headers: HeaderMap,
) -> ApiResult {
    csrf(&s, &headers)?;
    let token = s.token.clone();
    crate::pages::write(&state, move |c| Ok(accounts::end_session(c, &token)?)).await?;
    Ok((
        [(SET_COOKIE, session::cookie("", state.secure_cookies))],
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

fn actor_json(a: &xianfeng_domain::auth::Actor) -> Value {
    json!({"username": a.username, "display_name": a.display_name, "role": a.role.code(), "role_label": a.role.label(),
           "scope_org_id": a.scope_org_id, "member_id": a.member_id})
}

async fn me(ApiSession(s): ApiSession) -> ApiResult {
    Ok(Json(json!({"user": actor_json(&s.actor), "csrf_token": s.csrf})).into_response())
}

fn org_json(o: &Org, totals: Option<orgs::Totals>, warnings: Vec<String>) -> Value {
    json!({"id": o.id, "parent_id": o.parent_id, "name": o.name, "kind": o.kind.label(), "domain": o.domain.label(),
           "committee_size": o.committee_size, "dissolved_on": o.dissolved_on, "totals": totals, "warnings": warnings})
}

async fn org(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> ApiResult {
    let actor = s.actor.clone();
    let v = crate::pages::read(&state, move |c| {
        let o = visible_org(c, &actor, id)?;
        let totals = orgs::totals(c, o.id)?;
        let rules = settings::rules(c)?;
        let w = structural_warnings(&o, orgs::counts(c, o.id)?, &rules)
            .into_iter()
            .map(|w| w.message)
            .collect();
        Ok(org_json(&o, Some(totals), w))
    })
    .await?;
    Ok(Json(v).into_response())
}

async fn children(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> ApiResult {
    let actor = s.actor.clone();
    let v = crate::pages::read(&state, move |c| {
        let o = visible_org(c, &actor, id)?;
        let kids = orgs::children(c, o.id)?;
        let ids: Vec<i64> = kids.iter().map(|k| k.id).collect();
        let totals = orgs::totals_many(c, &ids)?;
        let out: Vec<_> = kids
            .iter()
            .map(|k| org_json(k, totals.get(&k.id).copied(), vec![]))
            .collect();
        Ok(json!({"items": out}))
    })
    .await?;
    Ok(Json(v).into_response())
}

async fn create_child(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Result<Json<OrgInput>, axum::extract::rejection::JsonRejection>,
) -> ApiResult {
    csrf(&s, &headers)?;
    let Json(input) = body.map_err(|e| {
        AppError::Invalid(xianfeng_domain::Invalid::one(
            "body",
            "请求体",
            format!("应为 JSON：{e}"),
        ))
    })?;
    let actor = s.actor.clone();
    let created = crate::pages::write(&state, move |c| {
        let parent = match visible_org(c, &actor, id) {
            Ok(p) if actor.can_create_org_under(&p.path) => p,
            Ok(_) => return Err(AppError::Forbidden),
            Err(e) => return Err(e),
        };
        let draft = input.validate(Some(parent.kind))?;
        Ok(orgs::create(c, Some(&actor), Some(&parent), &draft)?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(org_json(&created, None, vec![]))).into_response())
}

fn member_json(m: &Member) -> Value {
    json!({"id": m.id, "org_id": m.org_id, "org_name": m.org_name, "name": m.name, "gender": m.gender, "ethnicity": m.ethnicity,
           "birth_date": m.birth_date, "id_number": m.id_masked, "phone": m.phone_masked, "joined_on": m.joined_on,
           "full_on": m.full_on, "status": m.status, "education": m.education, "post": m.post, "tags": m.tags})
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    per_page: Option<i64>,
}

async fn member_list(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> ApiResult {
    let actor = s.actor.clone();
    let page = q.page.unwrap_or(0).max(0);
    let per_page = q.per_page.unwrap_or(20).clamp(1, 200);
    let v = crate::pages::read(&state, move |c| {
            let o = match visible_org(c, &actor, id) {
                Ok(o) if actor.can_list_members(&o.path) => o,
                _ => return Err(AppError::NotFound("组织")),
            };
            let p = members::list(c, &o.path, &members::Filter { q: q.q, tag: q.tag }, page, per_page)?;
            let total = orgs::totals(c, o.id)?.members;
            Ok(json!({"page": page, "per_page": per_page, "has_more": p.has_more, "subtree_total": total,
                         "items": p.items.iter().map(|r| member_json(&r.member)).collect::<Vec<_>>()}))
        })
    .await?;
    Ok(Json(v).into_response())
}

async fn create_member(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Result<Json<MemberInput>, axum::extract::rejection::JsonRejection>,
) -> ApiResult {
    csrf(&s, &headers)?;
    let Json(input) = body.map_err(|e| {
        AppError::Invalid(xianfeng_domain::Invalid::one(
            "body",
            "请求体",
            format!("应为 JSON：{e}"),
        ))
    })?;
    let actor = s.actor.clone();
    let m = crate::blocking(&state, move |st| {
        st.write(|c| {
            let o = match visible_org(c, &actor, id) {
                Ok(o) if actor.can_write_member(&o.path) => o,
                Ok(_) => return Err(AppError::Forbidden),
                Err(e) => return Err(e),
            };
            let rules = settings::rules(c)?;
            let draft = input.validate(&rules, date::today(), None)?;
            let mid = members::create(c, &st.vault, Some(&actor), &o, &draft)?;
            Ok(members::require(c, mid)?.member)
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(member_json(&m))).into_response())
}

async fn member(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> ApiResult {
    let actor = s.actor.clone();
    let v = crate::pages::read(&state, move |c| match members::get(c, id)? {
        Some(r) if actor.can_read_member(&r.org_path, r.member.id) => Ok(member_json(&r.member)),
        _ => Err(AppError::NotFound("党员")),
    })
    .await?;
    Ok(Json(v).into_response())
}

async fn warnings(State(state): State<AppState>, ApiSession(s): ApiSession) -> ApiResult {
    if s.actor.role == xianfeng_domain::auth::Role::Member {
        return Err(AppError::Forbidden.into());
    }
    let scope = s.actor.scope_org_id;
    let v = crate::pages::read(&state, move |c| {
            let root = orgs::require(c, scope)?;
            let rules = settings::rules(c)?;
            let (list, total) = orgs::subtree_warnings(c, &root, &rules, 1000)?;
            Ok(json!({"total": total, "items": list.iter().map(|(o, w)| json!({"org_id": o.id, "name": o.name, "kind": o.kind.label(),
                "warnings": w.iter().map(|w| json!({"code": w.code, "message": w.message})).collect::<Vec<_>>()})).collect::<Vec<_>>()}))
        })
    .await?;
    Ok(Json(v).into_response())
}

/// An organisation's standing on each cadence rule, and its subtree's counts of organisations
/// that met each rule this period.
#[derive(serde::Deserialize, Default)]
struct BoardQuery {
    #[serde(default)]
    period: String,
}

/// The subtree's leaderboards for the month, quarter or year (names in full: staff only).
async fn points_board(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<BoardQuery>,
) -> ApiResult {
    use xianfeng_domain::points::BoardPeriod;
    use xianfeng_store::{points, points::point_board};
    let period = match q.period.as_str() {
        "" | "month" => BoardPeriod::Month,
        "quarter" => BoardPeriod::Quarter,
        "year" => BoardPeriod::Year,
        _ => {
            return Err(AppError::Invalid(xianfeng_domain::Invalid::one(
                "period",
                "周期",
                "应为 month、quarter 或 year",
            ))
            .into())
        }
    };
    let key = xianfeng_domain::cadence::Period::containing(
        period.frequency(),
        xianfeng_domain::date::today(),
    )
    .key();
    let actor = s.actor.clone();
    let v = crate::pages::read(&state, move |c| {
            let o = match visible_org(c, &actor, id) {
                Ok(o) if actor.can_list_members(&o.path) => o,
                Ok(_) => return Err(AppError::Forbidden),
                Err(e) => return Err(e),
            };
            let standing = |list: Vec<point_board::Standing>| {
                list.into_iter()
                    .map(|s| json!({"rank": s.rank, "account_id": s.account_id, "name": s.name, "org": s.org_name, "points": s.points}))
                    .collect::<Vec<_>>()
            };
            let children: Vec<_> = xianfeng_store::people::orgs::children(c, o.id)?
                .into_iter()
                .filter(|o| o.dissolved_on.is_none())
                .collect();
            Ok(json!({
                "org_id": o.id,
                "period": key,
                "people": standing(point_board::top(c, &o.path, points::PERSON, &key, 20)?),
                "households": standing(point_board::top(c, &o.path, points::HOUSEHOLD, &key, 20)?),
                "orgs": point_board::orgs(c, &children, &key)?.into_iter()
                    .map(|(id, name, pts)| json!({"org_id": id, "name": name, "points": pts})).collect::<Vec<_>>(),
            }))
        })
    .await?;
    Ok(Json(v).into_response())
}

async fn compliance(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> ApiResult {
    let actor = s.actor.clone();
    let v = crate::pages::read(&state, move |c| {
            let o = match visible_org(c, &actor, id) {
                Ok(o) if actor.can_list_members(&o.path) => o,
                Ok(_) => return Err(AppError::Forbidden),
                Err(e) => return Err(e),
            };
            let today = xianfeng_domain::date::today();
            let own = xianfeng_store::life::compliance::standing(c, &o, today)?;
            let sub = xianfeng_store::life::compliance::summary(c, &o, today)?;
            Ok(json!({
                "org_id": o.id,
                "date": today.to_string(),
                "own": own.iter().map(|x| json!({"activity": x.rule.activity, "period": x.period.key(), "count": x.count,
                    "status": x.status.label(), "colour": x.status.colour(), "previous": x.prev_status.label()})).collect::<Vec<_>>(),
                "subtree": sub.iter().filter(|x| x.bound > 0).map(|x| json!({"activity": x.rule.activity, "period": x.period.key(),
                    "organisations": x.bound, "done": x.done, "previous_missed": x.prev_missed(), "days_left": x.days_left})).collect::<Vec<_>>(),
            }))
        })
    .await?;
    Ok(Json(v).into_response())
}
