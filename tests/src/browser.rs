//! The web app in a real headless Chromium, driven over WebDriver (chromedriver).
//! Needs the built app in `dist/` (`scripts/build-web.sh`) and Debian's `chromium` and
//! `chromium-driver` (`scripts/setup.sh --browser`); the README's test command does both.

use anyhow::{Context, Result, bail};
use chrono::Timelike as _;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tests::TestApp;
use tests::harness::workspace_root;

const WAIT: Duration = Duration::from_secs(20);

/// A chromedriver process, killed when dropped.
struct Driver {
    child: Child,
    url: String,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_driver() -> Result<Driver> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
    let child = Command::new(&binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {binary}; install it with scripts/setup.sh --browser"))?;
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        profile: tempfile::tempdir()?,
    };
    let probe = reqwest::Client::new();
    for _ in 0..100 {
        if probe.get(format!("{}/status", driver.url)).send().await.is_ok() {
            return Ok(driver);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("chromedriver did not start")
}

async fn open_browser(driver: &Driver) -> Result<Client> {
    let profile = driver.profile.path().display().to_string();
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1024,900", format!("--user-data-dir={profile}"),
            ],
        },
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        bail!("capabilities")
    };
    // Two rustls crypto providers are compiled in (sqlx brings aws-lc-rs); pick one for
    // the WebDriver client. A second install in the same process is a harmless no-op.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(ClientBuilder::rustls()?
        .capabilities(capabilities)
        .connect(&driver.url)
        .await?)
}

async fn fill(browser: &Client, selector: &str, text: &str) -> Result<()> {
    let input = browser.wait().at_most(WAIT).for_element(Locator::Css(selector)).await?;
    input.clear().await?;
    input.send_keys(text).await?;
    Ok(())
}

async fn click(browser: &Client, selector: &str) -> Result<()> {
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(selector))
        .await?
        .click()
        .await?;
    Ok(())
}

/// Clicks the element at `xpath`, finding it again if the page re-rendered it in between
/// (typeahead lists are replaced as the person types).
async fn click_xpath(browser: &Client, xpath: &str) -> Result<()> {
    let mut last_error = None;
    for _ in 0..5 {
        let element = browser.wait().at_most(WAIT).for_element(Locator::XPath(xpath)).await?;
        match element.click().await {
            Ok(()) => return Ok(()),
            Err(e) => last_error = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("could not click {xpath}: {last_error:?}")
}

async fn text_of(browser: &Client, selector: &str) -> Result<String> {
    Ok(browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(selector))
        .await?
        .text()
        .await?)
}

/// Logs in through the web app's login form.
async fn log_in(app: &TestApp, browser: &Client, email: &str, password: &str) -> Result<()> {
    browser.goto(&app.url("/login")).await?;
    fill(browser, "#login-email", email).await?;
    fill(browser, "#login-password", password).await?;
    click(browser, "#login-submit").await
}

/// Logs out and waits for the login form (the logout navigates once the server answered:
/// a page opened before that would be replaced by it).
async fn log_out(browser: &Client) -> Result<()> {
    click(browser, "#logout").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#login-email"))
        .await?;
    Ok(())
}

/// The server with the built web app, chromedriver and a browser session.
async fn start() -> Result<(TestApp, Driver, Client)> {
    let dist = workspace_root().join("dist");
    if !dist.join("index.html").is_file() {
        bail!("the web app is not built: run scripts/build-web.sh (the README's test command does)");
    }
    let app = TestApp::spawn_with(move |s| s.web_dir = dist).await?;
    let driver = start_driver().await?;
    let browser = open_browser(&driver).await?;
    Ok((app, driver, browser))
}

#[tokio::test]
async fn a_member_registers_confirms_their_address_logs_in_survives_a_reload_and_logs_out_leaving_no_trace()
-> Result<()> {
    let (app, _driver, browser) = start().await?;
    let outcome = walk_through(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

#[tokio::test]
async fn a_visitor_finds_a_trainer_by_typeahead_and_writes_without_seeing_an_email() -> Result<()> {
    let (app, _driver, browser) = start().await?;
    let outcome = find_and_contact(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

async fn find_and_contact(app: &TestApp, browser: &Client) -> Result<()> {
    api::services::seed::seed_demo(&app.state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    browser.goto(&app.url("/trainers")).await?;
    fill(browser, "#directory-query", "chl").await?;
    click_xpath(
        browser,
        "//ul[@id='directory-query-listbox']/li[@role='option'][normalize-space()='Chloé Tremblay']",
    )
    .await?;
    click_xpath(
        browser,
        "//li[contains(@class,'result')]//a[normalize-space()='Chloé Tremblay']",
    )
    .await?;
    assert_eq!(text_of(browser, "#trainer-name").await?, "Chloé Tremblay");
    assert_eq!(
        text_of(browser, "#trainer-phone").await?,
        "+1 514 555 0199",
        "her phone is showcased"
    );

    let html = browser
        .execute("return document.documentElement.outerHTML", vec![])
        .await?;
    let html = html.as_str().unwrap_or_default();
    let has_address = html
        .split(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>'))
        .any(|w| w.contains('@') && w.contains('.'));
    assert!(!has_address, "no e-mail address anywhere in the page");

    fill(browser, "#contact-name", "Vi Sitor").await?;
    fill(browser, "#contact-email", "visitor@example.org").await?;
    fill(browser, "#contact-message", "Do you have evening classes?").await?;
    click(browser, "#contact-send").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#contact-sent"))
        .await?;
    let queued = app
        .eventually(|| async {
            let rows = app
                .mail_to(
                    "chloe.trainer@demo.cptn.example",
                    entity::enums::MessageKind::ContactRelay,
                )
                .await?;
            Ok((!rows.is_empty()).then_some(rows))
        })
        .await?;
    assert!(
        queued[0].body.contains("Do you have evening classes?"),
        "{}",
        queued[0].body
    );
    assert_eq!(queued[0].sender_ip.as_deref(), Some("127.0.0.1"));
    Ok(())
}

/// Before confirming, logging in is refused with a reason; "send the link again" from the
/// page a stale link shows, then the newest link with the password confirms and logs in.
async fn confirm_through_the_web_app(app: &TestApp, browser: &Client, email: &str, password: &str) -> Result<()> {
    // Logging in before confirming is refused with a reason.
    log_in(app, browser, email, password).await?;
    let refused = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//p[@id='form-error'][normalize-space()!='']"))
        .await?
        .text()
        .await?;
    assert!(refused.contains("Confirm your e-mail address"), "{refused}");

    // "Send the link again" from the page a stale link shows, then the newest link.
    browser.goto(&app.url("/confirm")).await?;
    fill(browser, "#resend-email", email).await?;
    click(browser, "#resend-link").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//p[@id='resend-done'][normalize-space()!='']"))
        .await?;
    let links = app
        .eventually(|| async {
            let mail = app
                .mail_to(email, entity::enums::MessageKind::EmailConfirmation)
                .await?;
            Ok((mail.len() == 2).then_some(mail))
        })
        .await?;
    let token = tests::harness::token_in(&links[1].body).context("a link in the mail")?;
    browser.goto(&app.url(&format!("/confirm?token={token}"))).await?;
    // The link asks for the password chosen when registering, then logs in.
    fill(browser, "#confirm-password", "not the passphrase").await?;
    click(browser, "#confirm-submit").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//span[@id='confirm-password-error'][normalize-space()!='']",
        ))
        .await?;
    fill(browser, "#confirm-password", password).await?;
    click(browser, "#confirm-submit").await?;
    Ok(())
}

async fn walk_through(app: &TestApp, browser: &Client) -> Result<()> {
    // The app runs under a policy that allows only its own scripts and its loader's hash.
    let index = app.send(app.client.get(app.url("/"))).await?;
    let csp = index
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(csp.contains("'sha256-") && !csp.contains("unsafe-inline"), "{csp}");
    let email = format!("browser-{}@example.org", uuid::Uuid::new_v4().simple());
    let password = "a browser passphrase";

    // The notice bar is shown until dismissed; dismissing sets its cookie.
    browser.goto(&app.url("/register")).await?;
    click(browser, "#notice-dismiss").await?;

    // Register: a common password is refused beside its field first.
    fill(browser, "#register-email", &email).await?;
    fill(browser, "#register-password", "password123").await?;
    fill(browser, "#register-name", "Brow Ser").await?;
    click(browser, "#register-submit").await?;
    let message = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//span[@id='register-password-error'][normalize-space()!='']",
        ))
        .await?
        .text()
        .await?;
    assert!(message.contains("common"), "{message}");
    fill(browser, "#register-password", password).await?;
    click(browser, "#register-submit").await?;
    let done = text_of(browser, "#register-done").await?;
    assert!(done.contains("Check your inbox"), "{done}");

    confirm_through_the_web_app(app, browser, &email, password).await?;
    let number = text_of(browser, "#account-number").await?;
    assert!(number.starts_with("CPTN-"), "{number}");

    // Log out, then log in through the form again.
    click(browser, "#logout").await?;
    fill(browser, "#login-email", &email).await?;
    fill(browser, "#login-password", password).await?;
    click(browser, "#login-submit").await?;
    assert_eq!(text_of(browser, "#account-number").await?, number);
    assert_eq!(text_of(browser, "#account-email").await?, email);
    let history = text_of(browser, "#login-history").await?;
    assert!(
        history.contains("Logged in") && history.contains("127.0.0.1"),
        "{history}"
    );

    // A reload keeps the session (sessionStorage survives it).
    browser.refresh().await?;
    assert_eq!(text_of(browser, "#account-number").await?, number);

    // Logging out forgets the token and the server refuses it from now on.
    let token = browser
        .execute("return sessionStorage.getItem('cptn.token')", vec![])
        .await?;
    let token = token.as_str().map(str::to_owned).context("a token in sessionStorage")?;
    log_out(browser).await?;
    let storage = browser.execute("return sessionStorage.length", vec![]).await?;
    assert_eq!(storage, json!(0), "sessionStorage is empty after logout");
    let cookie = browser.execute("return document.cookie", vec![]).await?;
    assert_eq!(
        cookie,
        json!("cptn_notice_seen=1"),
        "the notice flag is the only cookie"
    );
    let refused = app.graphql_as(&token, "{ me { email } }", json!({})).await?;
    assert_eq!(refused.code(), Some("UNAUTHENTICATED"));
    Ok(())
}

#[tokio::test]
async fn a_trainer_creates_a_profile_prefilled_from_their_record_and_shows_their_phone() -> Result<()> {
    let (app, _driver, browser) = start().await?;
    let outcome = edit_profile(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

async fn edit_profile(app: &TestApp, browser: &Client) -> Result<()> {
    let member = app.new_member().await?;
    app.graphql_as(
        &member.token,
        "mutation { updateMyRecord(input: { phone: \"+1 902 555 0111\", city: \"Halifax\", region: \"Nova Scotia\", country: \"Canada\" }) { phone } }",
        json!({}),
    )
    .await?
    .ok()?;

    log_in(app, browser, &member.email, &member.password).await?;
    click(browser, "#edit-profile").await?;

    // A new profile starts from the member record.
    let name = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#profile-name"))
        .await?;
    for _ in 0..50 {
        if name.prop("value").await?.as_deref() == Some("Test Member") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(name.prop("value").await?.as_deref(), Some("Test Member"));
    let city = browser.find(Locator::Css("#profile-city")).await?;
    assert_eq!(city.prop("value").await?.as_deref(), Some("Halifax"));

    fill(browser, "#profile-name", "Harbour Coach").await?;
    // Specialties are picked from typeahead completions of the managed list.
    fill(browser, "#profile-specialty", "pil").await?;
    click_xpath(
        browser,
        "//ul[@id='profile-specialty-listbox']/li[@role='option'][normalize-space()='Pilates']",
    )
    .await?;
    fill(browser, "#profile-specialty", "run").await?;
    click_xpath(
        browser,
        "//ul[@id='profile-specialty-listbox']/li[@role='option'][normalize-space()='Running and endurance']",
    )
    .await?;
    click_xpath(browser, "//button[@aria-label='Remove Running and endurance']").await?;
    let chips = text_of(browser, "#profile-specialties").await?;
    assert!(chips.contains("Pilates") && !chips.contains("Running"), "{chips}");
    click(browser, "#profile-show-phone").await?;
    click(browser, "#profile-save").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//p[@id='editor-notice'][normalize-space()='Profile saved.']",
        ))
        .await?;

    let public = app
        .graphql(
            "{ profile(slug: \"harbour-coach\") { city region phone specialties { slug } } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(public.str("profile.city")?, "Halifax");
    assert_eq!(public.str("profile.region")?, "Nova Scotia");
    assert_eq!(public.str("profile.phone")?, "+1 902 555 0111");
    assert_eq!(public.data("profile.specialties")?, &json!([{ "slug": "pilates" }]));
    Ok(())
}

#[tokio::test]
async fn on_a_phone_the_pages_fit_and_the_typeahead_works_from_the_keyboard() -> Result<()> {
    let (app, _driver, browser) = start().await?;
    let outcome = on_a_phone(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

/// The page's width and how wide its content is: equal when nothing sticks out sideways.
async fn widths(browser: &Client) -> Result<(i64, i64)> {
    let value = browser
        .execute(
            "return [document.documentElement.clientWidth, document.documentElement.scrollWidth]",
            vec![],
        )
        .await?;
    let width = |i: usize| value.get(i).and_then(serde_json::Value::as_i64).unwrap_or(-1);
    Ok((width(0), width(1)))
}

async fn attribute(browser: &Client, selector: &str, name: &str) -> Result<Option<String>> {
    Ok(browser.find(Locator::Css(selector)).await?.attr(name).await?)
}

async fn on_a_phone(app: &TestApp, browser: &Client) -> Result<()> {
    api::services::seed::seed_demo(&app.state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    browser.set_window_size(375, 812).await?;
    browser.goto(&app.url("/trainers")).await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("li.result"))
        .await?;
    let (page, content) = widths(browser).await?;
    assert!(page <= 375, "a phone-sized viewport: {page}");
    assert_eq!(content, page, "the directory fits a 375 px screen");

    // The WAI-ARIA combobox: completions open a listbox the input controls; arrow keys move
    // through the options and Enter takes one.
    let input = "#directory-query";
    assert_eq!(attribute(browser, input, "role").await?.as_deref(), Some("combobox"));
    assert_eq!(
        attribute(browser, input, "aria-controls").await?.as_deref(),
        Some("directory-query-listbox")
    );
    assert_eq!(
        attribute(browser, input, "aria-expanded").await?.as_deref(),
        Some("false")
    );
    fill(browser, input, "chl").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//ul[@id='directory-query-listbox'][@role='listbox']/li[@role='option'][normalize-space()='Chloé Tremblay']",
        ))
        .await?;
    assert_eq!(
        attribute(browser, input, "aria-expanded").await?.as_deref(),
        Some("true")
    );
    let field = browser.find(Locator::Css(input)).await?;
    field.send_keys("\u{E015}").await?; // ArrowDown
    assert_eq!(
        attribute(browser, input, "aria-activedescendant").await?.as_deref(),
        Some("directory-query-option-0")
    );
    assert_eq!(
        attribute(browser, "#directory-query-option-0", "aria-selected")
            .await?
            .as_deref(),
        Some("true")
    );
    field.send_keys("\u{E007}").await?; // Enter
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//p[@id='result-count'][normalize-space()='1 trainer(s) found']",
        ))
        .await?;
    assert_eq!(field.prop("value").await?.as_deref(), Some("Chloé Tremblay"));
    assert_eq!(
        attribute(browser, input, "aria-expanded").await?.as_deref(),
        Some("false")
    );
    editor_on_a_phone(app, browser).await
}

/// A member page on a phone: it asks for a login first, then comes back to where it was
/// asked for; it fits the screen and shows errors at their field.
async fn editor_on_a_phone(app: &TestApp, browser: &Client) -> Result<()> {
    let member = app.new_member().await?;
    browser.goto(&app.url("/account/profile")).await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#login-email"))
        .await?;
    assert!(
        browser
            .current_url()
            .await?
            .as_str()
            .contains("next=%2Faccount%2Fprofile")
    );
    fill(browser, "#login-email", &member.email).await?;
    fill(browser, "#login-password", &member.password).await?;
    click(browser, "#login-submit").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#profile-name"))
        .await?;
    assert!(browser.current_url().await?.path().ends_with("/account/profile"));
    // The editor fits the phone too, and its errors stand at the field they name.
    let (page, content) = widths(browser).await?;
    assert_eq!(content, page, "the profile editor fits a 375 px screen");
    fill(browser, "#profile-name", " ").await?;
    click(browser, "#profile-save").await?;
    let message = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//label[@for='profile-name']//span[@class='field-error'][normalize-space()!='']",
        ))
        .await?
        .text()
        .await?;
    assert!(!message.is_empty());
    assert_eq!(
        text_of(browser, "#form-error").await?,
        "",
        "a field's error is not repeated at the form"
    );
    Ok(())
}

#[tokio::test]
async fn a_member_renews_from_their_account_and_a_visitor_verifies_them_in_the_register() -> Result<()> {
    let (app, _driver, browser) = start().await?;
    let outcome = renew_and_verify(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

async fn renew_and_verify(app: &TestApp, browser: &Client) -> Result<()> {
    let credentials = api::services::seed::seed_demo(&app.state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Chloé is certified, in her renewal window, with the credit to renew.
    let chloe = credentials
        .iter()
        .find(|c| c.email.starts_with("chloe."))
        .context("the demo trainer")?;
    log_in(app, browser, &chloe.email, &chloe.password).await?;
    assert_eq!(text_of(browser, "#certification-status").await?, "Certified");
    let ledger = text_of(browser, "#ledger").await?;
    assert!(
        ledger.contains("Pilates reformer level 2") && ledger.contains("0.7"),
        "{ledger}"
    );
    click(browser, "#renew").await?;
    let state = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#renewal-state"))
        .await?
        .text()
        .await?;
    assert!(
        state.contains("$95.00 CAD") && state.contains("awaiting payment"),
        "{state}"
    );

    // Anyone verifies her with her number and last name; the page is not for indexing.
    // (The logout navigates once the server answered: wait for it, or it lands later.)
    log_out(browser).await?;
    browser.goto(&app.url("/verify")).await?;
    fill(browser, "#verify-number", &chloe.member_number.to_string()).await?;
    fill(browser, "#verify-name", "tremblay").await?;
    click(browser, "#verify-submit").await?;
    assert_eq!(text_of(browser, "#verify-status").await?, "Certified");
    fill(browser, "#verify-name", "Smith").await?;
    click(browser, "#verify-submit").await?;
    let refused = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//p[@id='form-error'][normalize-space()!='']"))
        .await?
        .text()
        .await?;
    assert!(refused.contains("No certified trainer matches"), "{refused}");
    Ok(())
}

#[tokio::test]
async fn staff_record_a_cheque_for_a_renewal_and_adjust_a_ledger_from_the_staff_screen() -> Result<()> {
    let (app, _driver, browser) = start().await?;
    let outcome = staff_screen(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

async fn staff_screen(app: &TestApp, browser: &Client) -> Result<()> {
    let credentials = api::services::seed::seed_demo(&app.state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let find = |prefix: &str| {
        credentials
            .iter()
            .find(|c| c.email.starts_with(prefix))
            .context("a demo account")
    };
    let (liam, sam) = (find("liam.")?, find("sam.")?);
    // Liam is in grace with the credit to renew: he asks, the fee is owed.
    let login = app.login(&liam.email, &liam.password).await?.ok()?;
    app.graphql_as(
        login.str("login.token")?,
        "mutation { renewCertification { status } }",
        json!({}),
    )
    .await?
    .ok()?;

    log_in(app, browser, &sam.email, &sam.password).await?;
    click(browser, "#staff-tools").await?;
    fill(browser, "#staff-number", &liam.member_number.to_string()).await?;
    click(browser, "#staff-find").await?;
    assert_eq!(text_of(browser, "#staff-status").await?, "GRACE");
    let owed = text_of(browser, "#staff-renewal").await?;
    assert!(owed.contains("$95.00 CAD"), "{owed}");
    fill(browser, "#staff-cheque-ref", "Cheque 4471").await?;
    click(browser, "#staff-record-cheque").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//dd[@id='staff-status'][normalize-space()='CERTIFIED']",
        ))
        .await?;

    // A credit with a reason: it shows in the ledger and the cycle's total.
    fill(browser, "#staff-cec", "0.5").await?;
    let today = api::clock::Clock::now(app.clock.as_ref()).date_naive();
    browser
        .execute(
            "document.getElementById('staff-earned-on').value = arguments[0]; \
             document.getElementById('staff-earned-on').dispatchEvent(new Event('input'));",
            vec![json!(today.to_string())],
        )
        .await?;
    fill(browser, "#staff-reason", "Workshop attended, certificate received").await?;
    click(browser, "#staff-adjust").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//table[@id='staff-ledger']//td[normalize-space()='Workshop attended, certificate received']",
        ))
        .await?;
    assert_eq!(
        text_of(browser, "#staff-credit").await?,
        "0.5 of 2.0 CEC",
        "it counts for the new cycle"
    );
    Ok(())
}

#[tokio::test]
async fn visitors_see_public_prices_and_members_their_member_price_in_the_catalogue() -> Result<()> {
    let (app, _driver, browser) = start().await?;
    let outcome = catalogue_prices(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

async fn catalogue_prices(app: &TestApp, browser: &Client) -> Result<()> {
    let credentials = api::services::seed::seed_demo(&app.state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    browser.goto(&app.url("/courses")).await?;
    let list = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//ul[@id='courses']/li[contains(., 'Sports nutrition')]",
        ))
        .await?
        .text()
        .await?;
    assert!(list.contains("$120.00 CAD"), "{list}");
    assert!(list.contains("Log in to see the member price"), "{list}");
    assert!(!list.contains("$95.00"), "no member price for visitors: {list}");

    let maya = credentials
        .iter()
        .find(|c| c.email.starts_with("maya."))
        .context("a demo member")?;
    log_in(app, browser, &maya.email, &maya.password).await?;
    text_of(browser, "#account-number").await?;
    click(browser, "#nav-courses").await?;
    let mine = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//ul[@id='courses']/li[contains(., 'Sports nutrition')]//p[contains(@class, 'member-price')]",
        ))
        .await?
        .text()
        .await?;
    assert_eq!(mine, "Your member price: $95.00 CAD");
    Ok(())
}

#[tokio::test]
async fn a_member_files_a_petition_with_evidence_from_a_course_and_staff_approve_it_after_viewing_the_evidence()
-> Result<()> {
    let (app, _driver, browser) = start().await?;
    let outcome = petition_in_the_browser(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

/// Staff, and a member who completed a course that is not approved (free, so no fee).
async fn completed_unapproved_course(app: &TestApp) -> Result<(tests::TestUser, tests::TestUser)> {
    // A member who completed a course that is not approved (no credit without a petition).
    let staff = app.new_with_role(shared::Role::Staff).await?;
    let member = app.new_member().await?;
    app.graphql_as(
        &staff.token,
        "mutation { createCourseProvider(name: \"Studio Nord\") { slug } }",
        json!({}),
    )
    .await?
    .ok()?;
    app.graphql_as(
        &staff.token,
        "mutation { createCourse(code: \"PIL-300\", input: { providerSlug: \"studio-nord\", title: \"Pilates for runners\", delivery: ONLINE, hours: \"6.5\", approved: false, publicPrice: \"0.00\" }) { code } }",
        json!({}),
    )
    .await?
    .ok()?;
    let enrolled = app
        .graphql_as(
            &member.token,
            "mutation { enrol(course: \"PIL-300\") { id } }",
            json!({}),
        )
        .await?
        .ok()?;
    let today = api::clock::Clock::now(app.clock.as_ref()).date_naive().to_string();
    app.graphql_as(
        &staff.token,
        "mutation($e: ID!, $d: NaiveDate!) { completeEnrolment(enrolmentId: $e, completedOn: $d) { status } }",
        json!({ "e": enrolled.str("enrol.id")?, "d": today }),
    )
    .await?
    .ok()?;

    Ok((staff, member))
}

async fn petition_in_the_browser(app: &TestApp, browser: &Client) -> Result<()> {
    let (staff, member) = completed_unapproved_course(app).await?;
    log_in(app, browser, &member.email, &member.password).await?;
    // The form starts from the course: title, hours and completion date come filled (P16).
    click(browser, "#petition-from option[value='PIL-300']").await?;
    let prefilled = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#petition-hours"))
        .await?
        .prop("value")
        .await?;
    assert_eq!(prefilled.as_deref(), Some("6.5"));
    assert_eq!(
        browser
            .find(Locator::Css("#petition-title"))
            .await?
            .prop("value")
            .await?
            .as_deref(),
        Some("Pilates for runners")
    );
    fill(browser, "#petition-provider", "Studio Nord").await?;
    fill(browser, "#petition-cec", "0.6").await?;
    let evidence = app.data_dir().join("certificate.pdf");
    std::fs::write(&evidence, crate::petitions::pdf(2048))?;
    browser
        .find(Locator::Css("#petition-evidence"))
        .await?
        .send_keys(&evidence.display().to_string())
        .await?;
    click(browser, "#petition-submit").await?;
    let listed = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//ul[@id='petition-list']/li[contains(., 'Pilates for runners')]",
        ))
        .await?
        .text()
        .await?;
    assert!(
        listed.contains("Awaiting payment") && listed.contains("$25.00 CAD"),
        "{listed}"
    );

    staff_approve_in_the_queue(app, browser, &staff, &member).await
}

/// Staff mark the petition's fee paid, open its evidence in the queue and approve it.
async fn staff_approve_in_the_queue(
    app: &TestApp,
    browser: &Client,
    staff: &tests::TestUser,
    member: &tests::TestUser,
) -> Result<()> {
    // Staff: the fee is paid; the queue shows the evidence and approves.
    let filed = app
        .graphql_as(
            &member.token,
            "{ me { petitions { edges { node { fee { id } } } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    app.pay_fee(&staff.token, filed.str("me.petitions.edges.0.node.fee.id")?)
        .await?
        .ok()?;
    log_out(browser).await?;
    log_in(app, browser, &staff.email, &staff.password).await?;
    click(browser, "#staff-petitions").await?;
    click(browser, "#petition-queue .show-evidence").await?;
    let frame = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#petition-queue iframe.evidence"))
        .await?;
    let src = frame.attr("src").await?.unwrap_or_default();
    assert!(src.starts_with("/evidence/"), "{src}");
    let served = app.send(app.client.get(app.url(&src))).await?;
    assert_eq!(served.status(), 200, "the viewer's link opens the file");
    click(browser, "#petition-queue .approve").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#queue-empty"))
        .await?;
    let ledger = app
        .graphql_as(
            &member.token,
            "{ me { ledger { edges { node { cec title } } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(ledger.str("me.ledger.edges.0.node.cec")?, "0.6");
    Ok(())
}

#[tokio::test]
async fn staff_add_a_course_in_the_editor_and_its_provider_records_a_completion_that_credits_the_ledger() -> Result<()>
{
    let (app, _driver, browser) = start().await?;
    let outcome = editor_and_completion(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

async fn editor_and_completion(app: &TestApp, browser: &Client) -> Result<()> {
    let staff = app.new_with_role(shared::Role::Staff).await?;
    let admin = app.new_with_role(shared::Role::Admin).await?;
    app.graphql_as(
        &staff.token,
        "mutation { createCourseProvider(name: \"Studio Nord\") { slug } }",
        json!({}),
    )
    .await?
    .ok()?;
    log_in(app, browser, &staff.email, &staff.password).await?;
    click(browser, "#staff-catalogue").await?;
    fill(browser, "#editor-code", "zum-100").await?;
    click(browser, "#editor-load").await?;
    // Not found yet: the form creates it.
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//p[@id='editor-error'][normalize-space()!='']"))
        .await?;
    click(browser, "#editor-provider option[value='studio-nord']").await?;
    fill(browser, "#editor-title", "Zumba for beginners").await?;
    fill(browser, "#editor-hours", "5").await?;
    click(browser, "#editor-online").await?;
    click(browser, "#editor-approved").await?;
    fill(browser, "#editor-public-price", "0.00").await?;
    click(browser, "#editor-save").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//p[@id='editor-notice'][contains(., 'Course saved')]"))
        .await?;
    let made = app
        .graphql(
            "{ course(code: \"ZUM-100\") { title cec approved delivery } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(made.str("course.title")?, "Zumba for beginners");
    assert_eq!(made.str("course.cec")?, "0.5");
    assert_eq!(made.str("course.delivery")?, "ONLINE");

    // A member enrols; the provider's account records the completion from the roster.
    let member = app.new_member().await?;
    app.graphql_as(
        &member.token,
        "mutation { enrol(course: \"ZUM-100\") { status } }",
        json!({}),
    )
    .await?
    .ok()?;
    let provider = app.new_member().await?;
    app.graphql_as(
        &admin.token,
        "mutation($n: String!) { linkCourseProvider(memberNumber: $n, provider: \"studio-nord\") { role } }",
        json!({ "n": provider.member_number }),
    )
    .await?
    .ok()?;
    log_out(browser).await?;
    log_in(app, browser, &provider.email, &provider.password).await?;
    click(browser, "#provider-completions").await?;
    fill(browser, "#editor-code", "ZUM-100").await?;
    click(browser, "#editor-load").await?;
    click(browser, "#roster .complete").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//table[@id='roster']//td[contains(., 'credited')]"))
        .await?;
    let ledger = app
        .graphql_as(
            &member.token,
            "{ me { ledger { edges { node { cec title } } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(ledger.str("me.ledger.edges.0.node.title")?, "Zumba for beginners");
    assert_eq!(ledger.str("me.ledger.edges.0.node.cec")?, "0.5");
    Ok(())
}

#[tokio::test]
async fn a_member_buys_a_workshop_seat_on_the_payment_page_and_cancels_it_for_a_refund() -> Result<()> {
    let dist = workspace_root().join("dist");
    if !dist.join("index.html").is_file() {
        bail!("the web app is not built: run scripts/build-web.sh (the README's test command does)");
    }
    let (app, fake) = TestApp::spawn_with_stripe(move |s| s.web_dir = dist).await?;
    let driver = start_driver().await?;
    let browser = open_browser(&driver).await?;
    let outcome = buy_and_cancel(&app, &fake, &browser).await;
    let _ = browser.close().await;
    outcome
}

async fn buy_and_cancel(app: &TestApp, fake: &tests::fake_stripe::FakeStripe, browser: &Client) -> Result<()> {
    let staff = app.new_with_role(shared::Role::Staff).await?;
    let member = app.new_member().await?;
    for (query, variables) in [
        (
            "mutation { createCourseProvider(name: \"Lakeside Barbell\") { slug } }",
            json!({}),
        ),
        (
            "mutation { createCourse(code: \"OLY-210\", input: { providerSlug: \"lakeside-barbell\", title: \"Olympic lifting coaching\", delivery: IN_PERSON, hours: \"6\", approved: true, publicPrice: \"150.00\", memberPrice: \"120.00\" }) { code } }",
            json!({}),
        ),
        (
            "mutation($i: WorkshopInput!) { createWorkshop(code: \"OLY-210\", input: $i) { id } }",
            json!({ "i": { "startsAt": (api::clock::Clock::now(app.clock.as_ref()) + chrono::Duration::days(20)).to_rfc3339(),
                           "endsAt": (api::clock::Clock::now(app.clock.as_ref()) + chrono::Duration::days(20) + chrono::Duration::hours(6)).to_rfc3339(),
                           "location": "Lakeside Gym, Kingston", "capacity": 8 } }),
        ),
    ] {
        app.graphql_as(&staff.token, query, variables).await?.ok()?;
    }

    log_in(app, browser, &member.email, &member.password).await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#nav-cart"))
        .await?;
    browser.goto(&app.url("/courses/OLY-210")).await?;
    click(browser, ".enrol-workshop").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//p[@id='enrol-notice'][contains(., 'cart')]"))
        .await?;
    click(browser, "#go-to-cart").await?;
    let total = text_of(browser, "#order-total").await?;
    assert_eq!(total, "$120.00 CAD", "the member price");
    click(browser, "#pay").await?;

    // Stripe's page (the fake's): pay there, and come back to the order.
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#stripe-pay"))
        .await?;
    assert!(
        browser.current_url().await?.as_str().starts_with(&fake.base_url),
        "on the payment page"
    );
    click(browser, "#stripe-pay").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//strong[@id='order-status'][normalize-space()='Paid']"))
        .await?;
    let receipt = text_of(browser, "#order-receipt").await?;
    assert!(receipt.contains("$120.00 CAD"), "{receipt}");

    // Cancel within the window: refunded at once, the seat given back.
    click(browser, "#cancel-order").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//strong[@id='order-status'][normalize-space()='Refunded']",
        ))
        .await?;
    let session = fake.session_of_order(browser.current_url().await?.path().trim_start_matches("/orders/"))?;
    let intent = session.payment_intent.context("paid")?;
    assert_eq!(fake.refunded(&intent), 12000);
    let seats = app
        .graphql("{ course(code: \"OLY-210\") { workshops { seatsLeft } } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(seats.data("course.workshops.0.seatsLeft")?, 8);
    // The web app reported the pages it showed (P14), the cart and the order among them.
    let viewed = |path: &'static str| {
        app.count(match path {
            "/cart" => "SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'page_viewed' AND detail = '/cart'",
            _ => "SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'page_viewed' AND detail LIKE '/orders/%'",
        })
    };
    assert!(viewed("/cart").await? >= 1);
    assert!(viewed("/orders").await? >= 1, "the return from the payment page");
    Ok(())
}

#[tokio::test]
async fn staff_key_a_mail_in_order_refuse_a_card_number_record_a_cheque_and_refund_it() -> Result<()> {
    let (app, _driver, browser) = start().await?;
    let outcome = staff_terminal(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

async fn staff_terminal(app: &TestApp, browser: &Client) -> Result<()> {
    let staff = app.new_with_role(shared::Role::Staff).await?;
    for query in [
        "mutation { createCourseProvider(name: \"Harbour Pilates\") { slug } }",
        "mutation { createCourse(code: \"PIL-120\", input: { providerSlug: \"harbour-pilates\", title: \"Mat pilates for trainers\", delivery: ONLINE, hours: \"4\", approved: true, publicPrice: \"60.00\" }) { code } }",
    ] {
        app.graphql_as(&staff.token, query, json!({})).await?.ok()?;
    }
    log_in(app, browser, &staff.email, &staff.password).await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#nav-cart"))
        .await?;
    browser.goto(&app.url("/staff/orders")).await?;
    click(browser, "#open-terminal").await?;
    click(browser, "#terminal-mail-in").await?;
    fill(browser, "#terminal-name", "Noor Haddad").await?;
    fill(browser, "#terminal-email", "noor.haddad@example.net").await?;
    fill(browser, "#terminal-course", "PIL-120").await?;
    fill(browser, "#terminal-notes", "card 4111 1111 1111 1111 exp 09/29").await?;
    click(browser, "#terminal-submit").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//span[@id='terminal-notes-error'][contains(., 'card number')]",
        ))
        .await?;
    fill(browser, "#terminal-notes", "Prefers morning sessions").await?;
    click(browser, "#terminal-submit").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//strong[@id='order-status'][normalize-space()='Awaiting payment']",
        ))
        .await?;
    assert_eq!(
        text_of(browser, "#order-total").await?,
        "$60.00 CAD",
        "the public price"
    );
    assert!(text_of(browser, "#order-buyer").await?.contains("Noor Haddad"));
    fill(browser, "#cheque-reference", "Cheque 2207").await?;
    click(browser, "#record-cheque").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//strong[@id='order-status'][normalize-space()='Paid']"))
        .await?;
    click(browser, "#refund-order").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//strong[@id='order-status'][normalize-space()='Refunded']",
        ))
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_member_asks_for_erasure_and_subscribes_and_a_visitor_checks_a_signed_email() -> Result<()> {
    let (app, _driver, browser) = start().await?;
    let outcome = privacy_pages(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

async fn privacy_pages(app: &TestApp, browser: &Client) -> Result<()> {
    let staff = app.new_with_role(shared::Role::Staff).await?;
    app.graphql_as(
        &staff.token,
        "mutation { createMailingList(input: { slug: \"monthly\", name: \"Monthly news\", description: \"Once a month.\" }) { slug } }",
        json!({}),
    )
    .await?
    .ok()?;
    let member = app.new_member().await?;
    log_in(app, browser, &member.email, &member.password).await?;
    click(browser, "#my-privacy").await.context("privacy link")?;
    // The signup form uses the member's own address (P16): one click.
    click(browser, "#mailing-lists button.subscribe")
        .await
        .context("subscribe button")?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&format!(
            "//p[@id='privacy-notice'][contains(., '{}')]",
            member.email
        )))
        .await
        .context("privacy step 1")?;
    assert_eq!(
        app.mail_to(&member.email, entity::enums::MessageKind::SubscriptionConfirmation)
            .await?
            .len(),
        1
    );
    // Erasure needs the box ticked; then the request shows with its due date.
    click(browser, "#erasure-submit").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//*[contains(., 'Tick the box')]"))
        .await
        .context("privacy step 2")?;
    click(browser, "#erasure-sure").await?;
    click(browser, "#erasure-submit").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//ul[@id='privacy-requests']/li[contains(., 'open, answered by')]",
        ))
        .await
        .context("privacy step 3")?;

    // Staff see it in their queue, with its deadline, and erase.
    log_out(browser).await?;
    log_in(app, browser, &staff.email, &staff.password).await?;
    click(browser, "#staff-privacy").await.context("staff privacy link")?;
    let queued = text_of(browser, "#request-queue li").await?;
    assert!(
        queued.contains(&member.member_number) && queued.contains("due"),
        "{queued}"
    );
    click(browser, "#request-queue li button.complete").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//ul[@id='request-queue'][not(li)]"))
        .await
        .context("privacy step 4")?;
    assert!(
        app.login(&member.email, &member.password).await?.code().is_some(),
        "erased: no login"
    );

    visitor_pages(app, browser).await
}

/// A visitor checks a signed e-mail and signs up for a newsletter.
async fn visitor_pages(app: &TestApp, browser: &Client) -> Result<()> {
    // A visitor pastes a message we signed: valid; with one character changed: tampered.
    let mail = api::services::mail_signature::SignedMail {
        from: "CPTN Network <no-reply@localhost>".to_owned(),
        to: "visitor@example.org".to_owned(),
        date: chrono::Utc::now().with_nanosecond(0).unwrap_or_else(chrono::Utc::now),
        subject: "Your receipt".to_owned(),
        body: "Thank you for your order.".to_owned(),
    };
    let signed = api::services::mail_signature::signed_body(&app.state.keys, "http://localhost", &mail)?
        .context("a mail key")?;
    log_out(browser).await?;
    browser.goto(&app.url("/verify-email")).await?;
    fill(browser, "#signed-text", &signed).await?;
    click(browser, "#verify-submit").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//p[@id='signature-verdict'][starts-with(., 'Valid')]"))
        .await
        .context("privacy step 5")?;
    assert!(text_of(browser, "#signed-message").await?.contains("Your receipt"));
    fill(browser, "#signed-text", &signed.replacen("Thank", "Thunk", 1)).await?;
    click(browser, "#verify-submit").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//p[@id='signature-verdict'][starts-with(., 'Tampered')]",
        ))
        .await
        .context("privacy step 6")?;

    // A visitor signs up for the newsletter from the public page.
    browser.goto(&app.url("/newsletters")).await?;
    fill(browser, "#signup-email", "reader@example.org").await?;
    click(browser, "#signup-lists button.subscribe").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//p[@id='signup-notice'][contains(., 'reader@example.org')]",
        ))
        .await
        .context("privacy step 7")?;
    assert_eq!(
        app.mail_to(
            "reader@example.org",
            entity::enums::MessageKind::SubscriptionConfirmation
        )
        .await?
        .len(),
        1
    );
    Ok(())
}

#[tokio::test]
async fn graphiql_runs_from_this_server_alone_under_its_policy() -> Result<()> {
    let (app, _driver, browser) = start().await?;
    let outcome = graphiql(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

async fn graphiql(app: &TestApp, browser: &Client) -> Result<()> {
    let page = app.send(app.client.get(app.url("/graphiql"))).await?;
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(!csp.contains("http"), "no other origin in GraphiQL's policy: {csp}");
    browser.goto(&app.url("/graphiql")).await?;
    // GraphiQL renders, and loads the schema by introspection (its documentation button
    // becomes usable once it has one).
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(".graphiql-container"))
        .await
        .context("GraphiQL did not render under its policy")?;
    let mut schema_loaded = false;
    for _ in 0..100 {
        let loaded = browser
            .execute(
                "return performance.getEntriesByType('resource').some(e => e.name.endsWith('/graphql'))",
                vec![],
            )
            .await?;
        if loaded == json!(true) {
            schema_loaded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(schema_loaded, "GraphiQL asked /graphql for the schema");
    let origins = browser
        .execute(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).origin)",
            vec![],
        )
        .await?;
    let ours = app.url("");
    let ours = ours.trim_end_matches('/');
    for origin in origins.as_array().into_iter().flatten() {
        assert_eq!(origin.as_str(), Some(ours), "every file from this server");
    }
    Ok(())
}

#[tokio::test]
async fn a_visitor_reports_a_vulnerability_and_staff_accept_and_reward_it() -> Result<()> {
    let (app, _driver, browser) = start().await?;
    let outcome = vulnerability_report(&app, &browser).await;
    let _ = browser.close().await;
    outcome
}

async fn vulnerability_report(app: &TestApp, browser: &Client) -> Result<()> {
    // A visitor writes about an injection: the text is stored as written, not refused.
    browser.goto(&app.url("/security/report")).await?;
    click(browser, "#report-submit").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//span[@id='report-email-error'][normalize-space()!='']",
        ))
        .await
        .context("the missing address is named beside its field")?;
    fill(browser, "#report-email", "finder@example.org").await?;
    fill(
        browser,
        "#report-description",
        "Typing ' OR '1'='1 -- in the search shows <b>every</b> trainer",
    )
    .await?;
    fill(browser, "#report-steps", "1. Open /trainers\n2. Search").await?;
    click(browser, "#report-submit").await?;
    let received = text_of(browser, "#report-received")
        .await
        .context("the form says the report was received")?;
    assert!(
        received.contains("received") && received.contains("finder@example.org"),
        "{received}"
    );
    let acknowledged = app
        .mail_to("finder@example.org", entity::enums::MessageKind::VulnerabilityReport)
        .await?;
    assert_eq!(acknowledged.len(), 1);

    // Staff read it as plain text, accept it, and reward it once they confirm good faith.
    let staff = app.new_with_role(shared::Role::Staff).await?;
    log_in(app, browser, &staff.email, &staff.password).await?;
    click(browser, "#staff-security").await?;
    let description = text_of(browser, "#report-1-item .report-description")
        .await
        .context("the staff list shows the report")?;
    assert!(
        description.contains("<b>every</b>"),
        "shown as text, not HTML: {description}"
    );
    fill(browser, "#report-1-note", "Fixed in the next release, thank you.").await?;
    click(browser, "#report-1-item button.accept").await?;
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//li[@id='report-1-item']//dd[contains(@class,'report-status')][normalize-space()='Accepted']",
        ))
        .await?;
    let reward = browser.find(Locator::Css("#report-1-item button.reward")).await?;
    assert!(!reward.is_enabled().await?, "the reward waits for the confirmation");
    click(browser, "#report-1-confirm").await?;
    click(browser, "#report-1-item button.reward").await?;
    let coupon = browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#report-1-item .report-coupon code"))
        .await?
        .text()
        .await?;
    assert!(coupon.starts_with("THANKS-"), "{coupon}");
    let mails = app
        .mail_to("finder@example.org", entity::enums::MessageKind::VulnerabilityReport)
        .await?;
    assert!(
        mails.last().is_some_and(|m| m.body.contains(&coupon)),
        "the code is e-mailed"
    );
    Ok(())
}
