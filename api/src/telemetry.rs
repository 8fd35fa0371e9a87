//! Logging. `RUST_LOG` overrides the default filter. Secrets never reach a log line: they
//! live in `SecretString`s and the token and password arguments are skipped by every
//! `#[tracing::instrument]`.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    // A second call (tests start many servers in one process) is harmless.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
