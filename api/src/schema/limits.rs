//! The parse step of every request, done before async-graphql sees it: documents
//! async-graphql has no limit setting for are refused (more than `max` aliases; DESIGN: at
//! most 30, so one request cannot fan out into thousands of resolver calls), and documents
//! already parsed are not parsed again.
//!
//! This is not an async-graphql extension on purpose: with any extension installed, every
//! field of every response is resolved through the extension chain (boxed futures, one
//! per field), which cost about a tenth of the server's CPU on a 20-result directory page.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Request, ServerError};
use shared::ErrorCode;
use std::collections::HashMap;
use std::sync::Mutex;

/// Documents longer than this are parsed every time (clients send a handful of fixed
/// documents; a long one is more likely an attempt to fill the cache).
const CACHED_DOCUMENT_MAX_BYTES: usize = 8 * 1024;
/// Distinct documents kept; when full the cache starts over.
const CACHED_DOCUMENTS_MAX: usize = 256;

/// Refuses documents with more than `max` aliased fields (counting fragments once each),
/// and keeps the documents that passed, by text: the web app and integrators send the
/// same few documents with different variables, and parsing costs more than a copy.
/// Validation (depth, types, variables) still runs on every request.
pub struct ParsedDocuments {
    max_aliases: usize,
    parsed: Mutex<HashMap<String, ExecutableDocument>>,
}

impl ParsedDocuments {
    pub fn new(max_aliases: usize) -> Self {
        Self {
            max_aliases,
            parsed: Mutex::default(),
        }
    }

    /// Hands `request` its parsed document, or refuses it. A document that does not parse
    /// is left to async-graphql, which reports the syntax error the usual way.
    pub fn prepare(&self, request: &mut Request) -> Result<(), ServerError> {
        let cacheable = request.query.len() <= CACHED_DOCUMENT_MAX_BYTES;
        if cacheable
            && let Some(document) = self
                .parsed
                .lock()
                .ok()
                .and_then(|cache| cache.get(&request.query).cloned())
        {
            request.set_parsed_query(document);
            return Ok(());
        }
        let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
            return Ok(());
        };
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
        if aliases > self.max_aliases {
            let mut err = ServerError::new(
                format!(
                    "The document uses {aliases} aliases; at most {} are allowed.",
                    self.max_aliases
                ),
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
            cache.insert(request.query.clone(), document.clone());
        }
        request.set_parsed_query(document);
        Ok(())
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
