//! Page views (P9, P14): the web app reports each route it shows (`recordPageView`), with
//! no third-party script and no cookie. A view is an audit row (`PAGE_VIEWED`): time, IP,
//! user agent, the member when logged in, and the path, without its query string or
//! fragment (they can carry tokens, such as a confirmation link's). Staff read them in the
//! audit view; the `retention` job deletes them after `CPTN_LOG_RETENTION_MONTHS`.

use crate::auth::{RequestMeta, Viewer};
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use entity::enums::AuditKind;

/// The longest path kept.
const MAX_PATH: usize = 300;

/// The path as stored: what precedes `?` or `#`, starting with `/`, at most 300 characters,
/// no control characters.
fn stored_path(raw: &str) -> Result<String> {
    let path = raw.split(['?', '#']).next().unwrap_or_default().trim();
    let valid = path.starts_with('/') && path.chars().count() <= MAX_PATH && !path.chars().any(char::is_control);
    if valid {
        Ok(path.to_owned())
    } else {
        Err(Error::invalid(
            "path",
            "A page path starts with / and has at most 300 characters.",
        ))
    }
}

/// Records that `viewer` (anyone) was shown page `path`.
#[tracing::instrument(skip_all)]
pub async fn record_page_view(state: &AppState, viewer: &Viewer, meta: &RequestMeta, path: &str) -> Result<()> {
    let path = stored_path(path)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::PageViewed)
                .about(viewer.member_id())
                .detail(path),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_kept_without_its_query_or_fragment() {
        assert_eq!(stored_path("/confirm?token=secret").ok(), Some("/confirm".to_owned()));
        assert_eq!(
            stored_path("/trainers/ada#contact").ok(),
            Some("/trainers/ada".to_owned())
        );
        assert!(stored_path("trainers").is_err());
        assert!(stored_path(&format!("/{}", "a".repeat(300))).is_err());
        assert!(stored_path("/a\nb").is_err());
    }
}
