//! The parse step of every request: documents async-graphql has no limit setting for are
//! refused (more than `max` aliases; DESIGN: at most 30, so one request cannot fan out
//! into thousands of resolver calls), and documents already parsed are not parsed again.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Variables};
use shared::ErrorCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Documents longer than this are parsed every time (clients send a handful of fixed
/// documents; a long one is more likely an attempt to fill the cache).
const CACHED_DOCUMENT_MAX_BYTES: usize = 8 * 1024;
/// Distinct documents kept; when full the cache starts over.
const CACHED_DOCUMENTS_MAX: usize = 256;

/// Refuses documents with more than `max` aliased fields (counting fragments once each),
/// and keeps the documents that passed, by text: the web app and integrators send the
/// same few documents with different variables, and parsing costs more than a copy.
pub struct AliasLimit {
    max: usize,
    parsed: Arc<Mutex<HashMap<String, ExecutableDocument>>>,
}

impl AliasLimit {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            parsed: Arc::default(),
        }
    }
}

impl ExtensionFactory for AliasLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AliasLimitExtension {
            max: self.max,
            parsed: Arc::clone(&self.parsed),
        })
    }
}

struct AliasLimitExtension {
    max: usize,
    parsed: Arc<Mutex<HashMap<String, ExecutableDocument>>>,
}

#[async_trait::async_trait]
impl Extension for AliasLimitExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let cacheable = query.len() <= CACHED_DOCUMENT_MAX_BYTES;
        if cacheable && let Some(document) = self.parsed.lock().ok().and_then(|cache| cache.get(query).cloned()) {
            return Ok(document);
        }
        let document = next.run(ctx, query, variables).await?;
        let aliases: usize = document
            .operations
            .iter()
            .map(|(_, op)| count_aliases(&op.node.selection_set.node))
            .chain(
                document
                    .fragments
                    .values()
                    .map(|f| count_aliases(&f.node.selection_set.node)),
            )
            .sum();
        if aliases > self.max {
            let mut err = ServerError::new(
                format!("The document uses {aliases} aliases; at most {} are allowed.", self.max),
                None,
            );
            let mut ext = async_graphql::ErrorExtensionValues::default();
            ext.set("code", ErrorCode::Validation.as_str());
            err.extensions = Some(ext);
            return Err(err);
        }
        if cacheable && let Ok(mut cache) = self.parsed.lock() {
            if cache.len() >= CACHED_DOCUMENTS_MAX {
                cache.clear();
            }
            cache.insert(query.to_owned(), document.clone());
        }
        Ok(document)
    }
}

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some()) + count_aliases(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => count_aliases(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}
