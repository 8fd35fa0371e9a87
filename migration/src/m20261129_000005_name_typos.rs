//! Typo-tolerant name search, the same on both engines: a table of the trigrams of every
//! word in a display name, so that a misspelt word finds the names it is close to through
//! an index (the application then checks the edit distance). It holds words, never which
//! profile they came from, and the application removes a word once no profile name uses
//! it (P7). Databases created while migration 3 still added a whole-name `pg_trgm` index
//! lose that index here.

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
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        if backend == DbBackend::Postgres {
            db.execute_unprepared("DROP INDEX IF EXISTS idx_profile_search_name_trgm")
                .await?;
            db.execute_unprepared(
                "CREATE TABLE name_trigram (trigram TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (trigram, word))",
            )
            .await?;
        } else {
            db.execute_unprepared(
                "CREATE TABLE name_trigram (trigram TEXT NOT NULL, word TEXT NOT NULL, \
                 PRIMARY KEY (trigram, word)) WITHOUT ROWID",
            )
            .await?;
        }
        // Profiles written before this migration.
        let names = Name::find_by_statement(Statement::from_string(
            backend,
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
            let sql = match backend {
                DbBackend::Postgres => "INSERT INTO name_trigram (trigram, word) VALUES ($1, $2)",
                _ => "INSERT INTO name_trigram (trigram, word) VALUES (?, ?)",
            };
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [trigram.into(), word.into()],
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS name_trigram")
            .await?;
        Ok(())
    }
}
