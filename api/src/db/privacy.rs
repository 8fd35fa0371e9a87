//! The privacy lifecycle's queries (P3, P8, P23): who the retention rules reach, the
//! statements that wipe a member to a tombstone or delete them for good, wipe receipts and
//! data subjects' requests.

use super::Params;
use chrono::{DateTime, Utc};
use entity::enums::{PrivacyRequestKind, PrivacyRequestStatus, WipeReason};
use entity::{
    access_log, audit_event, certification_cycle, certification_renewal, coupon, data_export, email_confirmation,
    enrolment, fee, member, order_item, outbox_message, petition, privacy_request, purchase_order, renewal_reminder,
    session, wipe_receipt,
};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

/// What replaces a wiped value that cannot be null (audit IPs, user agents and details).
pub const WIPED_MARKER: &str = "(wiped)";

/// The address a wiped account keeps: unique, and undeliverable by definition (`.invalid`
/// is reserved, RFC 2606), so the column's uniqueness holds without a real address.
pub fn wiped_address(member_number: i64) -> String {
    format!("wiped-{member_number}@wiped.invalid")
}

/// `column` holds the text of `placeholder` somewhere (no `LIKE`: an address's `_` and `%`
/// are no wildcards).
fn contains(backend: DbBackend, column: &str, placeholder: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("strpos({column}, {placeholder}) > 0"),
        _ => format!("instr({column}, {placeholder}) > 0"),
    }
}

/// Every row of `sql` as JSON (each column by name).
async fn json_rows<C: ConnectionTrait>(conn: &C, params: Params, sql: String) -> Result<Vec<serde_json::Value>, DbErr> {
    let rows = conn.query_all_raw(params.statement(sql)).await?;
    rows.iter()
        .map(|row| <serde_json::Value as sea_orm::FromQueryResult>::from_query_result(row, ""))
        .collect()
}

/// Members other than staff and admins with a certification whose latest cycle ended on or
/// before `ended_by` (the caller applies the exact rule to their cycles); with
/// `unwiped_only`, tombstones are left out.
pub async fn ended_certifications<C: ConnectionTrait>(
    conn: &C,
    ended_by: chrono::NaiveDate,
    unwiped_only: bool,
) -> Result<Vec<i64>, DbErr> {
    let mut params = Params::new(conn.get_database_backend());
    let by = params.push(ended_by);
    let wiped = if unwiped_only { "AND m.wiped_at IS NULL" } else { "" };
    let sql = format!(
        "SELECT c.member_id FROM certification_cycle c JOIN member m ON m.id = c.member_id \
         WHERE m.role NOT IN ('staff', 'admin') {wiped} \
         GROUP BY c.member_id HAVING MAX(c.ends_on) <= {by} ORDER BY c.member_id"
    );
    let rows = conn.query_all_raw(params.statement(sql)).await?;
    rows.iter().map(|row| row.try_get_by_index::<i64>(0)).collect()
}

/// Accounts whose address was never confirmed, registered before `before`.
pub async fn unconfirmed_before<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<Vec<i64>, DbErr> {
    member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .filter(member::Column::EmailConfirmedAt.is_null())
        .filter(member::Column::WipedAt.is_null())
        .filter(member::Column::CreatedAt.lt(before))
        .order_by_asc(member::Column::Id)
        .into_tuple()
        .all(conn)
        .await
}

/// Confirmed `member` accounts (tombstones included) with no certification cycle whose last
/// login (or registration, without one) is before `before`.
pub async fn inactive_before<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<Vec<i64>, DbErr> {
    let mut params = Params::new(conn.get_database_backend());
    let at = params.push(before);
    let sql = format!(
        "SELECT m.id FROM member m WHERE m.role = 'member' AND m.email_confirmed_at IS NOT NULL \
         AND COALESCE(m.last_login_at, m.created_at) < {at} \
         AND NOT EXISTS (SELECT 1 FROM certification_cycle c WHERE c.member_id = m.id) ORDER BY m.id"
    );
    let rows = conn.query_all_raw(params.statement(sql)).await?;
    rows.iter().map(|row| row.try_get_by_index::<i64>(0)).collect()
}

/// Profiles the public has not seen since before `before`: (profile id, photo file).
pub async fn disabled_profiles_before<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<Vec<entity::directory_profile::Model>, DbErr> {
    use entity::directory_profile as profile;
    profile::Entity::find()
        .filter(profile::Column::DisabledSince.lt(before))
        .order_by_asc(profile::Column::Id)
        .all(conn)
        .await
}

/// Petitions decided before `before` that still keep their evidence file.
pub async fn evidence_decided_before<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<Vec<petition::Model>, DbErr> {
    petition::Entity::find()
        .filter(petition::Column::DecidedAt.lt(before))
        .filter(petition::Column::EvidenceFile.ne(""))
        .order_by_asc(petition::Column::Id)
        .all(conn)
        .await
}

/// Forgets a petition's evidence file (the decision stays). `false` when it had none.
pub async fn clear_evidence<C: ConnectionTrait>(conn: &C, petition_id: i64) -> Result<bool, DbErr> {
    let updated = petition::Entity::update_many()
        .col_expr(petition::Column::EvidenceFile, Expr::val(""))
        .col_expr(petition::Column::EvidenceType, Expr::val(""))
        .filter(petition::Column::Id.eq(petition_id))
        .filter(petition::Column::EvidenceFile.ne(""))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Sessions that ended (expired or logged out) before `before`, with their IP and user
/// agent; `delete` deletes them, else they are counted.
pub async fn sessions_ended_before<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
    delete: bool,
) -> Result<u64, DbErr> {
    let ended = Condition::any()
        .add(session::Column::ExpiresAt.lt(before))
        .add(session::Column::RevokedAt.lt(before));
    if delete {
        Ok(session::Entity::delete_many()
            .filter(ended)
            .exec(conn)
            .await?
            .rows_affected)
    } else {
        session::Entity::find().filter(ended).count(conn).await
    }
}

/// Replaces the member row's personal data: the tombstone keeps id, number, role and dates.
/// The account is disabled and can never log in (no password hash verifies an empty one).
pub async fn wipe_member_row<C: ConnectionTrait>(
    conn: &C,
    member: &member::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    member::Entity::update_many()
        .col_expr(member::Column::Email, Expr::val(wiped_address(member.member_number)))
        .col_expr(member::Column::PasswordHash, Expr::val(""))
        .col_expr(member::Column::LegalName, Expr::val(""))
        .col_expr(member::Column::Phone, Expr::val(None::<String>))
        .col_expr(member::Column::StreetAddress, Expr::val(None::<String>))
        .col_expr(member::Column::AddressCity, Expr::val(None::<String>))
        .col_expr(member::Column::AddressRegion, Expr::val(None::<String>))
        .col_expr(member::Column::PostalCode, Expr::val(None::<String>))
        .col_expr(member::Column::AddressCountry, Expr::val(None::<String>))
        .col_expr(member::Column::DateOfBirth, Expr::val(None::<chrono::NaiveDate>))
        .col_expr(member::Column::Status, Expr::val(entity::enums::MemberStatus::Disabled))
        .col_expr(member::Column::WipedAt, Expr::val(now))
        .col_expr(member::Column::UpdatedAt, Expr::val(now))
        .filter(member::Column::Id.eq(member.id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes the member's sessions and confirmation links (they hold IPs, user agents and a
/// pending registration's name).
pub async fn delete_sessions_and_links<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<(), DbErr> {
    session::Entity::delete_many()
        .filter(session::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    email_confirmation::Entity::delete_many()
        .filter(email_confirmation::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes every copy of mail to or from the member: addressed to them (by member or by
/// address) or naming their address in its headers (a relay message they sent).
pub async fn delete_mail_of<C: ConnectionTrait>(conn: &C, member_id: i64, address: &str) -> Result<u64, DbErr> {
    let mut params = Params::new(conn.get_database_backend());
    let id = params.push(member_id);
    let to = params.push(address.to_owned());
    let named = params.push(address.to_owned());
    let contains = contains(conn.get_database_backend(), "headers", &named);
    let sql = format!(
        "DELETE FROM outbox_message WHERE recipient_member_id = {id} OR recipient_address = {to} OR {contains}"
    );
    Ok(conn.execute_raw(params.statement(sql)).await?.rows_affected())
}

/// Masks what audit rows hold about the member: the IP and user agent of rows about them or
/// by them, and any detail that names them (their address or legal name). The rows stay.
pub async fn mask_audit_of<C: ConnectionTrait>(conn: &C, member_id: i64, names: &[&str]) -> Result<(), DbErr> {
    audit_event::Entity::update_many()
        .col_expr(audit_event::Column::Ip, Expr::val(WIPED_MARKER))
        .col_expr(audit_event::Column::UserAgent, Expr::val(WIPED_MARKER))
        .filter(
            Condition::any()
                .add(audit_event::Column::MemberId.eq(member_id))
                .add(audit_event::Column::ActorId.eq(member_id)),
        )
        .exec(conn)
        .await?;
    for name in names.iter().filter(|n| n.trim().len() >= 3) {
        let mut params = Params::new(conn.get_database_backend());
        let marker = params.push(WIPED_MARKER);
        let needle = params.push((*name).to_owned());
        let contains = contains(conn.get_database_backend(), "detail", &needle);
        let sql = format!("UPDATE audit_event SET detail = {marker} WHERE detail IS NOT NULL AND {contains}");
        conn.execute_raw(params.statement(sql)).await?;
    }
    Ok(())
}

/// Deletes the member's rows of the access log (their IPs and what they requested).
pub async fn delete_access_log_of<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<u64, DbErr> {
    Ok(access_log::Entity::delete_many()
        .filter(access_log::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Erases the IP and buyer details of the member's orders; amounts, items and dates stay.
pub async fn wipe_orders_of<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<(), DbErr> {
    purchase_order::Entity::update_many()
        .col_expr(purchase_order::Column::PlacedIp, Expr::val(None::<String>))
        .col_expr(purchase_order::Column::BuyerName, Expr::val(None::<String>))
        .col_expr(purchase_order::Column::BuyerEmail, Expr::val(None::<String>))
        .col_expr(purchase_order::Column::BuyerPhone, Expr::val(None::<String>))
        .col_expr(purchase_order::Column::BuyerAddress, Expr::val(None::<String>))
        .col_expr(purchase_order::Column::Notes, Expr::val(None::<String>))
        .filter(purchase_order::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Erases the evidence and the member's own answers of their petitions (the outcome stays);
/// returns the evidence files to remove after the commit.
pub async fn wipe_petitions_of<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<Vec<String>, DbErr> {
    let files: Vec<String> = petition::Entity::find()
        .select_only()
        .column(petition::Column::EvidenceFile)
        .filter(petition::Column::MemberId.eq(member_id))
        .filter(petition::Column::EvidenceFile.ne(""))
        .into_tuple()
        .all(conn)
        .await?;
    petition::Entity::update_many()
        .col_expr(petition::Column::EvidenceFile, Expr::val(""))
        .col_expr(petition::Column::EvidenceType, Expr::val(""))
        .col_expr(petition::Column::MemberAnswer, Expr::val(None::<String>))
        .filter(petition::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    Ok(files)
}

pub async fn insert_receipt<C: ConnectionTrait>(
    conn: &C,
    member_number: i64,
    reason: WipeReason,
    categories: &str,
    now: DateTime<Utc>,
    request_id: Option<i64>,
) -> Result<wipe_receipt::Model, DbErr> {
    wipe_receipt::ActiveModel {
        member_number: Set(member_number),
        reason: Set(reason),
        categories: Set(categories.to_owned()),
        wiped_at: Set(now),
        request_id: Set(request_id),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// The wipe receipts of a member number, oldest first.
pub async fn receipts_of<C: ConnectionTrait>(conn: &C, member_number: i64) -> Result<Vec<wipe_receipt::Model>, DbErr> {
    wipe_receipt::Entity::find()
        .filter(wipe_receipt::Column::MemberNumber.eq(member_number))
        .order_by_asc(wipe_receipt::Column::Id)
        .all(conn)
        .await
}

/// Deletes the member for good with everything that points at them, except what accounting
/// keeps: their orders stay with their amounts and items, unlinked (no member, no fee). The
/// ledger goes through its one permitted delete. Returns the evidence files to remove after
/// the commit. The profile must be gone already (it has its search index).
pub async fn delete_member_for_good<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    let fees = Query::select()
        .column(fee::Column::Id)
        .from(fee::Entity)
        .and_where(fee::Column::MemberId.eq(member_id))
        .to_owned();
    order_item::Entity::update_many()
        .col_expr(order_item::Column::FeeId, Expr::val(None::<i64>))
        .filter(order_item::Column::FeeId.in_subquery(fees))
        .exec(conn)
        .await?;
    wipe_orders_of(conn, member_id).await?;
    purchase_order::Entity::update_many()
        .col_expr(purchase_order::Column::MemberId, Expr::val(None::<i64>))
        .filter(purchase_order::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    // A coupon that was theirs alone is retired before it stops naming them: it must not
    // become everyone's.
    coupon::Entity::update_many()
        .col_expr(coupon::Column::RetiredAt, Expr::val(now))
        .filter(coupon::Column::MemberId.eq(member_id))
        .filter(coupon::Column::RetiredAt.is_null())
        .exec(conn)
        .await?;
    coupon::Entity::update_many()
        .col_expr(coupon::Column::MemberId, Expr::val(None::<i64>))
        .filter(coupon::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    let files = wipe_petitions_of(conn, member_id).await?;
    enrolment::Entity::delete_many()
        .filter(enrolment::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    petition::Entity::delete_many()
        .filter(petition::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    renewal_reminder::Entity::delete_many()
        .filter(renewal_reminder::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    certification_renewal::Entity::delete_many()
        .filter(certification_renewal::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    super::certification::purge_ledger(conn, member_id).await?;
    certification_cycle::Entity::delete_many()
        .filter(certification_cycle::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    fee::Entity::delete_many()
        .filter(fee::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    delete_access_log_of(conn, member_id).await?;
    entity::subscription::Entity::update_many()
        .col_expr(entity::subscription::Column::MemberId, Expr::val(None::<i64>))
        .filter(entity::subscription::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    outbox_message::Entity::delete_many()
        .filter(outbox_message::Column::RecipientMemberId.eq(member_id))
        .exec(conn)
        .await?;
    delete_sessions_and_links(conn, member_id).await?;
    member::Entity::delete_by_id(member_id).exec(conn).await?;
    Ok(files)
}

/// What a new request holds.
pub struct NewRequest<'a> {
    pub kind: PrivacyRequestKind,
    pub member_number: i64,
    pub claimed_number: Option<i64>,
    pub message: &'a str,
    pub created_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

pub async fn insert_request<C: ConnectionTrait>(
    conn: &C,
    new: NewRequest<'_>,
) -> Result<privacy_request::Model, DbErr> {
    privacy_request::ActiveModel {
        kind: Set(new.kind),
        member_number: Set(Some(new.member_number)),
        email: Set(None),
        token_hash: Set(None),
        claimed_number: Set(new.claimed_number),
        message: Set(new.message.to_owned()),
        status: Set(PrivacyRequestStatus::Open),
        created_at: Set(new.created_at),
        due_at: Set(new.due_at),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn find_request<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<privacy_request::Model>, DbErr> {
    privacy_request::Entity::find_by_id(id).one(conn).await
}

/// The member's open request of `kind`, if any.
pub async fn open_request_of<C: ConnectionTrait>(
    conn: &C,
    member_number: i64,
    kind: PrivacyRequestKind,
) -> Result<Option<privacy_request::Model>, DbErr> {
    privacy_request::Entity::find()
        .filter(privacy_request::Column::MemberNumber.eq(member_number))
        .filter(privacy_request::Column::Kind.eq(kind))
        .filter(privacy_request::Column::Status.eq(PrivacyRequestStatus::Open))
        .one(conn)
        .await
}

/// A member's requests (by their number, or the old number a relink moved them to), newest
/// first.
pub async fn requests_of<C: ConnectionTrait>(
    conn: &C,
    member_number: i64,
) -> Result<Vec<privacy_request::Model>, DbErr> {
    privacy_request::Entity::find()
        .filter(
            Condition::any()
                .add(privacy_request::Column::MemberNumber.eq(member_number))
                .add(
                    Condition::all()
                        .add(privacy_request::Column::ClaimedNumber.eq(member_number))
                        .add(privacy_request::Column::Status.eq(PrivacyRequestStatus::Completed)),
                ),
        )
        .order_by_desc(privacy_request::Column::Id)
        .all(conn)
        .await
}

/// The staff queue: requests in `status` (all without), oldest (so first due) first, after
/// id `after`; `limit` rows.
pub async fn request_queue<C: ConnectionTrait>(
    conn: &C,
    status: Option<PrivacyRequestStatus>,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<privacy_request::Model>, DbErr> {
    let mut query = privacy_request::Entity::find();
    if let Some(status) = status {
        query = query.filter(privacy_request::Column::Status.eq(status));
    }
    if let Some(after) = after {
        query = query.filter(privacy_request::Column::Id.gt(after));
    }
    query
        .order_by_asc(privacy_request::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Closes an open request (one conditional update: `false` when it was no longer open).
pub async fn close_request<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    status: PrivacyRequestStatus,
    by: Option<i64>,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = privacy_request::Entity::update_many()
        .col_expr(privacy_request::Column::Status, Expr::val(status))
        .col_expr(privacy_request::Column::ClosedAt, Expr::val(now))
        .col_expr(privacy_request::Column::ClosedBy, Expr::val(by))
        .col_expr(privacy_request::Column::Outcome, Expr::val(outcome.to_owned()))
        .filter(privacy_request::Column::Id.eq(id))
        .filter(privacy_request::Column::Status.eq(PrivacyRequestStatus::Open))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Open requests past their due date not yet flagged.
pub async fn overdue_requests<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<Vec<privacy_request::Model>, DbErr> {
    privacy_request::Entity::find()
        .filter(privacy_request::Column::Status.eq(PrivacyRequestStatus::Open))
        .filter(privacy_request::Column::DueAt.lt(now))
        .filter(privacy_request::Column::FlaggedOverdueAt.is_null())
        .order_by_asc(privacy_request::Column::Id)
        .all(conn)
        .await
}

/// Flags an open request overdue (once: `false` when flagged or closed already).
pub async fn flag_overdue<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let updated = privacy_request::Entity::update_many()
        .col_expr(privacy_request::Column::FlaggedOverdueAt, Expr::val(now))
        .filter(privacy_request::Column::Id.eq(id))
        .filter(privacy_request::Column::Status.eq(PrivacyRequestStatus::Open))
        .filter(privacy_request::Column::FlaggedOverdueAt.is_null())
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Whether the member row holds anything but a login: certification, ledger, fees, orders,
/// enrolments or petitions (a returning member's new row must not, to be dropped).
pub async fn holds_records<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<bool, DbErr> {
    let counts = [
        certification_cycle::Entity::find()
            .filter(certification_cycle::Column::MemberId.eq(member_id))
            .count(conn)
            .await?,
        entity::cec_entry::Entity::find()
            .filter(entity::cec_entry::Column::MemberId.eq(member_id))
            .count(conn)
            .await?,
        fee::Entity::find()
            .filter(fee::Column::MemberId.eq(member_id))
            .count(conn)
            .await?,
        purchase_order::Entity::find()
            .filter(purchase_order::Column::MemberId.eq(member_id))
            .count(conn)
            .await?,
        enrolment::Entity::find()
            .filter(enrolment::Column::MemberId.eq(member_id))
            .count(conn)
            .await?,
        petition::Entity::find()
            .filter(petition::Column::MemberId.eq(member_id))
            .count(conn)
            .await?,
    ];
    Ok(counts.iter().any(|&n| n > 0))
}

/// Moves the login of `from` (a returning member's new row) onto tombstone `onto`: its
/// address, password, name and contact details, profile and mail (its sessions end: the
/// member logs in again, as the old number); then deletes `from`. The ledger and history of
/// `onto` are not touched.
pub async fn move_login<C: ConnectionTrait>(
    conn: &C,
    from: &member::Model,
    onto: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    // The address is unique: it leaves the new row before it lands on the old one.
    member::Entity::update_many()
        .col_expr(
            member::Column::Email,
            Expr::val(format!("relinked-{}@wiped.invalid", from.member_number)),
        )
        .filter(member::Column::Id.eq(from.id))
        .exec(conn)
        .await?;
    member::Entity::update_many()
        .col_expr(member::Column::Email, Expr::val(from.email.clone()))
        .col_expr(member::Column::PasswordHash, Expr::val(from.password_hash.clone()))
        .col_expr(member::Column::LegalName, Expr::val(from.legal_name.clone()))
        .col_expr(member::Column::Phone, Expr::val(from.phone.clone()))
        .col_expr(member::Column::StreetAddress, Expr::val(from.street_address.clone()))
        .col_expr(member::Column::AddressCity, Expr::val(from.address_city.clone()))
        .col_expr(member::Column::AddressRegion, Expr::val(from.address_region.clone()))
        .col_expr(member::Column::PostalCode, Expr::val(from.postal_code.clone()))
        .col_expr(member::Column::AddressCountry, Expr::val(from.address_country.clone()))
        .col_expr(member::Column::DateOfBirth, Expr::val(from.date_of_birth))
        .col_expr(member::Column::EmailConfirmedAt, Expr::val(from.email_confirmed_at))
        .col_expr(member::Column::LastLoginAt, Expr::val(from.last_login_at))
        .col_expr(member::Column::Status, Expr::val(from.status))
        .col_expr(member::Column::WipedAt, Expr::val(None::<DateTime<Utc>>))
        .col_expr(member::Column::UpdatedAt, Expr::val(now))
        .filter(member::Column::Id.eq(onto))
        .exec(conn)
        .await?;
    // Tokens name their member: the new row's sessions end, and the next login is `onto`'s.
    session::Entity::delete_many()
        .filter(session::Column::MemberId.eq(from.id))
        .exec(conn)
        .await?;
    entity::directory_profile::Entity::update_many()
        .col_expr(entity::directory_profile::Column::MemberId, Expr::val(onto))
        .filter(entity::directory_profile::Column::MemberId.eq(from.id))
        .exec(conn)
        .await?;
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::RecipientMemberId, Expr::val(onto))
        .filter(outbox_message::Column::RecipientMemberId.eq(from.id))
        .exec(conn)
        .await?;
    email_confirmation::Entity::delete_many()
        .filter(email_confirmation::Column::MemberId.eq(from.id))
        .exec(conn)
        .await?;
    member::Entity::delete_by_id(from.id).exec(conn).await?;
    Ok(())
}

/// The stored names among `files` that a data export row names.
pub async fn exports_in_use<C: ConnectionTrait>(
    conn: &C,
    files: &[String],
) -> Result<std::collections::HashSet<String>, DbErr> {
    let mut used = std::collections::HashSet::new();
    for chunk in files.chunks(500) {
        let rows: Vec<String> = data_export::Entity::find()
            .select_only()
            .column(data_export::Column::File)
            .filter(data_export::Column::File.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(conn)
            .await?;
        used.extend(rows);
    }
    Ok(used)
}

pub async fn insert_export<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    file: &str,
    bytes: i64,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<data_export::Model, DbErr> {
    data_export::ActiveModel {
        member_id: Set(member_id),
        file: Set(file.to_owned()),
        bytes: Set(bytes),
        created_at: Set(created_at),
        expires_at: Set(expires_at),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// The member's archives not yet expired at `now`, newest first.
pub async fn live_exports_of<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<data_export::Model>, DbErr> {
    data_export::Entity::find()
        .filter(data_export::Column::MemberId.eq(member_id))
        .filter(data_export::Column::ExpiresAt.gt(now))
        .order_by_desc(data_export::Column::Id)
        .all(conn)
        .await
}

pub async fn find_export<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<data_export::Model>, DbErr> {
    data_export::Entity::find_by_id(id).one(conn).await
}

/// Archives expired at `now`; with `delete`, their rows go (the caller removes the files).
pub async fn expired_exports<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    delete: bool,
) -> Result<Vec<data_export::Model>, DbErr> {
    let expired = data_export::Entity::find()
        .filter(data_export::Column::ExpiresAt.lte(now))
        .all(conn)
        .await?;
    if delete && !expired.is_empty() {
        data_export::Entity::delete_many()
            .filter(data_export::Column::Id.is_in(expired.iter().map(|e| e.id)))
            .exec(conn)
            .await?;
    }
    Ok(expired)
}

/// Deletes the member's archives; returns their files, to remove after the commit.
pub async fn delete_exports_of<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<Vec<String>, DbErr> {
    let files = data_export::Entity::find()
        .select_only()
        .column(data_export::Column::File)
        .filter(data_export::Column::MemberId.eq(member_id))
        .into_tuple()
        .all(conn)
        .await?;
    data_export::Entity::delete_many()
        .filter(data_export::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    Ok(files)
}

/// What the export holds of one table: the rows whose `column` equals `key` (the member's
/// id or number, or an address), every column as JSON.
pub async fn rows_about<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    column: &str,
    key: impl Into<sea_orm::Value>,
) -> Result<Vec<serde_json::Value>, DbErr> {
    let mut params = Params::new(conn.get_database_backend());
    let p = params.push(key);
    // Table and column come from the export's own constant lists, never from a request.
    let sql = format!("SELECT * FROM {table} WHERE {column} = {p}");
    json_rows(conn, params, sql).await
}

/// The member who filed `request`, when a member did and still exists.
pub async fn requester<C: ConnectionTrait>(
    conn: &C,
    request: &privacy_request::Model,
) -> Result<Option<entity::member::Model>, DbErr> {
    match request.member_number {
        Some(number) => super::members::find_by_number(conn, number).await,
        None => Ok(None),
    }
}

/// A request by e-mail address, waiting for the address to confirm.
pub async fn insert_address_request<C: ConnectionTrait>(
    conn: &C,
    kind: PrivacyRequestKind,
    email: &str,
    token_hash: &str,
    now: DateTime<Utc>,
    due_at: DateTime<Utc>,
) -> Result<privacy_request::Model, DbErr> {
    privacy_request::ActiveModel {
        kind: Set(kind),
        member_number: Set(None),
        email: Set(Some(email.to_owned())),
        token_hash: Set(Some(token_hash.to_owned())),
        claimed_number: Set(None),
        message: Set(String::new()),
        status: Set(PrivacyRequestStatus::Unconfirmed),
        created_at: Set(now),
        due_at: Set(due_at),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// The unconfirmed request whose link carries this token hash.
pub async fn request_by_token<C: ConnectionTrait>(
    conn: &C,
    token_hash: &str,
) -> Result<Option<privacy_request::Model>, DbErr> {
    privacy_request::Entity::find()
        .filter(privacy_request::Column::TokenHash.eq(token_hash))
        .filter(privacy_request::Column::Status.eq(PrivacyRequestStatus::Unconfirmed))
        .one(conn)
        .await
}

/// Confirms an address request: `to` (open for staff, or completed for an export), the
/// token spent. `false` when it was confirmed already.
pub async fn confirm_address_request<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    to: PrivacyRequestStatus,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = privacy_request::Entity::update_many()
        .col_expr(privacy_request::Column::Status, Expr::val(to))
        .col_expr(privacy_request::Column::TokenHash, Expr::val(None::<String>));
    if to == PrivacyRequestStatus::Completed {
        // Answered at once: the address is needed no longer.
        update = update
            .col_expr(privacy_request::Column::Email, Expr::val(None::<String>))
            .col_expr(privacy_request::Column::ClosedAt, Expr::val(now))
            .col_expr(
                privacy_request::Column::Outcome,
                Expr::val("What we hold under this address was sent to its holder."),
            );
    }
    let updated = update
        .filter(privacy_request::Column::Id.eq(id))
        .filter(privacy_request::Column::Status.eq(PrivacyRequestStatus::Unconfirmed))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Mail naming `address` in its headers (relay messages it sent), as JSON rows.
pub async fn mail_naming<C: ConnectionTrait>(conn: &C, address: &str) -> Result<Vec<serde_json::Value>, DbErr> {
    let mut params = Params::new(conn.get_database_backend());
    let named = params.push(address.to_owned());
    let contains = contains(conn.get_database_backend(), "headers", &named);
    let sql = format!("SELECT * FROM outbox_message WHERE {contains}");
    json_rows(conn, params, sql).await
}

/// Audit events whose detail names `address` (e.g. a login tried with it): time, kind and
/// detail.
pub async fn audit_naming<C: ConnectionTrait>(conn: &C, address: &str) -> Result<Vec<serde_json::Value>, DbErr> {
    let mut params = Params::new(conn.get_database_backend());
    let named = params.push(address.to_owned());
    let contains = contains(conn.get_database_backend(), "detail", &named);
    let sql = format!("SELECT occurred_at, kind, ip, detail FROM audit_event WHERE detail IS NOT NULL AND {contains}");
    json_rows(conn, params, sql).await
}

/// Erases the buyer details of orders bought under `address` (amounts and items stay).
pub async fn forget_buyer<C: ConnectionTrait>(conn: &C, address: &str) -> Result<u64, DbErr> {
    Ok(purchase_order::Entity::update_many()
        .col_expr(purchase_order::Column::BuyerName, Expr::val(None::<String>))
        .col_expr(purchase_order::Column::BuyerEmail, Expr::val(None::<String>))
        .col_expr(purchase_order::Column::BuyerPhone, Expr::val(None::<String>))
        .col_expr(purchase_order::Column::BuyerAddress, Expr::val(None::<String>))
        .col_expr(purchase_order::Column::Notes, Expr::val(None::<String>))
        .filter(purchase_order::Column::BuyerEmail.eq(address))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Forgets `address` in every request that names it (the records of the answers stay).
pub async fn forget_request_address<C: ConnectionTrait>(conn: &C, address: &str) -> Result<(), DbErr> {
    privacy_request::Entity::update_many()
        .col_expr(privacy_request::Column::Email, Expr::val(None::<String>))
        .col_expr(privacy_request::Column::TokenHash, Expr::val(None::<String>))
        .filter(privacy_request::Column::Email.eq(address))
        .exec(conn)
        .await?;
    Ok(())
}

/// Empties what a member wrote in their requests (the requests stay, by number).
pub async fn forget_request_messages<C: ConnectionTrait>(conn: &C, member_number: i64) -> Result<(), DbErr> {
    privacy_request::Entity::update_many()
        .col_expr(privacy_request::Column::Message, Expr::val(""))
        .filter(privacy_request::Column::MemberNumber.eq(member_number))
        .exec(conn)
        .await?;
    Ok(())
}
