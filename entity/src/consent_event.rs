//! The evidence of consent (P17, P23): a subscription's request, confirmation or
//! unsubscription, with time, IP, user agent and the wording version agreed to.

use crate::enums::ConsentAction;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subscription_id: i64,
    pub action: ConsentAction,
    pub occurred_at: DateTimeUtc,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The version of the consent wording shown (`services::newsletters::WORDING_VERSION`).
    pub wording_version: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
