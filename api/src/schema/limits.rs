//! Document limits async-graphql has no setting for: the number of aliases (DESIGN: at most
//! 30), so one request cannot fan out into thousands of resolver calls.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Variables};
use shared::ErrorCode;
use std::sync::Arc;

/// Refuses documents with more than `max` aliased fields (counting fragments once each).
pub struct AliasLimit {
    pub max: usize,
}

impl ExtensionFactory for AliasLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AliasLimitExtension { max: self.max })
    }
}

struct AliasLimitExtension {
    max: usize,
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
