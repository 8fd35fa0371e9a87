//! Wires the pieces together: database, migrations, state, routes, the HTTP server, and
//! the per-server workers (access-log writer, job scheduler) that start and stop with it.

use crate::auth::jwt::TokenKeys;
use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::http;
use crate::jobs::{JobContext, Scheduler};
use crate::schema::{self, AppSchema};
use crate::services::infra::access_log;
use crate::services::infra::rate_limit::{Budget, KeyedLimiter, Limiter, LoginLimiter, RequestLimiter};
use crate::services::mail::Mailer;
use crate::state::AppState;
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{Compress, DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use secrecy::ExposeSecret as _;
use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A built, bound, not yet running server.
pub struct Application {
    server: Server,
    port: u16,
    /// The plain-HTTP listener that redirects to HTTPS (`CPTN_HTTP_REDIRECT_ADDR`).
    redirect: Option<(Server, u16)>,
    state: AppState,
    workers: Workers,
}

/// What runs beside the HTTP server on every server process, and stops after it: the
/// access-log writer (no lease: every server writes its own requests) and the job
/// scheduler (each run under a lease, `jobs`).
struct Workers {
    access_log: JoinHandle<()>,
    access_log_stop: CancellationToken,
    payments: JoinHandle<()>,
    payments_stop: CancellationToken,
    scheduler: Option<Scheduler>,
    /// Re-reads the TLS certificate on SIGHUP.
    tls_reload: Option<JoinHandle<()>>,
}

impl Workers {
    /// After the last request: the running jobs end and hand back their leases, then the
    /// access log writes what is queued.
    async fn shutdown(self) {
        if let Some(reload) = self.tls_reload {
            reload.abort();
        }
        if let Some(scheduler) = self.scheduler {
            scheduler.shutdown().await;
        }
        self.payments_stop.cancel();
        let _ = self.payments.await;
        self.access_log_stop.cancel();
        let _ = self.access_log.await;
    }
}

impl Application {
    /// Connects to the database, applies migrations and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// [`Application::build`] with a given clock (tests travel in time with it).
    pub async fn build_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let db_stats = Arc::new(crate::db::DbStats::default());
        let db = crate::db::connect_with_stats(&settings, "cptn", db_stats.clone()).await?;
        crate::db::migrate(&db).await?;
        // Whatever wrote last before this start (a bulk load, a rebuild), reads start with
        // an empty log.
        crate::db::checkpoint(&db).await;
        let reads = crate::db::reads::ReadPool::new(&settings, db.clone(), db_stats.clone())?;
        let limits = &settings.limits;
        let limiter = limiter(&settings).await?;
        let login_limiter = Arc::new(LoginLimiter::new(&limiter, limits));
        let requests = Arc::new(RequestLimiter::new(&limiter, limits));
        let per_ip = |name, burst, period| Arc::new(KeyedLimiter::new(&limiter, Budget::new(name, burst, period)));
        let contact_limiter = per_ip("contact", limits.contact_ip_burst, limits.contact_ip_period);
        let verify_limiter = per_ip("register-lookup", limits.verify_ip_burst, limits.verify_ip_period);
        let register_limiter = per_ip("registration", limits.register_ip_burst, limits.register_ip_period);
        let signature_limiter = per_ip("signature-check", limits.verify_ip_burst, limits.verify_ip_period);
        // Five reports at once from one address, then one an hour.
        let report_limiter = per_ip("vulnerability-report", 5, std::time::Duration::from_hours(1));
        // Every server signs mail with the database's active key: the first start makes it.
        let keys = Arc::new(crate::services::signing::KeyRing::new(&settings.key_encryption_key));
        keys.ensure(&db, crate::services::signing::MAIL, clock.now()).await?;
        let tokens = Arc::new(TokenKeys::for_settings(&settings, &keys, &db, clock.now()).await?);
        let resend_limiter = Arc::new(KeyedLimiter::new(
            &limiter,
            Budget::new("confirmation-resend", 3, std::time::Duration::from_mins(20)),
        ));
        // The access log and the jobs write through small pools of their own, so neither
        // takes a connection from requests (and request statistics count requests only).
        let side_pool = Settings {
            db_pool_size: 2,
            ..settings.clone()
        };
        let log_db = crate::db::connect_with_stats(&side_pool, "cptn access log", Arc::default()).await?;
        let jobs_db = crate::db::connect_with_stats(&side_pool, "cptn jobs", Arc::default()).await?;
        let payments_db = crate::db::connect_with_stats(&side_pool, "cptn payments", Arc::default()).await?;
        let access_log_stop = CancellationToken::new();
        let (access_log, access_log_writer) = access_log::start(log_db, access_log_stop.clone());
        let documents = Arc::new(schema::limits::ParsedDocuments::new(limits));
        let mailer = Arc::new(Mailer::new(&settings.mail, &settings.data_dir)?);
        let storage = crate::services::storage::Storage::new(&settings.storage_dir);
        // Stripe's client takes the process's TLS provider; a build with two providers
        // compiled in (the tests') would otherwise have none chosen. Already set: fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let stripe = crate::services::payments::gateway::StripeGateway::from_settings(&settings.payments)?;
        let state = AppState {
            db,
            reads,
            db_stats,
            settings: Arc::new(settings),
            clock,
            instance_id: uuid::Uuid::new_v4().to_string(),
            tokens,
            limiter,
            login_limiter,
            requests,
            contact_limiter,
            verify_limiter,
            register_limiter,
            resend_limiter,
            access_log,
            storage,
            mailer,
            mail_queued: Arc::default(),
            typos: Arc::default(),
            course_typos: Arc::default(),
            documents,
            stripe,
            payment_events: Arc::default(),
            keys,
            signature_limiter,
            report_limiter,
        };
        let payments_stop = CancellationToken::new();
        let payments = tokio::spawn(crate::services::payments::webhook::applier(
            payments_db,
            state.clone(),
            payments_stop.clone(),
        ));
        let scheduler = state
            .settings
            .run_jobs
            .then(|| Scheduler::start(&JobContext::new(state.clone(), jobs_db)));
        let schema = schema::build(Some(state.clone()));
        let Listening {
            server,
            port,
            redirect,
            tls_reload,
        } = listen(&state, schema)?;
        Ok(Self {
            server,
            port,
            redirect,
            state,
            workers: Workers {
                access_log: access_log_writer,
                access_log_stop,
                payments,
                payments_stop,
                scheduler,
                tls_reload,
            },
        })
    }

    /// The port of the plain-HTTP redirect listener, when there is one.
    pub fn redirect_port(&self) -> Option<u16> {
        self.redirect.as_ref().map(|(_, port)| *port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully.
    pub async fn run(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then shuts down gracefully: stops accepting, lets
    /// in-flight requests finish (up to 30 s), lets a running job end and hand its lease
    /// back, and writes the access log's queue.
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> std::io::Result<()> {
        let handle: ServerHandle = self.server.handle();
        let redirect = self.redirect.map(|(server, _)| {
            let handle = server.handle();
            tokio::spawn(server);
            handle
        });
        let mut server = tokio::spawn(self.server);
        let outcome = tokio::select! {
            result = &mut server => result,
            () = stop => {
                tracing::info!("shutting down: finishing requests in flight");
                if let Some(redirect) = &redirect {
                    redirect.stop(true).await;
                }
                handle.stop(true).await;
                server.await
            }
        };
        self.workers.shutdown().await;
        tracing::info!("stopped");
        outcome.map_err(std::io::Error::other)?
    }
}

/// SIGTERM (what service managers send) or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The one limiter: in Redis when `CPTN_REDIS_URL` is set, else in memory.
async fn limiter(settings: &Settings) -> anyhow::Result<Arc<Limiter>> {
    let blocked = settings.limits.blocked_networks.clone();
    let limiter = Arc::new(match &settings.redis_url {
        Some(url) => Limiter::with_redis(url.expose_secret(), blocked)?,
        None => Limiter::in_memory(blocked),
    });
    let backend = limiter.probe().await;
    tracing::info!(limits = backend.describe(), "rate limits and blocks");
    Ok(limiter)
}

/// The bound listeners: the server (over TLS when configured, with its certificate
/// reloader) and the plain-HTTP redirect.
struct Listening {
    server: Server,
    port: u16,
    redirect: Option<(Server, u16)>,
    tls_reload: Option<JoinHandle<()>>,
}

fn listen(state: &AppState, schema: AppSchema) -> anyhow::Result<Listening> {
    let listener = TcpListener::bind(state.settings.addr)?;
    let port = listener.local_addr()?.port();
    let tls = match &state.settings.tls {
        Some(files) => Some(http::tls::CertificateStore::load(files)?),
        None => None,
    };
    let tls_reload = tls.clone().and_then(http::tls::reload_on_hangup);
    let redirect = match state.settings.http_redirect_addr {
        Some(addr) => Some(redirect_server(addr, &state.settings.public_url, port)?),
        None => None,
    };
    let server = server(listener, state.clone(), schema, tls)?;
    Ok(Listening {
        server,
        port,
        redirect,
        tls_reload,
    })
}

/// The plain-HTTP listener that answers every request with a redirect to HTTPS.
fn redirect_server(addr: std::net::SocketAddr, public_url: &str, tls_port: u16) -> anyhow::Result<(Server, u16)> {
    let listener = TcpListener::bind(addr)?;
    let port = listener.local_addr()?.port();
    let public_url = public_url.to_owned();
    let server = HttpServer::new(move || {
        let public_url = public_url.clone();
        App::new().default_service(web::to(move |req: actix_web::HttpRequest| {
            let answer = http::tls::redirect(&req, &public_url, tls_port);
            async move { answer }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((server, port))
}

fn server(
    listener: TcpListener,
    state: AppState,
    schema: AppSchema,
    tls: Option<Arc<http::tls::CertificateStore>>,
) -> anyhow::Result<Server> {
    let web_dir = state.settings.web_dir.clone();
    if !web_dir.join("index.html").is_file() {
        tracing::warn!(dir = %web_dir.display(), "no web app build found; run scripts/build-web.sh");
    }
    let workers = state.settings.workers;
    let csp = http::web_app::content_security_policy(&web_dir);
    let hsts = tls.is_some();
    let state = web::Data::new(state);
    let schema = web::Data::new(schema);
    let server = HttpServer::new(move || {
        let web_dir = web_dir.clone();
        App::new()
            .app_data(state.clone())
            .app_data(schema.clone())
            .wrap(Compress::default())
            .wrap(security_headers(&csp, hsts))
            .wrap(from_fn(http::robots::middleware))
            .wrap(from_fn(http::cors::middleware))
            .wrap(from_fn(http::blocks::middleware))
            .wrap(from_fn(http::access_log::middleware))
            .service(
                web::resource("/graphql")
                    .route(web::post().to(http::graphql::post))
                    .route(web::get().to(http::graphql::get))
                    .default_service(web::to(http::graphql::method_not_allowed)),
            )
            .route("/photos/{file}", web::get().to(http::photos::serve))
            .route("/evidence/{petition}", web::get().to(http::evidence::serve))
            .route(
                "/vulnerability-reports/{report}",
                web::get().to(http::evidence::serve_report_attachment),
            )
            .route("/exports/{id}", web::get().to(http::exports::download))
            // Only the one-click POST; a GET falls through to the web app's page.
            .service(
                web::resource("/unsubscribe/{token}")
                    .guard(actix_web::guard::Post())
                    .to(http::unsubscribe::one_click),
            )
            .service(
                web::resource("/webhooks/stripe")
                    .app_data(web::PayloadConfig::new(http::webhooks::MAX_EVENT_BYTES))
                    .route(web::post().to(http::webhooks::stripe)),
            )
            .route("/graphiql", web::get().to(http::graphiql::page))
            .route("/graphiql/start.js", web::get().to(http::graphiql::start_script))
            .route("/graphiql/page.css", web::get().to(http::graphiql::stylesheet))
            .route("/healthz", web::get().to(http::health::healthz))
            .route("/readyz", web::get().to(http::health::readyz))
            .route("/robots.txt", web::get().to(http::health::robots))
            .configure(move |cfg| http::web_app::configure(cfg, &web_dir))
    })
    .workers(workers)
    // Signals are ours (`Application::run`): the workers stop after the server, in order.
    .disable_signals()
    .shutdown_timeout(30);
    let server = match tls {
        Some(store) => server.listen_rustls_0_23(listener, store.server_config()?)?,
        None => server.listen(listener)?,
    };
    Ok(server.run())
}

/// Headers on every response. There is no `Set-Cookie` anywhere in this server (P12).
/// Headers every response carries unless its handler set its own (GraphiQL's page and
/// evidence files set their own policy).
fn security_headers(csp: &str, hsts: bool) -> DefaultHeaders {
    let headers = if hsts {
        DefaultHeaders::new().add(("Strict-Transport-Security", http::tls::HSTS))
    } else {
        DefaultHeaders::new()
    };
    headers
        .add(("Content-Security-Policy", csp.to_owned()))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Frame-Options", "DENY"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ))
}
