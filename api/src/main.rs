//! `cptn`: the server binary.
//!
//! ```text
//! cptn [serve]       migrate, load demo data into an empty database, serve (default)
//! cptn migrate       apply pending migrations and exit
//! cptn seed-demo     create the demo accounts (new random passwords) and print them
//! cptn print-schema  print the GraphQL SDL
//! cptn seed-directory N   fill the directory with N sample profiles (benchmarks)
//! ```

use anyhow::Context;
use api::services::seed;
use api::{Application, Settings, telemetry};

/// Under load the server allocates for every field of every response; glibc's malloc spent
/// a fifth of its CPU on that (docs/PERFORMANCE.md), mimalloc much less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: cptn [serve | migrate | seed-demo | print-schema | seed-directory <count>]";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".to_owned());
    match command.as_str() {
        "serve" => serve().await,
        "migrate" => {
            telemetry::init();
            let settings = Settings::from_env()?;
            let db = api::db::connect(&settings).await?;
            api::db::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        "seed-demo" => {
            telemetry::init();
            let settings = Settings::from_env()?;
            let db = api::db::connect(&settings).await?;
            api::db::migrate(&db).await?;
            print_credentials(&seed::seed_demo(&db).await.context("loading demo data")?);
            Ok(())
        }
        "seed-directory" => {
            telemetry::init();
            let count: usize = std::env::args()
                .nth(2)
                .and_then(|n| n.parse().ok())
                .context("seed-directory needs a profile count")?;
            let settings = Settings::from_env()?;
            let db = api::db::connect(&settings).await?;
            api::db::migrate(&db).await?;
            let added = api::services::sample_directory::seed(&db, count)
                .await
                .context("writing sample profiles")?;
            println!("{added} sample profiles added; the directory holds at least {count}");
            Ok(())
        }
        "print-schema" => {
            print!("{}", api::schema::sdl());
            Ok(())
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => {
            eprintln!("unknown command {other:?}\n{USAGE}");
            std::process::exit(2);
        }
    }
}

async fn serve() -> anyhow::Result<()> {
    telemetry::init();
    let settings = Settings::from_env()?;
    let app = Application::build(settings).await?;
    let state = app.state().clone();
    if seed::is_empty(&state.db).await? {
        let credentials = seed::seed_demo(&state.db).await.context("loading demo data")?;
        print_credentials(&credentials);
    }
    tracing::info!(
        addr = %format!("http://{}:{}", state.settings.addr.ip(), app.port()),
        web_dir = %state.settings.web_dir.display(),
        database = %redact_url(&state.settings.database_url),
        "CPTN Network is listening"
    );
    app.run().await?;
    Ok(())
}

/// Printed once, on stdout, when demo data is created: the only place these passwords appear.
fn print_credentials(credentials: &[seed::DemoCredential]) {
    println!("\nDemo accounts (passwords are shown only now; `cptn seed-demo` sets new ones):");
    for c in credentials {
        println!(
            "  {:<7} {:<34} {}  {}",
            c.role.as_str(),
            c.email,
            c.password,
            c.member_number
        );
    }
    println!();
}

/// Hides the password in a database URL before it is logged.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
