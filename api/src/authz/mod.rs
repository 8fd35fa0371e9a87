//! Who may read or do what: one vocabulary of audiences and one check. Services call
//! [`require`] for every owner/staff/admin decision; the GraphQL guard adapter
//! (`schema::guard::readable_by`) calls the same check for fields.
//!
//! Invariant: nothing here imports async-graphql or actix, and no other module compares
//! roles: they ask this one.

pub mod audience;

pub use audience::Audience;

use crate::auth::Viewer;
use crate::auth::viewer::Authenticated;
use crate::error::{Error, Result};

/// Whose data (or account) a check is about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    /// The member the data is about; `None` for data that is nobody's own.
    pub member_id: Option<i64>,
    /// True when the caller proved to be that member within this very request (the
    /// `login` payload, before any token exists): they count as the owner.
    pub proven_in_request: bool,
    /// The course provider the data belongs to (a course's enrolments), if any.
    pub course_provider_id: Option<i64>,
}

impl Subject {
    /// Data that is nobody's own (staff tools, the audit trail).
    pub const NOBODY: Subject = Subject {
        member_id: None,
        proven_in_request: false,
        course_provider_id: None,
    };

    /// Data of `member_id` that belongs to course provider `provider_id` too.
    pub fn of_course(member_id: Option<i64>, provider_id: i64) -> Subject {
        Subject {
            member_id,
            proven_in_request: false,
            course_provider_id: Some(provider_id),
        }
    }
}

impl From<i64> for Subject {
    fn from(member_id: i64) -> Self {
        Some(member_id).into()
    }
}

impl From<Option<i64>> for Subject {
    fn from(member_id: Option<i64>) -> Self {
        Self {
            member_id,
            proven_in_request: false,
            course_provider_id: None,
        }
    }
}

/// True for a role that acts for one course provider, which `setMemberRole` cannot give
/// (`linkCourseProvider` names the provider).
pub fn role_acts_for_a_provider(role: shared::Role) -> bool {
    matches!(role, shared::Role::Provider)
}

/// True when `viewer` belongs to `audience` for data of `subject`.
pub fn allows(viewer: &Viewer, audience: Audience, subject: impl Into<Subject>) -> bool {
    let subject = subject.into();
    let proven_owner = subject.proven_in_request && audience <= Audience::Owner;
    proven_owner || audience.admits(viewer, subject.member_id, subject.course_provider_id)
}

/// The logged-in caller, when they belong to `audience` for `subject`; otherwise
/// `UNAUTHENTICATED` (no login) or `FORBIDDEN`. `Audience::Public` asks only for a login
/// here: a public thing needs no check at all.
pub fn require(viewer: &Viewer, audience: Audience, subject: impl Into<Subject>) -> Result<&Authenticated> {
    let me = viewer.authenticated().ok_or(Error::Unauthenticated)?;
    if allows(viewer, audience.max(Audience::Member), subject) {
        Ok(me)
    } else {
        Err(Error::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Role;

    fn member(id: i64, role: Role) -> Viewer {
        Viewer::member(id, role)
    }

    #[test]
    fn require_names_who_is_missing() {
        assert!(matches!(
            require(&Viewer::Anonymous, Audience::Member, Subject::NOBODY),
            Err(Error::Unauthenticated)
        ));
        assert!(matches!(
            require(&member(1, Role::Member), Audience::Staff, Subject::NOBODY),
            Err(Error::Forbidden)
        ));
        assert!(require(&member(1, Role::Member), Audience::Owner, 1).is_ok());
        assert!(matches!(
            require(&member(1, Role::Member), Audience::Owner, 2),
            Err(Error::Forbidden)
        ));
        assert!(require(&member(2, Role::Staff), Audience::Owner, 1).is_ok());
        assert!(require(&member(1, Role::Member), Audience::Public, Subject::NOBODY).is_ok());
    }

    #[test]
    fn a_member_proven_in_the_request_reads_as_the_owner_only() {
        let proven = Subject {
            member_id: Some(7),
            proven_in_request: true,
            course_provider_id: None,
        };
        assert!(allows(&Viewer::Anonymous, Audience::Owner, proven));
        assert!(!allows(&Viewer::Anonymous, Audience::Staff, proven));
    }
}
