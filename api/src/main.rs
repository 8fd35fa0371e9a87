//! `cptn`: the server binary. `cptn --help` lists the commands, `cptn <command> --help`
//! explains one.

use anyhow::Context;
use api::jobs::{self, JobContext, JobName, RunOutcome};
use api::services::seed;
use api::{Application, Settings, telemetry};
use clap::{Parser, Subcommand};
use sea_orm::Iterable;

/// Under load the server allocates for every field of every response; glibc's malloc spent
/// a fifth of its CPU on that (docs/PERFORMANCE.md), mimalloc much less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The CPTN Network server: GraphQL API, web app and background jobs. Settings come from
/// environment variables (see the README).
#[derive(Parser)]
#[command(name = "cptn", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations, load demo data into an empty database, then serve the API, the web
    /// app and the scheduled jobs until SIGTERM or SIGINT (the default command).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Create the demo accounts that are missing, give all of them new random passwords,
    /// and print them.
    SeedDemo,
    /// Print the GraphQL SDL (committed as docs/schema.graphql).
    PrintSchema,
    /// Add made-up trainers until the directory holds COUNT profiles, then a sample course
    /// catalogue and a certification with a credit ledger for every member without one
    /// (benchmarks; never on a real database). Only in builds with the `sample-directory`
    /// feature.
    #[cfg(feature = "sample-directory")]
    SeedDirectory {
        /// How many profiles the directory should hold.
        count: usize,
    },
    /// Open COUNT sessions for sample members with a certification and print their access
    /// tokens, one per line (the benchmark's logged-in pages). Only in builds with the
    /// `sample-directory` feature.
    #[cfg(feature = "sample-directory")]
    BenchSessions {
        /// How many sessions.
        count: u64,
    },
    /// Open COUNT pending orders of sample members, each offered through a made-up Stripe
    /// session named PREFIX and a number, and print "order-id session-id" per line (the
    /// benchmark's webhook intake). Only in builds with the `sample-directory` feature.
    #[cfg(feature = "sample-directory")]
    BenchOrders {
        /// How many orders.
        count: u64,
        /// The sessions' common beginning, e.g. `cs_bench_1_`.
        prefix: String,
    },
    /// Background jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// The directory's derived search structures.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Signing keys kept in the database (shared by every server).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuild every search entry, count and name of the typo index from the stored
    /// profiles, in one transaction (searches see the old index until it commits).
    Reindex,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a new active key for PURPOSE and retire the current one, which still verifies
    /// what it signed (mail for good, access tokens until they expire). Servers pick the
    /// new key up within a minute (tokens) or at their next mail run (mail).
    Rotate {
        /// What the key signs: `mail` or `tokens`.
        purpose: String,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// List the jobs, their schedule and their last run.
    List,
    /// Run one job now, whatever its schedule (not while another server runs it).
    Run {
        /// The job: `mail`, `retention` or `files` (`cptn jobs list` describes them).
        name: String,
        /// Report what the job would do, changing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::Migrate => {
            telemetry::init();
            let settings = Settings::from_env()?;
            let db = api::db::connect(&settings).await?;
            api::db::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::SeedDemo => {
            telemetry::init();
            let settings = Settings::from_env()?;
            let db = api::db::connect(&settings).await?;
            api::db::migrate(&db).await?;
            print_credentials(&seed::seed_demo(&db).await.context("loading demo data")?);
            Ok(())
        }
        Command::PrintSchema => {
            print!("{}", api::schema::sdl());
            Ok(())
        }
        #[cfg(feature = "sample-directory")]
        Command::SeedDirectory { count } => {
            telemetry::init();
            let settings = Settings::from_env()?;
            let db = api::db::connect(&settings).await?;
            api::db::migrate(&db).await?;
            let added = api::services::sample_directory::seed(&db, count)
                .await
                .context("writing sample profiles")?;
            println!("{added} sample profiles added; the directory holds at least {count}");
            let (courses, entries) = api::services::sample_directory::seed_catalogue_and_ledgers(&db)
                .await
                .context("writing the sample catalogue and ledgers")?;
            println!("{courses} sample courses and {entries} ledger entries added");
            api::db::checkpoint(&db).await;
            Ok(())
        }
        #[cfg(feature = "sample-directory")]
        Command::BenchSessions { count } => {
            let settings = Settings::from_env()?;
            let db = api::db::connect(&settings).await?;
            let tokens = api::services::sample_directory::open_sample_sessions(&db, &settings, count)
                .await
                .context("opening benchmark sessions")?;
            for token in tokens {
                println!("{token}");
            }
            Ok(())
        }
        #[cfg(feature = "sample-directory")]
        Command::BenchOrders { count, prefix } => {
            let settings = Settings::from_env()?;
            let db = api::db::connect(&settings).await?;
            let orders = api::services::sample_directory::open_sample_orders(&db, &prefix, count, 9_500)
                .await
                .context("opening benchmark orders (seed the directory first)")?;
            for (id, session) in orders {
                println!("{id} {session}");
            }
            Ok(())
        }
        Command::Jobs { command } => run_jobs_command(command).await,
        Command::Search {
            command: SearchCommand::Reindex,
        } => reindex_search().await,
        Command::Keys {
            command: KeysCommand::Rotate { purpose },
        } => rotate_keys(&purpose).await,
    }
}

async fn reindex_search() -> anyhow::Result<()> {
    telemetry::init();
    let settings = Settings::from_env()?;
    let db = api::db::connect(&settings).await?;
    api::db::migrate(&db).await?;
    let started = std::time::Instant::now();
    let indexed = api::services::directory::reindex_search(&db).await?;
    api::db::checkpoint(&db).await;
    println!(
        "{indexed} active profiles indexed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn rotate_keys(purpose: &str) -> anyhow::Result<()> {
    telemetry::init();
    let Some(purpose) = api::services::signing::PURPOSES.into_iter().find(|p| *p == purpose) else {
        anyhow::bail!("no keys for {purpose:?}; the purposes are: mail, tokens");
    };
    let mut settings = Settings::from_env()?;
    settings.run_jobs = false;
    settings.addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let app = Application::build(settings).await?;
    let state = app.state();
    let id = state.keys.rotate(&state.db, purpose, state.now()).await?;
    println!("the {purpose} key is now {id}; the previous one still verifies");
    Ok(())
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
        database = %redact_url(secrecy::ExposeSecret::expose_secret(&state.settings.database_url)),
        mail = %state.mailer.describe(),
        jobs = state.settings.run_jobs,
        "CPTN Network is listening"
    );
    app.run().await?;
    Ok(())
}

async fn run_jobs_command(command: JobsCommand) -> anyhow::Result<()> {
    telemetry::init();
    let mut settings = Settings::from_env()?;
    // This process runs one job by hand; it serves nothing and schedules nothing.
    settings.run_jobs = false;
    settings.addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let app = Application::build(settings.clone()).await?;
    let ctx = JobContext::new(app.state().clone(), api::db::connect(&settings).await?);
    match command {
        JobsCommand::List => {
            let leases = api::db::jobs::all(&ctx.db).await?;
            for job in JobName::iter() {
                let lease = leases.iter().find(|l| l.name == job.as_str());
                let last = lease
                    .and_then(|l| {
                        l.last_finished_at.map(|at| {
                            let outcome = l.last_outcome.clone().unwrap_or_default();
                            format!("last run {}, {outcome}", at.format("%Y-%m-%d %H:%M:%S UTC"))
                        })
                    })
                    .unwrap_or_else(|| "never run".to_owned());
                println!(
                    "{:<10} every {:>5} s  {}; {last}",
                    job.as_str(),
                    job.every().as_secs(),
                    job.describe()
                );
            }
            Ok(())
        }
        JobsCommand::Run { name, dry_run } => {
            let Some(job) = JobName::parse(&name) else {
                let names: Vec<&str> = JobName::iter().map(JobName::as_str).collect();
                anyhow::bail!("no job named {name:?}; the jobs are {}", names.join(", "));
            };
            let report = if dry_run {
                jobs::dry_run(&ctx, job).await?
            } else {
                match jobs::run_once(&ctx, job, true).await? {
                    RunOutcome::Ran(report) => report,
                    RunOutcome::Skipped => anyhow::bail!("{job} is running on another server now; try again later"),
                }
            };
            println!("{job}{}:", if dry_run { " (dry run)" } else { "" });
            if report.lines.is_empty() {
                println!("  nothing to do");
            }
            for line in report.lines {
                println!("  {line}");
            }
            Ok(())
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_command_explains_itself_with_help() {
        Cli::command().debug_assert();
        let mut commands = vec![vec!["cptn"]];
        let root = Cli::command();
        for sub in root.get_subcommands() {
            commands.push(vec!["cptn", sub.get_name()]);
            for nested in sub.get_subcommands() {
                commands.push(vec!["cptn", sub.get_name(), nested.get_name()]);
            }
        }
        assert!(commands.iter().any(|c| c == &["cptn", "jobs", "run"]), "{commands:?}");
        for mut command in commands {
            command.push("--help");
            let outcome = Cli::try_parse_from(&command).err().map(|e| e.kind());
            assert_eq!(outcome, Some(clap::error::ErrorKind::DisplayHelp), "{command:?}");
        }
    }
}
