//! The entity crate describes the schema the migrations build: every table has an entity
//! (or is named below as derived data of one module), and every entity's columns and
//! their nullability match the migrated database, on both engines.

use anyhow::Result;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IdenStatic, Iterable, Statement};
use std::collections::{BTreeMap, BTreeSet};
use tests::TestApp;

/// Tables with no entity, and why: the search engine's derived structures, rebuilt from
/// profiles and read and written only by `db::search` with hand-written SQL, and sea-orm's
/// own bookkeeping. The catalogue's search index and typo words likewise
/// (`db::search::catalogue`; on SQLite `search_document` and `course_search` are FTS5
/// virtual tables with shadow tables of their own).
const WITHOUT_ENTITY: [&str; 7] = [
    "search_entry",
    "search_count",
    "search_document",
    "name_trigram",
    "course_search",
    "course_trigram",
    "seaql_migrations",
];

/// An entity's table and its columns with their nullability.
fn described<E: EntityTrait>(entity: E) -> (String, BTreeMap<String, bool>) {
    let columns = E::Column::iter()
        .map(|c| (c.as_str().to_owned(), c.def().is_null()))
        .collect();
    (entity.table_name().to_owned(), columns)
}

/// The migrated database's tables and their columns with their nullability.
async fn migrated(app: &TestApp) -> Result<BTreeMap<String, BTreeMap<String, bool>>> {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let mut tables: BTreeMap<String, BTreeMap<String, bool>> = BTreeMap::new();
    if backend == DbBackend::Postgres {
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT table_name::text AS t, column_name::text AS c, (is_nullable = 'YES') AS n \
                 FROM information_schema.columns WHERE table_schema = current_schema()",
            ))
            .await?;
        for row in rows {
            let (table, column, nullable): (String, String, bool) =
                (row.try_get("", "t")?, row.try_get("", "c")?, row.try_get("", "n")?);
            tables.entry(table).or_default().insert(column, nullable);
        }
    } else {
        let names = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name NOT LIKE 'search_document_%' AND name NOT LIKE 'course_search_%'",
            ))
            .await?;
        for row in names {
            let table: String = row.try_get("", "name")?;
            let columns = db
                .query_all_raw(Statement::from_string(
                    backend,
                    format!("PRAGMA table_info(\"{table}\")"),
                ))
                .await?;
            let entry = tables.entry(table).or_default();
            for column in columns {
                let name: String = column.try_get("", "name")?;
                let not_null: i32 = column.try_get("", "notnull")?;
                let primary_key: i32 = column.try_get("", "pk")?;
                // SQLite reports an INTEGER PRIMARY KEY as nullable; it never is.
                entry.insert(name, not_null == 0 && primary_key == 0);
            }
        }
    }
    Ok(tables)
}

#[tokio::test]
async fn every_table_and_column_the_migrations_build_is_on_its_entity() -> Result<()> {
    let app = TestApp::spawn().await?;
    let entities = [
        described(entity::access_log::Entity),
        described(entity::audit_event::Entity),
        described(entity::cec_entry::Entity),
        described(entity::certification_cycle::Entity),
        described(entity::certification_renewal::Entity),
        described(entity::counter::Entity),
        described(entity::coupon::Entity),
        described(entity::course::Entity),
        described(entity::course_provider::Entity),
        described(entity::directory_profile::Entity),
        described(entity::email_confirmation::Entity),
        described(entity::enrolment::Entity),
        described(entity::fee::Entity),
        described(entity::job_lease::Entity),
        described(entity::ledger_purge::Entity),
        described(entity::member::Entity),
        described(entity::order_item::Entity),
        described(entity::order_refund::Entity),
        described(entity::order_tax_line::Entity),
        described(entity::outbox_message::Entity),
        described(entity::petition::Entity),
        described(entity::profile_specialty::Entity),
        described(entity::purchase_order::Entity),
        described(entity::renewal_reminder::Entity),
        described(entity::session::Entity),
        described(entity::specialty::Entity),
        described(entity::stripe_event::Entity),
        described(entity::wipe_receipt::Entity),
        described(entity::privacy_request::Entity),
        described(entity::data_export::Entity),
        described(entity::signing_key::Entity),
        described(entity::mailing_list::Entity),
        described(entity::subscription::Entity),
        described(entity::consent_event::Entity),
        described(entity::campaign::Entity),
        described(entity::vulnerability_report::Entity),
        described(entity::workshop::Entity),
    ];
    let database = migrated(&app).await?;
    let mut problems = Vec::new();
    for (table, columns) in &entities {
        let Some(actual) = database.get(table) else {
            problems.push(format!("{table}: an entity without a table"));
            continue;
        };
        for (column, nullable) in actual {
            match columns.get(column) {
                None => problems.push(format!("{table}.{column}: in the database, not on the entity")),
                Some(described) if described != nullable => problems.push(format!(
                    "{table}.{column}: nullable {nullable} in the database, {described} on the entity"
                )),
                Some(_) => {}
            }
        }
        for column in columns.keys().filter(|c| !actual.contains_key(*c)) {
            problems.push(format!("{table}.{column}: on the entity, not in the database"));
        }
    }
    let described_tables: BTreeSet<&String> = entities.iter().map(|(t, _)| t).collect();
    for table in database.keys() {
        if !described_tables.contains(table) && !WITHOUT_ENTITY.contains(&table.as_str()) {
            problems.push(format!("{table}: a table without an entity"));
        }
    }
    assert!(problems.is_empty(), "entities and migrations disagree: {problems:#?}");
    Ok(())
}
