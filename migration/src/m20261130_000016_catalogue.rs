//! The course catalogue (issue 13): providers and their continuing-education courses, with
//! a public price and an optional member price (integer cents, CAD), hours and CEC value in
//! tenths, and an approval status. Retired items stay for history and leave the public
//! catalogue.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Provider::Table)
                    .col(big_pk_auto(Provider::Id))
                    .col(string_len(Provider::Slug, 80).unique_key())
                    .col(string_len(Provider::Name, 160))
                    .col(timestamp_with_time_zone(Provider::CreatedAt))
                    .col(timestamp_with_time_zone_null(Provider::RetiredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Course::Table)
                    .col(big_pk_auto(Course::Id))
                    .col(string_len(Course::Code, 32).unique_key())
                    .col(big_integer(Course::ProviderId))
                    .col(string_len(Course::Title, 200))
                    .col(text(Course::Description))
                    .col(string_len(Course::Delivery, 16))
                    .col(integer(Course::HoursTenths))
                    .col(integer(Course::CecTenths))
                    .col(string_len(Course::Approval, 16))
                    .col(big_integer(Course::PublicPriceCents))
                    .col(big_integer_null(Course::MemberPriceCents))
                    .col(timestamp_with_time_zone(Course::CreatedAt))
                    .col(timestamp_with_time_zone(Course::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Course::RetiredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Course::Table, Course::ProviderId)
                            .to(Provider::Table, Provider::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_course_title")
                    .table(Course::Table)
                    .col(Course::Title)
                    .col(Course::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_course_provider")
                    .table(Course::Table)
                    .col(Course::ProviderId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Course::Table).if_exists().to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Provider::Table).if_exists().to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Provider {
    #[sea_orm(iden = "course_provider")]
    Table,
    Id,
    Slug,
    Name,
    CreatedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum Course {
    Table,
    Id,
    Code,
    ProviderId,
    Title,
    Description,
    Delivery,
    HoursTenths,
    CecTenths,
    Approval,
    PublicPriceCents,
    MemberPriceCents,
    CreatedAt,
    UpdatedAt,
    RetiredAt,
}
