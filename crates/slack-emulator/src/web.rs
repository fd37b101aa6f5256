//! HTTP plumbing for the Web API: parse query/form/JSON parameters, check
//! the token, apply scripted faults, run the method, record the call and
//! answer the way Slack does (HTTP 200 even for errors, 429 when limited).

use super::faults::Fault;
use super::state::Call;
use super::{files, methods, Inner};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::Instant;

/// A method's refusal: `{"ok":false,"error":code, ..extra}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub code: String,
    pub extra: Value,
}

pub(crate) fn err(code: &str) -> ApiError {
    ApiError {
        code: code.to_owned(),
        extra: Value::Null,
    }
}

pub(crate) type Reply = Result<Value, ApiError>;

/// A call whose method ran but whose response was lost (recorded as ok).
const LOST: &str = "response_lost";

/// Fields Slack accepts as JSON-encoded strings in form bodies.
const JSON_FIELDS: &[&str] = &["blocks", "attachments", "view", "files"];

/// Every path that is not the websocket: `/api/<method>`, response URLs and
/// file upload URLs.
pub(crate) async fn route(
    State(inner): State<Arc<Inner>>,
    verb: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    let params = parse_params(uri.query(), &headers, &body);
    if let Some(method) = path.strip_prefix("/api/") {
        // slack-morphism joins base and method with '/', so a base URL with
        // a trailing slash gives "/api//method".
        let method = method.trim_start_matches('/').to_owned();
        return api(&inner, &method, &headers, params);
    }
    if let Some(key) = path.strip_prefix("/response_url/") {
        return response_url(&inner, key, params);
    }
    if let Some(file_id) = path.strip_prefix("/upload/") {
        if verb == Method::POST {
            let ok = inner.with(|s| files::store_upload(s, file_id, &body));
            let status = if ok {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            return (status, format!("OK - {}", body.len())).into_response();
        }
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}

fn api(
    inner: &Inner,
    method: &str,
    headers: &HeaderMap,
    params: Result<Value, String>,
) -> Response {
    let started = Instant::now();
    let (reply, record_params) = match params {
        Err(why) => (
            Err(ApiError {
                code: "invalid_arguments".to_owned(),
                extra: json!({"response_metadata": {"messages": [format!("[ERROR] {why}")]}}),
            }),
            Value::Object(Map::new()),
        ),
        Ok(params) => {
            let reply = inner.with(|s| {
                authorise(inner, method, headers, &params)?;
                match s.faults.take(method) {
                    Some(Fault::RateLimited { retry_after_secs }) => Err(ApiError {
                        code: "ratelimited".to_owned(),
                        extra: json!({"retry_after": retry_after_secs}),
                    }),
                    Some(Fault::Error(code)) => Err(err(&code)),
                    Some(Fault::LoseResponse) => {
                        let done = methods::call(s, inner.port, method, &params);
                        Err(err(if done.is_ok() { LOST } else { "lost_failure" }))
                    }
                    None => methods::call(s, inner.port, method, &params),
                }
            });
            (reply, params)
        }
    };
    inner.with(|s| {
        s.calls.push(Call {
            method: method.to_owned(),
            params: record_params,
            at: started,
            ok: reply.is_ok() || reply.as_ref().is_err_and(|e| e.code == LOST),
            error: reply.as_ref().err().map(|e| e.code.clone()),
        })
    });
    respond(reply)
}

fn respond(reply: Reply) -> Response {
    match reply {
        Ok(mut body) => {
            body["ok"] = json!(true);
            Json(body).into_response()
        }
        Err(e) if e.code == LOST || e.code == "lost_failure" => {
            (StatusCode::BAD_GATEWAY, "").into_response()
        }
        Err(e) if e.code == "ratelimited" => {
            let secs = e.extra["retry_after"].as_u64().unwrap_or(1);
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, secs.to_string())],
                Json(json!({"ok": false, "error": "ratelimited"})),
            )
                .into_response()
        }
        Err(e) => {
            let mut body = json!({"ok": false, "error": e.code});
            if let Value::Object(extra) = e.extra {
                for (k, v) in extra {
                    body[k] = v;
                }
            }
            Json(body).into_response()
        }
    }
}

/// App token for apps.connections.open only, bot token for the rest.
fn authorise(
    inner: &Inner,
    method: &str,
    headers: &HeaderMap,
    params: &Value,
) -> Result<(), ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let token = bearer.or_else(|| params.get("token").and_then(Value::as_str));
    let is_app = token == Some(inner.app_token.as_str());
    let is_bot = token == Some(inner.bot_token.as_str());
    match (method, is_app, is_bot) {
        (_, false, false) => Err(err("invalid_auth")),
        ("apps.connections.open", false, true) => Err(err("not_allowed_token_type")),
        ("apps.connections.open", true, _) | ("auth.test", _, _) => Ok(()),
        (_, true, _) => Err(err("not_allowed_token_type")),
        _ => Ok(()),
    }
}

/// Query string, then the body (JSON or form), merged into one object.
fn parse_params(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Result<Value, String> {
    let mut params = Map::new();
    if let Some(query) = query {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query).map_err(|e| format!("bad query string: {e}"))?;
        insert_pairs(&mut params, pairs);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let blank = body.iter().all(u8::is_ascii_whitespace);
    if blank {
        return Ok(Value::Object(params));
    }
    let looks_json = content_type.contains("json")
        || (content_type.is_empty() && body.first().is_some_and(|b| *b == b'{'));
    if looks_json {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => params.extend(map),
            Ok(_) => return Err("the JSON body must be an object".to_owned()),
            Err(e) => return Err(format!("bad JSON body: {e}")),
        }
    } else {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(body).map_err(|e| format!("bad form body: {e}"))?;
        insert_pairs(&mut params, pairs);
    }
    Ok(Value::Object(params))
}

fn insert_pairs(params: &mut Map<String, Value>, pairs: Vec<(String, String)>) {
    for (key, value) in pairs {
        let parsed = if JSON_FIELDS.contains(&key.as_str()) {
            serde_json::from_str(&value).unwrap_or(Value::String(value))
        } else {
            Value::String(value)
        };
        params.insert(key, parsed);
    }
}

/// A POST to an interaction's response_url: recorded, then shown in the
/// channel (`in_channel`) or to the user who acted (the default).
fn response_url(inner: &Inner, key: &str, params: Result<Value, String>) -> Response {
    let key = key.rsplit('/').next().unwrap_or_default().to_owned();
    let params = params.unwrap_or_else(|_| json!({}));
    // A reply over Slack's limits is refused and shown to nobody.
    let refused = methods::refused_reply(&params);
    let (ok, refused) = inner.with(|s| {
        let known = match &refused {
            Some(_) => s.response_urls.contains_key(&key),
            None => methods::apply_response_url(s, &key, &params),
        };
        let error = (!known)
            .then(|| "invalid_response_url".to_owned())
            .or(refused);
        s.calls.push(Call {
            method: "response_url".to_owned(),
            params,
            at: Instant::now(),
            ok: error.is_none(),
            error: error.clone(),
        });
        (known, error.filter(|_| known))
    });
    if let Some(code) = refused {
        Json(json!({"ok": false, "error": code})).into_response()
    } else if ok {
        Json(json!({"ok": true})).into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({"ok": false, "error": "invalid_response_url"})),
        )
            .into_response()
    }
}
