//! Staff tools for one member (`graphql/staff.graphql`).

use super::{ApiError, CertificationStatus, NaiveDate, run};

graphql_operations!(
    "graphql/staff.graphql",
    extern_enums("CertificationStatus"),
    StaffMember,
    StaffRecordCertification,
    StaffReinstateCertification,
    StaffAdjustCec,
    StaffReverseCecEntry,
    StaffRecordCheque,
);

/// A member as the staff screen shows them.
pub type StaffView = staff_member::StaffMemberMember;

pub async fn staff_member(number: &str) -> Result<StaffView, ApiError> {
    let variables = staff_member::Variables {
        member_number: number.trim().to_owned(),
    };
    Ok(run::<StaffMember>(variables).await?.member)
}

/// Records the exam (a first cycle) or, with `reinstate`, a new cycle after expiry.
pub async fn start_cycle(number: &str, starts_on: &str, reinstate: bool) -> Result<(), ApiError> {
    let (member_number, starts_on) = (number.trim().to_owned(), starts_on.to_owned());
    if reinstate {
        let variables = staff_reinstate_certification::Variables {
            member_number,
            starts_on,
        };
        run::<StaffReinstateCertification>(variables).await?;
    } else {
        let variables = staff_record_certification::Variables {
            member_number,
            starts_on,
        };
        run::<StaffRecordCertification>(variables).await?;
    }
    Ok(())
}

pub async fn adjust_cec(number: &str, cec: &str, earned_on: &str, reason: &str) -> Result<(), ApiError> {
    let variables = staff_adjust_cec::Variables {
        member_number: number.trim().to_owned(),
        cec: cec.trim().to_owned(),
        earned_on: earned_on.to_owned(),
        reason: reason.to_owned(),
    };
    run::<StaffAdjustCec>(variables).await?;
    Ok(())
}

pub async fn reverse_entry(entry_id: &str, reason: &str) -> Result<(), ApiError> {
    let variables = staff_reverse_cec_entry::Variables {
        entry_id: entry_id.to_owned(),
        reason: reason.to_owned(),
    };
    run::<StaffReverseCecEntry>(variables).await?;
    Ok(())
}

/// Records a cheque paying pending order `order_id` (what it holds takes effect).
pub async fn record_cheque(order_id: &str, reference: &str) -> Result<(), ApiError> {
    let variables = staff_record_cheque::Variables {
        order_id: order_id.to_owned(),
        reference: reference.to_owned(),
    };
    run::<StaffRecordCheque>(variables).await?;
    Ok(())
}
