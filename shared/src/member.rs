//! Member identity types: the permanent member number and the roles.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A member's permanent number, shown as `CPTN-000123`. Allocated once from a counter that
/// only grows, so a number is never reused, even after the member's data is wiped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MemberNumber(pub i64);

impl MemberNumber {
    const PREFIX: &'static str = "CPTN-";
}

impl fmt::Display for MemberNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:06}", Self::PREFIX, self.0)
    }
}

impl FromStr for MemberNumber {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.trim().strip_prefix(Self::PREFIX).ok_or(())?;
        if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        digits.parse().map(MemberNumber).map_err(|_| ())
    }
}

/// What a person may do. Admin includes everything staff may do; who may do what is
/// decided by the server's `authz`, never by comparing roles elsewhere. On the server it is
/// stored through sea-orm (`server` feature) as its lower-case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "server",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
    sea_orm(
        rs_type = "String",
        db_type = "String(sea_orm::sea_query::StringLen::N(16))",
        rename_all = "lowercase"
    )
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    /// A member account linked to one course provider: marks completion for its courses.
    Provider,
    Staff,
    Admin,
}

impl Role {
    /// The stored and wire form.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Provider => "provider",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }
}

impl FromStr for Role {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "member" => Ok(Role::Member),
            "provider" => Ok(Role::Provider),
            "staff" => Ok(Role::Staff),
            "admin" => Ok(Role::Admin),
            _ => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_number_formats_with_six_digits_and_parses_back() {
        assert_eq!(MemberNumber(123).to_string(), "CPTN-000123");
        assert_eq!(MemberNumber(1_234_567).to_string(), "CPTN-1234567");
        assert_eq!("CPTN-000123".parse(), Ok(MemberNumber(123)));
        assert_eq!("CPTN-123".parse::<MemberNumber>(), Err(()));
        assert_eq!("000123".parse::<MemberNumber>(), Err(()));
    }

    #[test]
    fn roles_read_back_from_their_wire_form() {
        for role in [Role::Member, Role::Provider, Role::Staff, Role::Admin] {
            assert_eq!(role.as_str().parse(), Ok(role));
        }
        assert_eq!("root".parse::<Role>(), Err(()));
    }
}
