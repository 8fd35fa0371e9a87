//! Workshops, enrolment and petitions (issue 13):
//! - `workshop`: a dated session of a course, with a place, a capacity and the seats taken
//!   (taken by one conditional update, so two members racing for the last seat get one).
//! - `enrolment`: a member in a course (and one of its workshops), once per course; its fee
//!   (none for a free course), and its completion, which credits the ledger once for an
//!   approved course.
//! - `petition`: a member asks credit for a course that is not approved, with evidence (a
//!   stored file), a fee, and the staff's decision.
//! - `member.course_provider_id`: the provider a `provider` account marks completion for.
//! - `cec_entry.course_id`, `cec_entry.petition_id`: what an entry credits (the ledger shows
//!   course titles). Adding columns is not an update of rows: the append-only triggers stay.

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
            .alter_table(
                Table::alter()
                    .table(Member::Table)
                    .add_column(big_integer_null(Member::CourseProviderId))
                    .to_owned(),
            )
            .await?;
        for column in [Entry::CourseId, Entry::PetitionId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Entry::Table)
                        .add_column(big_integer_null(column))
                        .to_owned(),
                )
                .await?;
        }
        create_workshops(manager).await?;
        create_enrolments(manager).await?;
        create_petitions(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Petition::Table.into_iden(),
            Enrolment::Table.into_iden(),
            Workshop::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        for column in [Entry::CourseId, Entry::PetitionId] {
            manager
                .alter_table(Table::alter().table(Entry::Table).drop_column(column).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Member::Table)
                    .drop_column(Member::CourseProviderId)
                    .to_owned(),
            )
            .await
    }
}

async fn create_workshops(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Workshop::Table)
                .col(big_pk_auto(Workshop::Id))
                .col(big_integer(Workshop::CourseId))
                .col(timestamp_with_time_zone(Workshop::StartsAt))
                .col(timestamp_with_time_zone(Workshop::EndsAt))
                .col(string_len(Workshop::Location, 200))
                .col(integer(Workshop::Capacity))
                .col(integer(Workshop::SeatsTaken))
                .col(timestamp_with_time_zone(Workshop::CreatedAt))
                .col(timestamp_with_time_zone(Workshop::UpdatedAt))
                .col(timestamp_with_time_zone_null(Workshop::RetiredAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Workshop::Table, Workshop::CourseId)
                        .to(Course::Table, Course::Id),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_workshop_course")
                .table(Workshop::Table)
                .col(Workshop::CourseId)
                .col(Workshop::StartsAt)
                .to_owned(),
        )
        .await
}

async fn create_enrolments(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Enrolment::Table)
                .col(big_pk_auto(Enrolment::Id))
                .col(big_integer(Enrolment::MemberId))
                .col(big_integer(Enrolment::CourseId))
                .col(big_integer_null(Enrolment::WorkshopId))
                .col(big_integer_null(Enrolment::FeeId).unique_key())
                .col(string_len(Enrolment::Status, 24))
                .col(big_integer(Enrolment::PriceCents))
                .col(timestamp_with_time_zone(Enrolment::EnrolledAt))
                .col(date_null(Enrolment::CompletedOn))
                .col(big_integer_null(Enrolment::CompletedBy))
                .col(big_integer_null(Enrolment::CecEntryId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Enrolment::Table, Enrolment::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Enrolment::Table, Enrolment::CourseId)
                        .to(Course::Table, Course::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Enrolment::Table, Enrolment::WorkshopId)
                        .to(Workshop::Table, Workshop::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Enrolment::Table, Enrolment::FeeId)
                        .to(Fee::Table, Fee::Id),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_enrolment_member_course")
                .table(Enrolment::Table)
                .col(Enrolment::MemberId)
                .col(Enrolment::CourseId)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_enrolment_course")
                .table(Enrolment::Table)
                .col(Enrolment::CourseId)
                .col(Enrolment::Id)
                .to_owned(),
        )
        .await
}

async fn create_petitions(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Petition::Table)
                .col(big_pk_auto(Petition::Id))
                .col(big_integer(Petition::MemberId))
                .col(string_len(Petition::Title, 200))
                .col(string_len(Petition::ProviderName, 160))
                .col(date(Petition::CompletedOn))
                .col(integer(Petition::HoursTenths))
                .col(integer(Petition::RequestedTenths))
                .col(integer_null(Petition::GrantedTenths))
                .col(string_len(Petition::EvidenceFile, 64))
                .col(string_len(Petition::EvidenceType, 32))
                .col(big_integer(Petition::FeeId).unique_key())
                .col(string_len(Petition::Status, 24))
                .col(text_null(Petition::StaffNote))
                .col(text_null(Petition::MemberAnswer))
                .col(timestamp_with_time_zone(Petition::FiledAt))
                .col(timestamp_with_time_zone(Petition::UpdatedAt))
                .col(timestamp_with_time_zone_null(Petition::DecidedAt))
                .col(big_integer_null(Petition::DecidedBy))
                .col(big_integer_null(Petition::CecEntryId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Petition::Table, Petition::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Petition::Table, Petition::FeeId)
                        .to(Fee::Table, Fee::Id),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_petition_member")
                .table(Petition::Table)
                .col(Petition::MemberId)
                .col(Petition::Id)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_petition_queue")
                .table(Petition::Table)
                .col(Petition::Status)
                .col(Petition::Id)
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden)]
enum Member {
    Table,
    Id,
    CourseProviderId,
}

#[derive(DeriveIden)]
enum Entry {
    #[sea_orm(iden = "cec_entry")]
    Table,
    CourseId,
    PetitionId,
}

#[derive(DeriveIden)]
enum Course {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Fee {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Workshop {
    Table,
    Id,
    CourseId,
    StartsAt,
    EndsAt,
    Location,
    Capacity,
    SeatsTaken,
    CreatedAt,
    UpdatedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum Enrolment {
    Table,
    Id,
    MemberId,
    CourseId,
    WorkshopId,
    FeeId,
    Status,
    PriceCents,
    EnrolledAt,
    CompletedOn,
    CompletedBy,
    CecEntryId,
}

#[derive(DeriveIden)]
enum Petition {
    Table,
    Id,
    MemberId,
    Title,
    ProviderName,
    CompletedOn,
    HoursTenths,
    RequestedTenths,
    GrantedTenths,
    EvidenceFile,
    EvidenceType,
    FeeId,
    Status,
    StaffNote,
    MemberAnswer,
    FiledAt,
    UpdatedAt,
    DecidedAt,
    DecidedBy,
    CecEntryId,
}
