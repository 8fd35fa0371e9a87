//! One module per area of the site.

pub mod account;
pub mod catalogue_editor;
pub mod certification;
pub mod courses;
pub mod directory;
pub mod home;
pub mod not_found;
pub mod orders;
pub mod petitions;
pub mod privacy;
pub mod privacy_staff;
pub mod profile_editor;
pub mod security;
pub mod security_staff;
pub mod staff;
