//! Directory queries.

use super::types::{PublicProfile, Specialty};
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::schema::pagination::{decode_cursor, encode_cursor, page_size};
use crate::services::directory::{self, DirectorySearch, SuggestKind};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, Object, SimpleObject};

/// Totals of a directory search.
#[derive(SimpleObject)]
pub struct DirectoryTotals {
    /// How many active profiles match, over all pages.
    pub total_count: u64,
}

/// A page of directory results.
pub type DirectoryConnection = Connection<String, PublicProfile, DirectoryTotals>;

/// The list a cursor belongs to.
const CURSOR_LIST: &str = "directory";

/// What `suggest` completes.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::services::directory::SuggestKind")]
pub enum SuggestionKind {
    /// Trainers' display names.
    Name,
    /// Cities with listed trainers.
    City,
    /// Specialty names from the managed list.
    Specialty,
}

#[derive(Default)]
pub struct DirectoryQuery;

/// Directory queries.
#[Object]
impl DirectoryQuery {
    /// A trainer's public profile by its address. `NOT_FOUND` when there is none or it is
    /// disabled. Audience: public.
    async fn profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The profile's slug, e.g. `maya-okafor`.")] slug: String,
    ) -> async_graphql::Result<PublicProfile> {
        Ok(PublicProfile(
            directory::public_profile(ctx.state(), &slug).await.gql()?,
        ))
    }

    /// Searches the directory of active trainer profiles. `query` matches display names,
    /// cities, specialties and bios, each word as a prefix (names also with small typos on
    /// PostgreSQL); results come by relevance and the profile's search rank. Anonymous
    /// callers are limited per IP (`RATE_LIMITED`). Audience: public.
    async fn directory(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Words to look for; empty lists everyone by rank.")] query: Option<String>,
        #[graphql(desc = "Only trainers in this city (case and accents ignored).")] city: Option<String>,
        #[graphql(desc = "Only trainers with this specialty slug.")] specialty: Option<String>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last result of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<DirectoryConnection> {
        let first = page_size(first).gql()?;
        let offset = decode_cursor(CURSOR_LIST, after.as_deref())
            .gql()?
            .map_or(0, |last| u64::try_from(last).unwrap_or(0) + 1);
        let search = DirectorySearch {
            query,
            city,
            specialty,
            first,
            offset,
        };
        let page = directory::search(ctx.state(), ctx.viewer(), ctx.meta(), search)
            .await
            .gql()?;
        let has_next = offset + (page.rows.len() as u64) < page.total;
        let mut connection = Connection::with_additional_fields(
            offset > 0,
            has_next,
            DirectoryTotals {
                total_count: page.total,
            },
        );
        connection
            .edges
            .extend(page.rows.into_iter().enumerate().map(|(i, row)| {
                let position = i64::try_from(offset + i as u64).unwrap_or(i64::MAX);
                Edge::new(encode_cursor(CURSOR_LIST, position), PublicProfile(row))
            }));
        Ok(connection)
    }

    /// Typeahead: up to `first` (at most 10) completions of `prefix`, answered from an
    /// index. Anonymous callers are limited per IP. Audience: public.
    async fn suggest(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What the person has typed so far.")] prefix: String,
        #[graphql(desc = "What to complete.")] kind: SuggestionKind,
        #[graphql(desc = "How many, 1 to 10 (default 10).", default = 10)] first: i32,
    ) -> async_graphql::Result<Vec<String>> {
        let first = u64::try_from(first.clamp(1, 10)).unwrap_or(10);
        let kind: SuggestKind = kind.into();
        directory::suggest(ctx.state(), ctx.viewer(), ctx.meta(), &prefix, kind, first)
            .await
            .gql()
    }

    /// The managed list of specialties, by name. Audience: public.
    async fn specialties(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Specialty>> {
        let list = directory::specialties(ctx.state()).await.gql()?;
        Ok(list.into_iter().map(Into::into).collect())
    }
}
