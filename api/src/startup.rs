//! Wires the pieces together: database, migrations, state, routes, and the HTTP server.

use crate::auth::jwt::TokenKeys;
use crate::config::Settings;
use crate::http;
use crate::schema::{self, AppSchema};
use crate::services::access_log;
use crate::services::rate_limit::{KeyedLimiter, LoginLimiter};
use crate::state::AppState;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, DefaultHeaders, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use async_graphql::http::GraphiQLSource;
use std::net::TcpListener;
use std::sync::Arc;

/// A built, bound, not yet running server.
pub struct Application {
    server: Server,
    port: u16,
    state: AppState,
}

impl Application {
    /// Connects to the database, applies migrations and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db_stats = Arc::new(crate::db::DbStats::default());
        let db = crate::db::connect_with_stats(&settings, db_stats.clone()).await?;
        crate::db::migrate(&db).await?;
        let reads = crate::db::reads::ReadPool::new(&settings, db.clone(), db_stats.clone())?;
        let tokens = Arc::new(TokenKeys::new(&settings.jwt_secret, settings.sessions.clone())?);
        let login_limiter = Arc::new(LoginLimiter::new(&settings.limits));
        let per_minute = settings.limits.anonymous_per_minute.max(1);
        let anonymous_limiter = Arc::new(KeyedLimiter::new(
            per_minute,
            std::time::Duration::from_mins(1) / per_minute,
        ));
        let contact_limiter = Arc::new(KeyedLimiter::new(
            settings.limits.contact_ip_burst,
            settings.limits.contact_ip_period,
        ));
        // The access log writes through a small pool of its own, so logging never takes a
        // connection from requests (and request statistics count requests only).
        let log_settings = Settings {
            db_pool_size: 2,
            ..settings.clone()
        };
        let log_db = crate::db::connect(&log_settings).await?;
        let (access_log, _writer) = access_log::start(log_db);
        let documents = Arc::new(schema::limits::ParsedDocuments::new(settings.limits.max_aliases));
        let state = AppState {
            db,
            reads,
            db_stats,
            settings: Arc::new(settings),
            tokens,
            login_limiter,
            contact_limiter,
            anonymous_limiter,
            access_log,
            typos: Arc::default(),
            documents,
        };
        let schema = schema::build(Some(state.clone()), &state.settings.limits);
        let listener = TcpListener::bind(state.settings.addr)?;
        let port = listener.local_addr()?.port();
        let server = server(listener, state.clone(), schema)?;
        Ok(Self { server, port, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the process is told to stop.
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn server(listener: TcpListener, state: AppState, schema: AppSchema) -> anyhow::Result<Server> {
    let web_dir = state.settings.web_dir.clone();
    if !web_dir.join("index.html").is_file() {
        tracing::warn!(dir = %web_dir.display(), "no web app build found; run scripts/build-web.sh");
    }
    let workers = state.settings.workers;
    let state = web::Data::new(state);
    let schema = web::Data::new(schema);
    let server = HttpServer::new(move || {
        let web_dir = web_dir.clone();
        App::new()
            .app_data(state.clone())
            .app_data(schema.clone())
            .wrap(Compress::default())
            .wrap(security_headers())
            .wrap(from_fn(http::robots::middleware))
            .wrap(from_fn(http::access_log::middleware))
            .service(
                web::resource("/graphql")
                    .route(web::post().to(http::graphql::post))
                    .route(web::get().to(http::graphql::get))
                    .default_service(web::to(http::graphql::method_not_allowed)),
            )
            .route("/photos/{file}", web::get().to(http::photos::serve))
            .route("/graphiql", web::get().to(graphiql))
            .route("/healthz", web::get().to(http::health::healthz))
            .route("/readyz", web::get().to(http::health::readyz))
            .route("/robots.txt", web::get().to(http::health::robots))
            .configure(move |cfg| http::web_app::configure(cfg, &web_dir))
    })
    .workers(workers)
    .listen(listener)?
    .run();
    Ok(server)
}

/// Headers on every response. There is no `Set-Cookie` anywhere in this server (P12).
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Frame-Options", "DENY"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ))
}

async fn graphiql() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("CPTN Network API")
            .finish(),
    )
}
