//! The navigation each role has: every menu item (the top menu on a desktop, the 更多 page on a
//! phone) and the four tabs of the phone's bottom bar, followed by 更多.

use xianfeng_domain::auth::Role;

use super::Ctx;

/// One menu entry: the `nav` key pages set in their `Ctx`, its label and address.
#[derive(Debug, Clone)]
pub struct Link {
    pub nav: &'static str,
    pub label: &'static str,
    pub href: String,
}

impl Link {
    fn new(nav: &'static str, label: &'static str, href: impl Into<String>) -> Link {
        Link {
            nav,
            label,
            href: href.into(),
        }
    }

    /// Whether the page with `nav` belongs to this entry (评议表彰 covers evaluations and stars;
    /// a member's 我的 is their member page).
    pub fn on(&self, nav: &str) -> bool {
        self.nav == nav
            || (self.nav == "awards" && matches!(nav, "evaluations" | "stars"))
            || (self.nav == "me" && nav == "members")
    }

    /// The to-do entry, which shows the open count beside its label.
    pub fn is_todo(&self) -> bool {
        self.nav == "todo"
    }
}

/// Every entry the role has, in menu order.
pub fn menu(ctx: &Ctx) -> Vec<Link> {
    let scope = ctx.scope_id;
    let mut v = vec![Link::new("todo", "待办", "/todo")];
    if ctx.role_kind == Role::Member {
        v.push(Link::new("checkin", "签到", "/checkin"));
        v.push(Link::new("mypoints", "积分", "/my/points"));
        v.push(Link::new("grids", "我的联户", "/my/households"));
        if let Some(mid) = ctx.member_id {
            v.push(Link::new("me", "我的", format!("/members/{mid}")));
        }
        v.push(Link::new(
            "commitments",
            "承诺践诺",
            format!("/orgs/{scope}/commitments"),
        ));
        if let Some(mid) = ctx.member_id {
            v.push(Link::new(
                "stars",
                "评星定级",
                format!("/members/{mid}/stars"),
            ));
        }
        return v;
    }
    v.extend([
        Link::new("home", "工作台", "/"),
        Link::new("tree", "组织", format!("/orgs/{scope}/tree")),
        Link::new("members", "党员", format!("/orgs/{scope}/members")),
        Link::new("campaigns", "活动", "/campaigns"),
        Link::new("life", "组织生活", format!("/orgs/{scope}/life")),
        Link::new("grids", "网格", format!("/orgs/{scope}/grids")),
        Link::new("supervision", "督查", format!("/orgs/{scope}/supervision")),
        Link::new("points", "积分", format!("/orgs/{scope}/points")),
        Link::new("awards", "评议表彰", format!("/orgs/{scope}/awards")),
        Link::new("brands", "品牌示范", "/brands"),
        Link::new(
            "decisions",
            "四议两公开",
            format!("/orgs/{scope}/decisions"),
        ),
        Link::new(
            "commitments",
            "承诺践诺",
            format!("/orgs/{scope}/commitments"),
        ),
        Link::new("warnings", "预警", "/warnings"),
        Link::new("roster", "名册", "/roster"),
        Link::new("plans", "文件", "/plans"),
    ]);
    if ctx.is_admin {
        v.push(Link::new("accounts", "账号", "/accounts"));
    }
    if ctx.is_county {
        v.push(Link::new("settings", "设置", "/settings"));
        v.push(Link::new("audit", "日志", "/audit"));
    }
    v
}

/// The phone's bottom bar: the four entries the role uses most, then 更多 (every entry).
pub fn tabs(ctx: &Ctx) -> Vec<Link> {
    let wanted: [&str; 4] = match ctx.role_kind {
        Role::Member => ["todo", "checkin", "mypoints", "me"],
        Role::BranchSecretary => ["todo", "life", "points", "members"],
        Role::TownAdmin | Role::CountyAdmin => ["todo", "home", "campaigns", "tree"],
    };
    let all = menu(ctx);
    let mut v: Vec<Link> = wanted
        .iter()
        .filter_map(|w| all.iter().find(|l| l.nav == *w).cloned())
        .collect();
    v.push(Link::new("more", "更多", "/more"));
    v
}

/// Whether the page with `nav` is one of the bar's first four (else 更多 is lit).
pub fn in_tabs(ctx: &Ctx, nav: &str) -> bool {
    tabs(ctx).iter().any(|l| l.nav != "more" && l.on(nav))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(role: Role) -> Ctx {
        Ctx {
            user: "u".into(),
            role: role.label().into(),
            role_kind: role,
            csrf: String::new(),
            scope_id: 7,
            is_county: role == Role::CountyAdmin,
            can_list: role != Role::Member,
            member_id: (role == Role::Member).then_some(3),
            account_id: 1,
            is_admin: matches!(role, Role::CountyAdmin | Role::TownAdmin),
            nav: "todo",
            todo_count: Some(2),
            flash: super::super::Flash::default(),
        }
    }

    fn labels(v: &[Link]) -> Vec<&'static str> {
        v.iter().map(|l| l.label).collect()
    }

    #[test]
    fn each_role_has_its_four_tabs_and_more() {
        assert_eq!(
            labels(&tabs(&ctx(Role::BranchSecretary))),
            ["待办", "组织生活", "积分", "党员", "更多"]
        );
        assert_eq!(
            labels(&tabs(&ctx(Role::Member))),
            ["待办", "签到", "积分", "我的", "更多"]
        );
        for admin in [Role::TownAdmin, Role::CountyAdmin] {
            assert_eq!(
                labels(&tabs(&ctx(admin))),
                ["待办", "工作台", "活动", "组织", "更多"]
            );
        }
    }

    #[test]
    fn members_reach_their_commitments_stars_points_and_check_in_from_the_menu() {
        let m = menu(&ctx(Role::Member));
        let hrefs: Vec<&str> = m.iter().map(|l| l.href.as_str()).collect();
        for h in [
            "/todo",
            "/checkin",
            "/my/points",
            "/members/3",
            "/orgs/7/commitments",
            "/members/3/stars",
        ] {
            assert!(hrefs.contains(&h), "{h} missing from {hrefs:?}");
        }
        assert!(!labels(&m).contains(&"账号"));
    }

    #[test]
    fn only_admins_manage_accounts_and_only_the_county_sees_settings() {
        assert!(!labels(&menu(&ctx(Role::BranchSecretary))).contains(&"账号"));
        assert!(labels(&menu(&ctx(Role::TownAdmin))).contains(&"账号"));
        assert!(!labels(&menu(&ctx(Role::TownAdmin))).contains(&"设置"));
        assert!(labels(&menu(&ctx(Role::CountyAdmin))).contains(&"日志"));
    }
}
