//! Which arguments the SQL-injection tripwire reads (P2), found in the parsed document
//! before anything runs. Finding and filtering arguments are read: search text, cities,
//! slugs, member numbers, codes, ids, cursors, link tokens, the e-mail at login and at a
//! confirmation re-send, and every string inside a `filter`. Free text that is stored,
//! not searched (messages, bios, reasons, petition answers, a pasted e-mail to verify,
//! every mutation's `input`), and passwords are never read, so a member can write about
//! SQL injection.

use crate::services::security::Finding;
use crate::services::security::tripwire::signature_of;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Value, Variables};
use std::collections::HashSet;

/// Argument names that find or filter, wherever they appear.
const FINDING_ARGUMENTS: [&str; 20] = [
    "query",
    "prefix",
    "city",
    "specialty",
    "provider",
    "slug",
    "listSlug",
    "profileSlug",
    "memberNumber",
    "oldMemberNumber",
    "lastName",
    "code",
    "course",
    "workshop",
    "id",
    "items",
    "after",
    "token",
    "filter",
    "name",
];

/// Fields whose `email` argument is a lookup.
const EMAIL_LOOKUPS: [&str; 2] = ["login", "resendConfirmation"];

fn is_finding(field: &str, argument: &str) -> bool {
    if argument == "name" {
        // `__type(name:)` only: everywhere else a name is stored.
        return field == "__type";
    }
    FINDING_ARGUMENTS.contains(&argument)
        || (argument.ends_with("Id") && argument.len() > 2)
        || (argument == "email" && EMAIL_LOOKUPS.contains(&field))
}

/// The first finding and filtering argument of `selection` (fragments included) whose
/// value carries an injection signature.
pub fn inspect(document: &ExecutableDocument, selection: &SelectionSet, variables: &Variables) -> Option<Finding> {
    let mut seen = HashSet::new();
    walk(document, selection, variables, &mut seen)
}

fn walk(
    document: &ExecutableDocument,
    set: &SelectionSet,
    variables: &Variables,
    seen: &mut HashSet<Name>,
) -> Option<Finding> {
    for item in &set.items {
        let found = match &item.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                field
                    .node
                    .arguments
                    .iter()
                    .filter(|(argument, _)| is_finding(name, argument.node.as_str()))
                    .find_map(|(argument, value)| {
                        let value = value
                            .node
                            .clone()
                            .into_const_with(|v| variables.get(&v).cloned().ok_or(()))
                            .ok()?;
                        let signature = first_signature(&value)?;
                        Some(Finding {
                            field: name.to_owned(),
                            argument: argument.node.to_string(),
                            signature,
                        })
                    })
                    .or_else(|| walk(document, &field.node.selection_set.node, variables, seen))
            }
            Selection::InlineFragment(fragment) => walk(document, &fragment.node.selection_set.node, variables, seen),
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                if seen.insert(name.clone()) {
                    document
                        .fragments
                        .get(name)
                        .and_then(|f| walk(document, &f.node.selection_set.node, variables, seen))
                } else {
                    None
                }
            }
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The signature of the first string in `value` (lists and objects searched) that has one.
fn first_signature(value: &Value) -> Option<crate::services::security::tripwire::Signature> {
    match value {
        Value::String(text) => signature_of(text),
        Value::List(items) => items.iter().find_map(first_signature),
        Value::Object(fields) => fields.values().find_map(first_signature),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(query: &str, variables: serde_json::Value) -> anyhow::Result<Option<(String, String)>> {
        let document = async_graphql::parser::parse_query(query)?;
        let (_, operation) = document
            .operations
            .iter()
            .next()
            .ok_or_else(|| anyhow::anyhow!("no operation"))?;
        let variables = Variables::from_json(variables);
        Ok(inspect(&document, &operation.node.selection_set.node, &variables).map(|f| (f.field, f.argument)))
    }

    #[test]
    fn finding_arguments_are_read_and_stored_text_is_not() -> anyhow::Result<()> {
        let attack = "' or '1'='1";
        let found = finding(
            "query($q: String) { directory(query: $q) { totalCount } }",
            serde_json::json!({ "q": attack }),
        )?;
        assert_eq!(found, Some(("directory".to_owned(), "query".to_owned())));
        let nested = finding(
            "{ me { orders(after: \"1; drop table members\") { totalCount } } }",
            serde_json::json!({}),
        )?;
        assert_eq!(nested, Some(("orders".to_owned(), "after".to_owned())));
        let filter = finding(
            "query($f: AuditEventFilter) { auditEvents(filter: $f) { totalCount } }",
            serde_json::json!({ "f": { "ip": "1' union select 1--" } }),
        )?;
        assert_eq!(filter, Some(("auditEvents".to_owned(), "filter".to_owned())));
        let login = finding(
            "mutation { login(email: \"admin'--\", password: \"x\") { token } }",
            serde_json::json!({}),
        )?;
        assert_eq!(login, Some(("login".to_owned(), "email".to_owned())));
        // Stored free text and passwords are never read.
        for stored in [
            "mutation { contactTrainer(profileSlug: \"ann\", senderName: \"x\", senderEmail: \"a@b.c\", message: \"' or 1=1--\") }",
            "mutation { requestErasure(message: \"'; drop table members; --\") { id } }",
            "mutation { login(email: \"a@b.c\", password: \"' or 1=1--\") { token } }",
            "{ verifyEmailSignature(text: \"' union select 1--\") { status } }",
            "mutation { subscribe(listSlug: \"news\", email: \"a'--@b.c\") }",
        ] {
            assert_eq!(finding(stored, serde_json::json!({}))?, None, "{stored}");
        }
        Ok(())
    }
}
