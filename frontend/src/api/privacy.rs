//! Privacy (`graphql/privacy.graphql`): page views, the member's privacy page, the staff
//! privacy and newsletter screens, and the public signature check.

use super::{ApiError, DateTime, run};

graphql_operations!(
    "graphql/privacy.graphql",
    RecordPageView,
    MyPrivacy,
    ExportMyData,
    RequestErasure,
    RequestRelink,
    Subscribe,
    ConfirmSubscription,
    Unsubscribe,
    VerifyEmailSignature,
    PrivacyQueue,
    CompleteErasureRequest,
    LinkReturningMember,
    RefusePrivacyRequest,
    Retention,
    WipeReceipts,
    PageViews,
    Campaigns,
    CampaignPreview,
    CreateMailingList,
    SaveCampaign,
    SendCampaign,
    RequestDataByEmail,
    ConfirmDataRequest,
    PublicLists,
);

/// Reports that this tab showed `path` (without its query string: the server drops it too).
pub async fn record_page_view(path: String) -> Result<(), ApiError> {
    run::<RecordPageView>(record_page_view::Variables { path }).await?;
    Ok(())
}

/// Everything the member's privacy page shows.
pub type MyPrivacyData = my_privacy::ResponseData;
pub type MyRequest = my_privacy::RequestFields;
pub type MySubscription = my_privacy::MyPrivacyMySubscriptions;
pub type QueuedRequest = privacy_queue::RequestFields;
pub type RetentionData = retention::ResponseData;
pub type WipeReceipt = wipe_receipts::WipeReceiptsWipeReceipts;
pub type PageView = page_views::PageViewsAuditEventsEdgesNode;
pub type CampaignsData = campaigns::ResponseData;
pub type SignatureCheck = verify_email_signature::VerifyEmailSignatureVerifyEmailSignature;

pub async fn my_privacy() -> Result<MyPrivacyData, ApiError> {
    run::<MyPrivacy>(my_privacy::Variables).await
}

/// Builds an archive of the member's data; its download path.
pub async fn export_my_data() -> Result<String, ApiError> {
    Ok(run::<ExportMyData>(export_my_data::Variables)
        .await?
        .export_my_data
        .download_path)
}

pub async fn request_erasure(message: String) -> Result<(), ApiError> {
    let message = Some(message).filter(|m| !m.trim().is_empty());
    run::<RequestErasure>(request_erasure::Variables { message }).await?;
    Ok(())
}

pub async fn request_relink(old: String, message: String) -> Result<(), ApiError> {
    let message = Some(message).filter(|m| !m.trim().is_empty());
    run::<RequestRelink>(request_relink::Variables { old, message }).await?;
    Ok(())
}

pub async fn subscribe(list: String, email: String) -> Result<(), ApiError> {
    run::<Subscribe>(subscribe::Variables { list, email }).await?;
    Ok(())
}

/// Confirms a subscription; the list's name.
pub async fn confirm_subscription(token: String) -> Result<String, ApiError> {
    Ok(run::<ConfirmSubscription>(confirm_subscription::Variables { token })
        .await?
        .confirm_subscription
        .name)
}

/// Unsubscribes; the list's name.
pub async fn unsubscribe(token: String) -> Result<String, ApiError> {
    Ok(run::<Unsubscribe>(unsubscribe::Variables { token })
        .await?
        .unsubscribe
        .name)
}

pub async fn verify_email_signature(text: String) -> Result<SignatureCheck, ApiError> {
    Ok(run::<VerifyEmailSignature>(verify_email_signature::Variables { text })
        .await?
        .verify_email_signature)
}

/// The staff queue: open requests, or all.
pub async fn privacy_queue(open_only: bool) -> Result<Vec<QueuedRequest>, ApiError> {
    let status = open_only.then_some(privacy_queue::PrivacyRequestStatus::OPEN);
    Ok(run::<PrivacyQueue>(privacy_queue::Variables { status })
        .await?
        .privacy_requests
        .edges
        .into_iter()
        .map(|e| e.node)
        .collect())
}

/// What staff do with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestAnswer {
    Erase,
    Link,
}

pub async fn answer_request(id: String, answer: RequestAnswer) -> Result<(), ApiError> {
    match answer {
        RequestAnswer::Erase => {
            run::<CompleteErasureRequest>(complete_erasure_request::Variables { id }).await?;
        }
        RequestAnswer::Link => {
            run::<LinkReturningMember>(link_returning_member::Variables { id }).await?;
        }
    }
    Ok(())
}

pub async fn refuse_request(id: String, reason: String) -> Result<(), ApiError> {
    run::<RefusePrivacyRequest>(refuse_privacy_request::Variables { id, reason }).await?;
    Ok(())
}

pub async fn retention() -> Result<RetentionData, ApiError> {
    run::<Retention>(retention::Variables).await
}

pub async fn wipe_receipts(number: String) -> Result<Vec<WipeReceipt>, ApiError> {
    Ok(run::<WipeReceipts>(wipe_receipts::Variables { number })
        .await?
        .wipe_receipts)
}

pub async fn page_views(number: Option<String>, ip: Option<String>) -> Result<Vec<PageView>, ApiError> {
    Ok(run::<PageViews>(page_views::Variables { number, ip })
        .await?
        .audit_events
        .edges
        .into_iter()
        .map(|e| e.node)
        .collect())
}

pub async fn campaigns() -> Result<CampaignsData, ApiError> {
    run::<Campaigns>(campaigns::Variables).await
}

pub async fn campaign_preview(list: String, subject: String, body: String) -> Result<String, ApiError> {
    Ok(
        run::<CampaignPreview>(campaign_preview::Variables { list, subject, body })
            .await?
            .campaign_preview,
    )
}

pub async fn create_mailing_list(
    slug: String,
    name: String,
    description: String,
    partner: String,
) -> Result<(), ApiError> {
    let input = create_mailing_list::MailingListInput {
        slug,
        name,
        description,
        partner_name: Some(partner).filter(|p| !p.trim().is_empty()),
    };
    run::<CreateMailingList>(create_mailing_list::Variables { input }).await?;
    Ok(())
}

/// Saves the draft (a new one without `id`) and queues it when `send`; recipients queued.
pub async fn save_campaign(
    id: Option<String>,
    list: String,
    subject: String,
    body: String,
    send: bool,
) -> Result<Option<i64>, ApiError> {
    let input = save_campaign::CampaignInput {
        list_slug: list,
        subject,
        body,
    };
    let saved = run::<SaveCampaign>(save_campaign::Variables { id, input })
        .await?
        .save_campaign;
    if !send {
        return Ok(None);
    }
    let queued = run::<SendCampaign>(send_campaign::Variables { id: saved.id }).await?;
    Ok(Some(queued.send_campaign.recipients))
}

/// Downloads the archive at `path` with the session's token (no secret in the URL) and
/// hands it to the browser as a file.
pub async fn download_archive(path: &str) -> Result<(), ApiError> {
    let fail = |e: wasm_bindgen::JsValue| ApiError::network(format!("{e:?}"));
    let mut request = gloo_net::http::Request::get(path);
    if let Some(token) = crate::session::stored_token() {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let response = request.send().await.map_err(|e| ApiError::network(e.to_string()))?;
    if !response.ok() {
        return Err(ApiError::network(format!("the archive answered {}", response.status())));
    }
    let bytes = response.binary().await.map_err(|e| ApiError::network(e.to_string()))?;
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/zip");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(fail)?;
    save_blob(&blob, "cptn-my-data.zip")
}

/// Hands `blob` to the browser as a file named `name` (a link clicked, then forgotten).
fn save_blob(blob: &web_sys::Blob, name: &str) -> Result<(), ApiError> {
    use wasm_bindgen::JsCast;
    let fail = |e: wasm_bindgen::JsValue| ApiError::network(format!("{e:?}"));
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| ApiError::network("no document"))?;
    let link = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| ApiError::network("not a link"))?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    web_sys::Url::revoke_object_url(&url).map_err(fail)?;
    Ok(())
}

/// Someone without an account asks, by address, for a copy (`erase` false) or an erasure.
pub async fn request_data_by_email(email: String, erase: bool) -> Result<(), ApiError> {
    use request_data_by_email::PrivacyRequestKind as Kind;
    let kind = if erase { Kind::ERASURE } else { Kind::EXPORT };
    run::<RequestDataByEmail>(request_data_by_email::Variables { email, kind }).await?;
    Ok(())
}

/// Confirms an address request: for a copy, the JSON of what is held; for an erasure,
/// `None` (it waits for staff).
pub async fn confirm_data_request(token: String) -> Result<Option<String>, ApiError> {
    Ok(run::<ConfirmDataRequest>(confirm_data_request::Variables { token })
        .await?
        .confirm_data_request
        .archive)
}

/// Hands `json` to the browser as a file.
pub fn save_json(json: &str, name: &str) -> Result<(), ApiError> {
    let fail = |e: wasm_bindgen::JsValue| ApiError::network(format!("{e:?}"));
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(json));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    save_blob(&blob, name)
}

/// A list as the public signup page shows it.
pub type PublicList = public_lists::PublicListsMailingLists;

/// The lists, and the member's own address when logged in (to fill the form in, P16).
pub async fn public_lists() -> Result<(Vec<PublicList>, Option<String>), ApiError> {
    let lists = run::<PublicLists>(public_lists::Variables).await?.mailing_lists;
    let own = if crate::session::stored_token().is_some() {
        my_privacy().await.ok().and_then(|d| d.me).map(|m| m.email)
    } else {
        None
    };
    Ok((lists, own))
}
