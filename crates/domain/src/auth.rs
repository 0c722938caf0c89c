//! Accounts, roles and subtree scope: who may read or write what.
//!
//! Every account acts inside one organisation subtree with one role. The checks here are the
//! only place access is decided; web/ asks them for every page and API call.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use crate::org::coded_enum;
use crate::path::within;

coded_enum!(
    Role {
        CountyAdmin => "county_admin" "县级管理员",
        TownAdmin => "town_admin" "镇（街道）管理员",
        BranchSecretary => "branch_secretary" "支部书记",
        Member => "member" "党员",
    }
);

/// The signed-in caller: role, scope root and (for a member) who they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope_org_id: i64,
    pub scope_path: String,
    pub member_id: Option<i64>,
}

impl Actor {
    /// Whether the organisation at `path` is visible at all.
    pub fn can_read_org(&self, path: &str) -> bool {
        within(path, &self.scope_path)
    }

    /// Creating organisations under `parent_path`.
    pub fn can_create_org_under(&self, parent_path: &str) -> bool {
        matches!(self.role, Role::CountyAdmin | Role::TownAdmin)
            && within(parent_path, &self.scope_path)
    }

    /// Renaming, moving or dissolving the organisation at `path`: strictly inside the scope,
    /// never the scope root itself (a town cannot dissolve itself).
    pub fn can_change_org(&self, path: &str) -> bool {
        matches!(self.role, Role::CountyAdmin | Role::TownAdmin)
            && within(path, &self.scope_path)
            && path != self.scope_path
    }

    /// Whether the member `member_id` in the organisation at `org_path` may be read.
    pub fn can_read_member(&self, org_path: &str, member_id: i64) -> bool {
        match self.role {
            Role::Member => self.member_id == Some(member_id),
            _ => within(org_path, &self.scope_path),
        }
    }

    /// Member lists of a subtree: not for the member role.
    pub fn can_list_members(&self, org_path: &str) -> bool {
        self.role != Role::Member && within(org_path, &self.scope_path)
    }

    pub fn can_write_member(&self, org_path: &str) -> bool {
        self.role != Role::Member && within(org_path, &self.scope_path)
    }

    /// Seeing a full 身份证号 / 手机号 (an audited action).
    pub fn can_reveal_personal(&self, org_path: &str, member_id: i64) -> bool {
        match self.role {
            Role::CountyAdmin | Role::TownAdmin => within(org_path, &self.scope_path),
            Role::Member => self.member_id == Some(member_id),
            Role::BranchSecretary => false,
        }
    }

    /// Creating or managing an account with `role` scoped at `org_path`: only administrators,
    /// only inside their own subtree, and only roles below their own (a further county
    /// administrator is created on the command line).
    pub fn can_manage_account(&self, role: Role, org_path: &str) -> bool {
        let rank = |r: Role| match r {
            Role::CountyAdmin => 3,
            Role::TownAdmin => 2,
            Role::BranchSecretary => 1,
            Role::Member => 0,
        };
        matches!(self.role, Role::CountyAdmin | Role::TownAdmin)
            && within(org_path, &self.scope_path)
            && rank(role) < rank(self.role)
    }

    /// Recording organisational life (meetings, attendance, photos, training) at `org_path`.
    pub fn can_record_life(&self, org_path: &str) -> bool {
        self.role != Role::Member && within(org_path, &self.scope_path)
    }

    /// Recording a village's 四议两公开 matters and their steps, and answering objections.
    pub fn can_record_decision(&self, org_path: &str) -> bool {
        self.role != Role::Member && within(org_path, &self.scope_path)
    }

    /// Editing the county's list of matter categories (which must go through the procedure).
    pub fn can_edit_decision_categories(&self) -> bool {
        self.role == Role::CountyAdmin
    }

    /// Grids of a village or community at `org_path`: creating them, naming their staff,
    /// placing households, 建档 and 党员联户. Not for the member role.
    pub fn can_manage_grids(&self, org_path: &str) -> bool {
        self.role != Role::Member && within(org_path, &self.scope_path)
    }

    /// Recording a visit (走访) to a household at `org_path`: cadres of the subtree, or a
    /// member to a household they are linked to (`linked`).
    pub fn can_visit_household(&self, org_path: &str, linked: bool) -> bool {
        match self.role {
            Role::Member => linked,
            _ => within(org_path, &self.scope_path),
        }
    }

    /// Town-level arrangements for a subtree: stricter cadence rules, contact points.
    pub fn can_manage_town(&self, org_path: &str) -> bool {
        matches!(self.role, Role::CountyAdmin | Role::TownAdmin)
            && within(org_path, &self.scope_path)
    }

    /// Inspecting (督查) an organisation strictly below the actor's own, as a town or the county.
    pub fn can_inspect(&self, target_path: &str) -> bool {
        matches!(self.role, Role::CountyAdmin | Role::TownAdmin)
            && within(target_path, &self.scope_path)
            && target_path != self.scope_path
    }

    /// Reporting the rectification of a problem owned at `owner_path`.
    pub fn can_rectify(&self, owner_path: &str) -> bool {
        self.role != Role::Member && within(owner_path, &self.scope_path)
    }

    /// Verifying (or returning) a rectification: the level that raised the problem, or above.
    pub fn can_verify(&self, raised_path: &str) -> bool {
        matches!(self.role, Role::CountyAdmin | Role::TownAdmin)
            && within(raised_path, &self.scope_path)
    }

    /// Reporting a 定性 task done for the assignee at `assignee_path`: its own cadres only, so
    /// the level that accepts the report never writes it.
    pub fn can_report_task(&self, assignee_path: &str) -> bool {
        self.role != Role::Member && self.scope_path == assignee_path
    }

    /// Accepting (or returning) a 定性 task reported done by the assignee at `assignee_path`,
    /// in a campaign run at `campaign_path`: an administrator of a level above the assignee,
    /// or of the campaign's own organisation for the share it carries itself.
    pub fn can_accept_task(&self, campaign_path: &str, assignee_path: &str) -> bool {
        matches!(self.role, Role::CountyAdmin | Role::TownAdmin)
            && within(assignee_path, &self.scope_path)
            && (assignee_path != self.scope_path || self.scope_path == campaign_path)
    }

    /// A commitment made at `org_path` (by member `member_id`, or by the organisation): a
    /// member reads and writes their own; cadres, any in their subtree.
    pub fn can_access_commitment(&self, org_path: &str, member_id: Option<i64>) -> bool {
        match self.role {
            Role::Member => member_id.is_some() && self.member_id == member_id,
            _ => within(org_path, &self.scope_path),
        }
    }

    /// County-wide settings and the audit log.
    pub fn is_county_admin(&self) -> bool {
        self.role == Role::CountyAdmin
    }
}

/// Which roles fit which organisation kinds: a member or secretary sits at a branch, a town
/// administrator at a committee, a county administrator at the top.
pub fn role_fits(role: Role, kind: crate::org::OrgKind) -> bool {
    match role {
        Role::Member | Role::BranchSecretary => kind.is_branch(),
        Role::TownAdmin => kind.is_committee() || kind == crate::org::OrgKind::GeneralBranch,
        Role::CountyAdmin => kind.is_committee(),
    }
}

/// Usernames: 3–32 characters of letters, digits, `_`, `-` or `.`.
pub fn check_username(username: &str) -> Result<(), crate::Invalid> {
    let ok = (3..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(crate::Invalid::one(
            "username",
            "用户名",
            "应为3–32位字母、数字、下划线、连字符或点",
        ))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("密码处理失败")]
pub struct PasswordError;

/// Argon2id hash in PHC string form.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| PasswordError)
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Password policy for new accounts.
pub fn check_new_password(password: &str) -> Result<(), crate::Invalid> {
    if password.chars().count() < 10 {
        return Err(crate::Invalid::one("password", "密码", "至少10位"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, path: &str, member: Option<i64>) -> Actor {
        Actor {
            account_id: 1,
            username: "u".into(),
            display_name: "u".into(),
            role,
            scope_org_id: 1,
            scope_path: path.into(),
            member_id: member,
        }
    }

    #[test]
    fn town_admin_reads_inside_its_town_only() {
        let a = actor(Role::TownAdmin, "/1/2/", None);
        assert!(a.can_read_org("/1/2/"));
        assert!(a.can_read_org("/1/2/30/"));
        assert!(!a.can_read_org("/1/"));
        assert!(!a.can_read_org("/1/20/"));
        assert!(!a.can_change_org("/1/2/"));
        assert!(a.can_change_org("/1/2/30/"));
    }

    #[test]
    fn a_member_keeps_only_their_own_commitments_and_cadres_their_subtrees() {
        let m = actor(Role::Member, "/1/2/30/", Some(7));
        assert!(m.can_access_commitment("/1/2/30/", Some(7)));
        assert!(!m.can_access_commitment("/1/2/30/", Some(8)));
        assert!(!m.can_access_commitment("/1/2/30/", None));
        let sec = actor(Role::BranchSecretary, "/1/2/30/", None);
        assert!(sec.can_access_commitment("/1/2/30/", Some(8)));
        assert!(!sec.can_access_commitment("/1/2/31/", None));
    }

    #[test]
    fn a_task_is_accepted_by_the_level_above_never_by_the_assignee() {
        let town = actor(Role::TownAdmin, "/1/2/", None);
        assert!(town.can_accept_task("/1/", "/1/2/30/"));
        assert!(
            !town.can_accept_task("/1/", "/1/2/"),
            "a town does not accept its own"
        );
        assert!(
            !town.can_accept_task("/1/", "/1/3/30/"),
            "nor another town's branch"
        );
        let county = actor(Role::CountyAdmin, "/1/", None);
        assert!(county.can_accept_task("/1/", "/1/2/"));
        assert!(
            county.can_accept_task("/1/", "/1/"),
            "the campaign's own share"
        );
        let sec = actor(Role::BranchSecretary, "/1/2/30/", None);
        assert!(!sec.can_accept_task("/1/", "/1/2/30/"));
        assert!(sec.can_report_task("/1/2/30/"));
        assert!(
            !town.can_report_task("/1/2/30/"),
            "the accepting level does not report"
        );
        assert!(!actor(Role::Member, "/1/2/30/", Some(7)).can_report_task("/1/2/30/"));
    }

    #[test]
    fn member_reads_only_itself() {
        let a = actor(Role::Member, "/1/2/30/", Some(7));
        assert!(a.can_read_member("/1/2/30/", 7));
        assert!(!a.can_read_member("/1/2/30/", 8));
        assert!(!a.can_list_members("/1/2/30/"));
        assert!(!a.can_write_member("/1/2/30/"));
    }

    #[test]
    fn secretary_cannot_reveal_id_numbers_but_admins_can() {
        assert!(!actor(Role::BranchSecretary, "/1/2/30/", None).can_reveal_personal("/1/2/30/", 7));
        assert!(actor(Role::TownAdmin, "/1/2/", None).can_reveal_personal("/1/2/30/", 7));
        assert!(!actor(Role::TownAdmin, "/1/2/", None).can_reveal_personal("/1/3/30/", 7));
    }

    #[test]
    fn admins_manage_weaker_accounts_inside_their_subtree_only() {
        let town = actor(Role::TownAdmin, "/1/2/", None);
        assert!(town.can_manage_account(Role::BranchSecretary, "/1/2/30/"));
        assert!(
            !town.can_manage_account(Role::TownAdmin, "/1/2/"),
            "no peer at its own level"
        );
        assert!(!town.can_manage_account(Role::BranchSecretary, "/1/3/30/"));
        let county = actor(Role::CountyAdmin, "/1/", None);
        assert!(county.can_manage_account(Role::TownAdmin, "/1/2/"));
        assert!(!county.can_manage_account(Role::CountyAdmin, "/1/2/"));
        assert!(!actor(Role::BranchSecretary, "/1/2/30/", None)
            .can_manage_account(Role::Member, "/1/2/30/"));
    }

    #[test]
    fn usernames_are_plain_ascii() {
        assert!(check_username("town_admin").is_ok());
        assert!(check_username("张三").is_err());
        assert!(check_username("ab").is_err());
    }

    #[test]
    fn password_hash_verifies_only_the_same_password() {
        let h = hash_password("xianfeng-demo").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("xianfeng-demo", &h));
        assert!(!verify_password("xianfeng-dem0", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
