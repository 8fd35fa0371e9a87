//! Database migrations. Each runs on SQLite and PostgreSQL; backend-specific SQL (full-text
//! indexes and the like) branches on `manager.get_database_backend()` inside a migration.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_foundation;
pub mod m20261129_000002_directory;
mod m20261129_000003_search;
mod m20261129_000004_photo_index;
mod m20261129_000005_name_typos;
mod m20261129_000006_city_rank_index;
mod m20261129_000007_search_words;
mod m20261129_000008_search_listing_columns;
mod m20261129_000009_specialty_listing;
mod m20261129_000010_profile_card_columns;
mod m20261129_000011_search_postings;
mod m20261130_000012_accounts_mail_jobs;
mod m20261130_000013_certification;
mod m20261130_000014_fees_renewals;
mod m20261130_000015_renewal_reminders;
mod m20261130_000016_catalogue;
mod m20261130_000017_enrolment_petitions;
mod m20261130_000018_course_search;
mod m20261130_000019_orders_payments;
mod m20261130_000020_privacy_lifecycle;
mod m20261130_000021_newsletters;
mod m20261130_000022_vulnerability_reports;
mod m20261201_000023_search_entries;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_foundation::Migration),
            Box::new(m20261129_000002_directory::Migration),
            Box::new(m20261129_000003_search::Migration),
            Box::new(m20261129_000004_photo_index::Migration),
            Box::new(m20261129_000005_name_typos::Migration),
            Box::new(m20261129_000006_city_rank_index::Migration),
            Box::new(m20261129_000007_search_words::Migration),
            Box::new(m20261129_000008_search_listing_columns::Migration),
            Box::new(m20261129_000009_specialty_listing::Migration),
            Box::new(m20261129_000010_profile_card_columns::Migration),
            Box::new(m20261129_000011_search_postings::Migration),
            Box::new(m20261130_000012_accounts_mail_jobs::Migration),
            Box::new(m20261130_000013_certification::Migration),
            Box::new(m20261130_000014_fees_renewals::Migration),
            Box::new(m20261130_000015_renewal_reminders::Migration),
            Box::new(m20261130_000016_catalogue::Migration),
            Box::new(m20261130_000017_enrolment_petitions::Migration),
            Box::new(m20261130_000018_course_search::Migration),
            Box::new(m20261130_000019_orders_payments::Migration),
            Box::new(m20261130_000020_privacy_lifecycle::Migration),
            Box::new(m20261130_000021_newsletters::Migration),
            Box::new(m20261130_000022_vulnerability_reports::Migration),
            Box::new(m20261201_000023_search_entries::Migration),
        ]
    }
}
