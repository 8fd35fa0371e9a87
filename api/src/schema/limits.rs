//! The parse step of every request, done before async-graphql sees it. Documents are
//! refused here when they break a limit async-graphql has no setting for, or sets in a way
//! that does not fit:
//! - more than `max_aliases` aliases (DESIGN: at most 30), so one request cannot fan out
//!   into thousands of resolver calls;
//! - fields nested deeper than `max_depth` (DESIGN: 10), where introspection fields
//!   (`__schema`, `__type` and what is under them) do not count: the introspection query
//!   that GraphiQL, Apollo, `graphql_client` and cynic codegen send goes nine `ofType`s deep.
//!   Introspection has limits of its own instead: at most [`INTROSPECTION_LISTS`] nested
//!   lists of types, fields or arguments (each multiplies the answer) and
//!   [`INTROSPECTION_DEPTH`] levels.
//!
//! The step also tells what an operation costs against the request budgets: one per root
//! field, aliases included. Documents already parsed are not parsed again.
//!
//! This is not an async-graphql extension on purpose: with any extension installed, every
//! field of every response is resolved through the extension chain (boxed futures, one
//! per field), which cost about a tenth of the server's CPU on a 20-result directory page.

use crate::config::Limits;
use async_graphql::parser::types::{ExecutableDocument, FragmentDefinition, Selection, SelectionSet};
use async_graphql::{Name, Positioned, Request, ServerError};
use shared::ErrorCode;
use std::collections::HashMap;
use std::sync::Mutex;

/// Documents longer than this are parsed every time (clients send a handful of fixed
/// documents; a long one is more likely an attempt to fill the cache).
const CACHED_DOCUMENT_MAX_BYTES: usize = 8 * 1024;
/// Distinct documents kept; when full the cache starts over.
const CACHED_DOCUMENTS_MAX: usize = 256;
/// Nested list fields allowed inside introspection (`types { fields { args } }` is three).
pub const INTROSPECTION_LISTS: usize = 3;
/// Levels allowed inside introspection (the standard query needs fourteen).
pub const INTROSPECTION_DEPTH: usize = 32;
/// Introspection fields whose value is a list of types, fields, arguments or values.
const INTROSPECTION_LIST_FIELDS: [&str; 8] = [
    "types",
    "fields",
    "args",
    "inputFields",
    "interfaces",
    "possibleTypes",
    "enumValues",
    "directives",
];

/// Refuses documents that break the limits above and keeps the documents that passed, by
/// text: the web app and integrators send the same few documents with different variables,
/// and parsing costs more than a copy. Validation (types, variables) still runs on every
/// request.
pub struct ParsedDocuments {
    max_aliases: usize,
    max_depth: usize,
    parsed: Mutex<HashMap<String, ExecutableDocument>>,
}

impl ParsedDocuments {
    pub fn new(limits: &Limits) -> Self {
        Self {
            max_aliases: limits.max_aliases,
            max_depth: limits.max_depth,
            parsed: Mutex::default(),
        }
    }

    /// Hands `request` its parsed document and returns what the operation costs, or refuses
    /// it. A document that does not parse is left to async-graphql, which reports the
    /// syntax error the usual way (it costs one).
    pub fn prepare(&self, request: &mut Request) -> Result<u32, ServerError> {
        let cacheable = request.query.len() <= CACHED_DOCUMENT_MAX_BYTES;
        if cacheable
            && let Some(document) = self
                .parsed
                .lock()
                .ok()
                .and_then(|cache| cache.get(&request.query).cloned())
        {
            let cost = cost(&document, request.operation_name.as_deref());
            request.set_parsed_query(document);
            return Ok(cost);
        }
        let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
            return Ok(1);
        };
        self.check(&document)?;
        let cost = cost(&document, request.operation_name.as_deref());
        if cacheable && let Ok(mut cache) = self.parsed.lock() {
            if cache.len() >= CACHED_DOCUMENTS_MAX {
                cache.clear();
            }
            cache.insert(request.query.clone(), document.clone());
        }
        request.set_parsed_query(document);
        Ok(cost)
    }

    fn check(&self, document: &ExecutableDocument) -> Result<(), ServerError> {
        let mut walk = Walk::new(&document.fragments);
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
            return Err(refusal(format!(
                "The document uses {aliases} aliases; at most {} are allowed.",
                self.max_aliases
            )));
        }
        for (_, operation) in document.operations.iter() {
            let shape = walk.shape(&operation.node.selection_set.node, false);
            if shape.depth > self.max_depth {
                return Err(refusal(format!(
                    "The document nests fields {} levels deep; at most {} are allowed (introspection fields do not count).",
                    shape.depth, self.max_depth
                )));
            }
            if shape.introspection_lists > INTROSPECTION_LISTS || shape.introspection_depth > INTROSPECTION_DEPTH {
                return Err(refusal(format!(
                    "The introspection in this document nests {} lists and {} levels; at most {INTROSPECTION_LISTS} lists and {INTROSPECTION_DEPTH} levels are allowed.",
                    shape.introspection_lists, shape.introspection_depth
                )));
            }
        }
        Ok(())
    }
}

fn refusal(message: String) -> ServerError {
    let mut err = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", ErrorCode::Validation.as_str());
    err.extensions = Some(ext);
    err
}

/// What a selection set reaches: its depth outside introspection, and inside it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Shape {
    depth: usize,
    introspection_depth: usize,
    introspection_lists: usize,
}

impl Shape {
    fn max(self, other: Shape) -> Shape {
        Shape {
            depth: self.depth.max(other.depth),
            introspection_depth: self.introspection_depth.max(other.introspection_depth),
            introspection_lists: self.introspection_lists.max(other.introspection_lists),
        }
    }
}

/// Measures selection sets, expanding fragments once each (a fragment's shape does not
/// depend on where it is spread; a cycle, which validation refuses later, counts nothing).
struct Walk<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    known: HashMap<(Name, bool), Shape>,
}

impl<'a> Walk<'a> {
    fn new(fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>) -> Self {
        Self {
            fragments,
            known: HashMap::new(),
        }
    }

    fn shape(&mut self, set: &SelectionSet, inside_introspection: bool) -> Shape {
        let mut shape = Shape::default();
        for item in &set.items {
            let next = match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    let nested = &field.node.selection_set.node;
                    if inside_introspection {
                        let inner = self.shape(nested, true);
                        Shape {
                            depth: 0,
                            introspection_depth: inner.introspection_depth + 1,
                            introspection_lists: inner.introspection_lists
                                + usize::from(INTROSPECTION_LIST_FIELDS.contains(&name)),
                        }
                    } else if name == "__schema" || name == "__type" {
                        let inner = self.shape(nested, true);
                        Shape {
                            depth: 0,
                            introspection_depth: inner.introspection_depth + 1,
                            introspection_lists: inner.introspection_lists,
                        }
                    } else if name.starts_with("__") {
                        Shape::default()
                    } else {
                        let inner = self.shape(nested, false);
                        Shape {
                            depth: inner.depth + 1,
                            ..inner
                        }
                    }
                }
                Selection::InlineFragment(fragment) => {
                    self.shape(&fragment.node.selection_set.node, inside_introspection)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.clone();
                    let key = (name.clone(), inside_introspection);
                    if let Some(known) = self.known.get(&key) {
                        *known
                    } else {
                        // Marked first, so a cycle ends here.
                        self.known.insert(key.clone(), Shape::default());
                        let fragments = self.fragments;
                        let found = fragments
                            .get(&name)
                            .map(|f| self.shape(&f.node.selection_set.node, inside_introspection))
                            .unwrap_or_default();
                        self.known.insert(key, found);
                        found
                    }
                }
            };
            shape = shape.max(next);
        }
        shape
    }
}

/// One per root field of the operation that will run (named, or the only/first one);
/// aliases count, fragments at the root are expanded once.
fn cost(document: &ExecutableDocument, operation_name: Option<&str>) -> u32 {
    let operation = match operation_name {
        Some(name) => document
            .operations
            .iter()
            .find(|(n, _)| n.is_some_and(|n| n.as_str() == name)),
        None => document.operations.iter().next(),
    };
    let Some((_, operation)) = operation else {
        return 1;
    };
    let mut seen = Vec::new();
    let fields = root_fields(&operation.node.selection_set.node, &document.fragments, &mut seen);
    u32::try_from(fields).unwrap_or(u32::MAX).max(1)
}

fn root_fields(
    set: &SelectionSet,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    seen: &mut Vec<Name>,
) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(fragment) => root_fields(&fragment.node.selection_set.node, fragments, seen),
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                if seen.contains(name) {
                    return 0;
                }
                seen.push(name.clone());
                fragments
                    .get(name)
                    .map_or(0, |f| root_fields(&f.node.selection_set.node, fragments, seen))
            }
        })
        .sum()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_of(query: &str) -> anyhow::Result<Shape> {
        let document = async_graphql::parser::parse_query(query)?;
        let mut walk = Walk::new(&document.fragments);
        let (_, operation) = document
            .operations
            .iter()
            .next()
            .ok_or_else(|| anyhow::anyhow!("no operation"))?;
        Ok(walk.shape(&operation.node.selection_set.node, false))
    }

    #[test]
    fn introspection_does_not_count_toward_depth_but_has_limits_of_its_own() -> anyhow::Result<()> {
        let plain = shape_of("{ a { b { c } } }")?;
        assert_eq!(plain.depth, 3);
        let introspection = shape_of(
            "{ me { __typename } __schema { types { fields { args { type { ofType { ofType { name } } } } } } } }",
        )?;
        assert_eq!(introspection.depth, 1, "me counts, __typename does not");
        assert_eq!(introspection.introspection_lists, 3);
        assert_eq!(introspection.introspection_depth, 8);
        let through_fragment = shape_of("{ ...F } fragment F on Query { a { ...G } } fragment G on A { b }")?;
        assert_eq!(through_fragment.depth, 2);
        let cycle = shape_of("{ ...F } fragment F on Query { a { ...F } }")?;
        assert_eq!(cycle.depth, 1, "a cycle ends instead of looping");
        Ok(())
    }

    #[test]
    fn an_operation_costs_one_per_root_field() -> anyhow::Result<()> {
        let document = async_graphql::parser::parse_query(
            "query A { a: me { email } b: me { email } ...F } query B { me { email } } fragment F on Query { x y }",
        )?;
        assert_eq!(cost(&document, Some("A")), 4);
        assert_eq!(cost(&document, Some("B")), 1);
        Ok(())
    }
}
