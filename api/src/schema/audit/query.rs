//! Audit queries.

use super::types::{AuditEvent, AuditEventConnection, AuditEventFilter};
use crate::error::Error;
use crate::schema::ContextExt;
use crate::schema::account::query::parse_member_number;
use crate::schema::error::GqlResult;
use crate::schema::pagination::page_request;
use crate::services::audit::{self, AuditFilter};
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit trail, newest first, filtered. Audience: staff.
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to include; omitted fields do not narrow.")] filter: Option<AuditEventFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last event of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<AuditEventConnection> {
        let state = ctx.state();
        let request = page_request(AuditEvent::CURSOR_LIST, first, after.as_deref()).gql()?;
        let filter = filter.unwrap_or_default();
        let member_number = filter
            .member_number
            .as_deref()
            .map(parse_member_number)
            .transpose()
            .gql()?
            .map(|n| n.0);
        let ip = match filter.ip {
            None => None,
            Some(raw) => Some(
                raw.trim()
                    .parse::<std::net::IpAddr>()
                    .map_err(|_| Error::invalid("ip", "Enter an IPv4 or IPv6 address."))
                    .gql()?
                    .to_string(),
            ),
        };
        let filter = AuditFilter {
            kinds: filter.kinds.unwrap_or_default().into_iter().map(Into::into).collect(),
            member_number,
            ip,
            from: filter.from,
            to: filter.to,
        };
        let page = audit::list_events(&state.db, ctx.viewer(), filter, request)
            .await
            .gql()?;
        Ok(AuditEvent::connection(&request, page))
    }
}
