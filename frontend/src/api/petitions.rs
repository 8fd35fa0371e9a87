//! Petitions (`graphql/petitions.graphql`): the member's list and form, the staff queue.

use super::{ApiError, NaiveDate, Upload, run, run_upload};

type DateTime = super::DateTime;

/// Where a petition stands (one type for every operation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PetitionStatus {
    AwaitingPayment,
    InReview,
    NeedsInformation,
    Approved,
    Rejected,
    /// A state this build does not know yet (a newer server).
    #[serde(other)]
    Unknown,
}

impl PetitionStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::AwaitingPayment => "Awaiting payment of its fee",
            Self::InReview => "In review",
            Self::NeedsInformation => "Question from the reviewer",
            Self::Approved => "Approved",
            Self::Rejected => "Not approved",
            Self::Unknown => "Unknown",
        }
    }
}

graphql_operations!(
    "graphql/petitions.graphql",
    extern_enums("PetitionStatus"),
    MyPetitions,
    FilePetition,
    AnswerPetition,
    PetitionQueue,
    PetitionEvidence,
    ApprovePetition,
    RejectPetition,
    AskPetitionInformation,
);

/// A petition as the member's list shows it.
pub type PetitionSummary = my_petitions::PetitionFields;
/// An enrolment the form can start from.
pub type PetitionSource = my_petitions::MyPetitionsMeEnrolmentsEdgesNode;

/// The member's petitions, and their enrolments in courses that are not approved (the
/// form starts from one of those, P16).
pub async fn my_petitions() -> Result<(Vec<PetitionSummary>, Vec<PetitionSource>), ApiError> {
    let me = run::<MyPetitions>(my_petitions::Variables).await?.me;
    let Some(me) = me else {
        return Ok((Vec::new(), Vec::new()));
    };
    let petitions = me.petitions.edges.into_iter().map(|e| e.node).collect();
    let sources = me
        .enrolments
        .edges
        .into_iter()
        .map(|e| e.node)
        .filter(|e| !e.course_approved)
        .collect();
    Ok((petitions, sources))
}

/// What the member fills in.
pub struct NewPetition {
    pub title: String,
    pub provider_name: String,
    pub completed_on: String,
    pub hours: String,
    pub requested_cec: String,
}

pub async fn file_petition(petition: NewPetition, evidence: web_sys::File) -> Result<(), ApiError> {
    let variables = file_petition::Variables {
        input: file_petition::PetitionInput {
            title: petition.title,
            provider_name: petition.provider_name,
            completed_on: petition.completed_on,
            hours: petition.hours,
            requested_cec: petition.requested_cec,
        },
        evidence: (),
    };
    run_upload::<FilePetition>(variables, "evidence", &evidence).await?;
    Ok(())
}

pub async fn answer_petition(id: String, answer: String) -> Result<(), ApiError> {
    run::<AnswerPetition>(answer_petition::Variables {
        petition_id: id,
        answer,
    })
    .await?;
    Ok(())
}

/// A petition in the staff queue.
pub type QueuedPetition = petition_queue::PetitionQueuePetitionQueueEdgesNode;

pub async fn petition_queue() -> Result<Vec<QueuedPetition>, ApiError> {
    let data = run::<PetitionQueue>(petition_queue::Variables { status: None }).await?;
    Ok(data.petition_queue.edges.into_iter().map(|e| e.node).collect())
}

/// A fresh link to a petition's evidence and its media type.
pub async fn petition_evidence(id: String) -> Result<(String, String), ApiError> {
    let data = run::<PetitionEvidence>(petition_evidence::Variables { id }).await?;
    Ok((data.petition.evidence_url, data.petition.evidence_type))
}

/// A staff decision on a petition in the queue.
pub enum Decision {
    Approve { granted_cec: Option<String> },
    Reject { reason: String },
    Ask { question: String },
}

pub async fn decide_petition(id: String, decision: Decision) -> Result<(), ApiError> {
    match decision {
        Decision::Approve { granted_cec } => {
            run::<ApprovePetition>(approve_petition::Variables {
                petition_id: id,
                granted_cec,
            })
            .await?;
        }
        Decision::Reject { reason } => {
            run::<RejectPetition>(reject_petition::Variables {
                petition_id: id,
                reason,
            })
            .await?;
        }
        Decision::Ask { question } => {
            run::<AskPetitionInformation>(ask_petition_information::Variables {
                petition_id: id,
                question,
            })
            .await?;
        }
    }
    Ok(())
}
