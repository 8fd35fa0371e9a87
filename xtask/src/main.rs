//! Project tasks.
//!
//! ```text
//! cargo xtask bench [--engine sqlite|postgres|both] [--profiles 100000] [--connections 32]
//!                   [--seconds 20] [--warmup 5] [--postgres-url URL] [--pool N]
//!                   [--pages names,broad,profile,catalogue,dashboard,webhooks,prefix2,prefix3,word,words,typo,city,specialty,specialty-city,empty,page5,saves,floor] [--server PATH]
//! ```
//!
//! `bench` measures the directory as a visitor uses it: it builds the release server, fills
//! a database with sample profiles (`cptn seed-directory`, kept in `target/bench/` between
//! runs), starts `cptn serve` on it, and drives it over HTTP with a closed-loop load
//! generator: `--connections` keep-alive connections, each sending its next request as
//! soon as the last answer arrived. Two scenarios, the same GraphQL documents the web app
//! sends: a 20-result directory search page (a rotating mix of names, specialties, cities
//! and typos) and a trainer's profile page (rotating over many slugs). It prints
//! throughput and latency percentiles as a Markdown table (see `docs/PERFORMANCE.md`).
//! `--server` measures a given `cptn` binary instead of building one, so that two builds
//! can be compared in alternating runs on the same databases.
//!
//! `webhooks` measures Stripe's webhook intake: signed `checkout.session.completed` events
//! for pending sample orders (`cptn bench-orders`), each verified and stored before the
//! answer; afterwards it checks in the database (PostgreSQL) that every stored event was
//! applied and every order paid exactly once.
//!
//! The shapes (`prefix2` ... `page5`) are the directory's query shapes of issue 17, each a
//! few searches in turn (`SHAPES`); `saves` runs them all at full load while 64 sample
//! members save their profile at 20 a second, and reports both.
//!
//! It is a measurement, not a test: nothing fails when numbers are low. The load
//! generator runs on the same machine as the server and takes its share of the CPU.

use anyhow::{Context, bail};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: cargo xtask bench [--engine sqlite|postgres|both] [--profiles N] [--connections N] \
                     [--seconds N] [--warmup N] [--postgres-url URL] [--pool N] [--pages names,broad,profile,catalogue,dashboard,webhooks,prefix2,prefix3,word,words,typo,city,specialty,specialty-city,empty,page5,saves,floor] [--server PATH]";

/// The web app's card fields (frontend/src/api.rs), so the benchmark asks what a page asks.
const CARD_FIELDS: &str =
    "slug displayName city region country bio languages phone photoUrl certificationStatus specialties { slug name }";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }
}

struct Options {
    engines: Vec<Engine>,
    profiles: usize,
    connections: usize,
    seconds: u64,
    warmup: u64,
    postgres_url: String,
    pool: Option<u32>,
    /// Which pages to measure: `names`, `broad`, `profile`.
    pages: Vec<String>,
    /// A server binary to measure instead of building `target/release/cptn`.
    server: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("bench") {
        bench(&parse_options(args)?)
    } else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    }
}

fn parse_options(mut args: impl Iterator<Item = String>) -> anyhow::Result<Options> {
    let mut options = Options {
        engines: vec![Engine::Sqlite, Engine::Postgres],
        profiles: 100_000,
        connections: 32,
        seconds: 20,
        warmup: 5,
        postgres_url: std::env::var("BENCH_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/postgres".to_owned()),
        pool: None,
        pages: ["names", "broad", "profile", "catalogue", "dashboard"]
            .map(str::to_owned)
            .to_vec(),
        server: None,
    };
    while let Some(flag) = args.next() {
        let value = args.next().with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--engine" => {
                options.engines = match value.as_str() {
                    "sqlite" => vec![Engine::Sqlite],
                    "postgres" => vec![Engine::Postgres],
                    "both" => vec![Engine::Sqlite, Engine::Postgres],
                    other => bail!("unknown engine {other:?}\n{USAGE}"),
                }
            }
            "--profiles" => options.profiles = value.parse().context("--profiles")?,
            "--connections" => options.connections = value.parse::<usize>().context("--connections")?.max(1),
            "--seconds" => options.seconds = value.parse::<u64>().context("--seconds")?.max(1),
            "--warmup" => options.warmup = value.parse().context("--warmup")?,
            "--postgres-url" => options.postgres_url = value,
            "--pool" => options.pool = Some(value.parse().context("--pool")?),
            "--pages" => options.pages = value.split(',').map(str::to_owned).collect(),
            "--server" => options.server = Some(PathBuf::from(value)),
            other => bail!("unknown option {other:?}\n{USAGE}"),
        }
    }
    Ok(options)
}

/// Builds the release server and returns its path.
fn build_server(root: &Path) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build.current_dir(root).args([
        "build",
        "--locked",
        "--release",
        "--package",
        "api",
        "--bin",
        "cptn",
        "--features",
        "sample-directory",
    ]);
    // `cargo run` describes this package in CARGO_* variables; passed on, they would look
    // like a changed environment to build scripts and rebuild half the dependencies.
    for (name, _) in std::env::vars() {
        if name.starts_with("CARGO_") && name != "CARGO_HOME" && name != "CARGO_TARGET_DIR" {
            build.env_remove(name);
        }
    }
    run(&mut build)?;
    Ok(root.join("target/release/cptn"))
}

fn bench(options: &Options) -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("workspace root")?
        .to_path_buf();
    let server = match &options.server {
        Some(path) => path
            .canonicalize()
            .with_context(|| format!("--server {}", path.display()))?,
        None => build_server(&root)?,
    };

    println!("{}", machine_description(options));
    println!(
        "| engine | page | connections | requests | throughput (req/s) | p50 (ms) | p99 (ms) | max (ms) | errors |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut notes = Vec::new();
    for engine in &options.engines {
        let target = Target::prepare(*engine, &root, options)?;
        run(target
            .command(&server)
            .args(["seed-directory", &options.profiles.to_string()]))?;
        if let Some(url) = &target.database_url {
            // What an operator does after a bulk load, so that the measurement does not
            // share the machine with autovacuum catching up (nor run on plans made from
            // the statistics of an empty table).
            run(Command::new("psql").args([url.as_str(), "-qc", "VACUUM ANALYZE"]))?;
        }
        let _server = target.start(&server, options)?;
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        for row in runtime.block_on(measure(&target, options, &server))? {
            println!(
                "| {} | {} | {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {} |",
                engine.name(),
                row.page,
                options.connections,
                row.requests,
                row.throughput,
                row.p50_ms,
                row.p99_ms,
                row.max_ms,
                row.errors
            );
            if let Some(note) = row.note {
                notes.push(format!("{}, {}: {note}", engine.name(), row.page));
            }
        }
    }
    for note in notes {
        println!("\n{note}");
    }
    Ok(())
}

/// Where one engine's benchmark database lives and how the server reaches it.
struct Target {
    data_dir: PathBuf,
    database_url: Option<String>,
    port: u16,
}

impl Target {
    fn prepare(engine: Engine, root: &Path, options: &Options) -> anyhow::Result<Self> {
        let data_dir = root.join("target/bench").join(engine.name().to_lowercase());
        std::fs::create_dir_all(&data_dir)?;
        let database_url = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => {
                let (base, _) = options
                    .postgres_url
                    .rsplit_once('/')
                    .context("--postgres-url must end with /database")?;
                let exists = Command::new("psql")
                    .args([
                        options.postgres_url.as_str(),
                        "-tAc",
                        "SELECT 1 FROM pg_database WHERE datname = 'cptn_bench'",
                    ])
                    .output()
                    .context("running psql (is PostgreSQL installed and started?)")?;
                if !String::from_utf8_lossy(&exists.stdout).contains('1') {
                    run(Command::new("psql").args([
                        options.postgres_url.as_str(),
                        "-c",
                        "CREATE DATABASE cptn_bench",
                    ]))?;
                }
                // Loopback: no TLS, as a server next to its database would be set up.
                Some(format!("{base}/cptn_bench?sslmode=disable"))
            }
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        Ok(Self {
            data_dir,
            database_url,
            port,
        })
    }

    fn command(&self, server: &Path) -> Command {
        let mut command = Command::new(server);
        command
            .env("CPTN_DATA_DIR", &self.data_dir)
            .env("CPTN_ADDR", format!("127.0.0.1:{}", self.port))
            .env("RUST_LOG", "warn");
        if let Some(url) = &self.database_url {
            command.env("DATABASE_URL", url);
        }
        command
    }

    /// Starts the server; it stops when the returned guard drops.
    fn start(&self, server: &Path, options: &Options) -> anyhow::Result<ServerProcess> {
        let mut command = self.command(server);
        // A load generator is one IP sending thousands of anonymous searches a second:
        // exactly what the anti-harvesting limit stops. Lift it for the measurement.
        command
            .arg("serve")
            .env("CPTN_ANONYMOUS_PER_MINUTE", "1000000000")
            .env("CPTN_MEMBER_PER_MINUTE", "1000000000")
            .env("CPTN_MUTATIONS_PER_MINUTE", "1000000000")
            // The webhook page signs its events with this secret; Stripe's API itself is
            // never called (nowhere to reach).
            .env("CPTN_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("CPTN_STRIPE_SECRET_KEY", "sk_test_bench")
            .env("CPTN_STRIPE_API_BASE", "http://127.0.0.1:9")
            .stdout(Stdio::null());
        if let Some(pool) = options.pool {
            command.env("CPTN_DB_POOL", pool.to_string());
        }
        Ok(ServerProcess(command.spawn().context("starting cptn serve")?))
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Row {
    page: &'static str,
    /// What was checked after the run, if anything.
    note: Option<String>,
    requests: usize,
    throughput: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    errors: usize,
}

async fn measure(target: &Target, options: &Options, server_path: &Path) -> anyhow::Result<Vec<Row>> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.connections)
        .http1_only()
        .build()?;
    wait_until_ready(&client, target).await?;
    let graphql = target.url("/graphql");
    let mut rows = Vec::new();
    if options.pages.iter().any(|p| p == "webhooks") {
        rows.push(webhook_intake(target, options, server_path).await?);
    }
    if options.pages.iter().any(|p| p == "saves") {
        rows.extend(saves_under_load(&client, target, options, server_path).await?);
    }
    for (key, page) in [
        ("names", "search: names, places (20 results)"),
        ("broad", "search: one broad word (20 results)"),
        ("profile", "profile page"),
        ("catalogue", "catalogue search (20 courses)"),
        ("dashboard", "member dashboard (status, credit, 20 entries)"),
        ("prefix2", "shape: a 2-letter prefix"),
        ("prefix3", "shape: a 3-letter prefix"),
        ("word", "shape: one common word"),
        ("words", "shape: two common words"),
        ("typo", "shape: a name with a typo"),
        ("city", "shape: a city listing"),
        ("specialty", "shape: a specialty listing"),
        ("specialty-city", "shape: a specialty in a city"),
        ("empty", "shape: the whole directory by rank"),
        ("page5", "shape: page 5 (cursor) of each shape"),
        ("floor", "floor: `{ __typename }`, no database"),
    ] {
        if !options.pages.iter().any(|p| p == key) {
            continue;
        }
        let requests: Vec<Vec<u8>> = if key == "dashboard" {
            dashboard_requests(&client, target, server_path).await?
        } else {
            let bodies = match key {
                "names" => search_bodies(&client, &graphql, FOCUSED, 1).await?,
                "broad" => search_bodies(&client, &graphql, BROAD, 1).await?,
                "page5" => {
                    let mut bodies = Vec::new();
                    for (_, searches) in SHAPES {
                        bodies.extend(search_bodies(&client, &graphql, searches, 5).await?);
                    }
                    bodies
                }
                shape if SHAPES.iter().any(|(name, _)| *name == shape) => {
                    let searches = SHAPES
                        .iter()
                        .find(|(name, _)| *name == shape)
                        .map_or(&[][..], |(_, s)| s);
                    search_bodies(&client, &graphql, searches, 1).await?
                }
                "profile" => profile_bodies(&client, &graphql).await?,
                "catalogue" => catalogue_bodies(&client, &graphql).await?,
                // What HTTP and GraphQL cost with no database work: the ceiling for any page.
                _ => vec![br#"{"query":"{ __typename }"}"#.to_vec()],
            };
            bodies
                .iter()
                .map(|body| graphql_post(target.port, body, None))
                .collect()
        };
        let requests = Arc::new(requests);
        let server = SocketAddr::from(([127, 0, 0, 1], target.port));
        let warmup = Duration::from_secs(options.warmup);
        if !warmup.is_zero() {
            load(server, &requests, options.connections, warmup).await;
        }
        let result = load(
            server,
            &requests,
            options.connections,
            Duration::from_secs(options.seconds),
        )
        .await;
        rows.push(result.row(page));
    }
    Ok(rows)
}

/// The webhook secret the benchmark's server is started with.
const WEBHOOK_SECRET: &str = "whsec_cargo_xtask_bench";

/// How many pending orders the webhook page opens: more than a run sends, so each event is
/// a new one (a run at 32 connections sends a few thousand a second at most).
const WEBHOOK_ORDERS: u64 = 40_000;

/// `Stripe-Signature` for `body` at `t`, as Stripe computes it.
fn stripe_signature(t: i64, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    use std::fmt::Write as _;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(WEBHOOK_SECRET.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let hex = mac.finalize().into_bytes().iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    format!("t={t},v1={hex}")
}

/// Stripe's webhook intake: a signed `checkout.session.completed` per pending sample order,
/// sent as fast as the connections go; then the database is asked whether every stored
/// event was applied and every order paid exactly once.
async fn webhook_intake(target: &Target, options: &Options, server: &Path) -> anyhow::Result<Row> {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let run_id = format!("b{t}");
    let output = target
        .command(server)
        .args(["bench-orders", &WEBHOOK_ORDERS.to_string(), &format!("cs_{run_id}_")])
        .output()
        .context("running cptn bench-orders")?;
    if !output.status.success() {
        bail!("cptn bench-orders failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let now = i64::try_from(t)?;
    let requests: Vec<Vec<u8>> = String::from_utf8(output.stdout)?
        .lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let (order, session) = line.split_once(' ')?;
            let body = serde_json::json!({
                "id": format!("evt_{run_id}_{n}"),
                "object": "event",
                "type": "checkout.session.completed",
                "created": now,
                "livemode": false,
                "data": { "object": {
                    "id": session, "object": "checkout.session", "mode": "payment", "status": "complete",
                    "payment_status": "paid", "amount_total": 9500, "currency": "cad",
                    "client_reference_id": order, "metadata": { "order_id": order },
                    "payment_intent": format!("pi_{run_id}_{n}"),
                    "customer_details": { "email": "someone@example.com", "name": "Some One" },
                } },
            })
            .to_string();
            let mut request = format!(
                "POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\n\
                 Stripe-Signature: {}\r\nContent-Length: {}\r\n\r\n",
                target.port,
                stripe_signature(now, body.as_bytes()),
                body.len()
            )
            .into_bytes();
            request.extend_from_slice(body.as_bytes());
            Some(request)
        })
        .collect();
    let events = requests.len();
    let server_address = SocketAddr::from(([127, 0, 0, 1], target.port));
    let result = load(
        server_address,
        &Arc::new(requests),
        options.connections,
        Duration::from_secs(options.seconds),
    )
    .await;
    let distinct = result.started.min(events);
    let mut row = result.row("webhook intake: signed `checkout.session.completed`, verified and stored");
    row.note = Some(match &target.database_url {
        Some(url) => verify_webhooks(url, &run_id, distinct).await?,
        None => format!("{distinct} distinct events sent; the database check runs on PostgreSQL only"),
    });
    Ok(row)
}

/// After a webhook run: waits until every stored event is applied, then compares events
/// sent, stored and applied with orders paid and payment audit rows.
async fn verify_webhooks(url: &str, run_id: &str, distinct: usize) -> anyhow::Result<String> {
    let count = |sql: String| -> anyhow::Result<i64> {
        let out = Command::new("psql").args([url, "-tAc", &sql]).output()?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
    };
    let events = format!("FROM stripe_event WHERE id LIKE 'evt\\_{run_id}\\_%'");
    let deadline = Instant::now() + Duration::from_mins(5);
    let drained_in = Instant::now();
    while count(format!("SELECT COUNT(*) {events} AND processed_at IS NULL"))? > 0 {
        if Instant::now() > deadline {
            bail!("events still unapplied after five minutes");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let drained = drained_in.elapsed().as_secs_f64();
    let stored = count(format!("SELECT COUNT(*) {events}"))?;
    let paid = count(format!(
        "SELECT COUNT(*) FROM purchase_order WHERE stripe_session_id LIKE 'cs\\_{run_id}\\_%' AND status = 'paid'"
    ))?;
    // Nothing else pays orders in the benchmark database while it runs.
    let started = run_id.trim_start_matches('b');
    let audited = count(format!(
        "SELECT COUNT(*) FROM audit_event WHERE kind = 'order_paid' AND occurred_at >= to_timestamp({started})"
    ))?;
    let verdict = if i64::try_from(distinct)? == stored && stored == paid && paid == audited {
        "none lost, none applied twice"
    } else {
        "MISMATCH"
    };
    Ok(format!(
        "{distinct} distinct events sent, {stored} stored, {paid} orders paid, {audited} payment audit rows: {verdict}; \
         the last applied {drained:.1} s after the load ended"
    ))
}

async fn wait_until_ready(client: &reqwest::Client, target: &Target) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_mins(2);
    while Instant::now() < deadline {
        if let Ok(response) = client.get(target.url("/readyz")).send().await
            && response.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("the server did not become ready in 2 minutes")
}

fn directory_document() -> String {
    format!(
        "query Directory($q: String, $city: String, $specialty: String, $after: String) {{ \
         directory(query: $q, city: $city, specialty: $specialty, first: 20, after: $after) {{ \
         totalCount edges {{ node {{ {CARD_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    )
}

/// A search as typed: free text, city filter, specialty filter.
type Search = (&'static str, Option<&'static str>, Option<&'static str>);

/// What most visitors do: look for a person or narrow down to a place. Full names, names
/// with a city, names with a typo, a specialty in a city. Each fills a 20-result page.
const FOCUSED: &[Search] = &[
    ("olivia smith", None, None),
    ("tremblay", Some("Montréal"), None),
    ("patel toronto", None, None),
    ("chen vancouver", None, None),
    ("fatima khan", None, None),
    ("gagnon", Some("Québec"), None),
    ("okafor calgary", None, None),
    ("priya sharma", None, None),
    ("noah lav", None, None),
    ("macdonlad", Some("Halifax"), None),
    ("tremblya montreal", None, None),
    ("yoga", Some("Kelowna"), None),
    ("", Some("Ottawa"), Some("pilates")),
    ("boxing", Some("Winnipeg"), None),
    ("li wang", None, None),
    ("nutrition", Some("Sherbrooke"), None),
];

/// Whole-country searches on one common word or filter: thousands of matches to rank and
/// count for each page.
const BROAD: &[Search] = &[
    ("yoga", None, None),
    ("strength training", None, None),
    ("", None, Some("hiit")),
    ("", Some("Toronto"), None),
    ("boxing montreal", None, None),
    ("", None, None),
];

/// The shapes of search the directory must answer fast (issue 17), each a few searches in
/// rotation; `page5` asks for the fifth page of each.
const SHAPES: &[(&str, &[Search])] = &[
    (
        "prefix2",
        &[
            ("ol", None, None),
            ("ch", None, None),
            ("ma", None, None),
            ("ga", None, None),
        ],
    ),
    (
        "prefix3",
        &[
            ("oli", None, None),
            ("tre", None, None),
            ("mac", None, None),
            ("gag", None, None),
        ],
    ),
    (
        "word",
        &[
            ("yoga", None, None),
            ("strength", None, None),
            ("boxing", None, None),
            ("nutrition", None, None),
        ],
    ),
    (
        "words",
        &[
            ("yoga strength", None, None),
            ("boxing nutrition", None, None),
            ("pilates mobility", None, None),
        ],
    ),
    (
        "typo",
        &[
            ("macdonlad", None, None),
            ("tremblya", None, None),
            ("olvia smith", None, None),
            ("gangon", None, None),
        ],
    ),
    (
        "city",
        &[
            ("", Some("Toronto"), None),
            ("", Some("Halifax"), None),
            ("", Some("Montréal"), None),
        ],
    ),
    (
        "specialty",
        &[
            ("", None, Some("yoga")),
            ("", None, Some("hiit")),
            ("", None, Some("pilates")),
        ],
    ),
    (
        "specialty-city",
        &[
            ("", Some("Ottawa"), Some("pilates")),
            ("", Some("Toronto"), Some("yoga")),
            ("", Some("Calgary"), Some("boxing")),
        ],
    ),
    ("empty", &[("", None, None)]),
];

/// The request bodies of `searches`, each for its page `page` (1: the first; later pages
/// carry the cursor the pages before ended with).
async fn search_bodies(
    client: &reqwest::Client,
    graphql: &str,
    searches: &[Search],
    page: usize,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let document = directory_document();
    let mut bodies = Vec::new();
    for (q, city, specialty) in searches {
        let mut after: Option<String> = None;
        for _ in 1..page {
            let body = serde_json::json!({
                "query": document,
                "variables": { "q": (!q.is_empty()).then_some(q), "city": city, "specialty": specialty, "after": after },
            });
            let answer: serde_json::Value = client.post(graphql).json(&body).send().await?.json().await?;
            after = answer["data"]["directory"]["pageInfo"]["endCursor"]
                .as_str()
                .map(str::to_owned);
        }
        let body = serde_json::to_vec(&serde_json::json!({
            "query": document,
            "variables": { "q": (!q.is_empty()).then_some(q), "city": city, "specialty": specialty, "after": after },
        }))?;
        let answer: serde_json::Value = client
            .post(graphql)
            .body(body.clone())
            .header("content-type", "application/json")
            .send()
            .await?
            .json()
            .await?;
        let results = answer["data"]["directory"]["edges"].as_array().map_or(0, Vec::len);
        let total = &answer["data"]["directory"]["totalCount"];
        // Alone on the server, for the record: what one such search costs without a queue.
        let mut alone = Vec::new();
        for _ in 0..5 {
            let sent = Instant::now();
            client
                .post(graphql)
                .body(body.clone())
                .header("content-type", "application/json")
                .send()
                .await?
                .bytes()
                .await?;
            alone.push(sent.elapsed());
        }
        alone.sort();
        eprintln!(
            "  search {q:?} city {city:?} specialty {specialty:?} page {page}: {total} matches, {results} on the page, {:.1} ms alone",
            alone[2].as_secs_f64() * 1000.0
        );
        bodies.push(body);
    }
    Ok(bodies)
}

/// What people type into the catalogue's search: topics, a provider, a code-like word, a
/// typo, and the word being typed.
const CATALOGUE_SEARCHES: &[&str] = &[
    "nutrition",
    "yoga athletes",
    "kettlebell level",
    "pilates",
    "strenght seniors",
    "mobility",
    "boxing cond",
    "prairie fitness",
    "advanced",
    "prenatal",
    "running",
    "masterclass",
];

/// Catalogue search pages as the web app asks for them (anonymous: public prices).
async fn catalogue_bodies(client: &reqwest::Client, graphql: &str) -> anyhow::Result<Vec<Vec<u8>>> {
    let document = "query Courses($q: String) { courses(query: $q, first: 20) { edges { node { code title description \
                    provider { name } delivery hours cec approved publicPrice { formatted } hasMemberPrice } } \
                    pageInfo { hasNextPage endCursor } } }";
    let mut bodies = Vec::new();
    for q in CATALOGUE_SEARCHES {
        let body = serde_json::to_vec(&serde_json::json!({ "query": document, "variables": { "q": q } }))?;
        let answer: serde_json::Value = client
            .post(graphql)
            .body(body.clone())
            .header("content-type", "application/json")
            .send()
            .await?
            .json()
            .await?;
        let results = answer["data"]["courses"]["edges"].as_array().map_or(0, Vec::len);
        eprintln!("  courses {q:?}: {results} on the page");
        bodies.push(body);
    }
    Ok(bodies)
}

/// Access tokens of `count` sample members (sessions opened by `cptn bench-sessions` with
/// the server's secret).
fn bench_tokens(target: &Target, server: &Path, count: u32) -> anyhow::Result<Vec<String>> {
    let output = target
        .command(server)
        .args(["bench-sessions", &count.to_string()])
        .output()
        .context("cptn bench-sessions")?;
    if !output.status.success() {
        bail!("cptn bench-sessions: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8(output.stdout)?.lines().map(str::to_owned).collect())
}

/// How often the saves page saves a profile while the search load runs.
const SAVES_PER_SECOND: u32 = 20;

/// Profile saves at [`SAVES_PER_SECOND`] (64 sample members in turn, each save adding or
/// removing a word of its bio, so that entries and counts change) while every search shape
/// runs at full load: the saves' latencies and the searches' throughput, side by side.
async fn saves_under_load(
    client: &reqwest::Client,
    target: &Target,
    options: &Options,
    server: &Path,
) -> anyhow::Result<Vec<Row>> {
    let graphql = target.url("/graphql");
    let mut saves = Vec::new();
    for token in bench_tokens(target, server, 64)? {
        let me: serde_json::Value = client
            .post(&graphql)
            .bearer_auth(&token)
            .json(&serde_json::json!({ "query": "{ me { profile { displayName city region country bio languages specialties { slug } } } }" }))
            .send()
            .await?
            .json()
            .await?;
        let profile = &me["data"]["me"]["profile"];
        if profile.is_null() {
            continue;
        }
        let input = |bio: String| {
            serde_json::json!({
                "query": "mutation($i: ProfileInput!) { saveMyProfile(input: $i) { slug } }",
                "variables": { "i": {
                    "displayName": profile["displayName"], "city": profile["city"], "region": profile["region"],
                    "country": profile["country"], "bio": bio, "languages": profile["languages"],
                    "specialties": profile["specialties"].as_array().into_iter().flatten()
                        .map(|s| s["slug"].clone()).collect::<Vec<_>>(),
                } },
            })
        };
        let bio = profile["bio"].as_str().unwrap_or_default().to_owned();
        let edited = format!("{bio} Updated weekly.");
        for text in [edited, bio] {
            saves.push(graphql_post(
                target.port,
                &serde_json::to_vec(&input(text))?,
                Some(&token),
            ));
        }
    }
    if saves.is_empty() {
        bail!("no sample member with a profile to save");
    }
    let mut searches = Vec::new();
    for (_, shapes) in SHAPES {
        searches.extend(search_bodies(client, &graphql, shapes, 1).await?);
    }
    let searches = Arc::new(
        searches
            .iter()
            .map(|body| graphql_post(target.port, body, None))
            .collect::<Vec<_>>(),
    );
    let server_address = SocketAddr::from(([127, 0, 0, 1], target.port));
    let duration = Duration::from_secs(options.seconds);
    let pacer = tokio::spawn(async move {
        let mut result = LoadResult {
            latencies_us: Vec::new(),
            errors: 0,
            elapsed: Duration::ZERO,
            started: 0,
        };
        let started = Instant::now();
        let mut tick = tokio::time::interval(Duration::from_secs(1) / SAVES_PER_SECOND);
        let mut connection: Option<HttpConnection> = None;
        while started.elapsed() < duration {
            tick.tick().await;
            let request = &saves[result.started % saves.len()];
            result.started += 1;
            let sent = Instant::now();
            let open = match connection.take() {
                Some(open) => Ok(open),
                None => HttpConnection::open(server_address).await,
            };
            match open {
                Ok(mut open) => match open.exchange(request).await {
                    Ok(ok) => {
                        if ok {
                            result
                                .latencies_us
                                .push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                        } else {
                            result.errors += 1;
                        }
                        connection = Some(open);
                    }
                    Err(_) => result.errors += 1,
                },
                Err(_) => result.errors += 1,
            }
        }
        result.elapsed = started.elapsed();
        result
    });
    let search_result = load(server_address, &searches, options.connections, duration).await;
    let save_result = pacer.await?;
    Ok(vec![
        search_result.row("saves: every search shape, alongside the saves"),
        save_result.row("saves: a profile save at 20/s, under that load"),
    ])
}

/// Dashboards of 256 sample members, each request with its member's token.
async fn dashboard_requests(client: &reqwest::Client, target: &Target, server: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let tokens = bench_tokens(target, server, 256)?;
    let document = "{ myDashboard { status cycleStartsOn expiresOn graceEndsOn renewalOpensOn earnedCec requiredCec \
                    renewalPaid renewalFee { formatted } recentCredit { id cec source title reason earnedOn countsForACycle } } }";
    let body = serde_json::to_vec(&serde_json::json!({ "query": document }))?;
    if let Some(token) = tokens.first() {
        let answer: serde_json::Value = client
            .post(target.url("/graphql"))
            .bearer_auth(token)
            .body(body.clone())
            .header("content-type", "application/json")
            .send()
            .await?
            .json()
            .await?;
        let entries = answer["data"]["myDashboard"]["recentCredit"]
            .as_array()
            .map_or(0, Vec::len);
        eprintln!(
            "  dashboard of one of {} members: {} with {entries} entries",
            tokens.len(),
            answer["data"]["myDashboard"]["status"]
        );
    }
    Ok(tokens
        .iter()
        .map(|token| graphql_post(target.port, &body, Some(token)))
        .collect())
}

/// Profile pages for a spread of trainers, slugs taken from directory pages.
async fn profile_bodies(client: &reqwest::Client, graphql: &str) -> anyhow::Result<Vec<Vec<u8>>> {
    let document = format!("query Profile($slug: String!) {{ profile(slug: $slug) {{ {CARD_FIELDS} }} }}");
    let mut bodies = Vec::new();
    for q in [
        "a", "b", "c", "d", "e", "g", "k", "l", "m", "n", "p", "r", "s", "t", "w",
    ] {
        let page: serde_json::Value = client
            .post(graphql)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&serde_json::json!({
                "query": "query($q: String) { directory(query: $q, first: 100) { edges { node { slug } } } }",
                "variables": { "q": q },
            }))?)
            .send()
            .await?
            .json()
            .await?;
        for edge in page["data"]["directory"]["edges"].as_array().into_iter().flatten() {
            if let Some(slug) = edge["node"]["slug"].as_str() {
                bodies.push(serde_json::to_vec(
                    &serde_json::json!({ "query": document, "variables": { "slug": slug } }),
                )?);
            }
        }
    }
    if bodies.is_empty() {
        bail!("the directory is empty: nothing to open");
    }
    Ok(bodies)
}

/// Latencies and errors of one load run.
struct LoadResult {
    latencies_us: Vec<u32>,
    errors: usize,
    elapsed: Duration,
    /// Requests begun (answered or not): the generator takes them in order.
    started: usize,
}

impl LoadResult {
    fn row(mut self, page: &'static str) -> Row {
        self.latencies_us.sort_unstable();
        let at = |q: f64| -> f64 {
            if self.latencies_us.is_empty() {
                return 0.0;
            }
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "a percentile's index: a small positive number"
            )]
            let i = ((self.latencies_us.len() as f64 * q).ceil() as usize).clamp(1, self.latencies_us.len()) - 1;
            f64::from(self.latencies_us[i]) / 1000.0
        };
        #[allow(clippy::cast_precision_loss, reason = "request counts are far below 2^52")]
        let throughput = self.latencies_us.len() as f64 / self.elapsed.as_secs_f64();
        Row {
            page,
            note: None,
            requests: self.latencies_us.len(),
            throughput,
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            max_ms: at(1.0),
            errors: self.errors,
        }
    }
}

/// `connections` tasks, each on its own keep-alive connection, sending the next request as
/// soon as its previous answer is in, until `duration` is over. A non-200 answer or a
/// GraphQL error counts as an error (and the connection is opened again if it broke).
async fn load(server: SocketAddr, requests: &Arc<Vec<Vec<u8>>>, connections: usize, duration: Duration) -> LoadResult {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let sent = Arc::clone(&next);
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (requests, next) = (Arc::clone(requests), Arc::clone(&next));
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(65_536);
                let mut errors = 0;
                let mut connection: Option<HttpConnection> = None;
                while Instant::now() < deadline {
                    let request = &requests[next.fetch_add(1, Ordering::Relaxed) % requests.len()];
                    let sent = Instant::now();
                    let open = match connection.take() {
                        Some(open) => Ok(open),
                        None => HttpConnection::open(server).await,
                    };
                    let answer = match open {
                        Ok(mut open) => open.exchange(request).await.map(|ok| (ok, open)),
                        Err(e) => Err(e),
                    };
                    match answer {
                        Ok((true, open)) => {
                            latencies.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                            connection = Some(open);
                        }
                        Ok((false, open)) => {
                            errors += 1;
                            connection = Some(open);
                        }
                        Err(_) => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut result = LoadResult {
        latencies_us: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
        started: 0,
    };
    for task in tasks {
        if let Ok((latencies, errors)) = task.await {
            result.latencies_us.extend(latencies);
            result.errors += errors;
        }
    }
    result.elapsed = started.elapsed();
    result.started = sent.load(Ordering::Relaxed);
    result
}

/// The bytes of a GraphQL POST, built once: the generator only writes them.
fn graphql_post(port: u16, body: &[u8], token: Option<&str>) -> Vec<u8> {
    let authorization = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let mut request = format!(
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         {authorization}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

/// One keep-alive HTTP/1.1 connection that writes prepared requests and reads answers
/// with a `Content-Length`. The generator shares two cores with the server and the
/// database, so it does as little per request as it can (as `wrk` does); a general HTTP
/// client spent about twice as much.
struct HttpConnection {
    stream: tokio::net::TcpStream,
    buffer: Vec<u8>,
}

impl HttpConnection {
    async fn open(server: SocketAddr) -> std::io::Result<Self> {
        let stream = tokio::net::TcpStream::connect(server).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buffer: Vec::with_capacity(64 * 1024),
        })
    }

    /// Sends one request and reads its answer: true for a 200 without GraphQL errors.
    async fn exchange(&mut self, request: &[u8]) -> std::io::Result<bool> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let broken = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
        self.stream.write_all(request).await?;
        self.buffer.clear();
        let (head_length, status, body_length) = loop {
            if self.stream.read_buf(&mut self.buffer).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let Some(end) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let head = std::str::from_utf8(&self.buffer[..end]).map_err(|_| broken("head"))?;
            let mut lines = head.split("\r\n");
            let status = lines.next().and_then(|l| l.split(' ').nth(1)).unwrap_or_default() == "200";
            let length = lines
                .filter_map(|l| l.split_once(':'))
                .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, value)| value.trim().parse::<usize>().ok())
                .ok_or_else(|| broken("no content-length"))?;
            break (end + 4, status, length);
        };
        while self.buffer.len() < head_length + body_length {
            if self.stream.read_buf(&mut self.buffer).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
        let body = &self.buffer[head_length..head_length + body_length];
        Ok(status && !body.windows(9).any(|w| w == b"\"errors\":"))
    }
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command.status().with_context(|| format!("running {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed with {status}");
    }
    Ok(())
}

/// CPU, cores, memory and PostgreSQL version, for the record.
fn machine_description(options: &Options) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']))
        })
        .unwrap_or("unknown CPU");
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").map(|v| v.trim().to_owned()))
        .unwrap_or_default();
    let postgres = Command::new("psql")
        .args([options.postgres_url.as_str(), "-tAc", "SHOW server_version"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!(
        "machine: {cpu}, {cores} cores, {memory} memory; PostgreSQL {postgres}\n\
         load: {} profiles, {} connections, {} s warm-up then {} s per page, generator on the same machine\n",
        options.profiles, options.connections, options.warmup, options.seconds
    )
}
