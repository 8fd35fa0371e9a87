//! Data loaders: nested fields of list items load in one batch per request, never one
//! query per item (a directory page costs the same statements for 1 or 100 results).

use crate::error::Error;
use crate::schema::error::to_graphql;
use crate::services;
use crate::state::AppState;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::specialty;
use std::collections::HashMap;
use std::sync::Arc;

/// Specialties by profile id.
pub struct SpecialtyLoader {
    state: AppState,
}

impl Loader<i64> for SpecialtyLoader {
    type Value = Vec<specialty::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        services::directory::specialties_of(&self.state, keys)
            .await
            .map_err(|e: Error| to_graphql(e))
    }
}

/// The loader of one HTTP request (shared by the operations of a batch; its cache lives
/// as long as the request).
pub type Specialties = Arc<DataLoader<SpecialtyLoader, HashMapCache>>;

pub fn specialty_loader(state: AppState) -> Specialties {
    // No wait before loading: the items of a list are resolved together, so their keys are
    // all queued before the spawned load first runs; waiting (1 ms by default) would only
    // add latency to every page.
    Arc::new(
        DataLoader::with_cache(SpecialtyLoader { state }, tokio::spawn, HashMapCache::default())
            .delay(std::time::Duration::ZERO),
    )
}
