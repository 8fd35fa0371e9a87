//! Orders and payments (issue 14):
//! - `coupon`: a discount code (percent or fixed amount; everything, workshops or one course;
//!   N uses counted by one conditional update; an expiry; optionally one member's).
//! - `purchase_order`: what a buyer pays for at once (`order` is an SQL keyword): a member's
//!   cart while `pending`, or an order staff keyed at the terminal for a phone or mail-in
//!   buyer. Totals in cents; the IP it was placed from (P13); the buyer's details of a
//!   terminal order until it is processed, then erased (`shredded_at`). Stripe's session and
//!   payment intent ids are unique: one payment pays one order.
//! - `order_item`: a line with the price charged (snapshot), its discount, tax and refund;
//!   a member's line names the fee it pays, a non-member's the workshop seat it holds.
//! - `order_tax_line`: the order's taxes by name (none unless configured).
//! - `order_refund`: each refund, pending until the payment provider confirms it.
//! - `stripe_event`: each webhook event once (its id is the key); only the fields the order
//!   needs, never the payload (it holds the buyer's name and e-mail).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_coupons(manager).await?;
        create_orders(manager).await?;
        create_items(manager).await?;
        create_tax_lines_and_refunds(manager).await?;
        create_stripe_events(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StripeEvent::Table.into_iden(),
            OrderRefund::Table.into_iden(),
            OrderTaxLine::Table.into_iden(),
            OrderItem::Table.into_iden(),
            PurchaseOrder::Table.into_iden(),
            Coupon::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn create_coupons(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Coupon::Table)
                .col(big_pk_auto(Coupon::Id))
                .col(string_len(Coupon::Code, 40).unique_key())
                .col(string_len(Coupon::Kind, 16))
                .col(integer_null(Coupon::Percent))
                .col(big_integer_null(Coupon::AmountCents))
                .col(string_len(Coupon::Scope, 16))
                .col(big_integer_null(Coupon::CourseId))
                .col(integer(Coupon::MaxUses))
                .col(integer(Coupon::Uses))
                .col(timestamp_with_time_zone_null(Coupon::ExpiresAt))
                .col(big_integer_null(Coupon::MemberId))
                .col(string_len(Coupon::Description, 200))
                .col(big_integer_null(Coupon::CreatedBy))
                .col(timestamp_with_time_zone(Coupon::CreatedAt))
                .col(timestamp_with_time_zone_null(Coupon::RetiredAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Coupon::Table, Coupon::CourseId)
                        .to(Course::Table, Course::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Coupon::Table, Coupon::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .to_owned(),
        )
        .await
}

async fn create_orders(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(PurchaseOrder::Table)
                .col(big_pk_auto(PurchaseOrder::Id))
                .col(big_integer_null(PurchaseOrder::MemberId))
                .col(string_len(PurchaseOrder::Channel, 16))
                .col(string_len(PurchaseOrder::Status, 24))
                .col(string_len(PurchaseOrder::Currency, 3))
                .col(big_integer(PurchaseOrder::SubtotalCents))
                .col(big_integer(PurchaseOrder::DiscountCents))
                .col(big_integer(PurchaseOrder::TaxCents))
                .col(big_integer(PurchaseOrder::TotalCents))
                .col(big_integer(PurchaseOrder::RefundedCents))
                .col(big_integer_null(PurchaseOrder::CouponId))
                .col(string_len_null(PurchaseOrder::PlacedIp, 45))
                .col(big_integer_null(PurchaseOrder::KeyedBy))
                .col(timestamp_with_time_zone(PurchaseOrder::CreatedAt))
                .col(timestamp_with_time_zone(PurchaseOrder::UpdatedAt))
                .col(timestamp_with_time_zone(PurchaseOrder::ExpiresAt))
                .col(timestamp_with_time_zone_null(PurchaseOrder::PaidAt))
                .col(timestamp_with_time_zone_null(PurchaseOrder::ClosedAt))
                .col(string_len_null(PurchaseOrder::PaymentMethod, 24))
                .col(string_len_null(PurchaseOrder::StripeSessionId, 255).unique_key())
                .col(text_null(PurchaseOrder::CheckoutUrl))
                .col(string_len_null(PurchaseOrder::StripePaymentIntentId, 255).unique_key())
                .col(string_len_null(PurchaseOrder::ChequeReference, 100))
                .col(boolean(PurchaseOrder::PaymentDeclined))
                .col(string_len_null(PurchaseOrder::BuyerName, 200))
                .col(string_len_null(PurchaseOrder::BuyerEmail, 254))
                .col(string_len_null(PurchaseOrder::BuyerPhone, 40))
                .col(text_null(PurchaseOrder::BuyerAddress))
                .col(text_null(PurchaseOrder::Notes))
                .col(big_integer_null(PurchaseOrder::ReceiptMessageId))
                .col(timestamp_with_time_zone_null(PurchaseOrder::ShreddedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PurchaseOrder::Table, PurchaseOrder::MemberId)
                        .to(Member::Table, Member::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(PurchaseOrder::Table, PurchaseOrder::CouponId)
                        .to(Coupon::Table, Coupon::Id),
                )
                .to_owned(),
        )
        .await?;
    for (name, columns) in [
        ("idx_order_member", vec![PurchaseOrder::MemberId, PurchaseOrder::Id]),
        (
            "idx_order_status_expiry",
            vec![PurchaseOrder::Status, PurchaseOrder::ExpiresAt],
        ),
    ] {
        let mut index = Index::create();
        index.name(name).table(PurchaseOrder::Table);
        for column in columns {
            index.col(column);
        }
        manager.create_index(index).await?;
    }
    Ok(())
}

async fn create_items(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(OrderItem::Table)
                .col(big_pk_auto(OrderItem::Id))
                .col(big_integer(OrderItem::OrderId))
                .col(string_len(OrderItem::Purpose, 16))
                .col(big_integer_null(OrderItem::FeeId))
                .col(big_integer_null(OrderItem::CourseId))
                .col(big_integer_null(OrderItem::WorkshopId))
                .col(string_len(OrderItem::Description, 300))
                .col(big_integer(OrderItem::PriceCents))
                .col(big_integer(OrderItem::DiscountCents))
                .col(big_integer(OrderItem::TaxCents))
                .col(big_integer(OrderItem::RefundedCents))
                .col(timestamp_with_time_zone_null(OrderItem::RefundedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(OrderItem::Table, OrderItem::OrderId)
                        .to(PurchaseOrder::Table, PurchaseOrder::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(OrderItem::Table, OrderItem::FeeId)
                        .to(Fee::Table, Fee::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(OrderItem::Table, OrderItem::WorkshopId)
                        .to(Workshop::Table, Workshop::Id),
                )
                .to_owned(),
        )
        .await?;
    for (name, column) in [
        ("idx_order_item_order", OrderItem::OrderId),
        ("idx_order_item_fee", OrderItem::FeeId),
    ] {
        manager
            .create_index(
                Index::create()
                    .name(name)
                    .table(OrderItem::Table)
                    .col(column)
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

async fn create_tax_lines_and_refunds(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(OrderTaxLine::Table)
                .col(big_pk_auto(OrderTaxLine::Id))
                .col(big_integer(OrderTaxLine::OrderId))
                .col(string_len(OrderTaxLine::Name, 40))
                .col(integer(OrderTaxLine::RateBasisPoints))
                .col(big_integer(OrderTaxLine::AmountCents))
                .foreign_key(
                    ForeignKey::create()
                        .from(OrderTaxLine::Table, OrderTaxLine::OrderId)
                        .to(PurchaseOrder::Table, PurchaseOrder::Id),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(OrderRefund::Table)
                .col(big_pk_auto(OrderRefund::Id))
                .col(big_integer(OrderRefund::OrderId))
                .col(big_integer(OrderRefund::AmountCents))
                .col(string_len(OrderRefund::Items, 200))
                .col(string_len(OrderRefund::Method, 24))
                .col(string_len(OrderRefund::Status, 16))
                .col(string_len_null(OrderRefund::StripeRefundId, 255))
                .col(string_len_null(OrderRefund::LastError, 300))
                .col(big_integer_null(OrderRefund::RequestedBy))
                .col(timestamp_with_time_zone(OrderRefund::CreatedAt))
                .col(timestamp_with_time_zone_null(OrderRefund::CompletedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(OrderRefund::Table, OrderRefund::OrderId)
                        .to(PurchaseOrder::Table, PurchaseOrder::Id),
                )
                .to_owned(),
        )
        .await?;
    for (name, table, column) in [
        (
            "idx_order_tax_line_order",
            OrderTaxLine::Table.into_iden(),
            OrderTaxLine::OrderId.into_iden(),
        ),
        (
            "idx_order_refund_order",
            OrderRefund::Table.into_iden(),
            OrderRefund::OrderId.into_iden(),
        ),
    ] {
        manager
            .create_index(Index::create().name(name).table(table).col(column).to_owned())
            .await?;
    }
    Ok(())
}

async fn create_stripe_events(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(StripeEvent::Table)
                .col(string_len(StripeEvent::Id, 255).primary_key())
                .col(string_len(StripeEvent::EventType, 100))
                .col(string_len_null(StripeEvent::ObjectId, 255))
                .col(big_integer_null(StripeEvent::OrderId))
                .col(string_len_null(StripeEvent::PaymentIntentId, 255))
                .col(string_len_null(StripeEvent::PaymentStatus, 40))
                .col(big_integer_null(StripeEvent::AmountCents))
                .col(string_len_null(StripeEvent::Currency, 3))
                .col(timestamp_with_time_zone(StripeEvent::StripeCreatedAt))
                .col(timestamp_with_time_zone(StripeEvent::ReceivedAt))
                .col(timestamp_with_time_zone_null(StripeEvent::ProcessedAt))
                .col(string_len_null(StripeEvent::Outcome, 200))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_stripe_event_unprocessed")
                .table(StripeEvent::Table)
                .col(StripeEvent::ProcessedAt)
                .col(StripeEvent::ReceivedAt)
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden)]
enum Coupon {
    Table,
    Id,
    Code,
    Kind,
    Percent,
    AmountCents,
    Scope,
    CourseId,
    MaxUses,
    Uses,
    ExpiresAt,
    MemberId,
    Description,
    CreatedBy,
    CreatedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum PurchaseOrder {
    Table,
    Id,
    MemberId,
    Channel,
    Status,
    Currency,
    SubtotalCents,
    DiscountCents,
    TaxCents,
    TotalCents,
    RefundedCents,
    CouponId,
    PlacedIp,
    KeyedBy,
    CreatedAt,
    UpdatedAt,
    ExpiresAt,
    PaidAt,
    ClosedAt,
    PaymentMethod,
    StripeSessionId,
    CheckoutUrl,
    StripePaymentIntentId,
    ChequeReference,
    PaymentDeclined,
    BuyerName,
    BuyerEmail,
    BuyerPhone,
    BuyerAddress,
    Notes,
    ReceiptMessageId,
    ShreddedAt,
}

#[derive(DeriveIden)]
enum OrderItem {
    Table,
    Id,
    OrderId,
    Purpose,
    FeeId,
    CourseId,
    WorkshopId,
    Description,
    PriceCents,
    DiscountCents,
    TaxCents,
    RefundedCents,
    RefundedAt,
}

#[derive(DeriveIden)]
enum OrderTaxLine {
    Table,
    Id,
    OrderId,
    Name,
    RateBasisPoints,
    AmountCents,
}

#[derive(DeriveIden)]
enum OrderRefund {
    Table,
    Id,
    OrderId,
    AmountCents,
    Items,
    Method,
    Status,
    StripeRefundId,
    LastError,
    RequestedBy,
    CreatedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum StripeEvent {
    Table,
    Id,
    EventType,
    ObjectId,
    OrderId,
    PaymentIntentId,
    PaymentStatus,
    AmountCents,
    Currency,
    StripeCreatedAt,
    ReceivedAt,
    ProcessedAt,
    Outcome,
}

#[derive(DeriveIden)]
enum Member {
    Table,
    Id,
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
}
