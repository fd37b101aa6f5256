//! Block Kit limits, checked the way Slack checks them, so a message or view
//! that Slack would refuse is refused here too. Errors read like Slack's:
//! "must be less than 3001 characters [json-pointer:/blocks/0/text/text]".

use serde_json::Value;

pub const MESSAGE_BLOCKS: usize = 50;
pub const SURFACE_BLOCKS: usize = 100;

/// Checks a `blocks` array; `max` is 50 for messages, 100 for modals/Home.
pub fn check_blocks(blocks: &Value, max: usize, pointer: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let Some(list) = blocks.as_array() else {
        errors.push(format!("must be an array [json-pointer:{pointer}]"));
        return errors;
    };
    if list.len() > max {
        errors.push(format!(
            "must contain no more than {max} items [json-pointer:{pointer}]"
        ));
    }
    for (i, block) in list.iter().enumerate() {
        check_block(block, &format!("{pointer}/{i}"), &mut errors);
    }
    errors
}

/// Checks a modal or Home tab view.
pub fn check_view(view: &Value, pointer: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let kind = view.get("type").and_then(Value::as_str).unwrap_or_default();
    if kind != "modal" && kind != "home" {
        errors.push(format!(
            "must be modal or home [json-pointer:{pointer}/type]"
        ));
    }
    if kind == "modal" {
        match view.get("title") {
            Some(title) => text_limit(title, 24, &format!("{pointer}/title"), &mut errors),
            None => errors.push(format!("is required [json-pointer:{pointer}/title]")),
        }
        for field in ["submit", "close"] {
            if let Some(text) = view.get(field) {
                text_limit(text, 24, &format!("{pointer}/{field}"), &mut errors);
            }
        }
        let has_input = view
            .get("blocks")
            .and_then(Value::as_array)
            .is_some_and(|b| b.iter().any(|b| b["type"] == "input"));
        if has_input && view.get("submit").is_none() {
            errors.push(format!(
                "submit is required when the view has input blocks [json-pointer:{pointer}/submit]"
            ));
        }
    }
    str_limit(view, "private_metadata", 3000, pointer, &mut errors);
    str_limit(view, "callback_id", 255, pointer, &mut errors);
    str_limit(view, "external_id", 255, pointer, &mut errors);
    match view.get("blocks") {
        Some(blocks) => errors.extend(check_blocks(
            blocks,
            SURFACE_BLOCKS,
            &format!("{pointer}/blocks"),
        )),
        None => errors.push(format!("is required [json-pointer:{pointer}/blocks]")),
    }
    errors
}

fn check_block(block: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(kind) = block.get("type").and_then(Value::as_str) else {
        errors.push(format!("missing required field: type [json-pointer:{at}]"));
        return;
    };
    str_limit(block, "block_id", 255, at, errors);
    match kind {
        "section" => {
            if let Some(text) = block.get("text") {
                text_limit(text, 3000, &format!("{at}/text"), errors);
            }
            if let Some(fields) = block.get("fields").and_then(Value::as_array) {
                if fields.len() > 10 {
                    errors.push(format!(
                        "must contain no more than 10 items [json-pointer:{at}/fields]"
                    ));
                }
                for (i, field) in fields.iter().enumerate() {
                    text_limit(field, 2000, &format!("{at}/fields/{i}"), errors);
                }
            }
            if let Some(accessory) = block.get("accessory") {
                check_element(accessory, &format!("{at}/accessory"), errors);
            }
        }
        "header" => match block.get("text") {
            Some(text) => text_limit(text, 150, &format!("{at}/text"), errors),
            None => errors.push(format!("missing required field: text [json-pointer:{at}]")),
        },
        "actions" => elements(block, 25, at, errors),
        "context" => elements(block, 10, at, errors),
        "input" => {
            if let Some(label) = block.get("label") {
                text_limit(label, 2000, &format!("{at}/label"), errors);
            }
            if let Some(hint) = block.get("hint") {
                text_limit(hint, 2000, &format!("{at}/hint"), errors);
            }
            if let Some(element) = block.get("element") {
                check_element(element, &format!("{at}/element"), errors);
            }
        }
        _ => {}
    }
}

fn elements(block: &Value, max: usize, at: &str, errors: &mut Vec<String>) {
    let Some(list) = block.get("elements").and_then(Value::as_array) else {
        return;
    };
    if list.len() > max {
        errors.push(format!(
            "must contain no more than {max} items [json-pointer:{at}/elements]"
        ));
    }
    for (i, element) in list.iter().enumerate() {
        check_element(element, &format!("{at}/elements/{i}"), errors);
    }
}

fn check_element(element: &Value, at: &str, errors: &mut Vec<String>) {
    str_limit(element, "action_id", 255, at, errors);
    let kind = element
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind == "button" {
        if let Some(text) = element.get("text") {
            text_limit(text, 75, &format!("{at}/text"), errors);
        }
        str_limit(element, "value", 2000, at, errors);
        str_limit(element, "url", 3000, at, errors);
    }
    if let Some(placeholder) = element.get("placeholder") {
        text_limit(placeholder, 150, &format!("{at}/placeholder"), errors);
    }
    if let Some(options) = element.get("options").and_then(Value::as_array) {
        let max = if kind == "overflow" { 5 } else { 100 };
        if options.len() > max {
            errors.push(format!(
                "must contain no more than {max} items [json-pointer:{at}/options]"
            ));
        }
        for (i, option) in options.iter().enumerate() {
            let at = format!("{at}/options/{i}");
            if let Some(text) = option.get("text") {
                text_limit(text, 75, &format!("{at}/text"), errors);
            }
            str_limit(option, "value", 150, &at, errors);
        }
    }
}

/// A text object (`{"type":…,"text":…}`) whose `text` may hold `max` chars.
fn text_limit(text: &Value, max: usize, at: &str, errors: &mut Vec<String>) {
    str_limit(text, "text", max, at, errors);
}

fn str_limit(object: &Value, field: &str, max: usize, at: &str, errors: &mut Vec<String>) {
    if let Some(s) = object.get(field).and_then(Value::as_str) {
        if s.chars().count() > max {
            errors.push(format!(
                "must be less than {} characters [json-pointer:{at}/{field}]",
                max + 1
            ));
        }
    }
}
