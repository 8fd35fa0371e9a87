//! The public directory (P4, P5, P6, P7, P13): profiles, their photos, search and
//! typeahead, and the contact relay. The member's private record lives with the account
//! (`services::accounts::record`, P1).
//!
//! A profile is the member's own: they create and edit it, choose whether their phone is
//! shown (P5), hide it without losing its search rank (P6) or delete it with its files
//! (P7). Visitors reach a trainer only through the contact relay (P4), which queues the
//! message with the sender's IP (P13) and never reveals the trainer's address.

pub mod photos;
pub mod profiles;
pub mod relay;
pub mod search;

// The rows the schema renders, handed out by the services (the schema never reaches `db`).
pub use crate::db::profiles::PublicProfileRow;
pub use crate::db::search::{RankKey, SearchPage};
pub use photos::{public_photo, set_photo};
pub use profiles::{
    ProfileInput, ProfileView, delete_profile, profile_of, public_profile, save_my_profile, set_phone_showcase,
    set_profile_status, specialties,
};
pub use relay::{ContactMessage, contact_trainer};
pub use search::{DirectorySearch, MAX_SUGGESTIONS, SuggestKind, reindex_search, search, suggest};
