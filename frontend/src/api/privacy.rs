//! Privacy (`graphql/privacy.graphql`): page views.

use super::{ApiError, run};

graphql_operations!("graphql/privacy.graphql", RecordPageView);

/// Reports that this tab showed `path` (without its query string: the server drops it too).
pub async fn record_page_view(path: String) -> Result<(), ApiError> {
    run::<RecordPageView>(record_page_view::Variables { path }).await?;
    Ok(())
}
