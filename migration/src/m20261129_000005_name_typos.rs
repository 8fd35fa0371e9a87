//! Typo-tolerant name search on SQLite (PostgreSQL has `pg_trgm`, migration 3): a table of
//! the trigrams of every word in a display name, so that a misspelt word finds the names
//! it is close to through an index. It holds words, never which profile they came from,
//! and the application removes a word once no profile name uses it (P7).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, FromQueryResult, Statement};
use std::collections::BTreeSet;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(FromQueryResult)]
struct Name {
    display_name: String,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE name_trigram (trigram TEXT NOT NULL, word TEXT NOT NULL, \
             PRIMARY KEY (trigram, word)) WITHOUT ROWID",
        )
        .await?;
        // Profiles written before this migration.
        let names = Name::find_by_statement(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT display_name FROM directory_profile",
        ))
        .all(db)
        .await?;
        let mut pairs = BTreeSet::new();
        for name in &names {
            for word in shared::fuzzy::name_words(&name.display_name) {
                for trigram in shared::fuzzy::trigrams(&word) {
                    pairs.insert((trigram, word.clone()));
                }
            }
        }
        for (trigram, word) in pairs {
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "INSERT INTO name_trigram (trigram, word) VALUES (?, ?)",
                [trigram.into(), word.into()],
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS name_trigram")
                .await?;
        }
        Ok(())
    }
}
