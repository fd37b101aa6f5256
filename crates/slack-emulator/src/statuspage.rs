//! An in-process Atlassian Statuspage, beside the Slack one: the incident
//! endpoints the bot uses (`POST /v1/pages/{page}/incidents`, `PATCH
//! …/incidents/{id}`, `GET …/incidents/unresolved`), OAuth-scheme auth
//! (`Authorization: OAuth KEY`), the one-request-per-second-per-key limit
//! (HTTP 429 with `Retry-After`), the page's components, and scripted
//! faults: an error status before anything is done, or a response lost
//! (connection dropped, or never answered) after the change is committed.
//!
//! Served with bare hyper rather than axum so a fault can drop the
//! connection without answering, as a crash or a cut network does.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// What the next matching request meets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusPageFault {
    /// Answered with this status and `{"error": message}`, changing
    /// nothing; a 420/429 carries `Retry-After: retry_after_secs`.
    Status {
        status: u16,
        message: String,
        retry_after_secs: Option<u64>,
    },
    /// The change is committed, then the connection is closed unanswered.
    DropAfterCommit,
    /// The change is committed and the request is never answered (the
    /// caller is killed while it waits).
    HoldAfterCommit,
}

/// One request as the emulator saw it.
#[derive(Debug, Clone)]
pub struct StatusPageRequest {
    pub method: String,
    pub path: String,
    /// The status answered (0 when the connection was dropped or held).
    pub status: u16,
    pub body: Value,
    pub at: DateTime<Utc>,
}

type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

#[derive(Default)]
struct State {
    /// Newest last.
    incidents: Vec<Value>,
    /// Component id → (name, status).
    components: BTreeMap<String, (String, String)>,
    requests: Vec<StatusPageRequest>,
    faults: VecDeque<(String, StatusPageFault)>,
    /// When the last request that passed the rate limit arrived.
    last_accepted: Option<DateTime<Utc>>,
    next_id: u64,
}

struct Inner {
    port: u16,
    page_id: String,
    key: String,
    state: Mutex<State>,
    changed: watch::Sender<u64>,
    now: Mutex<Now>,
    stopped: CancellationToken,
}

impl Inner {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let out = f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()));
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
        out
    }

    fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.state.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn now(&self) -> DateTime<Utc> {
        (self.now.lock().unwrap_or_else(|e| e.into_inner()))()
    }
}

/// A running emulated status page; clones share it, and it stops when the
/// last handle is dropped.
#[derive(Clone)]
pub struct StatusPage {
    inner: Arc<Inner>,
    _stop: Arc<super::StopOnDrop>,
}

/// The rate limit: one request per this long, per key.
const PER_REQUEST: chrono::Duration = chrono::Duration::seconds(1);

impl StatusPage {
    /// Serves page `page_id`, accepting `key`, with `components` as
    /// (id, name), all operational, on a free loopback port.
    pub async fn start(
        page_id: &str,
        key: &str,
        components: &[(&str, &str)],
    ) -> anyhow::Result<StatusPage> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let stopped = CancellationToken::new();
        let state = State {
            components: components
                .iter()
                .map(|(id, name)| (id.to_string(), (name.to_string(), "operational".to_owned())))
                .collect(),
            next_id: 1,
            ..State::default()
        };
        let inner = Arc::new(Inner {
            port: listener.local_addr()?.port(),
            page_id: page_id.to_owned(),
            key: key.to_owned(),
            state: Mutex::new(state),
            changed: watch::channel(0).0,
            now: Mutex::new(Arc::new(Utc::now)),
            stopped: stopped.clone(),
        });
        let server = inner.clone();
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = server.stopped.cancelled() => return,
                    accepted = listener.accept() => accepted,
                };
                let Ok((tcp, _)) = accepted else { continue };
                let _ = tcp.set_nodelay(true);
                let conn = server.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let inner = conn.clone();
                        async move { handle(&inner, req).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), service)
                        .await;
                });
            }
        });
        Ok(StatusPage {
            inner,
            _stop: Arc::new(super::StopOnDrop(stopped)),
        })
    }

    /// The API base, as `[statuspage] api_url` takes it.
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.inner.port)
    }

    pub fn page_id(&self) -> String {
        self.inner.page_id.clone()
    }

    /// Reads time from `now` (a test's manual clock) for the rate limit
    /// and timestamps.
    pub fn use_clock(&self, now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) {
        *self.inner.now.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(now);
    }

    /// The next request of `method` (`"POST"`, `"PATCH"`, `"GET"`) meets `fault`.
    pub fn inject(&self, method: &str, fault: StatusPageFault) {
        self.inner
            .with(|s| s.faults.push_back((method.to_owned(), fault)));
    }

    /// Every incident, oldest first, as the API shows it.
    pub fn incidents(&self) -> Vec<Value> {
        self.inner.read(|s| s.incidents.clone())
    }

    /// A component's status now.
    pub fn component_status(&self, id: &str) -> Option<String> {
        self.inner
            .read(|s| s.components.get(id).map(|(_, status)| status.clone()))
    }

    /// Every request, oldest first.
    pub fn requests(&self) -> Vec<StatusPageRequest> {
        self.inner.read(|s| s.requests.clone())
    }

    /// Sets a component's status, as a person on the Statuspage site would.
    pub fn set_component(&self, id: &str, status: &str) {
        self.inner.with(|s| {
            if let Some(c) = s.components.get_mut(id) {
                c.1 = status.to_owned();
            }
        });
    }

    /// Waits until `check` holds or `timeout` passes.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&StatusPage) -> bool,
    ) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.inner.changed.subscribe();
        loop {
            if check(self) {
                return Ok(());
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                _ => anyhow::bail!("status page condition not met within {timeout:?}"),
            }
        }
    }
}

type Answer = Result<Response<Full<Bytes>>, std::io::Error>;

fn answer(status: u16, body: Value, retry_after: Option<u64>) -> Answer {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json");
    if let Some(secs) = retry_after {
        builder = builder.header("retry-after", secs.to_string());
    }
    Ok(builder
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a valid response"))
}

async fn handle(inner: &Arc<Inner>, req: Request<Incoming>) -> Answer {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let authorized = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("OAuth {}", inner.key));
    let raw = req.into_body().collect().await.map(|b| b.to_bytes());
    let body: Value = raw
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let now = inner.now();
    let record = |status: u16| StatusPageRequest {
        method: method.to_string(),
        path: path.clone(),
        status,
        body: body.clone(),
        at: now,
    };
    if !authorized {
        inner.with(|s| s.requests.push(record(401)));
        return answer(401, json!({"error": "Could not authenticate"}), None);
    }
    let limited = inner.with(|s| {
        let limited = s.last_accepted.is_some_and(|t| now < t + PER_REQUEST);
        if limited {
            s.requests.push(record(429));
        } else {
            s.last_accepted = Some(now);
        }
        limited
    });
    if limited {
        return answer(429, json!({"error": "Rate limit exceeded"}), Some(1));
    }
    let fault = inner.with(|s| {
        let i = s.faults.iter().position(|(m, _)| *m == method.as_str())?;
        s.faults.remove(i).map(|(_, f)| f)
    });
    if let Some(StatusPageFault::Status {
        status,
        message,
        retry_after_secs,
    }) = &fault
    {
        inner.with(|s| s.requests.push(record(*status)));
        return answer(*status, json!({"error": message}), *retry_after_secs);
    }
    let (status, out) = inner.with(|s| {
        let (status, out) = route(s, &inner.page_id, &method, &path, &body, now);
        let shown = if fault.is_some() { 0 } else { status };
        s.requests.push(record(shown));
        (status, out)
    });
    match fault {
        Some(StatusPageFault::DropAfterCommit) => {
            Err(std::io::Error::other("connection dropped after commit"))
        }
        Some(StatusPageFault::HoldAfterCommit) => {
            inner.stopped.cancelled().await;
            Err(std::io::Error::other("stopped"))
        }
        _ => answer(status, out, None),
    }
}

/// The endpoints; `(status, body)`.
fn route(
    s: &mut State,
    page_id: &str,
    method: &Method,
    path: &str,
    body: &Value,
    now: DateTime<Utc>,
) -> (u16, Value) {
    let prefix = format!("/v1/pages/{page_id}/incidents");
    let Some(rest) = path.strip_prefix(&prefix) else {
        return (404, json!({"error": "Not found"}));
    };
    match (method, rest.trim_start_matches('/')) {
        (&Method::GET, "unresolved") => {
            let open: Vec<Value> = s
                .incidents
                .iter()
                .rev()
                .filter(|i| i["status"] != "resolved")
                .cloned()
                .collect();
            (200, Value::Array(open))
        }
        (&Method::POST, "") => create(s, page_id, &body["incident"], now),
        (&Method::PATCH, id) if !id.is_empty() => update(s, id, &body["incident"], now),
        _ => (404, json!({"error": "Not found"})),
    }
}

const STATUSES: [&str; 4] = ["investigating", "identified", "monitoring", "resolved"];

/// Checks what create and update share: the status, the components.
fn invalid(s: &State, fields: &Value) -> Option<String> {
    if let Some(status) = fields.get("status") {
        if !status.as_str().is_some_and(|st| STATUSES.contains(&st)) {
            return Some(format!("Status {status} is not a valid incident status"));
        }
    }
    if let Some(map) = fields.get("components").and_then(Value::as_object) {
        for (id, status) in map {
            if !s.components.contains_key(id) {
                return Some(format!("Component {id} was not found"));
            }
            let ok = [
                "operational",
                "degraded_performance",
                "partial_outage",
                "major_outage",
                "under_maintenance",
            ];
            if !status.as_str().is_some_and(|st| ok.contains(&st)) {
                return Some(format!("Component status {status} is invalid"));
            }
        }
    }
    None
}

fn create(s: &mut State, page_id: &str, fields: &Value, now: DateTime<Utc>) -> (u16, Value) {
    let name = fields["name"].as_str().unwrap_or("").trim();
    if name.is_empty() {
        return (422, json!({"error": "Name can't be blank"}));
    }
    if let Some(why) = invalid(s, fields) {
        return (422, json!({"error": why}));
    }
    let id = format!("inc{:05}", s.next_id);
    s.next_id += 1;
    let incident = json!({
        "id": id,
        "page_id": page_id,
        "name": name,
        "status": fields["status"].as_str().unwrap_or("investigating"),
        "impact": fields["impact_override"].as_str().unwrap_or("none"),
        "shortlink": format!("https://stspg.io/{id}"),
        "created_at": now.to_rfc3339(),
        "updated_at": now.to_rfc3339(),
        "resolved_at": null,
        "metadata": fields.get("metadata").cloned().unwrap_or(json!({})),
        "components": [],
        "incident_updates": [],
    });
    s.incidents.push(incident);
    let at = s.incidents.len() - 1;
    apply(s, at, fields, now);
    (201, s.incidents[at].clone())
}

fn update(s: &mut State, id: &str, fields: &Value, now: DateTime<Utc>) -> (u16, Value) {
    let Some(at) = s.incidents.iter().position(|i| i["id"] == id) else {
        return (404, json!({"error": "Incident not found"}));
    };
    if let Some(why) = invalid(s, fields) {
        return (422, json!({"error": why}));
    }
    for key in ["name", "status", "metadata"] {
        if let Some(v) = fields.get(key) {
            s.incidents[at][key] = v.clone();
        }
    }
    if let Some(v) = fields.get("impact_override") {
        s.incidents[at]["impact"] = v.clone();
    }
    apply(s, at, fields, now);
    (200, s.incidents[at].clone())
}

/// Components, the update entry and timestamps, for create and update.
fn apply(s: &mut State, at: usize, fields: &Value, now: DateTime<Utc>) {
    let mut touched: Vec<String> = fields["component_ids"]
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let statuses: Map<String, Value> = fields["components"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (id, status) in &statuses {
        if let Some(c) = s.components.get_mut(id) {
            c.1 = status.as_str().unwrap_or("operational").to_owned();
        }
        if !touched.contains(id) {
            touched.push(id.clone());
        }
    }
    let mut listed: Vec<String> = s.incidents[at]["components"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|c| c["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for id in &touched {
        if !listed.contains(id) {
            listed.push(id.clone());
        }
    }
    let shown: Vec<Value> = listed
        .iter()
        .filter_map(|id| {
            let (name, status) = s.components.get(id)?;
            Some(json!({"id": id, "name": name, "status": status}))
        })
        .collect();
    let incident = &mut s.incidents[at];
    incident["components"] = Value::Array(shown);
    incident["updated_at"] = json!(now.to_rfc3339());
    if incident["status"] == "resolved" && incident["resolved_at"].is_null() {
        incident["resolved_at"] = json!(now.to_rfc3339());
    }
    let entry = json!({
        "id": format!("upd{}", now.timestamp_nanos_opt().unwrap_or_default()),
        "status": incident["status"],
        "body": fields["body"].as_str().unwrap_or(""),
        "created_at": now.to_rfc3339(),
        "deliver_notifications": fields["deliver_notifications"].as_bool().unwrap_or(true),
        "affected_components": touched,
    });
    if let Some(updates) = incident["incident_updates"].as_array_mut() {
        updates.insert(0, entry);
    }
}
