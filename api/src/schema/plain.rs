//! One-pass resolution of objects whose fields are plain data already in memory.
//!
//! async-graphql resolves every field of every object as its own boxed future, polled
//! through a `FuturesUnordered` and merged into the response map. For a 20-card directory
//! page (~430 fields) that machinery was most of the server's work, though a card's fields
//! are all on its row. [`plain_object`] builds such an object's value directly when its
//! selection is plain: fields without directives, each response key once. For anything
//! else (fragments, directives, a key asked twice, a field it does not know) it answers
//! `None` and the caller falls back to the derived resolver, which stays the reference:
//! a test asks every field both ways and compares the answers.

use async_graphql::Value;
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};

/// The value of an object of type `type_name` for `selection`, each field's value given by
/// `field` (`None` when it cannot: the whole object then falls back).
pub fn plain_object(
    selection: &SelectionSet,
    type_name: &str,
    mut field: impl FnMut(&Field) -> Option<Value>,
) -> Option<Value> {
    let mut object = IndexMap::with_capacity(selection.items.len());
    for item in &selection.items {
        let Selection::Field(selected) = &item.node else {
            return None;
        };
        let selected = &selected.node;
        let key = selected.response_key().node.clone();
        if !selected.directives.is_empty() || object.contains_key(&key) {
            return None;
        }
        let value = if selected.name.node == "__typename" {
            Value::String(type_name.to_owned())
        } else {
            field(selected)?
        };
        object.insert(key, value);
    }
    // The derived resolver answers null for an empty object; validation never lets one
    // through, but the two paths must not differ even then.
    (!object.is_empty()).then_some(Value::Object(object))
}

/// A nullable string.
pub fn optional(text: Option<String>) -> Value {
    text.map_or(Value::Null, Value::String)
}
