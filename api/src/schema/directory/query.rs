//! Directory queries.

use super::types::{PublicProfile, Specialty};
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::schema::pagination::{CursorKey, connection, list_for, page_request};
use crate::services::directory::RankKey;
use crate::services::directory::{self, DirectorySearch, SuggestKind};
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, Object, SimpleObject};

/// Totals of a directory search.
#[derive(SimpleObject)]
pub struct DirectoryTotals {
    /// How many active profiles match, over all pages. Audience: public.
    pub total_count: u64,
}

/// A directory cursor holds the last result's rank (listings) or score (searches) and its id.
impl CursorKey for RankKey {
    fn encode(&self) -> String {
        match self {
            RankKey::Rank { rank, id } => format!("r{rank}.{id}"),
            RankKey::Score { score, id } => format!("s{score}.{id}"),
        }
    }

    fn decode(text: &str) -> Option<Self> {
        let (kind, rest) = text.split_at_checked(1)?;
        let (value, id) = rest.split_once('.')?;
        let id = id.parse().ok()?;
        match kind {
            "r" => Some(RankKey::Rank {
                rank: value.parse().ok()?,
                id,
            }),
            "s" => Some(RankKey::Score {
                score: value.parse().ok()?,
                id,
            }),
            _ => None,
        }
    }
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
    /// Titles of current courses in the catalogue.
    Course,
    /// Names of current course providers.
    Provider,
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
    /// cities, specialties and bios: every word, whole, except the last, which may be the
    /// start of a word (a word of four letters or more also finds names a small typo away).
    /// Results come by relevance plus the profile's search rank: a word found in the name
    /// weighs most, then in the city or a specialty, then in the bio; a name found through
    /// a typo only counts the rank; ties go to the older profile. `totalCount` is exact.
    /// The same on SQLite and PostgreSQL. Cursors are keyset cursors
    /// bound to their search: a listing (no `query`) keeps its place when profiles are
    /// added or hidden meanwhile. Audience: public.
    async fn directory(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Words to look for; empty lists everyone by rank.")] query: Option<String>,
        #[graphql(desc = "Only trainers in this city (case and accents ignored).")] city: Option<String>,
        #[graphql(desc = "Only trainers with this specialty slug.")] specialty: Option<String>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last result of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<DirectoryConnection> {
        let list = list_for(CURSOR_LIST, &[query.as_deref(), city.as_deref(), specialty.as_deref()]);
        let request = page_request(&list, first, after.as_deref()).gql()?;
        let search = DirectorySearch {
            query,
            city,
            specialty,
            page: request,
        };
        let found = directory::search(ctx.state(), search).await.gql()?;
        let page = crate::page::Page {
            items: found.rows,
            has_more: found.has_more,
        };
        Ok(connection(
            &list,
            &request,
            page,
            |(key, _)| *key,
            |(_, row)| PublicProfile(row),
            DirectoryTotals {
                total_count: found.total,
            },
        ))
    }

    /// Typeahead: up to `first` (1 to 10) completions of `prefix`, answered from an index.
    /// Audience: public.
    async fn suggest(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What the person has typed so far.")] prefix: String,
        #[graphql(desc = "What to complete.")] kind: SuggestionKind,
        #[graphql(desc = "How many, 1 to 10 (default 10).", default = 10)] first: i32,
    ) -> async_graphql::Result<Vec<String>> {
        let kind: SuggestKind = kind.into();
        directory::suggest(ctx.state(), &prefix, kind, i64::from(first))
            .await
            .gql()
    }

    /// The managed list of specialties, by name. Audience: public.
    async fn specialties(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Specialty>> {
        let list = directory::specialties(ctx.state()).await.gql()?;
        Ok(list.into_iter().map(Into::into).collect())
    }
}
