//! Renewal reminders (the `reminders` job): e-mail `CPTN_REMINDER_DAYS` days before expiry
//! (90, 60, 30 and 7 by default), each once per cycle: a row keyed by (cycle, reminder)
//! is written in the transaction that queues the mail, so a second run, or a run on another
//! server at the same moment, finds it and sends nothing. A run that comes late sends only
//! the latest reminder due and records the earlier ones as skipped.

use super::rules;
use crate::db;
use crate::db::certification::ReminderCandidate;
use crate::error::Result;
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::mail::{self, Mail, MailHeaders, Recipient};
use crate::state::AppState;
use entity::enums::{AuditKind, MessageKind, ReminderOutcome};
use sea_orm::DatabaseConnection;
use shared::cec::format_tenths;

/// What a run did (or would do).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReminderRun {
    pub sent: u64,
    pub skipped: u64,
}

/// Sends the reminders due today (`dry_run`: counts them, changes nothing).
#[tracing::instrument(skip_all)]
pub async fn send_due(db: &DatabaseConnection, state: &AppState, dry_run: bool) -> Result<ReminderRun> {
    let rules = &state.settings.certification;
    let today = state.now().date_naive();
    let Some(&furthest) = rules.reminder_days.iter().max() else {
        return Ok(ReminderRun::default());
    };
    let horizon = today + chrono::Duration::days(i64::from(furthest));
    let mut run = ReminderRun::default();
    for candidate in db::certification::reminder_candidates(db, today, horizon).await? {
        let days_left = (candidate.ends_on - today).num_days();
        let due: Vec<i32> = rules
            .reminder_days
            .iter()
            .filter(|d| i64::from(**d) >= days_left)
            .filter_map(|d| i32::try_from(*d).ok())
            .collect();
        let Some(&latest) = due.iter().min() else {
            continue;
        };
        let recorded = db::certification::recorded_reminders(db, candidate.cycle_id).await?;
        if recorded.contains(&latest) {
            continue;
        }
        let passed_over: Vec<i32> = due
            .iter()
            .copied()
            .filter(|d| *d != latest && !recorded.contains(d))
            .collect();
        if dry_run {
            run.sent += 1;
            run.skipped += passed_over.len() as u64;
            continue;
        }
        if remind(db, state, &candidate, latest, &passed_over).await? {
            run.sent += 1;
            run.skipped += passed_over.len() as u64;
        }
    }
    Ok(run)
}

/// Records and queues one reminder in one transaction; `false` when another run got there
/// first.
async fn remind(
    db: &DatabaseConnection,
    state: &AppState,
    candidate: &ReminderCandidate,
    days_before: i32,
    passed_over: &[i32],
) -> Result<bool> {
    let write = AuditedWrite::begin(db, Actor::operator(state.now())).await?;
    if !db::certification::record_reminder(write.conn(), candidate, days_before, ReminderOutcome::Sent, write.now())
        .await?
    {
        return Ok(false);
    }
    for days in passed_over {
        db::certification::record_reminder(write.conn(), candidate, *days, ReminderOutcome::Skipped, write.now())
            .await?;
    }
    let rules = &state.settings.certification;
    let earned = db::certification::cycle_total(write.conn(), candidate.cycle_id).await?;
    let days_left = (candidate.ends_on - state.now().date_naive()).num_days();
    let body = format!(
        "Your CPTN Network certification expires on {ends} ({days_left} days from today).\n\n\
         This cycle holds {earned} of the {required} CEC a renewal needs. Renew from your \
         account, until the end of the grace period on {grace}:\n\n{url}/account\n\n\
         -- \nCPTN Network. You receive this because your certification is about to expire.\n",
        ends = candidate.ends_on,
        earned = format_tenths(i32::try_from(earned).unwrap_or(i32::MAX)),
        required = format_tenths(rules.required_tenths),
        grace = rules::grace_ends_on(candidate.ends_on, rules),
        url = state.settings.public_url,
    );
    mail::queue(
        write.conn(),
        write.now(),
        Mail {
            kind: MessageKind::RenewalReminder,
            to: Recipient::Member(candidate.member_id),
            subject: format!("Your CPTN certification expires on {}", candidate.ends_on),
            body,
            headers: MailHeaders::automatic(),
            sender_ip: None,
        },
    )
    .await?;
    write
        .commit(
            AuditRecord::new(AuditKind::RenewalReminderSent)
                .about(candidate.member_id)
                .detail(format!("cycle {}: {days_before} days", candidate.cycle_id)),
        )
        .await?;
    Ok(true)
}
