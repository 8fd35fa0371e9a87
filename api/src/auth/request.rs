//! Authenticating a request, whatever carries it (`/graphql` over HTTP today; a WebSocket's
//! connection parameters use the same check): the `Authorization` value must be
//! `Bearer <token>`, and the token must verify *and* name a live session (not revoked, not
//! expired, still holding this token's id) of an active member.

use super::viewer::{Authenticated, Viewer};
use crate::db;
use crate::error::{Error, Result};
use crate::state::AppState;
use chrono::Utc;
use entity::enums::MemberStatus;

/// The caller behind `authorization` (the raw `Authorization` value, if the request has
/// one): `Anonymous` without one; `UNAUTHENTICATED` for a value that is not a bearer token
/// or a token that fails any check; `INTERNAL` when the session could not be read.
pub async fn authenticate_request(state: &AppState, authorization: Option<&[u8]>) -> Result<Viewer> {
    match bearer_token(authorization)? {
        None => Ok(Viewer::Anonymous),
        Some(token) => authenticate_token(state, token).await,
    }
}

/// `Ok(None)` without a value; `UNAUTHENTICATED` for one that is not `Bearer <token>`.
fn bearer_token(authorization: Option<&[u8]>) -> Result<Option<&str>> {
    let Some(value) = authorization else {
        return Ok(None);
    };
    let value = std::str::from_utf8(value).map_err(|_| Error::Unauthenticated)?;
    let (scheme, token) = value.split_once(' ').ok_or(Error::Unauthenticated)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(Error::Unauthenticated);
    }
    Ok(Some(token.trim()))
}

/// Turns a bearer token into a viewer (see the module docs for the checks).
async fn authenticate_token(state: &AppState, token: &str) -> Result<Viewer> {
    let claims = state
        .tokens
        .verify(&state.db, token)
        .await
        .ok_or(Error::Unauthenticated)?;
    let member_id: i64 = claims.sub.parse().map_err(|_| Error::Unauthenticated)?;
    let (session, member) = db::sessions::find_with_member(&state.reads, &claims.sid)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let live = session.member_id == member_id
        && session.revoked_at.is_none()
        && session.expires_at > Utc::now()
        && session.current_jti == claims.jti
        && member.status == MemberStatus::Active;
    if !live {
        return Err(Error::Unauthenticated);
    }
    Ok(Viewer::Member(Authenticated {
        member_id,
        session_id: session.id,
        jti: claims.jti,
        role: member.role,
        course_provider_id: member.course_provider_id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bearer_values_carry_a_token() {
        assert_eq!(bearer_token(None).ok(), Some(None));
        assert_eq!(bearer_token(Some(b"Bearer abc")).ok(), Some(Some("abc")));
        assert_eq!(bearer_token(Some(b"bearer  abc ")).ok(), Some(Some("abc")));
        for bad in [&b"Basic abc"[..], b"Bearer", b"Bearer   ", b"abc", b"Bearer \xff"] {
            assert!(bearer_token(Some(bad)).is_err(), "{bad:?}");
        }
    }
}
