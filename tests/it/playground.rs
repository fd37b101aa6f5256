//! The playground in a real browser: Debian's chromium driven through
//! chromedriver (WebDriver), and axe-core injected to check accessibility.
//!
//! Without chromedriver or axe-core the test says loudly that it did not
//! run and passes; with `PLAYGROUND_BROWSER_TESTS=required` (CI sets it)
//! it fails instead. `.ci/run` installs both. With
//! `PLAYGROUND_SCREENSHOTS=DIR` it also saves the README's screenshots.

use chrono::{DateTime, TimeZone, Utc};
use fantoccini::{Client, ClientBuilder, Locator};
use paas_incident_bot::playground::{self, Options};
use paas_incident_bot::policy::Policy;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);
/// Who declares (the built-in policy's admin) and the in-hours engineer
/// in the week of the test.
const DECLARER: &str = "U0PAASDM1";
const ENGINEER: &str = "U0PAASEN4";

/// Tuesday 24 November 2026, 15:50 in London (GMT).
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 15, 50, 0).unwrap()
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// axe-core's `axe.min.js`: `AXE_CORE_JS`, or where `.ci/run` unpacks it.
fn axe_path() -> PathBuf {
    std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/axe-core/package/axe.min.js")
        })
}

/// chromedriver, chromium and axe-core, or why the test cannot run.
fn tools() -> Result<(PathBuf, PathBuf, String), String> {
    let driver = on_path("chromedriver").ok_or("chromedriver is not on PATH")?;
    let browser = on_path("chromium").ok_or("chromium is not on PATH")?;
    let axe = std::fs::read_to_string(axe_path())
        .map_err(|e| format!("axe-core is not at {}: {e}", axe_path().display()))?;
    Ok((driver, browser, axe))
}

struct Driver {
    _process: tokio::process::Child,
    url: String,
    _profile: tempfile::TempDir,
}

async fn start_driver(driver: &PathBuf) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let process = tokio::process::Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver starts");
    let give_up = Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < give_up, "chromedriver never listened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Driver {
        _process: process,
        url: format!("http://127.0.0.1:{port}"),
        _profile: tempfile::tempdir().unwrap(),
    }
}

async fn browser(driver: &Driver, chromium: &PathBuf) -> Client {
    let profile = driver._profile.path().display().to_string();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1400",
                format!("--user-data-dir={profile}")],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

struct Page {
    client: Client,
    base: String,
    axe: String,
    shots: Option<PathBuf>,
}

impl Page {
    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Waits until the page's text contains `needle`, reloading the
    /// page between looks (the clock and the bot move on their own).
    async fn until_says(&self, needle: &str) -> String {
        let give_up = Instant::now() + WAIT;
        loop {
            let text = self.text().await;
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < give_up,
                "the page never said {needle:?}:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
            self.client.refresh().await.unwrap();
        }
    }

    /// Runs `act`, then waits until a new page has loaded (forms post and
    /// are sent back to a page).
    async fn and_load(&self, act: impl std::future::Future<Output = ()>) {
        self.client
            .execute("window.__before = true;", vec![])
            .await
            .unwrap();
        act.await;
        let give_up = Instant::now() + WAIT;
        loop {
            let fresh = self
                .client
                .execute(
                    "return window.__before !== true && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .map(|v| v == Value::Bool(true))
                .unwrap_or(false);
            if fresh {
                return;
            }
            assert!(Instant::now() < give_up, "no new page loaded");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the button named `name` (the first, or the one in `scope`).
    async fn press(&self, name: &str) {
        let xpath = format!("//button[normalize-space()='{name}']");
        let button = self.client.find(Locator::XPath(&xpath)).await.unwrap();
        self.and_load(async { button.click().await.unwrap() }).await;
    }

    /// The control labelled `label`.
    async fn control(&self, label: &str) -> fantoccini::elements::Element {
        let xpath = format!("//label[normalize-space()='{label}']");
        let label_el = self
            .client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no control labelled {label:?}: {e}"));
        let id = label_el.attr("for").await.unwrap().expect("label has for");
        self.client.find(Locator::Id(&id)).await.unwrap()
    }

    async fn fill(&self, label: &str, text: &str) {
        let input = self.control(label).await;
        input.clear().await.unwrap();
        input.send_keys(text).await.unwrap();
    }

    /// Types into the message box and sends it.
    async fn send(&self, text: &str) {
        self.fill("Message", text).await;
        self.press("Send").await;
    }

    /// Acts as `person` from now on: the picker saves at once, and the
    /// page redraws what depends on who you are without a reload.
    async fn act_as(&self, person: &str) {
        let picker = self.control("Acting as").await;
        picker.select_by_value(person).await.unwrap();
        self.until_redrawn(&format!("App Home (as {person})")).await;
        let chosen = self.control("Acting as").await.prop("value").await.unwrap();
        assert_eq!(chosen.as_deref(), Some(person));
    }

    /// Waits, without reloading, until the page's own updates show `needle`.
    async fn until_redrawn(&self, needle: &str) {
        let give_up = Instant::now() + WAIT;
        while !self.text().await.contains(needle) {
            assert!(
                Instant::now() < give_up,
                "the page never redrew to say {needle:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens the thread under the incident card.
    async fn open_thread(&self) {
        let link = self
            .client
            .find(Locator::XPath("//p[@class='thread-link']/a"))
            .await
            .unwrap();
        self.and_load(async { link.click().await.unwrap() }).await;
    }

    /// Runs axe-core on the page as it is and fails on any serious or
    /// critical violation.
    async fn assert_accessible(&self, what: &str) {
        self.client.execute(&self.axe, vec![]).await.unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {resultTypes: ['violations']})
                    .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
                        help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))))
                    .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));",
                vec![],
            )
            .await
            .unwrap();
        let bad: Vec<&Value> = result
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(bad.is_empty(), "{what}: accessibility violations: {bad:#?}");
    }

    /// Saves the window, `height` pixels tall, when screenshots were asked for.
    async fn screenshot(&self, name: &str, height: u32) {
        if let Some(dir) = &self.shots {
            self.client.set_window_size(1280, height).await.unwrap();
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(dir.join(name), png).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_plays_an_incident_through_in_the_browser() {
    let required = std::env::var("PLAYGROUND_BROWSER_TESTS").as_deref() == Ok("required");
    let (driver_path, chromium, axe) = match tools() {
        Ok(t) => t,
        Err(why) if required => panic!("PLAYGROUND_BROWSER_TESTS=required but {why}"),
        Err(why) => {
            // Straight to stderr, past the test harness's capture, so the
            // skip shows in a plain `cargo test`.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED: the playground's browser test did not run: {why}.\n\
                 *** Install chromium and chromium-driver and fetch axe-core as .ci/run does.\n"
            );
            return;
        }
    };
    let running = playground::start(Options {
        policy: Policy::builtin(),
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: None,
        start: start(),
    })
    .await
    .unwrap();
    let driver = start_driver(&driver_path).await;
    let client = browser(&driver, &chromium).await;
    let page = Page {
        client,
        base: format!("http://{}", running.addr),
        axe,
        shots: std::env::var_os("PLAYGROUND_SCREENSHOTS").map(PathBuf::from),
    };
    // A failure panics here; chromedriver and the browser go with the
    // test's process (the driver is killed on drop).
    play(&page).await;
    let _ = page.client.clone().close().await;
    running.stop().await.unwrap();
}

async fn play(page: &Page) {
    page.goto("/").await;
    assert_eq!(
        page.control("Acting as")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(DECLARER)
    );
    page.assert_accessible("the empty workspace").await;

    // Declare through the modal; a missing priority is shown on its field.
    page.send("/incident declare Router down").await;
    page.until_says("Declare an incident").await;
    page.press("Declare").await;
    page.until_says("Error: Choose a priority.").await;
    let priority = page.control("Priority").await;
    assert_eq!(
        priority.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    priority.select_by_value("P1").await.unwrap();
    page.fill(
        "What is happening? (optional)",
        "Tenant apps return 502 <b>everywhere</b>",
    )
    .await;
    page.assert_accessible("the declare modal with an error")
        .await;
    page.screenshot("playground-modal.png", 1100).await;
    page.press("Declare").await;
    let text = page.until_says("INC-1: Router down").await;
    assert!(!text.contains("Declare an incident"), "the modal closed");
    // What a person typed is shown as typed, never as markup.
    assert!(text.contains("502 <b>everywhere</b>"), "{text}");
    page.assert_accessible("the incident channel with a card")
        .await;

    // The engineer on call acknowledges on the card.
    page.act_as(ENGINEER).await;
    page.press("Acknowledge").await;
    page.open_thread().await;
    page.until_says("acknowledged").await;

    // An update, then the clock past the next update's deadline.
    page.send("/incident update INC-1 Routers restarted; error rate falling")
        .await;
    page.until_says("Routers restarted").await;

    // A reply in the thread, pinned into the timeline with 📌.
    page.fill("Reply in thread", "Rebooting rtr-1").await;
    page.press("Reply").await;
    page.until_says("Rebooting rtr-1").await;
    let pin = page
        .client
        .find(Locator::XPath(
            "//article[.//p[contains(., 'Rebooting rtr-1')]]//button[normalize-space()='Add 📌']",
        ))
        .await
        .unwrap();
    page.and_load(async { pin.click().await.unwrap() }).await;
    page.until_says(&format!("📌 {ENGINEER}")).await;

    let mut moves = 0;
    while !page.text().await.contains("due now") {
        moves += 1;
        assert!(
            moves <= 12,
            "no reminder after two hours:\n{}",
            page.text().await
        );
        page.press("+10 min").await;
    }
    page.screenshot("playground-channel.png", 2300).await;

    // Resolve on the card, and read the report.
    page.press("Resolve").await;
    page.until_says("Resolved").await;
    page.send("/incident report INC-1").await;
    let report = page.until_says("Incident report").await;
    assert!(
        report.contains("Rebooting rtr-1"),
        "the pinned reply is in the report"
    );

    // App Home, as the engineer.
    page.press(&format!("App Home (as {ENGINEER})")).await;
    page.until_says("Your next shifts").await;
    page.assert_accessible("App Home").await;

    // The rota calendar, with an override marked.
    page.send("/oncall cover in-hours @U0PAASEN2 tomorrow 09:00 to tomorrow 12:00")
        .await;
    page.goto("/rotas").await;
    let text = page.until_says("U0PAASEN2 (override)").await;
    for rota in ["in-hours", "out-of-hours", "comms", "escalation"] {
        assert!(text.contains(rota), "the calendar shows {rota}");
    }
    page.assert_accessible("the rota calendar").await;
    page.screenshot("playground-rotas.png", 1300).await;
}

/// One HTTP/1.1 request to the page; returns the status and the body.
async fn http(addr: std::net::SocketAddr, verb: &str, path: &str, form: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{verb} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn form(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}

/// The same page without a browser (so it runs everywhere): a declare
/// through the modal, its error on the field, what was typed escaped, the
/// clock moved, and the calendar drawn.
#[tokio::test]
async fn the_page_takes_a_declaration_through_its_modal() {
    let running = playground::start(Options {
        policy: Policy::builtin(),
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: None,
        start: start(),
    })
    .await
    .unwrap();
    let addr = running.addr;
    let incident = "C0PAASINC";
    let (status, _) = http(
        addr,
        "POST",
        "/say",
        &form(&[
            ("as", DECLARER),
            ("message", "/incident declare Router down"),
            ("channel", incident),
            ("back", "/"),
        ]),
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = http(addr, "GET", "/", "").await;
    assert!(
        page.contains("<label for=\"f-priority-priority\">Priority</label>"),
        "{page}"
    );
    let view_id = page
        .split("name=\"view_id\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the modal's view id")
        .to_owned();

    let submit = |priority: &'static str| {
        form(&[
            ("view_id", view_id.as_str()),
            ("title.title", "Router down"),
            (
                "description.description",
                "<script>alert(1)</script> & more",
            ),
            ("priority.priority", priority),
            ("back", "/"),
        ])
    };
    http(addr, "POST", "/modal/submit", &submit("")).await;
    let (_, page) = http(addr, "GET", "/", "").await;
    assert!(page.contains("Error: Choose a priority."), "{page}");
    assert!(page.contains("aria-invalid=\"true\""));

    http(addr, "POST", "/modal/submit", &submit("P2")).await;
    let (_, page) = http(addr, "GET", "/", "").await;
    assert!(page.contains("INC-1: Router down"), "{page}");
    assert!(!page.contains("modal-title"), "the modal closed");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"),
        "{page}"
    );
    assert!(!page.contains("<script>alert(1)"));

    http(
        addr,
        "POST",
        "/clock",
        &form(&[("move", "10min"), ("back", "/")]),
    )
    .await;
    let (_, page) = http(addr, "GET", "/", "").await;
    assert!(page.contains(">Tue 24 Nov 2026 16:00 GMT</time>"), "{page}");
    let (status, _) = http(addr, "POST", "/clock", &form(&[("move", "later")])).await;
    assert_eq!(status, 400);

    let (status, calendar) = http(addr, "GET", "/rotas", "").await;
    assert_eq!(status, 200);
    for rota in ["in-hours", "out-of-hours", "comms", "escalation"] {
        assert!(
            calendar.contains(&format!("<caption>{rota}</caption>")),
            "{calendar}"
        );
    }
    running.stop().await.unwrap();
}
