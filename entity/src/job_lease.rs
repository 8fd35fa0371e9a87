//! One row per scheduled job: who runs it now and when it runs next. Servers sharing a
//! database take the lease with one conditional upsert, so each run happens on one of them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_lease")]
pub struct Model {
    /// The job's name, e.g. `mail`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// The server process holding (or that last held) the lease.
    pub holder: String,
    /// The lease ends here: a crashed holder's lease lapses and another server takes over.
    pub lease_until: DateTimeUtc,
    /// The next scheduled run may not start before this.
    pub next_run_at: DateTimeUtc,
    pub last_started_at: Option<DateTimeUtc>,
    pub last_finished_at: Option<DateTimeUtc>,
    /// `ok` or the error of the last run.
    pub last_outcome: Option<String>,
    /// Runs started so far.
    pub runs: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
