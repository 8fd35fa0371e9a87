//! The audiences of DESIGN's "who may read it" table, ordered from widest to narrowest.

use crate::auth::Viewer;
use shared::Role;

/// Who may read a field or do a thing. Each audience includes every one after it: a field
/// readable by the owner is readable by staff and admins too (DESIGN: "staff/admin" column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Audience {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in member.
    Member,
    /// The member the data is about.
    Owner,
    /// An account of the course provider the data is about (a course's enrolments); it
    /// reads the enrolled member's data for that course only, as the owner would.
    Provider,
    /// Staff and admins.
    Staff,
    /// Admins only.
    Admin,
}

impl Audience {
    /// The narrowest audience `viewer` belongs to for data owned by `owner` (and, for
    /// course data, belonging to `provider`).
    pub fn of(viewer: &Viewer, owner: Option<i64>, provider: Option<i64>) -> Audience {
        match viewer.authenticated() {
            None => Audience::Public,
            Some(me) => match me.role {
                Role::Admin => Audience::Admin,
                Role::Staff => Audience::Staff,
                Role::Provider if provider.is_some() && provider == me.course_provider_id => Audience::Provider,
                Role::Member | Role::Provider if owner == Some(me.member_id) => Audience::Owner,
                Role::Member | Role::Provider => Audience::Member,
            },
        }
    }

    /// True when `viewer` may read data meant for `self`, owned by `owner` and belonging to
    /// course provider `provider`.
    pub fn admits(self, viewer: &Viewer, owner: Option<i64>, provider: Option<i64>) -> bool {
        Audience::of(viewer, owner, provider) >= self
    }

    /// Who may change an account that has `role`: staff manage members, only admins manage
    /// staff and admin accounts.
    pub fn to_manage(role: Role) -> Audience {
        match role {
            Role::Member => Audience::Staff,
            Role::Provider | Role::Staff | Role::Admin => Audience::Admin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64, role: Role) -> Viewer {
        Viewer::member(id, role)
    }

    #[test]
    fn owner_fields_admit_the_owner_and_staff_but_not_other_members() {
        let owner = Some(1);
        assert!(Audience::Owner.admits(&member(1, Role::Member), owner, None));
        assert!(Audience::Owner.admits(&member(2, Role::Staff), owner, None));
        assert!(Audience::Owner.admits(&member(3, Role::Admin), owner, None));
        assert!(!Audience::Owner.admits(&member(4, Role::Member), owner, None));
        assert!(!Audience::Owner.admits(&Viewer::Anonymous, owner, None));
    }

    #[test]
    fn staff_fields_refuse_the_owner() {
        assert!(!Audience::Staff.admits(&member(1, Role::Member), Some(1), None));
        assert!(Audience::Staff.admits(&member(2, Role::Staff), Some(1), None));
        assert!(!Audience::Admin.admits(&member(2, Role::Staff), Some(1), None));
    }

    #[test]
    fn a_provider_account_acts_for_its_own_provider_only() {
        let provider = Viewer::provider(5, 9);
        assert!(Audience::Provider.admits(&provider, Some(1), Some(9)));
        assert!(!Audience::Provider.admits(&provider, Some(1), Some(8)));
        assert!(!Audience::Provider.admits(&provider, Some(1), None));
        assert!(!Audience::Provider.admits(&member(6, Role::Member), Some(1), Some(9)));
        assert!(Audience::Provider.admits(&member(2, Role::Staff), Some(1), Some(9)));
        // Elsewhere it is a member like any other, and the owner of its own data.
        assert!(!Audience::Owner.admits(&provider, Some(1), Some(8)));
        assert!(Audience::Owner.admits(&provider, Some(5), None));
        assert!(!Audience::Staff.admits(&provider, Some(1), Some(9)));
    }

    #[test]
    fn only_admins_manage_staff_accounts() {
        assert_eq!(Audience::to_manage(Role::Member), Audience::Staff);
        assert_eq!(Audience::to_manage(Role::Staff), Audience::Admin);
        assert_eq!(Audience::to_manage(Role::Admin), Audience::Admin);
    }
}
