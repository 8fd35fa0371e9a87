//! PostgreSQL: the words of the search index and how many profiles use each, in byte
//! order. A search's last word is a prefix (the visitor may still be typing it); GIN answers
//! a prefix by collecting every entry of every word it starts, which costs milliseconds
//! for a common word, while the same words listed exactly let it skip through the posting
//! lists. This table turns a prefix into its few words inside the search statement. Like
//! `name_trigram` it holds words, never which profile used them, and a word goes when no
//! indexed profile uses it any more (P7). SQLite's FTS5 reads prefixes from its own term
//! index and needs none of this.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE search_word (word TEXT COLLATE \"C\" PRIMARY KEY, profiles INTEGER NOT NULL)",
        )
        .await?;
        // Profiles indexed before this migration.
        db.execute_unprepared(
            "INSERT INTO search_word (word, profiles) \
             SELECT word, COUNT(*) FROM (SELECT unnest(tsvector_to_array(document)) AS word FROM profile_search) w \
             GROUP BY word",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS search_word")
                .await?;
        }
        Ok(())
    }
}
