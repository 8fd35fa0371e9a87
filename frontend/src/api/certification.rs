//! Certification (`graphql/certification.graphql`): the member's dashboard and the public
//! register.

use super::{ApiError, CertificationStatus, NaiveDate, run};

graphql_operations!(
    "graphql/certification.graphql",
    extern_enums("CertificationStatus"),
    MyCertification,
    RenewCertification,
    VerifyCertification,
);

/// The member's dashboard data (one statement on the server).
pub type Dashboard = my_certification::MyCertificationMyDashboard;
pub use my_certification::CecSource;

pub async fn my_certification() -> Result<Option<Dashboard>, ApiError> {
    Ok(Some(
        run::<MyCertification>(my_certification::Variables).await?.my_dashboard,
    ))
}

pub async fn renew_certification() -> Result<(), ApiError> {
    run::<RenewCertification>(renew_certification::Variables).await?;
    Ok(())
}

/// What the register says of a trainer.
pub type Verification = verify_certification::VerifyCertificationCertificationStatus;

pub async fn verify_certification(member_number: &str, last_name: &str) -> Result<Verification, ApiError> {
    let variables = verify_certification::Variables {
        member_number: member_number.trim().to_owned(),
        last_name: last_name.to_owned(),
    };
    Ok(run::<VerifyCertification>(variables).await?.certification_status)
}
