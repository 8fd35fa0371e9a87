//! Certification (issue 13):
//! - `certification_cycle`: the periods a member is certified for (an exam passed, a
//!   renewal, a reinstatement), each with its start and expiry date; the status follows
//!   from them and the clock.
//! - `cec_entry`: the continuing-education credit ledger, in tenths of a CEC, each entry
//!   counting for one cycle. Append-only, enforced by the database: an update or a delete
//!   is refused by a trigger on both engines, except the deletion of a whole member's rows
//!   while that member is named in `ledger_purge` (the privacy lifecycle's purge, inside
//!   its transaction). Corrections are reversing entries.

use sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REFUSAL: &str = "cec_entry is append-only: correct it with a reversing entry";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_tables(manager).await?;
        create_triggers(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP TABLE IF EXISTS cec_entry").await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS cec_entry_append_only()")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS cec_entry_no_truncate()")
                .await?;
        } else {
            db.execute_unprepared("DROP TABLE IF EXISTS cec_entry").await?;
        }
        for table in ["ledger_purge", "certification_cycle"] {
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}")).await?;
        }
        Ok(())
    }
}

async fn create_tables(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Cycle::Table)
                .col(big_pk_auto(Cycle::Id))
                .col(big_integer(Cycle::MemberId))
                .col(date(Cycle::StartsOn))
                .col(date(Cycle::EndsOn))
                .col(string_len(Cycle::Kind, 16))
                .col(timestamp_with_time_zone(Cycle::RecordedAt))
                .col(big_integer_null(Cycle::RecordedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(Cycle::Table, Cycle::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_cycle_member_start")
                .table(Cycle::Table)
                .col(Cycle::MemberId)
                .col(Cycle::StartsOn)
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(Entry::Table)
                .col(big_pk_auto(Entry::Id))
                .col(big_integer(Entry::MemberId))
                .col(big_integer_null(Entry::CycleId))
                .col(integer(Entry::Tenths))
                .col(string_len(Entry::Source, 16))
                .col(text_null(Entry::Reason))
                .col(big_integer_null(Entry::ReversesId))
                .col(date(Entry::EarnedOn))
                .col(timestamp_with_time_zone(Entry::RecordedAt))
                .col(big_integer_null(Entry::RecordedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(Entry::Table, Entry::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Entry::Table, Entry::CycleId)
                        .to(Cycle::Table, Cycle::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Entry::Table, Entry::ReversesId)
                        .to(Entry::Table, Entry::Id),
                )
                .to_owned(),
        )
        .await?;
    for (name, columns) in [
        (
            "idx_cec_member_earned",
            vec![Entry::MemberId, Entry::EarnedOn, Entry::Id],
        ),
        ("idx_cec_cycle", vec![Entry::CycleId]),
    ] {
        let mut index = Index::create();
        index.name(name).table(Entry::Table);
        for column in columns {
            index.col(column);
        }
        manager.create_index(index.clone()).await?;
    }
    // At most one reversal of an entry.
    manager
        .create_index(
            Index::create()
                .name("idx_cec_reverses")
                .table(Entry::Table)
                .col(Entry::ReversesId)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(LedgerPurge::Table)
                .col(big_integer(LedgerPurge::MemberId).primary_key())
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The ledger's guard: updates and deletes refused, but for a purge (`ledger_purge`).
async fn create_triggers(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if manager.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared(&format!(
                "CREATE FUNCTION cec_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM ledger_purge p WHERE p.member_id = OLD.member_id) THEN \
                     RETURN OLD; \
                   END IF; \
                   RAISE EXCEPTION '{REFUSAL}'; \
                 END $$"
            ))
            .await?;
        db.execute_unprepared(
            "CREATE TRIGGER cec_entry_append_only BEFORE UPDATE OR DELETE ON cec_entry \
                 FOR EACH ROW EXECUTE FUNCTION cec_entry_append_only()",
        )
        .await?;
        db.execute_unprepared(&format!(
            "CREATE FUNCTION cec_entry_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
        ))
        .await?;
        db.execute_unprepared(
            "CREATE TRIGGER cec_entry_no_truncate BEFORE TRUNCATE ON cec_entry \
                 FOR EACH STATEMENT EXECUTE FUNCTION cec_entry_no_truncate()",
        )
        .await?;
    } else {
        db.execute_unprepared(&format!(
            "CREATE TRIGGER cec_entry_no_update BEFORE UPDATE ON cec_entry \
                 BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "CREATE TRIGGER cec_entry_no_delete BEFORE DELETE ON cec_entry \
                 WHEN NOT EXISTS (SELECT 1 FROM ledger_purge p WHERE p.member_id = OLD.member_id) \
                 BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        ))
        .await?;
    }
    Ok(())
}

#[derive(DeriveIden)]
enum Member {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Cycle {
    #[sea_orm(iden = "certification_cycle")]
    Table,
    Id,
    MemberId,
    StartsOn,
    EndsOn,
    Kind,
    RecordedAt,
    RecordedBy,
}

#[derive(DeriveIden)]
enum Entry {
    #[sea_orm(iden = "cec_entry")]
    Table,
    Id,
    MemberId,
    CycleId,
    Tenths,
    Source,
    Reason,
    ReversesId,
    EarnedOn,
    RecordedAt,
    RecordedBy,
}

#[derive(DeriveIden)]
enum LedgerPurge {
    Table,
    MemberId,
}
