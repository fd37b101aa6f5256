//! File uploads: the two-step files.getUploadURLExternal (then a POST of the
//! bytes to the returned URL) + files.completeUploadExternal, and the older
//! one-shot files.upload with `content`.

use super::methods::{param, postable, required};
use super::state::{File, State};
use super::web::{err, Reply};
use serde_json::{json, Value};

pub(crate) fn call(s: &mut State, port: u16, method: &str, p: &Value) -> Reply {
    match method {
        "files.getUploadURLExternal" => {
            let filename = required(p, "filename")?;
            required(p, "length")?;
            let id = format!("F0EMU{:06}", s.next());
            s.files.push(File {
                id: id.clone(),
                filename: filename.clone(),
                title: filename,
                content: Vec::new(),
                channels: Vec::new(),
                initial_comment: None,
            });
            Ok(json!({"upload_url": format!("http://127.0.0.1:{port}/upload/{id}"), "file_id": id}))
        }
        "files.completeUploadExternal" => complete(s, p),
        _ => upload(s, p),
    }
}

fn complete(s: &mut State, p: &Value) -> Reply {
    let Some(list) = p.get("files").and_then(Value::as_array).cloned() else {
        return Err(err("invalid_arguments"));
    };
    let channel = match param(p, "channel_id").or_else(|| param(p, "channels")) {
        Some(channel) => Some(postable(s, &json!({ "channel": channel }))?),
        None => None,
    };
    let comment = param(p, "initial_comment");
    let mut done = Vec::new();
    for entry in list {
        let id = entry["id"].as_str().unwrap_or_default();
        let file = s
            .files
            .iter_mut()
            .find(|f| f.id == id)
            .ok_or_else(|| err("file_not_found"))?;
        if let Some(title) = entry["title"].as_str() {
            file.title = title.to_owned();
        }
        file.channels.extend(channel.clone());
        file.initial_comment = comment.clone();
        done.push(json!({"id": file.id, "title": file.title, "name": file.filename}));
    }
    Ok(json!({"files": done}))
}

fn upload(s: &mut State, p: &Value) -> Reply {
    let content = required(p, "content")?;
    let channel = match param(p, "channels") {
        Some(c) => Some(postable(
            s,
            &json!({"channel": c.split(',').next().unwrap_or_default()}),
        )?),
        None => None,
    };
    let filename = param(p, "filename").unwrap_or_else(|| "file.txt".to_owned());
    let id = format!("F0EMU{:06}", s.next());
    let file = File {
        id: id.clone(),
        filename: filename.clone(),
        title: param(p, "title").unwrap_or_else(|| filename.clone()),
        content: content.into_bytes(),
        channels: channel.into_iter().collect(),
        initial_comment: param(p, "initial_comment"),
    };
    let reply = json!({"file": {"id": id, "name": file.filename, "title": file.title}});
    s.files.push(file);
    Ok(reply)
}

/// Stores the bytes POSTed to an upload URL; false for an unknown file.
pub(crate) fn store_upload(s: &mut State, file_id: &str, body: &[u8]) -> bool {
    match s.files.iter_mut().find(|f| f.id == file_id) {
        Some(file) => {
            file.content = body.to_vec();
            true
        }
        None => false,
    }
}
