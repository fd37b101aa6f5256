//! Block Kit as HTML, for a page that shows the workspace to a person:
//! messages, modals and the Home tab, with native, labelled controls
//! (an input carries its block's label, a button its text). Every piece of
//! text is escaped (maud escapes what it interpolates); Slack markup
//! (`*bold*`, `<@U…>`, `<url|label>`, `&lt;`) is turned into HTML first.
//!
//! Where a control sends its press is the caller's: [`Target`] names the
//! URL and the hidden fields that say which message or view it is on.

mod text;

pub use text::mrkdwn;

use maud::{html, Markup};
use serde_json::Value;

/// Where a message's or Home tab's buttons and selects post, and the
/// hidden fields that go with every press. The form also carries
/// `action_id` and `value` (a button's) or `selected` (a select's).
pub struct Target<'a> {
    pub url: &'a str,
    pub hidden: &'a [(&'a str, &'a str)],
}

/// What a modal needs besides its view: where it submits, where its
/// buttons post (form field `press`: `[action_id, value]` as JSON), the
/// errors from the app's last ack (block_id → message), and the people
/// a `users_select` offers (id, name).
pub struct ModalForm<'a> {
    pub submit_url: &'a str,
    pub close_url: &'a str,
    pub press_url: &'a str,
    pub errors: &'a Value,
    pub people: &'a [(String, String)],
}

/// Looks up a person's display name for `<@U…>` mentions.
pub type Names<'a> = &'a dyn Fn(&str) -> String;

fn str_of<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// A text object's text, without markup.
fn plain(text: &Value) -> &str {
    str_of(text, "text")
}

/// A text object: mrkdwn or plain_text.
fn text_object(text: &Value, names: Names<'_>) -> Markup {
    if str_of(text, "type") == "mrkdwn" {
        mrkdwn(plain(text), names)
    } else {
        html! { (plain(text)) }
    }
}

/// A message's text when it has no blocks, or its blocks.
pub fn message(text: &str, blocks: &Value, target: &Target<'_>, names: Names<'_>) -> Markup {
    match blocks.as_array() {
        Some(list) if !list.is_empty() => html! {
            @for block in list { (block_html(block, &Surface::Message(target), names)) }
        },
        _ => html! { p.text { (mrkdwn(text, names)) } },
    }
}

enum Surface<'a> {
    Message(&'a Target<'a>),
    Modal(&'a ModalForm<'a>),
}

fn block_html(block: &Value, surface: &Surface<'_>, names: Names<'_>) -> Markup {
    let block_id = str_of(block, "block_id");
    match str_of(block, "type") {
        "header" => html! { p.header { strong { (plain(&block["text"])) } } },
        "divider" => html! { hr; },
        "section" => html! {
            div.section {
                @if let Some(text) = block.get("text") { p { (text_object(text, names)) } }
                @if let Some(fields) = block["fields"].as_array() {
                    div.fields { @for f in fields { p { (text_object(f, names)) } } }
                }
                @if let Some(accessory) = block.get("accessory") {
                    (element(accessory, block_id, surface, names))
                }
            }
        },
        "context" => html! {
            p.context {
                @for e in block["elements"].as_array().into_iter().flatten() {
                    @if str_of(e, "type") == "image" {
                        img src=(str_of(e, "image_url")) alt=(str_of(e, "alt_text")) width="16" height="16";
                    } @else {
                        span { (text_object(e, names)) } " "
                    }
                }
            }
        },
        "actions" => html! {
            div.actions {
                @for e in block["elements"].as_array().into_iter().flatten() {
                    (element(e, block_id, surface, names))
                }
            }
        },
        "input" => match surface {
            Surface::Modal(form) => input_block(block, form),
            Surface::Message(_) => html! {},
        },
        "image" => html! { img src=(str_of(block, "image_url")) alt=(str_of(block, "alt_text")); },
        "rich_text" => html! { p { (rich_text(block)) } },
        _ => html! {},
    }
}

fn rich_text(block: &Value) -> String {
    let mut out = String::new();
    fn walk(v: &Value, out: &mut String) {
        if let Some(text) = v.get("text").and_then(Value::as_str) {
            out.push_str(text);
        }
        for e in v["elements"].as_array().into_iter().flatten() {
            walk(e, out);
        }
    }
    walk(block, &mut out);
    out
}

/// A button or select outside an input block: in a message (or the Home
/// tab) a small form of its own; in a modal a submit button of the
/// modal's form that posts elsewhere.
fn element(e: &Value, _block_id: &str, surface: &Surface<'_>, names: Names<'_>) -> Markup {
    let action_id = str_of(e, "action_id");
    let class = match str_of(e, "style") {
        "primary" => "button primary",
        "danger" => "button danger",
        _ => "button",
    };
    match (str_of(e, "type"), surface) {
        ("button", Surface::Message(target)) => html! {
            @if let Some(url) = e.get("url").and_then(Value::as_str) {
                a.(class) href=(url) { (plain(&e["text"])) }
            } @else {
                form.inline method="post" action=(target.url) {
                    @for (name, value) in target.hidden { input type="hidden" name=(name) value=(value); }
                    input type="hidden" name="action_id" value=(action_id);
                    input type="hidden" name="value" value=(str_of(e, "value"));
                    button.(class) type="submit" { (plain(&e["text"])) }
                }
            }
        },
        ("static_select", Surface::Message(target)) => html! {
            form.inline method="post" action=(target.url) {
                @for (name, value) in target.hidden { input type="hidden" name=(name) value=(value); }
                input type="hidden" name="action_id" value=(action_id);
                label {
                    (e.get("placeholder").map(plain).unwrap_or("Choose")) " "
                    select name="selected" { (options(e, None)) }
                }
                " " button.button type="submit" { "Choose" }
            }
        },
        ("button", Surface::Modal(form)) => {
            let press = serde_json::json!([action_id, str_of(e, "value")]).to_string();
            html! {
                button.(class) type="submit" formaction=(form.press_url) formnovalidate name="press" value=(press) {
                    (plain(&e["text"]))
                }
            }
        }
        (_, _) => match e.get("text") {
            Some(text) => html! { span { (text_object(text, names)) } },
            None => html! {},
        },
    }
}

/// `<option>`s for a select's options (and option groups), with
/// `selected` (or the element's initial option) chosen.
fn options(e: &Value, selected: Option<&str>) -> Markup {
    let initial = str_of(&e["initial_option"], "value");
    let chosen = selected.unwrap_or(initial);
    let mut all: Vec<&Value> = e["options"].as_array().into_iter().flatten().collect();
    for group in e["option_groups"].as_array().into_iter().flatten() {
        all.extend(group["options"].as_array().into_iter().flatten());
    }
    html! {
        @for o in all {
            @let value = str_of(o, "value");
            option value=(value) selected[value == chosen] { (plain(&o["text"])) }
        }
    }
}

/// The form-field name of an input block's element: `block_id.action_id`.
pub fn field_name(block_id: &str, action_id: &str) -> String {
    format!("{block_id}.{action_id}")
}

fn input_block(block: &Value, form: &ModalForm<'_>) -> Markup {
    let block_id = str_of(block, "block_id");
    let e = &block["element"];
    let action_id = str_of(e, "action_id");
    let name = field_name(block_id, action_id);
    let id = format!(
        "f-{}",
        name.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    let error = form.errors.get(block_id).and_then(Value::as_str);
    let hint = block.get("hint").map(plain);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described: Vec<&str> = [
        hint.map(|_| hint_id.as_str()),
        error.map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    let optional = block["optional"].as_bool().unwrap_or(false);
    let label = plain(&block["label"]);
    let notes = html! {
        @if let Some(hint) = hint { p.hint id=(hint_id) { (hint) } }
        @if let Some(error) = error { p.error id=(error_id) { "Error: " (error) } }
    };
    let label_text = html! { (label) @if optional { " (optional)" } };
    match str_of(e, "type") {
        "checkboxes" | "radio_buttons" => {
            let kind = if str_of(e, "type") == "checkboxes" {
                "checkbox"
            } else {
                "radio"
            };
            let initial: Vec<&str> = e["initial_options"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(e.get("initial_option"))
                .map(|o| str_of(o, "value"))
                .collect();
            html! {
                fieldset.field aria-describedby=[described.as_deref()] {
                    legend { (label_text) }
                    (notes)
                    @for (i, o) in e["options"].as_array().into_iter().flatten().enumerate() {
                        @let value = str_of(o, "value");
                        @let oid = format!("{id}-{i}");
                        div.choice {
                            input type=(kind) id=(oid) name=(name) value=(value) checked[initial.contains(&value)];
                            label for=(oid) { (plain(&o["text"])) }
                        }
                    }
                }
            }
        }
        kind => {
            let control = match kind {
                "static_select" => html! {
                    select id=(id) name=(name) aria-describedby=[described.as_deref()] aria-invalid=[error.map(|_| "true")] {
                        @if e.get("initial_option").is_none() { option value="" { "Choose…" } }
                        (options(e, None))
                    }
                },
                "users_select" => {
                    let initial = str_of(e, "initial_user");
                    html! {
                        select id=(id) name=(name) aria-describedby=[described.as_deref()] aria-invalid=[error.map(|_| "true")] {
                            option value="" { "Nobody" }
                            @for (uid, uname) in form.people {
                                option value=(uid) selected[uid == initial] { (uname) }
                            }
                        }
                    }
                }
                "datepicker" => html! {
                    input type="date" id=(id) name=(name) value=(str_of(e, "initial_date")) aria-describedby=[described.as_deref()] aria-invalid=[error.map(|_| "true")];
                },
                "timepicker" => html! {
                    input type="time" id=(id) name=(name) value=(str_of(e, "initial_time")) aria-describedby=[described.as_deref()] aria-invalid=[error.map(|_| "true")];
                },
                _ if e["multiline"].as_bool().unwrap_or(false) => html! {
                    textarea id=(id) name=(name) rows="4" aria-describedby=[described.as_deref()] aria-invalid=[error.map(|_| "true")] {
                        (str_of(e, "initial_value"))
                    }
                },
                _ => html! {
                    input type="text" id=(id) name=(name) value=(str_of(e, "initial_value")) aria-describedby=[described.as_deref()] aria-invalid=[error.map(|_| "true")];
                },
            };
            html! {
                div.field {
                    label for=(id) { (label_text) }
                    (notes)
                    (control)
                }
            }
        }
    }
}

/// A modal as a form: its title as a heading, its blocks (inputs as
/// labelled controls, errors on their fields), and its submit and close
/// buttons with their Block Kit texts.
pub fn modal(view: &Value, form: &ModalForm<'_>, names: Names<'_>) -> Markup {
    let surface = Surface::Modal(form);
    let view_id = str_of(view, "id");
    html! {
        section.modal aria-labelledby="modal-title" {
            h2 #modal-title { (plain(&view["title"])) }
            form method="post" action=(form.submit_url) {
                input type="hidden" name="view_id" value=(view_id);
                @for block in view["blocks"].as_array().into_iter().flatten() {
                    (block_html(block, &surface, names))
                }
                div.actions {
                    @if let Some(submit) = view.get("submit") {
                        button.button.primary type="submit" { (plain(submit)) }
                    }
                    " "
                    button.button type="submit" formaction=(form.close_url) formnovalidate {
                        (view.get("close").map(plain).unwrap_or("Cancel"))
                    }
                }
            }
        }
    }
}

/// A Home tab: its blocks, buttons posting to `target`.
pub fn home(view: &Value, target: &Target<'_>, names: Names<'_>) -> Markup {
    html! {
        @for block in view["blocks"].as_array().into_iter().flatten() {
            (block_html(block, &Surface::Message(target), names))
        }
    }
}

/// The `state.values` Slack would send for a modal submitted with these
/// form fields (`block_id.action_id` → values, several for checkboxes).
pub fn submitted_values(view: &Value, fields: &[(String, String)]) -> Value {
    let mut values = serde_json::Map::new();
    for block in view["blocks"].as_array().into_iter().flatten() {
        if str_of(block, "type") != "input" {
            continue;
        }
        let block_id = str_of(block, "block_id");
        let e = &block["element"];
        let action_id = str_of(e, "action_id");
        let name = field_name(block_id, action_id);
        let given: Vec<&str> = fields
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        let first = given.first().copied().filter(|v| !v.is_empty());
        let option = |value: &str| {
            let mut all: Vec<&Value> = e["options"].as_array().into_iter().flatten().collect();
            for g in e["option_groups"].as_array().into_iter().flatten() {
                all.extend(g["options"].as_array().into_iter().flatten());
            }
            all.into_iter()
                .find(|o| o["value"] == value)
                .cloned()
                .unwrap_or_else(|| serde_json::json!({"text": {"type": "plain_text", "text": value}, "value": value}))
        };
        let kind = str_of(e, "type");
        let state = match kind {
            "static_select" | "radio_buttons" => {
                serde_json::json!({"type": kind, "selected_option": first.map(option)})
            }
            "checkboxes" => serde_json::json!({"type": kind,
                "selected_options": given.iter().map(|v| option(v)).collect::<Vec<_>>()}),
            "users_select" => serde_json::json!({"type": kind, "selected_user": first}),
            "datepicker" => serde_json::json!({"type": kind, "selected_date": first}),
            "timepicker" => serde_json::json!({"type": kind, "selected_time": first}),
            _ => serde_json::json!({"type": kind, "value": first}),
        };
        values.insert(block_id.to_owned(), serde_json::json!({ action_id: state }));
    }
    Value::Object(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(id: &str) -> String {
        format!("name-of-{id}")
    }

    #[test]
    fn an_input_carries_its_label_and_its_error() {
        let view = json!({"id": "V1", "title": {"type": "plain_text", "text": "Declare"},
            "submit": {"type": "plain_text", "text": "Declare"},
            "blocks": [{"type": "input", "block_id": "title", "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "title"}}]});
        let errors = json!({"title": "Say what is wrong"});
        let form = ModalForm {
            submit_url: "/s",
            close_url: "/c",
            press_url: "/p",
            errors: &errors,
            people: &[],
        };
        let html = modal(&view, &form, &names).into_string();
        assert!(
            html.contains("<label for=\"f-title-title\">Title</label>"),
            "{html}"
        );
        assert!(html.contains("Error: Say what is wrong"), "{html}");
        assert!(html.contains("aria-invalid=\"true\""), "{html}");
    }

    #[test]
    fn submitted_fields_become_state_values() {
        let view = json!({"blocks": [
            {"type": "input", "block_id": "p", "element": {"type": "static_select", "action_id": "p",
                "options": [{"text": {"type": "plain_text", "text": "P1"}, "value": "P1"}]}},
            {"type": "input", "block_id": "c", "element": {"type": "checkboxes", "action_id": "c",
                "options": [{"text": {"type": "plain_text", "text": "Yes"}, "value": "yes"}]}},
            {"type": "input", "block_id": "u", "element": {"type": "users_select", "action_id": "u"}},
        ]});
        let fields = vec![
            ("p.p".to_owned(), "P1".to_owned()),
            ("u.u".to_owned(), String::new()),
        ];
        let values = submitted_values(&view, &fields);
        assert_eq!(values["p"]["p"]["selected_option"]["value"], "P1");
        assert_eq!(values["c"]["c"]["selected_options"], json!([]));
        assert_eq!(values["u"]["u"]["selected_user"], Value::Null);
    }
}
