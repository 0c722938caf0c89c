//! The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`.

use axum::Json;
use serde_json::{json, Value};

fn id_param() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}})
}

fn errors() -> Value {
    json!({
        "401": {"description": "未登录", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "404": {"description": "不存在或不在管辖范围内（两者不作区分）", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    })
}

fn with_errors(mut ok: Value) -> Value {
    if let (Some(o), Some(e)) = (ok.as_object_mut(), errors().as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
    }
    ok
}

pub fn document() -> Value {
    let csrf = json!({"name": "X-CSRF-Token", "in": "header", "required": true, "schema": {"type": "string"},
                      "description": "登录或 GET /me 返回的 csrf_token"});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "先锋 API", "version": "1", "description": "基层党建工作平台接口。所有读写均限定在账号所辖组织子树内；范围之外返回 404。"},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "xf_session"}},
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"},
                    "fields": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "label": {"type": "string"}, "message": {"type": "string"}}}}}}}},
                "User": {"type": "object", "properties": {"username": {"type": "string"}, "display_name": {"type": "string"},
                    "role": {"type": "string", "enum": ["county_admin", "town_admin", "branch_secretary", "member"]},
                    "scope_org_id": {"type": "integer"}, "member_id": {"type": ["integer", "null"]}}},
                "Totals": {"type": "object", "properties": {"orgs": {"type": "integer"}, "branches": {"type": "integer"}, "members": {"type": "integer"}, "full_members": {"type": "integer"}}},
                "Org": {"type": "object", "properties": {"id": {"type": "integer"}, "parent_id": {"type": ["integer", "null"]}, "name": {"type": "string"},
                    "kind": {"type": "string", "enum": ["县委", "党委", "党工委", "党总支", "党支部", "联合党支部", "功能型党支部", "党小组"]},
                    "domain": {"type": "string", "enum": ["农村", "社区", "机关", "企业", "学校", "医院", "两新组织", "其他"]},
                    "committee_size": {"type": "integer"}, "dissolved_on": {"type": ["string", "null"]},
                    "totals": {"$ref": "#/components/schemas/Totals"}, "warnings": {"type": "array", "items": {"type": "string"}}}},
                "OrgInput": {"type": "object", "required": ["name", "kind"], "properties": {"name": {"type": "string"}, "kind": {"type": "string"}, "domain": {"type": "string"}, "committee_size": {"type": "string"}}},
                "Member": {"type": "object", "properties": {"id": {"type": "integer"}, "org_id": {"type": "integer"}, "org_name": {"type": "string"}, "name": {"type": "string"},
                    "gender": {"type": "string"}, "ethnicity": {"type": "string"}, "birth_date": {"type": "string", "format": "date"},
                    "id_number": {"type": "string", "description": "脱敏显示，例如 4401**********1234"}, "phone": {"type": "string", "description": "脱敏显示"},
                    "joined_on": {"type": "string", "format": "date"}, "full_on": {"type": ["string", "null"]}, "status": {"type": "string"},
                    "education": {"type": "string"}, "post": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}},
                "MemberInput": {"type": "object", "required": ["name", "id_number", "ethnicity", "joined_on"], "properties": {
                    "name": {"type": "string"}, "gender": {"type": "string"}, "ethnicity": {"type": "string"}, "birth_date": {"type": "string"},
                    "id_number": {"type": "string"}, "phone": {"type": "string"}, "joined_on": {"type": "string"}, "full_on": {"type": "string"},
                    "status": {"type": "string"}, "education": {"type": "string"}, "post": {"type": "string"}, "tags": {"type": "string", "description": "顿号或逗号分隔"}}}
            }
        },
        "security": [{"session": []}],
        "paths": {
            "/session": {
                "post": {"summary": "登录", "security": [], "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["username", "password"], "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}}}},
                         "responses": {"200": {"description": "已登录，设置 xf_session Cookie", "content": {"application/json": {"schema": {"type": "object", "properties": {"csrf_token": {"type": "string"}, "user": {"$ref": "#/components/schemas/User"}}}}}},
                                       "401": {"description": "用户名或密码错误"}, "429": {"description": "登录失败次数过多"}}},
                "delete": {"summary": "退出登录", "parameters": [csrf], "responses": {"204": {"description": "已退出"}}}
            },
            "/me": {"get": {"summary": "当前用户", "responses": with_errors(json!({"200": {"description": "当前用户与 CSRF 令牌"}}))}},
            "/warnings": {"get": {"summary": "辖区组织设置预警", "responses": with_errors(json!({"200": {"description": "预警列表"}}))}},
            "/orgs/{id}": {"get": {"summary": "组织详情", "parameters": [id_param()], "responses": with_errors(json!({"200": {"description": "组织", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Org"}}}}}))}},
            "/orgs/{id}/points/board": {"get": {"summary": "积分排行榜（个人、农户前20名，下级组织积分）", "parameters": [id_param(), {"name": "period", "in": "query", "required": false, "schema": {"type": "string", "enum": ["month", "quarter", "year"]}}], "responses": with_errors(json!({"200": {"description": "people / households / orgs"}}))}},
            "/orgs/{id}/compliance": {"get": {"summary": "组织生活完成情况（本组织各项要求的红黄绿状态，及下级组织本期完成数）", "parameters": [id_param()], "responses": with_errors(json!({"200": {"description": "own：本组织；subtree：下级组织"}}))}},
            "/orgs/{id}/children": {
                "get": {"summary": "下级组织", "parameters": [id_param()], "responses": with_errors(json!({"200": {"description": "下级组织列表"}}))},
                "post": {"summary": "新建下级组织", "parameters": [id_param(), csrf],
                         "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrgInput"}}}},
                         "responses": with_errors(json!({"201": {"description": "已创建"}, "422": {"description": "输入有误，fields 逐项说明"}}))}
            },
            "/orgs/{id}/members": {
                "get": {"summary": "子树内党员（分页）", "parameters": [id_param(),
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "姓名包含"},
                        {"name": "tag", "in": "query", "schema": {"type": "string"}}],
                        "responses": with_errors(json!({"200": {"description": "一页党员", "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "page": {"type": "integer"}, "per_page": {"type": "integer"}, "has_more": {"type": "boolean"}, "subtree_total": {"type": "integer"},
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}}}}}}}}))},
                "post": {"summary": "登记党员（编入该党支部）", "parameters": [id_param(), csrf],
                         "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MemberInput"}}}},
                         "responses": with_errors(json!({"201": {"description": "已登记"}, "422": {"description": "输入有误，fields 逐项说明"}}))}
            },
            "/members/{id}": {"get": {"summary": "党员详情（证件号、手机号脱敏）", "parameters": [id_param()], "responses": with_errors(json!({"200": {"description": "党员", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Member"}}}}}))}}
        }
    })
}

pub async fn spec() -> Json<Value> {
    Json(document())
}
