//! Plumbing the domains share but do not own: the access log's batched writer, request
//! budgets and rate limits, and the cache of typo candidates. Nothing here is a business
//! rule; domains call it, it never calls a domain.

pub mod access_log;
pub mod rate_limit;
pub mod typos;
