//! Pieces shared by several pages.

pub mod field;
pub mod nav;
pub mod notice;
