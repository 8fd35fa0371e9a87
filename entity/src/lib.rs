//! The database tables, as sea-orm entities.
//!
//! Invariant: entity models never derive GraphQL types. The API wraps each model in a type
//! of its own that chooses which fields to expose and who may read them.

pub mod access_log;
pub mod audit_event;
pub mod campaign;
pub mod cec_entry;
pub mod certification_cycle;
pub mod certification_renewal;
pub mod consent_event;
pub mod counter;
pub mod coupon;
pub mod course;
pub mod course_provider;
pub mod data_export;
pub mod directory_profile;
pub mod email_confirmation;
pub mod enrolment;
pub mod enums;
pub mod fee;
pub mod job_lease;
pub mod ledger_purge;
pub mod mailing_list;
pub mod member;
pub mod order_item;
pub mod order_refund;
pub mod order_tax_line;
pub mod outbox_message;
pub mod petition;
pub mod privacy_request;
pub mod profile_specialty;
pub mod purchase_order;
pub mod renewal_reminder;
pub mod session;
pub mod signing_key;
pub mod specialty;
pub mod stripe_event;
pub mod subscription;
pub mod vulnerability_report;
pub mod wipe_receipt;
pub mod workshop;
