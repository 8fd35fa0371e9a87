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
//! - a cost over `max_cost` (`CPTN_MAX_COST`, 10,000), computed before execution with
//!   every paginated list's selection counted `first` times (`Costing`);
//! - introspection, when `CPTN_PUBLIC_INTROSPECTION=false` and the caller is not staff.
//!
//! The step also tells what an operation pays from the request budgets: one per root
//! field, aliases included. Documents already parsed are not parsed again.
//!
//! This is not an async-graphql extension on purpose: with any extension installed, every
//! field of every response is resolved through the extension chain (boxed futures, one
//! per field), which cost about a tenth of the server's CPU on a 20-result directory page.

use crate::config::Limits;
use crate::schema::pagination::{DEFAULT_PAGE, MAX_PAGE};
use async_graphql::parser::types::{
    ExecutableDocument, Field, FragmentDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Request, ServerError, Value, Variables};
use shared::ErrorCode;
use std::collections::{HashMap, HashSet};
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

/// What the parse step tells about an operation it let through.
#[derive(Debug)]
pub struct Prepared {
    /// What it pays from the caller's request budget: one per root field.
    pub budget: u32,
    /// It is a mutation (paid again from the mutation budget).
    pub mutation: bool,
    /// A finding or filtering argument carried an SQL-injection signature.
    pub tripped: Option<crate::services::security::Finding>,
}

impl Default for Prepared {
    fn default() -> Self {
        Self {
            budget: 1,
            mutation: false,
            tripped: None,
        }
    }
}

/// A document that passed the checks, and whether it introspects the schema.
#[derive(Clone)]
struct Checked {
    document: ExecutableDocument,
    introspects: bool,
}

/// Refuses documents that break the limits above and keeps the documents that passed, by
/// text: the web app and integrators send the same few documents with different variables,
/// and parsing costs more than a copy. Validation (types, variables) and the cost, which
/// depends on the variables, still run on every request.
pub struct ParsedDocuments {
    max_aliases: usize,
    max_depth: usize,
    max_cost: u64,
    /// Names of the schema's fields that take `first`: without the argument they still
    /// return a default page.
    paginated: HashSet<String>,
    parsed: Mutex<HashMap<String, Checked>>,
}

impl ParsedDocuments {
    pub fn new(limits: &Limits) -> Self {
        Self {
            max_aliases: limits.max_aliases,
            max_depth: limits.max_depth,
            max_cost: limits.max_cost,
            paginated: paginated_fields(&super::sdl()),
            parsed: Mutex::default(),
        }
    }

    /// Hands `request` its parsed document and says what the operation pays from the
    /// caller's budgets and whether it tripped the SQL-injection wire, or refuses it: over
    /// a limit, over [`Limits::max_cost`], or introspecting when `may_introspect` is false.
    /// A document that does not parse is left to async-graphql, which reports the syntax
    /// error the usual way (it costs one).
    pub fn prepare(&self, request: &mut Request, may_introspect: bool) -> Result<Prepared, ServerError> {
        let cacheable = request.query.len() <= CACHED_DOCUMENT_MAX_BYTES;
        let cached = if cacheable {
            self.parsed
                .lock()
                .ok()
                .and_then(|cache| cache.get(&request.query).cloned())
        } else {
            None
        };
        let checked = if let Some(checked) = cached {
            checked
        } else {
            let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
                return Ok(Prepared::default());
            };
            let introspects = self.check(&document)?;
            let checked = Checked { document, introspects };
            if cacheable && let Ok(mut cache) = self.parsed.lock() {
                if cache.len() >= CACHED_DOCUMENTS_MAX {
                    cache.clear();
                }
                cache.insert(request.query.clone(), checked.clone());
            }
            checked
        };
        if checked.introspects && !may_introspect {
            return Err(refusal(
                ErrorCode::Forbidden,
                "Introspection is limited to staff on this server.".to_owned(),
            ));
        }
        let mut prepared = Prepared::default();
        if let Some((kind, selection)) = operation(&checked.document, request.operation_name.as_deref()) {
            prepared.tripped = super::tripwire::inspect(&checked.document, selection, &request.variables);
            prepared.mutation = kind == OperationType::Mutation;
            if prepared.tripped.is_some() {
                return Ok(prepared);
            }
            {
                let cost = Costing::new(&checked.document.fragments, &request.variables, &self.paginated).of(selection);
                if cost > self.max_cost {
                    let mut refused = refusal(
                        ErrorCode::QueryTooCostly,
                        format!(
                            "This query would cost {cost}; at most {} is allowed. Ask for fewer items (`first`) or fewer fields.",
                            self.max_cost
                        ),
                    );
                    if let Some(ext) = refused.extensions.as_mut() {
                        ext.set("cost", cost);
                        ext.set("maxCost", self.max_cost);
                    }
                    return Err(refused);
                }
                let mut seen = Vec::new();
                let fields = root_fields(selection, &checked.document.fragments, &mut seen);
                prepared.budget = u32::try_from(fields).unwrap_or(u32::MAX).max(1);
            }
        }
        request.set_parsed_query(checked.document);
        Ok(prepared)
    }

    /// Checks the aliases and depth; answers whether the document introspects.
    fn check(&self, document: &ExecutableDocument) -> Result<bool, ServerError> {
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
            return Err(refusal(
                ErrorCode::Validation,
                format!(
                    "The document uses {aliases} aliases; at most {} are allowed.",
                    self.max_aliases
                ),
            ));
        }
        let mut introspects = false;
        for (_, operation) in document.operations.iter() {
            let shape = walk.shape(&operation.node.selection_set.node, false);
            if shape.depth > self.max_depth {
                return Err(refusal(
                    ErrorCode::Validation,
                    format!(
                        "The document nests fields {} levels deep; at most {} are allowed (introspection fields do not count).",
                        shape.depth, self.max_depth
                    ),
                ));
            }
            if shape.introspection_lists > INTROSPECTION_LISTS || shape.introspection_depth > INTROSPECTION_DEPTH {
                return Err(refusal(
                    ErrorCode::Validation,
                    format!(
                        "The introspection in this document nests {} lists and {} levels; at most {INTROSPECTION_LISTS} lists and {INTROSPECTION_DEPTH} levels are allowed.",
                        shape.introspection_lists, shape.introspection_depth
                    ),
                ));
            }
            introspects |= shape.introspection_depth > 0;
        }
        Ok(introspects)
    }
}

/// An error of the parse step (or of the transport around it): `message` with `code`.
pub(crate) fn refusal(code: ErrorCode, message: String) -> ServerError {
    let mut err = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", code.as_str());
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

/// The kind and selection set of the operation that will run: the named one, or the
/// only/first.
fn operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<(OperationType, &'a SelectionSet)> {
    let found = match operation_name {
        Some(name) => document
            .operations
            .iter()
            .find(|(n, _)| n.is_some_and(|n| n.as_str() == name)),
        None => document.operations.iter().next(),
    };
    found.map(|(_, operation)| (operation.node.ty, &operation.node.selection_set.node))
}

/// An operation's cost before it runs: each field costs one plus its selection's cost,
/// and a field with a `first` argument (every paginated list) pays its selection `first`
/// times (the default page when absent; out-of-range values count as the nearest bound,
/// since the resolver refuses them anyway). Introspection fields cost nothing, as they do
/// not count for depth: they have limits of their own. Fragments are costed once each; a
/// cycle, which validation refuses later, costs nothing.
struct Costing<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    variables: &'a Variables,
    paginated: &'a HashSet<String>,
    known: HashMap<Name, u64>,
}

impl<'a> Costing<'a> {
    fn new(
        fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
        variables: &'a Variables,
        paginated: &'a HashSet<String>,
    ) -> Self {
        Self {
            fragments,
            variables,
            paginated,
            known: HashMap::new(),
        }
    }

    fn of(&mut self, set: &SelectionSet) -> u64 {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    if field.node.name.node.starts_with("__") {
                        return 0;
                    }
                    let times = self.first_of(&field.node);
                    let inner = self.of(&field.node.selection_set.node);
                    times.saturating_mul(inner).saturating_add(1)
                }
                Selection::InlineFragment(fragment) => self.of(&fragment.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if let Some(known) = self.known.get(name) {
                        return *known;
                    }
                    // Marked first, so a cycle ends here.
                    self.known.insert(name.clone(), 0);
                    let fragments = self.fragments;
                    let cost = fragments.get(name).map_or(0, |f| self.of(&f.node.selection_set.node));
                    self.known.insert(name.clone(), cost);
                    cost
                }
            })
            .fold(0, u64::saturating_add)
    }

    /// How many times a field's selection is paid: its `first`, or one.
    fn first_of(&self, field: &Field) -> u64 {
        let Some(first) = field.get_argument("first") else {
            let paginated = self.paginated.contains(field.name.node.as_str());
            return if paginated {
                u64::from(DEFAULT_PAGE.unsigned_abs())
            } else {
                1
            };
        };
        let value = first
            .node
            .clone()
            .into_const_with(|name| self.variables.get(&name).cloned().ok_or(()));
        let given = match value {
            Ok(Value::Number(n)) => n.as_i64(),
            _ => None,
        };
        let first = given.map_or(i64::from(DEFAULT_PAGE), |n| n.clamp(1, i64::from(MAX_PAGE)));
        u64::try_from(first).unwrap_or(1)
    }
}

/// The names of the fields of `sdl` that take a `first` argument.
fn paginated_fields(sdl: &str) -> HashSet<String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
        return HashSet::new();
    };
    let mut names = HashSet::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let fields = match ty.node.kind {
            TypeKind::Object(object) => object.fields,
            TypeKind::Interface(interface) => interface.fields,
            _ => continue,
        };
        for field in fields {
            if field.node.arguments.iter().any(|a| a.node.name.node == "first") {
                names.insert(field.node.name.node.to_string());
            }
        }
    }
    names
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

    fn budget(document: &ExecutableDocument, name: &str) -> usize {
        operation(document, Some(name)).map_or(0, |(_, set)| root_fields(set, &document.fragments, &mut Vec::new()))
    }

    #[test]
    fn an_operation_pays_one_per_root_field() -> anyhow::Result<()> {
        let document = async_graphql::parser::parse_query(
            "query A { a: me { email } b: me { email } ...F } query B { me { email } } fragment F on Query { x y }",
        )?;
        assert_eq!(budget(&document, "A"), 4);
        assert_eq!(budget(&document, "B"), 1);
        Ok(())
    }

    fn cost_of(query: &str, variables: serde_json::Value) -> anyhow::Result<u64> {
        let document = async_graphql::parser::parse_query(query)?;
        let variables = Variables::from_json(variables);
        let (_, set) = operation(&document, None).ok_or_else(|| anyhow::anyhow!("no operation"))?;
        let paginated = paginated_fields(&crate::schema::sdl());
        Ok(Costing::new(&document.fragments, &variables, &paginated).of(set))
    }

    #[test]
    fn lists_pay_their_selection_first_times() -> anyhow::Result<()> {
        let none = serde_json::json!({});
        assert_eq!(cost_of("{ me { email name } }", none.clone())?, 3);
        // 1 (directory) + 50 x (nodes 1 + name 1 + city 1).
        assert_eq!(
            cost_of("{ directory(first: 50) { nodes { name city } } }", none.clone())?,
            151
        );
        assert_eq!(
            cost_of(
                "query($n: Int) { directory(first: $n) { nodes { name city } } }",
                serde_json::json!({"n": 10})
            )?,
            31
        );
        // Absent: the default page (20); out of range: the nearest bound (100 and 1).
        assert_eq!(cost_of("{ directory { nodes { name } } }", none.clone())?, 41);
        assert_eq!(
            cost_of("{ directory(first: 100000) { totalCount } }", none.clone())?,
            101
        );
        assert_eq!(cost_of("{ directory(first: -1) { totalCount } }", none.clone())?, 2);
        // Nested lists multiply; introspection and __typename are free.
        assert_eq!(
            cost_of(
                "{ orders(first: 10) { nodes { __typename refunds { id } } } __schema { types { name } } }",
                none.clone()
            )?,
            31
        );
        let nested = cost_of("{ a(first: 100) { b(first: 100) { c } } }", none.clone())?;
        assert_eq!(nested, 1 + 100 * (1 + 100));
        // A paginated field without `first` pays the default page; others pay once.
        assert_eq!(
            cost_of("{ me { orders { nodes { id } } } }", none.clone())?,
            1 + 1 + 20 * 2
        );
        // A fragment spread twice is paid twice; a cycle ends.
        assert_eq!(
            cost_of(
                "{ directory(first: 2) { ...F ...F } } fragment F on DirectoryConnection { totalCount }",
                none.clone()
            )?,
            5
        );
        assert_eq!(cost_of("{ ...F } fragment F on Query { me { ...F } }", none)?, 1);
        Ok(())
    }
}
