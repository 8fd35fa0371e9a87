//! Writes to the access log, in batches.

use entity::access_log;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

pub async fn insert_batch<C: ConnectionTrait>(conn: &C, rows: Vec<access_log::ActiveModel>) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    access_log::Entity::insert_many(rows).exec(conn).await?;
    Ok(())
}
