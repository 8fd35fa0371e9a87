//! `TestApp` and its helpers.

use crate::fake_stripe::FakeStripe;
use anyhow::{Context, Result, anyhow, bail};
use api::clock::ManualClock;
use api::state::AppState;
use api::{Application, Settings};
use entity::enums::MessageKind;
use serde_json::{Value, json};
use shared::{Email, LegalName, Password, Role};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server with its own database.
pub struct TestApp {
    pub base_url: String,
    pub state: AppState,
    pub client: reqwest::Client,
    /// The server's clock: move it forward to travel in time.
    pub clock: Arc<ManualClock>,
    stop: Option<oneshot::Sender<()>>,
    running: Option<JoinHandle<std::io::Result<()>>>,
    data_dir: TempDir,
    database: Arc<TestDatabase>,
}

impl TestApp {
    /// A server with default settings.
    pub async fn spawn() -> Result<Self> {
        Self::spawn_with(|_| {}).await
    }

    /// A server whose settings `configure` may change first (limits, trusted proxy, web dir).
    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> Result<Self> {
        api::telemetry::init();
        let data_dir = tempfile::tempdir()?;
        let database = Arc::new(TestDatabase::create(data_dir.path()).await?);
        Self::start(data_dir, database, configure).await
    }

    /// A server that takes payment through a fresh fake Stripe (`fake_stripe`), which
    /// delivers its webhooks to it. The server listens on a port chosen first, so its
    /// public URL (where Stripe's page sends the buyer back) is its own.
    pub async fn spawn_with_stripe(configure: impl FnOnce(&mut Settings)) -> Result<(Self, FakeStripe)> {
        let fake = FakeStripe::start()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let app = Self::spawn_with(|settings| {
            crate::fake_stripe::configure(settings, &fake);
            settings.addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
            settings.public_url = format!("http://127.0.0.1:{port}");
            configure(settings);
        })
        .await?;
        fake.deliver_to(app.url("/webhooks/stripe"));
        Ok((app, fake))
    }

    /// A second server on this one's database (as several servers share PostgreSQL), with
    /// a data directory of its own and the same key-encryption key (deployments share it,
    /// or no server could open the signing keys another made).
    pub async fn spawn_sharing(&self, configure: impl FnOnce(&mut Settings)) -> Result<Self> {
        let key_encryption_key = self.state.settings.key_encryption_key.clone();
        Self::start(tempfile::tempdir()?, self.database.clone(), |s| {
            s.key_encryption_key = key_encryption_key;
            configure(s);
        })
        .await
    }

    async fn start(
        data_dir: TempDir,
        database: Arc<TestDatabase>,
        configure: impl FnOnce(&mut Settings),
    ) -> Result<Self> {
        let mut settings = Settings::ephemeral(data_dir.path(), database.url.clone());
        configure(&mut settings);
        let clock = Arc::new(ManualClock::default());
        let app = Application::build_with_clock(settings, clock.clone()).await?;
        let base_url = format!("http://127.0.0.1:{}", app.port());
        let state = app.state().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let running = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("cptn-tests/1.0")
            .build()?;
        Ok(Self {
            base_url,
            state,
            client,
            clock,
            stop: Some(stop),
            running: Some(running),
            data_dir,
            database,
        })
    }

    /// The server's data directory (uploads, the mail folder).
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// Shuts the server down as SIGTERM would, and waits until it has.
    pub async fn shutdown(&mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(running) = self.running.take() {
            running.await??;
        }
        Ok(())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Sends a request, failing the test if the response sets a cookie.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        let response = request.send().await?;
        if let Some(cookie) = response.headers().get(reqwest::header::SET_COOKIE) {
            bail!("the server sent Set-Cookie ({cookie:?}); it must never set cookies");
        }
        Ok(response)
    }

    /// POSTs a GraphQL operation, anonymously.
    pub async fn graphql(&self, query: &str, variables: Value) -> Result<Gql> {
        self.graphql_with(None, query, variables).await
    }

    /// POSTs a GraphQL operation as if from `ip`, through the trusted proxy (the server
    /// must trust 127.0.0.1: `settings.trusted_proxy`).
    pub async fn graphql_from(&self, ip: &str, token: Option<&str>, query: &str, variables: Value) -> Result<Gql> {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .header("X-Forwarded-For", ip)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Gql::read(self.send(request).await?).await
    }

    /// POSTs a GraphQL operation with a bearer token.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Result<Gql> {
        self.graphql_with(Some(token), query, variables).await
    }

    async fn graphql_with(&self, token: Option<&str>, query: &str, variables: Value) -> Result<Gql> {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = self.send(request).await?;
        Gql::read(response).await
    }

    /// Registers a member through the API (the address still needs confirming).
    pub async fn register(&self, email: &str, password: &str, legal_name: &str) -> Result<Gql> {
        self.graphql(
            "mutation Register($input: RegisterInput!) { register(input: $input) { accepted message } }",
            json!({ "input": { "email": email, "password": password, "legalName": legal_name } }),
        )
        .await
    }

    /// The outbox messages of `kind` to `email`: to the member with that address, or to
    /// the address itself; oldest first.
    pub async fn mail_to(&self, email: &str, kind: MessageKind) -> Result<Vec<entity::outbox_message::Model>> {
        use entity::outbox_message::Column;
        use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
        let address = email.trim().to_lowercase();
        let member = entity::member::Entity::find()
            .filter(entity::member::Column::Email.eq(address.clone()))
            .one(&self.state.db)
            .await?;
        let mut to = Condition::any().add(Column::RecipientAddress.eq(address));
        if let Some(member) = member {
            to = to.add(Column::RecipientMemberId.eq(member.id));
        }
        Ok(entity::outbox_message::Entity::find()
            .filter(to)
            .filter(Column::Kind.eq(kind))
            .order_by_asc(Column::Id)
            .all(&self.state.db)
            .await?)
    }

    pub async fn confirmation_token(&self, email: &str) -> Result<String> {
        self.link_token(email, MessageKind::EmailConfirmation).await
    }

    /// The token of the link in the newest message of `kind` to `email`.
    pub async fn link_token(&self, email: &str, kind: MessageKind) -> Result<String> {
        let mail = self.mail_to(email, kind).await?;
        let body = &mail
            .last()
            .with_context(|| format!("no {kind:?} mail was queued"))?
            .body;
        token_in(body).with_context(|| format!("no link in the {kind:?} mail"))
    }

    /// Follows the newest confirmation link sent to `email`, with the registration's
    /// `password`, which also logs in: the member, logged in.
    pub async fn confirm(&self, email: &str, password: &str) -> Result<TestUser> {
        let token = self.confirmation_token(email).await?;
        let confirmed = self
            .graphql(CONFIRM, json!({ "t": token, "p": password }))
            .await?
            .ok()?;
        Ok(TestUser {
            token: confirmed.str("confirmEmail.token")?.to_owned(),
            member_number: confirmed.str("confirmEmail.member.memberNumber")?.to_owned(),
            email: email.to_owned(),
            password: password.to_owned(),
        })
    }

    /// Logs in through the API.
    pub async fn login(&self, email: &str, password: &str) -> Result<Gql> {
        self.graphql(
            "mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token expiresAt member { memberNumber email } } }",
            json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Registers a new member with a unique e-mail and confirms it (which logs in).
    pub async fn new_member(&self) -> Result<TestUser> {
        let email = format!("member-{}@example.org", uuid::Uuid::new_v4().simple());
        let password = "a perfectly fine passphrase".to_owned();
        self.register(&email, &password, "Test Member").await?.ok()?;
        self.confirm(&email, &password).await
    }

    /// Creates a staff or admin account directly (there is no public way to do that) and
    /// logs it in through the API.
    pub async fn new_with_role(&self, role: Role) -> Result<TestUser> {
        let email = format!("{}-{}@example.org", role.as_str(), uuid::Uuid::new_v4().simple());
        let password = "a staff passphrase that is long".to_owned();
        api::services::accounts::create_with_role(
            &self.state.db,
            &Email::parse("email", &email).map_err(|e| anyhow!("{e}"))?,
            &Password::parse("password", &password).map_err(|e| anyhow!("{e}"))?,
            &LegalName::parse("legalName", "Staff Person").map_err(|e| anyhow!("{e}"))?,
            role,
        )
        .await
        .map_err(|e| anyhow!("{e}"))?;
        self.logged_in(email, password).await
    }

    /// Logs in through the API an account that exists.
    pub async fn logged_in(&self, email: String, password: String) -> Result<TestUser> {
        let login = self.login(&email, &password).await?.ok()?;
        Ok(TestUser {
            token: login.str("login.token")?.to_owned(),
            member_number: login.str("login.member.memberNumber")?.to_owned(),
            email,
            password,
        })
    }

    /// The pending order holding fee `fee_id` (the buyer's cart, or a keyed order).
    pub async fn order_of_fee(&self, fee_id: &str) -> Result<String> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let fee: i64 = fee_id.parse()?;
        let items = entity::order_item::Entity::find()
            .filter(entity::order_item::Column::FeeId.eq(fee))
            .all(&self.state.db)
            .await?;
        for item in items {
            let order = entity::purchase_order::Entity::find_by_id(item.order_id)
                .one(&self.state.db)
                .await?
                .context("an item's order")?;
            if order.status == entity::enums::OrderStatus::Pending {
                return Ok(order.id.to_string());
            }
        }
        bail!("fee {fee_id} is in no pending order")
    }

    /// `token` records a cheque paying the pending order that holds fee `fee_id` (what staff
    /// do when a member mails a cheque): the fee is paid and what it pays for applies.
    pub async fn pay_fee(&self, token: &str, fee_id: &str) -> Result<Gql> {
        let order = self.order_of_fee(fee_id).await?;
        self.pay_order(token, &order).await
    }

    /// `token` records a cheque paying pending order `order`.
    pub async fn pay_order(&self, token: &str, order: &str) -> Result<Gql> {
        self.graphql_as(
            token,
            "mutation($o: ID!) { recordChequePayment(orderId: $o, reference: \"Cheque 1001\") { status } }",
            json!({ "o": order }),
        )
        .await
    }

    /// Every value of every column of every table of the app's database, as text, one line
    /// per row prefixed with its table: what a test scans to prove a value is gone.
    pub async fn database_text(&self) -> Result<String> {
        use sea_orm::{ConnectionTrait, DbBackend, Statement};
        use std::fmt::Write as _;
        let db = &self.state.db;
        let backend = db.get_database_backend();
        let text = |row: &sea_orm::QueryResult| -> Result<String> {
            Ok(row.try_get::<Option<String>>("", "v")?.unwrap_or_default())
        };
        let bytes = |row: &sea_orm::QueryResult| -> Result<String> {
            Ok(String::from_utf8_lossy(&row.try_get::<Option<Vec<u8>>>("", "v")?.unwrap_or_default()).into_owned())
        };
        let mut out = String::new();
        if backend == DbBackend::Postgres {
            let tables = db
                .query_all_raw(Statement::from_string(
                    backend,
                    "SELECT table_name::text AS t FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                ))
                .await?;
            for table in tables {
                let name: String = table.try_get("", "t")?;
                let rows = db
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("SELECT t::text AS v FROM \"{name}\" t"),
                    ))
                    .await?;
                for row in rows {
                    writeln!(out, "{name}: {}", text(&row)?)?;
                }
            }
        } else {
            let tables = db
                .query_all_raw(Statement::from_string(
                    backend,
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                ))
                .await?;
            for table in tables {
                let name: String = table.try_get("", "name")?;
                let columns = db
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("PRAGMA table_info(\"{name}\")"),
                    ))
                    .await?;
                // Column by column, as bytes: the search index's shadow tables hold blobs.
                for column in columns {
                    let column: String = column.try_get("", "name")?;
                    let rows = db
                        .query_all_raw(Statement::from_string(
                            backend,
                            format!("SELECT CAST(\"{column}\" AS BLOB) AS v FROM \"{name}\""),
                        ))
                        .await?;
                    for row in rows {
                        writeln!(out, "{name}.{column}: {}", bytes(&row)?)?;
                    }
                }
            }
        }
        Ok(out)
    }

    /// Runs `job` now (due or not), waiting while the server's own scheduler holds its
    /// lease; its report.
    pub async fn run_job(&self, job: api::jobs::JobName) -> Result<api::jobs::JobReport> {
        let ctx = api::jobs::JobContext::new(self.state.clone(), self.state.db.clone());
        for _ in 0..200 {
            if let api::jobs::RunOutcome::Ran(report) = api::jobs::run_once(&ctx, job, true).await? {
                return Ok(report);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        bail!("{job} never ran")
    }

    /// The number a counting query (`SELECT COUNT(*) AS n ...`) returns from the app's database.
    pub async fn count(&self, sql: &str) -> Result<i64> {
        #[derive(sea_orm::FromQueryResult)]
        struct Count {
            n: i64,
        }
        let backend = sea_orm::ConnectionTrait::get_database_backend(&self.state.db);
        let row = <Count as sea_orm::FromQueryResult>::find_by_statement(sea_orm::Statement::from_string(backend, sql))
            .one(&self.state.db)
            .await?
            .context("a counting query returns a row")?;
        Ok(row.n)
    }

    /// Runs `query` against the app's database until it returns `Some`, for rows written
    /// off the request path (the access log). Gives up after five seconds.
    pub async fn eventually<T, F, Fut>(&self, mut query: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>>>,
    {
        for _ in 0..100 {
            if let Some(found) = query().await? {
                return Ok(found);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("the expected rows did not appear within five seconds")
    }
}

/// `confirmEmail` with `$t` (the link's token) and `$p` (the password).
pub const CONFIRM: &str =
    "mutation($t: String!, $p: String!) { confirmEmail(token: $t, password: $p) { token member { memberNumber } } }";

/// The `token` parameter of the first link in a text.
pub fn token_in(text: &str) -> Option<String> {
    let start = text.find("token=")? + "token=".len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!token.is_empty()).then_some(token)
}

/// A member who is logged in.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub email: String,
    pub password: String,
    pub token: String,
    pub member_number: String,
}

/// A GraphQL response with its HTTP status and headers.
#[derive(Debug)]
pub struct Gql {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Gql {
    pub async fn read(response: reqwest::Response) -> Result<Self> {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await?;
        let body = serde_json::from_str(&text).with_context(|| format!("response is not JSON: {text}"))?;
        Ok(Self { status, headers, body })
    }

    /// Fails unless the response has data and no errors.
    pub fn ok(self) -> Result<Self> {
        if self.body.get("errors").is_some_and(|e| !e.is_null()) {
            bail!("expected success, got {}", self.body);
        }
        Ok(self)
    }

    /// `data.<dotted.path>`; numeric segments index arrays.
    pub fn data(&self, path: &str) -> Result<&Value> {
        let mut at = self
            .body
            .get("data")
            .ok_or_else(|| anyhow!("no data in {}", self.body))?;
        for segment in path.split('.') {
            at = match segment.parse::<usize>() {
                Ok(index) => at.get(index),
                Err(_) => at.get(segment),
            }
            .ok_or_else(|| anyhow!("no {path} in {}", self.body))?;
        }
        Ok(at)
    }

    pub fn str(&self, path: &str) -> Result<&str> {
        self.data(path)?
            .as_str()
            .ok_or_else(|| anyhow!("{path} is not a string in {}", self.body))
    }

    /// The first error's `extensions.code`.
    pub fn code(&self) -> Option<&str> {
        self.error_ext("code")
    }

    /// The first error's `extensions.field`.
    pub fn field(&self) -> Option<&str> {
        self.error_ext("field")
    }

    pub fn error_ext(&self, key: &str) -> Option<&str> {
        self.body.pointer(&format!("/errors/0/extensions/{key}"))?.as_str()
    }

    pub fn errors(&self) -> Vec<&Value> {
        self.body
            .get("errors")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }
}

/// The database of one test: a file in its temp dir, or a fresh PostgreSQL database that
/// is dropped when the test ends.
struct TestDatabase {
    url: String,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A database for one test, already migrated: a copy of the run's template (migrated
    /// once per run), so that every migration added does not slow every test.
    async fn create(dir: &Path) -> Result<Self> {
        let url = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty());
        match (url, on_postgres()) {
            (None, false) => {
                let template = TEMPLATE
                    .get_or_try_init(|| async { sqlite_template().await.map_err(|e| format!("{e:#}")) })
                    .await
                    .map_err(|e| anyhow!("migrating the template database: {e}"))?;
                std::fs::copy(template, dir.join("cptn.db"))?;
                Ok(Self {
                    url: api::config::default_sqlite_url(dir),
                    postgres: None,
                })
            }
            (None, true) => bail!("the `postgres` feature needs TEST_DATABASE_URL (scripts/test.sh sets both)"),
            (Some(_), false) => bail!(
                "TEST_DATABASE_URL is set: run with `--features tests/postgres` (scripts/test.sh does), so that the \
                 PostgreSQL-only tests run too"
            ),
            (Some(admin_url), true) => {
                use sea_orm::ConnectionTrait;
                let template = TEMPLATE
                    .get_or_try_init(|| async { postgres_template(&admin_url).await.map_err(|e| format!("{e:#}")) })
                    .await
                    .map_err(|e| anyhow!("migrating the template database: {e}"))?;
                let name = test_database_name("");
                let admin = sea_orm::Database::connect(admin_url.as_str()).await?;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""))
                    .await?;
                admin.close().await?;
                Ok(Self {
                    url: with_database(&admin_url, &name),
                    postgres: Some((admin_url, name)),
                })
            }
        }
    }
}

/// The run's migrated template: a file path on SQLite, a database name on PostgreSQL.
static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// `cptn_test_<unix time>_<suffix><random>`: the creation time in the name lets a later
/// run drop what this one left (`drop_leftovers`).
fn test_database_name(suffix: &str) -> String {
    let created = chrono::Utc::now().timestamp();
    format!("cptn_test_{created}_{suffix}{}", uuid::Uuid::new_v4().simple())
}

/// Migrates a fresh SQLite file once per run; tests copy it.
async fn sqlite_template() -> Result<String> {
    let dir = std::env::temp_dir().join(format!("cptn-template-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("cptn.db");
    let _ = std::fs::remove_file(&path);
    let db = sea_orm::Database::connect(api::config::default_sqlite_url(&dir)).await?;
    api::db::migrate(&db).await?;
    // Closing the only connection leaves everything in the main file (no WAL to copy).
    db.close().await?;
    Ok(path.display().to_string())
}

/// Creates and migrates a template database once per run; tests clone it
/// (`CREATE DATABASE … TEMPLATE`).
async fn postgres_template(admin_url: &str) -> Result<String> {
    use sea_orm::ConnectionTrait;
    let admin = sea_orm::Database::connect(admin_url).await?;
    drop_leftovers(&admin).await;
    let name = test_database_name("template_");
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
    admin.close().await?;
    let db = sea_orm::Database::connect(with_database(admin_url, &name).as_str()).await?;
    api::db::migrate(&db).await?;
    // A template cannot be copied while anyone is connected to it.
    db.close().await?;
    Ok(name)
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on; a thread with its
        // own runtime does the clean-up. It is not waited for: while this thread blocks,
        // the test's runtime cannot finish a connection it was opening, and PostgreSQL's
        // DROP DATABASE waits for every backend, one still authenticating included (up to
        // `authentication_timeout`, a minute). Once the test returns, its runtime closes
        // those sockets and the drop completes. A drop cut short by the end of the process
        // is finished by the next run (`drop_leftovers`).
        std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            runtime.block_on(async {
                use sea_orm::ConnectionTrait;
                if let Ok(admin) = sea_orm::Database::connect(admin_url.as_str()).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .await;
                    let _ = admin.close().await;
                }
            });
        });
    }
}

/// Drops the test databases earlier runs left behind (older than an hour, so never one a
/// concurrent run is using), once per process.
async fn drop_leftovers(admin: &sea_orm::DatabaseConnection) {
    use sea_orm::{ConnectionTrait, Statement};
    static ONCE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if ONCE.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let Ok(rows) = admin
        .query_all_raw(Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'cptn_test_%'",
        ))
        .await
    else {
        return;
    };
    let hour_ago = chrono::Utc::now().timestamp() - 3600;
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let old = name
            .strip_prefix("cptn_test_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|created| created.parse::<i64>().ok())
            .is_none_or(|created| created < hour_ago);
        if old {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
}

/// `postgres://u:p@host:5432/postgres?x` with the database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

/// The workspace root (for `docs/` and the built web app).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// True when the tests run against PostgreSQL: the `postgres` feature, which compiles in
/// the PostgreSQL-only tests (so that they are not counted as passed on SQLite).
pub const fn on_postgres() -> bool {
    cfg!(feature = "postgres")
}

/// A real SMTP server (mailin) on 127.0.0.1, on a free port, keeping what it receives.
pub struct SmtpServer {
    pub port: u16,
    received: Arc<std::sync::Mutex<Vec<ReceivedMail>>>,
}

/// One message as the SMTP server received it.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    /// `MAIL FROM`.
    pub from: String,
    /// `RCPT TO`, in order.
    pub to: Vec<String>,
    /// The message as sent: headers and body.
    pub data: String,
}

impl ReceivedMail {
    /// The value of header `name` (unfolded), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(found) = &mut value {
                if line.starts_with([' ', '\t']) {
                    found.push_str(line.trim_start());
                    continue;
                }
                break;
            }
            if let Some((key, rest)) = line.split_once(':')
                && key.eq_ignore_ascii_case(name)
            {
                value = Some(rest.trim().to_owned());
            }
        }
        value
    }

    /// The body, with quoted-printable soft line breaks and escapes undone.
    pub fn body(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let joined = body.replace("=\r\n", "");
        let mut out = Vec::with_capacity(joined.len());
        let bytes = joined.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
            {
                out.push(byte);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).replace("\r\n", "\n")
    }
}

#[derive(Clone)]
struct Collector {
    received: Arc<std::sync::Mutex<Vec<ReceivedMail>>>,
    current: Option<ReceivedMail>,
}

impl mailin_embedded::Handler for Collector {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> mailin_embedded::Response {
        self.current = Some(ReceivedMail {
            from: from.to_owned(),
            to: to.to_vec(),
            data: String::new(),
        });
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        if let (Some(mail), Ok(mut received)) = (self.current.take(), self.received.lock()) {
            received.push(mail);
        }
        mailin_embedded::response::OK
    }
}

impl SmtpServer {
    /// Starts the server on a thread of its own (it lives until the test process ends).
    pub fn start() -> Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let received = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut server = mailin_embedded::Server::new(Collector {
            received: received.clone(),
            current: None,
        });
        // More threads than the mailer's pool has connections: a pooled connection holds a
        // thread while idle.
        server
            .with_name("smtp.test")
            .with_num_threads(16)
            .with_ssl(mailin_embedded::SslConfig::None)
            .map_err(|e| anyhow!("{e}"))?
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            if let Err(e) = server.serve() {
                eprintln!("the test SMTP server stopped: {e}");
            }
        });
        Ok(Self { port, received })
    }

    /// `smtp://127.0.0.1:<port>` (plain SMTP).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Waits (up to ten seconds) for a message to `address`.
    pub async fn wait_for(&self, address: &str) -> Result<ReceivedMail> {
        self.wait_for_subject(address, "").await
    }

    /// Waits (up to ten seconds) for a message to `address` whose subject contains `subject`.
    pub async fn wait_for_subject(&self, address: &str, subject: &str) -> Result<ReceivedMail> {
        for _ in 0..200 {
            let found = self
                .received
                .lock()
                .map_err(|_| anyhow!("poisoned"))?
                .iter()
                .find(|m| {
                    m.to.iter().any(|to| to.eq_ignore_ascii_case(address))
                        && m.header("Subject").is_some_and(|s| s.contains(subject))
                })
                .cloned();
            if let Some(mail) = found {
                return Ok(mail);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("no message to {address} arrived within ten seconds")
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// A `redis-server` of its own on 127.0.0.1 and a free port, nothing saved to disk;
/// stopped when dropped (and [`RedisServer::stop`]/[`RedisServer::restart`] in between).
pub struct RedisServer {
    pub port: u16,
    child: Option<std::process::Child>,
    dir: TempDir,
}

impl RedisServer {
    /// Starts it and waits until it answers. Needs Debian's `redis-server`
    /// (`scripts/setup.sh --redis`; the README's test command installs it).
    pub fn start() -> Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut server = Self {
            port,
            child: None,
            dir: tempfile::tempdir()?,
        };
        server.restart()?;
        Ok(server)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills it (as a crash would).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it (again) on the same port, empty.
    pub fn restart(&mut self) -> Result<()> {
        self.stop();
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .context("starting redis-server; install it with scripts/setup.sh --redis")?;
        self.child = Some(child);
        for _ in 0..100 {
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                use std::io::{Read, Write};
                let mut answer = [0u8; 7];
                if stream.write_all(b"PING\r\n").is_ok()
                    && stream.read_exact(&mut answer).is_ok()
                    && &answer == b"+PONG\r\n"
                {
                    return Ok(());
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        anyhow::bail!("redis-server did not start on port {}", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A TCP proxy on 127.0.0.1 and a free port that the test controls: [`TcpProxy::cut`]
/// closes every connection through it and refuses new ones (as a network fault would),
/// [`TcpProxy::restore`] lets them through again.
pub struct TcpProxy {
    pub port: u16,
    up: Arc<std::sync::atomic::AtomicBool>,
    connections: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
    accepting: tokio::task::JoinHandle<()>,
}

impl TcpProxy {
    /// Forwards every connection to `target` (`host:port`).
    pub async fn start(target: String) -> Result<Self> {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let up = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let connections: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (accept_up, accept_connections) = (up.clone(), connections.clone());
        let accepting = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accept_up.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let target = target.clone();
                let forwarding = tokio::spawn(async move {
                    if let Ok(mut upstream) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    }
                });
                if let Ok(mut open) = accept_connections.lock() {
                    open.retain(|c| !c.is_finished());
                    open.push(forwarding.abort_handle());
                }
            }
        });
        Ok(Self {
            port,
            up,
            connections,
            accepting,
        })
    }

    /// Closes every open connection and refuses new ones until [`TcpProxy::restore`].
    pub fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut open) = self.connections.lock() {
            for connection in open.drain(..) {
                connection.abort();
            }
        }
    }

    pub fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.cut();
        self.accepting.abort();
    }
}
