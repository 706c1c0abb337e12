//! Supervised fine-tuning records (`{"prompt", "response"}` or `{"messages": [...]}`) as
//! conversations.

use super::{Message, Role, chat_err};
use crate::error::Result;

fn str_field<'a>(
    obj: &'a serde_json::Map<String, serde_json::Value>,
    key: &str,
    what: &str,
) -> Result<&'a str> {
    match obj.get(key) {
        None => Err(chat_err(format!("{what} has no {key:?} key"))),
        Some(v) => v.as_str().ok_or_else(|| {
            chat_err(format!("{what}: {key:?} must be a string, found {}", json_kind(v)))
        }),
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The conversation of one JSON-lines record of supervised fine-tuning data, in either shape:
///
/// - `{"prompt": "...", "response": "..."}`: a user message and an assistant message;
/// - `{"messages": [{"role": "user", "content": "..."}, ...]}`: roles `system`, `user` or
///   `assistant`; the list must be non-empty and contain an assistant message.
///
/// Other keys (such as `"task"`) are ignored. Anything else is an error naming the problem:
/// a record that is not an object, has neither or both shapes, a missing or non-string key,
/// an unknown role, an empty list, or no assistant message.
///
/// ```
/// use genlab_tokenizer::{Message, chat::conversation};
/// let record = serde_json::json!({"prompt": "2+3?", "response": "5", "task": "add"});
/// assert_eq!(conversation(&record).unwrap(), [Message::user("2+3?"), Message::assistant("5")]);
/// ```
pub fn conversation(record: &serde_json::Value) -> Result<Vec<Message>> {
    let Some(obj) = record.as_object() else {
        return Err(chat_err(format!(
            "a record must be a JSON object, found {}",
            json_kind(record)
        )));
    };
    let has_pair = obj.contains_key("prompt") || obj.contains_key("response");
    match (obj.get("messages"), has_pair) {
        (Some(_), true) => Err(chat_err(
            "a record has both \"messages\" and \"prompt\"/\"response\"; use one shape",
        )),
        (None, false) => {
            let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            keys.sort_unstable();
            Err(chat_err(format!(
                "a record needs {{\"prompt\", \"response\"}} or {{\"messages\": [...]}}, found keys {keys:?}"
            )))
        }
        (None, true) => {
            let prompt = str_field(obj, "prompt", "a prompt/response record")?;
            let response = str_field(obj, "response", "a prompt/response record")?;
            Ok(vec![Message::user(prompt), Message::assistant(response)])
        }
        (Some(list), false) => {
            let Some(list) = list.as_array() else {
                return Err(chat_err(format!(
                    "\"messages\" must be an array, found {}",
                    json_kind(list)
                )));
            };
            if list.is_empty() {
                return Err(chat_err("\"messages\" is empty"));
            }
            let mut messages = Vec::with_capacity(list.len());
            for (i, m) in list.iter().enumerate() {
                let what = format!("messages[{i}]");
                let Some(m) = m.as_object() else {
                    return Err(chat_err(format!(
                        "{what} must be an object, found {}",
                        json_kind(m)
                    )));
                };
                let name = str_field(m, "role", &what)?;
                let role = Role::from_name(name).ok_or_else(|| {
                    chat_err(format!(
                        "{what}: unknown role {name:?} (expected \"system\", \"user\" or \"assistant\")"
                    ))
                })?;
                let content = str_field(m, "content", &what)?;
                messages.push(Message::new(role, content));
            }
            if !messages.iter().any(|m| m.role == Role::Assistant) {
                return Err(chat_err("\"messages\" has no assistant message to train on"));
            }
            Ok(messages)
        }
    }
}
