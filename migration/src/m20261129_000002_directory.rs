//! The member record's private contact fields, and the public directory (P1): profiles, the
//! managed list of specialties, and the outbox the contact relay queues into (P4, P13).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The managed list of specialties a profile may name: (slug, display name).
pub const SPECIALTIES: [(&str, &str); 16] = [
    ("strength-training", "Strength training"),
    ("weight-loss", "Weight loss"),
    ("sports-conditioning", "Sports conditioning"),
    ("rehabilitation", "Post-injury rehabilitation"),
    ("seniors", "Older adults"),
    ("youth", "Youth fitness"),
    ("prenatal-postnatal", "Prenatal and postnatal"),
    ("yoga", "Yoga"),
    ("pilates", "Pilates"),
    ("hiit", "High-intensity interval training"),
    ("running", "Running and endurance"),
    ("nutrition-coaching", "Nutrition coaching"),
    ("mobility", "Mobility and flexibility"),
    ("bodybuilding", "Bodybuilding"),
    ("boxing", "Boxing fitness"),
    ("group-fitness", "Group fitness"),
];

// One table after another reads best as one long list.
#[allow(
    clippy::too_many_lines,
    reason = "one migration reads best as one list of statements"
)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len_null(Member::Phone, 32),
            string_len_null(Member::StreetAddress, 200),
            string_len_null(Member::AddressCity, 100),
            string_len_null(Member::AddressRegion, 100),
            string_len_null(Member::PostalCode, 20),
            string_len_null(Member::AddressCountry, 100),
            date_null(Member::DateOfBirth),
        ] {
            manager
                .alter_table(Table::alter().table(Member::Table).add_column(column).to_owned())
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Specialty::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Specialty::Id))
                    .col(string_len(Specialty::Slug, 64).unique_key())
                    .col(string_len(Specialty::Name, 100))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert
            .into_table(Specialty::Table)
            .columns([Specialty::Slug, Specialty::Name]);
        for (slug, name) in SPECIALTIES {
            insert.values_panic([slug.into(), name.into()]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table(DirectoryProfile::Table)
                    .if_not_exists()
                    .col(big_pk_auto(DirectoryProfile::Id))
                    .col(big_integer(DirectoryProfile::MemberId).unique_key())
                    .col(string_len(DirectoryProfile::Slug, 80).unique_key())
                    .col(string_len(DirectoryProfile::DisplayName, 120))
                    .col(string_len(DirectoryProfile::City, 100))
                    .col(string_len(DirectoryProfile::Region, 100))
                    .col(string_len(DirectoryProfile::Country, 100))
                    .col(text(DirectoryProfile::Bio))
                    .col(string_len(DirectoryProfile::Languages, 200))
                    .col(string_len_null(DirectoryProfile::PhotoFile, 100))
                    .col(boolean(DirectoryProfile::ShowPhone).default(false))
                    .col(string_len(DirectoryProfile::Status, 16))
                    .col(big_integer(DirectoryProfile::SearchRank).default(0))
                    .col(string_len(DirectoryProfile::CertificationStatus, 16))
                    .col(timestamp_with_time_zone(DirectoryProfile::CreatedAt))
                    .col(timestamp_with_time_zone(DirectoryProfile::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_directory_profile_member")
                            .from(DirectoryProfile::Table, DirectoryProfile::MemberId)
                            .to(Member::Table, Member::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProfileSpecialty::Table)
                    .if_not_exists()
                    .col(big_integer(ProfileSpecialty::ProfileId))
                    .col(big_integer(ProfileSpecialty::SpecialtyId))
                    .primary_key(
                        Index::create()
                            .col(ProfileSpecialty::ProfileId)
                            .col(ProfileSpecialty::SpecialtyId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_profile_specialty_profile")
                            .from(ProfileSpecialty::Table, ProfileSpecialty::ProfileId)
                            .to(DirectoryProfile::Table, DirectoryProfile::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_profile_specialty_specialty")
                            .from(ProfileSpecialty::Table, ProfileSpecialty::SpecialtyId)
                            .to(Specialty::Table, Specialty::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_profile_specialty_specialty")
                    .table(ProfileSpecialty::Table)
                    .col(ProfileSpecialty::SpecialtyId)
                    .col(ProfileSpecialty::ProfileId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OutboxMessage::Table)
                    .if_not_exists()
                    .col(big_pk_auto(OutboxMessage::Id))
                    .col(timestamp_with_time_zone(OutboxMessage::CreatedAt))
                    .col(string_len(OutboxMessage::Kind, 32))
                    .col(big_integer(OutboxMessage::RecipientMemberId))
                    .col(string_len(OutboxMessage::SenderName, 120))
                    .col(string_len(OutboxMessage::SenderEmail, 254))
                    .col(string_len_null(OutboxMessage::SenderIp, 45))
                    .col(string_len(OutboxMessage::Subject, 200))
                    .col(text(OutboxMessage::Body))
                    .col(string_len(OutboxMessage::Status, 16))
                    .col(timestamp_with_time_zone_null(OutboxMessage::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outbox_recipient")
                            .from(OutboxMessage::Table, OutboxMessage::RecipientMemberId)
                            .to(Member::Table, Member::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_status")
                    .table(OutboxMessage::Table)
                    .col(OutboxMessage::Status)
                    .col(OutboxMessage::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OutboxMessage::Table.into_iden(),
            ProfileSpecialty::Table.into_iden(),
            DirectoryProfile::Table.into_iden(),
            Specialty::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        for column in [
            Member::Phone,
            Member::StreetAddress,
            Member::AddressCity,
            Member::AddressRegion,
            Member::PostalCode,
            Member::AddressCountry,
            Member::DateOfBirth,
        ] {
            manager
                .alter_table(Table::alter().table(Member::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Member {
    Table,
    Id,
    Phone,
    StreetAddress,
    AddressCity,
    AddressRegion,
    PostalCode,
    AddressCountry,
    DateOfBirth,
}

#[derive(DeriveIden)]
enum Specialty {
    Table,
    Id,
    Slug,
    Name,
}

#[derive(DeriveIden)]
enum DirectoryProfile {
    Table,
    Id,
    MemberId,
    Slug,
    DisplayName,
    City,
    Region,
    Country,
    Bio,
    Languages,
    PhotoFile,
    ShowPhone,
    Status,
    SearchRank,
    CertificationStatus,
    CreatedAt,
    UpdatedAt,
}

// The column names are what they are.
#[allow(clippy::enum_variant_names, reason = "the column names are what they are")]
#[derive(DeriveIden)]
enum ProfileSpecialty {
    Table,
    ProfileId,
    SpecialtyId,
}

#[derive(DeriveIden)]
enum OutboxMessage {
    Table,
    Id,
    CreatedAt,
    Kind,
    RecipientMemberId,
    SenderName,
    SenderEmail,
    SenderIp,
    Subject,
    Body,
    Status,
    SentAt,
}
