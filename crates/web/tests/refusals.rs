//! Issue 14 through the pages, on both backends: a member files a points claim from their
//! card, the county stops the rule, and the secretary presses 通过. The page refuses (422),
//! and the claim is still 待审核 with no ledger entry and nothing else changed — every table
//! and the audit log read the same before and after. Once the county resumes the rule the
//! same button approves it, once.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync, Client};
use xianfeng_store::testing::{self, backends, TestStore};
use xianfeng_store::{points, vals};

/// Every table's rows and the audit log's head (the store's refusal snapshot).
fn snapshot(s: &TestStore) -> testing::Snapshot {
    sync(|| testing::snapshot(s))
}

fn changed(before: &testing::Snapshot, after: &testing::Snapshot) -> Vec<String> {
    testing::differences(before, after)
}

fn scalar(s: &TestStore, sql: &str, id: i64) -> i64 {
    sync(|| s.read(|c| c.scalar(sql, vals![id]))).unwrap()
}

fn status(s: &TestStore, claim: i64) -> String {
    sync(|| {
        s.read(|c| -> xianfeng_store::Result<_> {
            c.query_one("SELECT status FROM point_claims WHERE id = ?", vals![claim])?
                .text(0)
        })
    })
    .unwrap()
}

#[test]
fn approving_a_claim_whose_rule_was_stopped_is_refused_and_the_claim_keeps_waiting() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let county = login(&app, "county_admin").await;
            let r = county
                .post_form(
                    &app,
                    &format!("/orgs/{}/points/rules", f.county.id),
                    &[
                        ("category", "议事协商"),
                        ("action", "参加村民议事会"),
                        ("points", "5"),
                        ("approval_required", "on"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);
            let (rule, code, account) = sync(|| {
                s.write(|c| -> xianfeng_store::Result<_> {
                    let rule = c.scalar(
                        "SELECT id FROM point_rules WHERE action = '参加村民议事会'",
                        &[],
                    )?;
                    let a = points::member_account(c, f.member_a)?;
                    Ok((rule, a.code.unwrap(), a.id))
                })
            })
            .unwrap();

            // The member files a claim from their own points card (no sign-in).
            let card = Client {
                cookie: String::new(),
                csrf: String::new(),
            };
            let today = xianfeng_domain::date::today().to_string();
            let rule_text = rule.to_string();
            let r = card
                .post_multipart(
                    &app,
                    &format!("/c/{code}/claims"),
                    &[
                        ("rule", rule_text.as_str()),
                        ("day", today.as_str()),
                        ("note", "参加了本月村民议事会"),
                    ],
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}: {}", s.name, r.body);
            assert!(r.body.contains("等待村（社区）党组织审核"), "{}", r.body);
            let claim = sync(|| s.read(|c| c.scalar("SELECT id FROM point_claims", &[]))).unwrap();
            assert_eq!(status(&s, claim), "待审核");

            // The county stops the rule.
            let toggle = format!("/point-rules/{rule}/active");
            let r = county.post_form(&app, &toggle, &[]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);
            assert_eq!(
                scalar(&s, "SELECT active FROM point_rules WHERE id = ?", rule),
                0
            );

            // The secretary presses 通过: refused, and nothing anywhere changed.
            let secretary = login(&app, "branch_secretary").await;
            let decide = format!("/point-claims/{claim}/decide");
            let approve = [("decision", "approve"), ("reason", "")];
            let before = snapshot(&s);
            let r = secretary.post_form(&app, &decide, &approve).await;
            assert!(
                r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::CONFLICT,
                "{}: {} {}",
                s.name,
                r.status,
                r.body
            );
            assert!(r.body.contains("该事项不适用"), "{}", r.body);
            let after = snapshot(&s);
            let diff = changed(&before, &after);
            assert!(diff.is_empty(), "{}: {}", s.name, diff.join("; "));
            assert_eq!(status(&s, claim), "待审核", "{}", s.name);
            assert_eq!(
                scalar(
                    &s,
                    "SELECT COUNT(*) FROM point_entries WHERE claim_id = ?",
                    claim
                ),
                0
            );

            // The county resumes the rule; the same button approves the claim, once.
            let r = county.post_form(&app, &toggle, &[]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            let r = secretary.post_form(&app, &decide, &approve).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);
            assert_eq!(status(&s, claim), "已通过", "{}", s.name);
            assert_eq!(
                scalar(
                    &s,
                    "SELECT COUNT(*) FROM point_entries WHERE claim_id = ?",
                    claim
                ),
                1
            );
            assert_eq!(
                scalar(
                    &s,
                    "SELECT balance FROM point_accounts WHERE id = ?",
                    account
                ),
                5
            );
            let before = snapshot(&s);
            let r = secretary.post_form(&app, &decide, &approve).await;
            assert_eq!(r.status, StatusCode::CONFLICT, "{}: {}", s.name, r.body);
            assert!(r.body.contains("不能再次审核"), "{}", r.body);
            let diff = changed(&before, &snapshot(&s));
            assert!(diff.is_empty(), "{}: {}", s.name, diff.join("; "));
        });
    }
}
