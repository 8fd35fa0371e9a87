//! PostgreSQL: a posting per (word, profile) for one-word searches. Each row carries what
//! such a search filters and orders on: the profile's status, folded city and rank, and the
//! word's `ts_rank` in the profile's document (the relevance the full-text path computes
//! for a one-word query, stored when the profile is indexed). A one-word search, in a city
//! or not, then reads its matches, count and page from one range of a covering index,
//! instead of decoding the word's whole GIN posting list and visiting every match in the
//! heap to score it (`db::search`).

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
            "CREATE TABLE search_posting (\
             word TEXT COLLATE \"C\" NOT NULL, \
             profile_id BIGINT NOT NULL REFERENCES directory_profile (id) ON DELETE CASCADE, \
             status TEXT NOT NULL, city_folded TEXT NOT NULL, search_rank BIGINT NOT NULL, \
             weight DOUBLE PRECISION NOT NULL)",
        )
        .await?;
        // Profiles indexed before this migration, weighed as `db::search::reindex` does.
        db.execute_unprepared(
            "INSERT INTO search_posting (word, profile_id, status, city_folded, search_rank, weight) \
             SELECT w.word, s.profile_id, s.status, s.city_folded, s.search_rank, \
             ts_rank(s.document, quote_literal(w.word)::tsquery) \
             FROM profile_search s CROSS JOIN LATERAL unnest(tsvector_to_array(s.document)) AS w(word) \
             WHERE strpos(w.word, chr(92)) = 0",
        )
        .await?;
        // A search reads a (word, status, city) range with everything it needs in the index.
        db.execute_unprepared(
            "CREATE INDEX idx_search_posting_word ON search_posting (word, status, city_folded) \
             INCLUDE (weight, search_rank, profile_id)",
        )
        .await?;
        // Rewriting or copying a profile's postings finds them by profile.
        db.execute_unprepared("CREATE INDEX idx_search_posting_profile ON search_posting (profile_id)")
            .await?;
        db.execute_unprepared("ANALYZE search_posting").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS search_posting")
                .await?;
        }
        Ok(())
    }
}
