//! `TestApp` and its helpers.

use anyhow::{Context, Result, anyhow, bail};
use api::state::AppState;
use api::{Application, Settings};
use serde_json::{Value, json};
use shared::{Email, LegalName, Password, Role};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

/// A running server with its own database.
pub struct TestApp {
    pub base_url: String,
    pub state: AppState,
    pub client: reqwest::Client,
    _data_dir: TempDir,
    _database: TestDatabase,
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
        let database = TestDatabase::create(data_dir.path()).await?;
        let mut settings = Settings::ephemeral(data_dir.path(), database.url.clone());
        configure(&mut settings);
        let app = Application::build(settings).await?;
        let base_url = format!("http://127.0.0.1:{}", app.port());
        let state = app.state().clone();
        tokio::spawn(app.run());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("cptn-tests/1.0")
            .build()?;
        Ok(Self {
            base_url,
            state,
            client,
            _data_dir: data_dir,
            _database: database,
        })
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

    /// Registers a member through the API.
    pub async fn register(&self, email: &str, password: &str, legal_name: &str) -> Result<Gql> {
        self.graphql(
            "mutation Register($input: RegisterInput!) { register(input: $input) { memberNumber email } }",
            json!({ "input": { "email": email, "password": password, "legalName": legal_name } }),
        )
        .await
    }

    /// Logs in through the API.
    pub async fn login(&self, email: &str, password: &str) -> Result<Gql> {
        self.graphql(
            "mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token expiresAt member { memberNumber email } } }",
            json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Registers and logs in a new member with a unique e-mail.
    pub async fn new_member(&self) -> Result<TestUser> {
        let email = format!("member-{}@example.org", uuid::Uuid::new_v4().simple());
        let password = "a perfectly fine passphrase".to_owned();
        self.register(&email, &password, "Test Member").await?.ok()?;
        self.logged_in(email, password).await
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

    async fn logged_in(&self, email: String, password: String) -> Result<TestUser> {
        let login = self.login(&email, &password).await?.ok()?;
        Ok(TestUser {
            token: login.str("login.token")?.to_owned(),
            member_number: login.str("login.member.memberNumber")?.to_owned(),
            email,
            password,
        })
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
    async fn create(dir: &Path) -> Result<Self> {
        match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            None => Ok(Self {
                url: api::config::default_sqlite_url(dir),
                postgres: None,
            }),
            Some(admin_url) => {
                use sea_orm::ConnectionTrait;
                let name = format!("cptn_test_{}", uuid::Uuid::new_v4().simple());
                let admin = sea_orm::Database::connect(admin_url.as_str()).await?;
                admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
                admin.close().await?;
                Ok(Self {
                    url: with_database(&admin_url, &name),
                    postgres: Some((admin_url, name)),
                })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on; a short-lived
        // thread with its own runtime does the clean-up.
        let cleanup = std::thread::spawn(move || {
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
        let _ = cleanup.join();
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

/// True when the tests run against PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}
