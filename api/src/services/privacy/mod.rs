//! The privacy lifecycle (issue 15, in progress): so far page views (P9, P14).

pub mod page_views;
