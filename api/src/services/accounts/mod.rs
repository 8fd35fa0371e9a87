//! Accounts (P1, P12, P14): registration with a confirmed address, sessions (login,
//! renewal, logout; the token check is `auth::authenticate_request`), the
//! member record (private contact fields), and the staff and admin account tools. Every
//! password check goes through [`check_password`]: one budget per account and per IP, and
//! an audit row whatever the outcome (P14).

pub mod record;
pub mod registration;
pub mod sessions;
pub mod tools;

pub use record::{RecordUpdate, update_my_record};
pub use registration::{Registration, confirm_email, register, resend_confirmation};
pub use sessions::{PasswordPurpose, SignedIn, check_password, confirm_own_password, login, logout, renew};
pub use tools::{create_with_role, find_by_number, link_course_provider, me, reset_password, set_role, set_status};
