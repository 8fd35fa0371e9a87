//! actix-web handlers and middleware only: they turn HTTP into calls on the schema or the
//! services and back. May import `schema`, `services`, `auth`; never `db`.

pub mod access_log;
pub mod blocks;
pub mod client_ip;
pub mod cors;
pub mod evidence;
pub mod exports;
pub mod graphiql;
pub mod graphql;
pub mod health;
pub mod photos;
pub mod problem;
pub mod robots;
pub mod tls;
pub mod unsubscribe;
pub mod web_app;
pub mod webhooks;
