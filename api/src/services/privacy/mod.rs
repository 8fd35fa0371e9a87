//! The privacy lifecycle (P3, P8, P9, P23): page views, the retention rules, wiping to a
//! tombstone and deleting for good, and data subjects' requests.

pub mod address;
pub mod erasure;
pub mod export;
pub mod page_views;
pub mod requests;
pub mod retention;
