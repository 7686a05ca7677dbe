//! Frames the devserver writes to clients (PROTOCOL.md §6), built from the
//! `moobius_proto::model` types. The reference SDK rejects unknown body
//! keys, so each builder emits exactly the keys §6 lists.

use moobius_proto::model::{
    ActionSubtype, ButtonClick, Context, CopyBody, MenuItemClick, MessageBody, SimpleAction,
    UpdateBody,
};
use moobius_proto::ws::frame_type;
use moobius_proto::RequestId;
use serde::Serialize;
use serde_json::{json, Map, Value};

fn to_object<T: Serialize>(v: &T) -> Map<String, Value> {
    match serde_json::to_value(v) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

fn frame(ty: &str, body: Value) -> Value {
    json!({"type": ty, "body": body})
}

/// `copy`: `{"request_id", "origin_type", "status", "context"}`.
pub(crate) fn copy(request_id: &str, origin_type: &str, status: bool, context: Context) -> Value {
    let body = CopyBody {
        request_id: RequestId::new(request_id),
        origin_type: origin_type.to_owned(),
        status,
        context: Some(context),
    };
    frame(frame_type::COPY, Value::Object(to_object(&body)))
}

/// `message_up` (to a service, with `recipients`) or `message_down` (to a
/// user, `recipients` left out by passing `None` in the body). The body
/// always carries `message_id`.
pub(crate) fn message(ty: &str, body: &MessageBody) -> Value {
    let mut m = to_object(body);
    m.entry("message_id").or_insert(Value::Null);
    frame(ty, Value::Object(m))
}

/// `action` join / leave / refresh: a [`SimpleAction`] plus its `subtype`.
pub(crate) fn simple_action(subtype: &str, a: &SimpleAction) -> Value {
    let mut m = to_object(a);
    m.insert("subtype".into(), subtype.into());
    frame(frame_type::ACTION, Value::Object(m))
}

/// `action` / `button_click`, arguments flat.
pub(crate) fn button_click(c: &ButtonClick) -> Value {
    let mut m = to_object(c);
    m.insert("subtype".into(), ActionSubtype::ButtonClick.as_str().into());
    frame(frame_type::ACTION, Value::Object(m))
}

/// `action` / `menu_item_click`, arguments flat.
pub(crate) fn menu_item_click(c: &MenuItemClick) -> Value {
    let mut m = to_object(c);
    m.insert(
        "subtype".into(),
        ActionSubtype::MenuItemClick.as_str().into(),
    );
    frame(frame_type::ACTION, Value::Object(m))
}

/// `update`: `subtype`, `channel_id`, `content` and the optional
/// `recipients` / `group_id` / `context` that the body sets.
pub(crate) fn update(body: &UpdateBody) -> Value {
    frame(frame_type::UPDATE, Value::Object(to_object(body)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use moobius_proto::model::{
        CanvasItem, ClickArgument, MessageContent, MessageSubtype, UpdateContent,
    };

    fn keys(v: &Value) -> Vec<String> {
        let mut k: Vec<String> = v["body"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    }

    #[test]
    fn copy_has_exactly_the_copy_body_keys() {
        let v = copy("r1", "heartbeat", true, Context::new());
        assert_eq!(v["type"], "copy");
        assert_eq!(keys(&v), ["context", "origin_type", "request_id", "status"]);
    }

    #[test]
    fn message_down_has_no_recipients_and_a_message_id() {
        let body = MessageBody {
            subtype: MessageSubtype::Text,
            channel_id: "c".into(),
            content: MessageContent::text("hi"),
            timestamp: 1,
            recipients: None,
            sender: "s".into(),
            message_id: None,
            context: Some(Context::new()),
        };
        let v = message("message_down", &body);
        assert_eq!(
            keys(&v),
            [
                "channel_id",
                "content",
                "context",
                "message_id",
                "sender",
                "subtype",
                "timestamp"
            ]
        );
    }

    #[test]
    fn actions_carry_subtype_and_flat_arguments() {
        let a = SimpleAction {
            channel_id: "c".into(),
            sender: "u".into(),
            context: Some(Context::new()),
        };
        let v = simple_action("join", &a);
        assert_eq!(keys(&v), ["channel_id", "context", "sender", "subtype"]);
        let c = ButtonClick {
            button_id: "b".into(),
            channel_id: "c".into(),
            sender: "u".into(),
            arguments: vec![ClickArgument::new("l", "v")],
            labels: None,
            bottom_button_id: Some("confirm".into()),
            context: Some(Context::new()),
            button_type: None,
        };
        let v = button_click(&c);
        assert_eq!(
            v["body"]["arguments"],
            json!([{"label": "l", "value": "v"}])
        );
        assert_eq!(v["body"]["subtype"], "button_click");
    }

    #[test]
    fn update_keys() {
        let b = UpdateBody {
            channel_id: "c".into(),
            content: UpdateContent::Canvas(vec![CanvasItem::text("x")]),
            recipients: None,
            group_id: Some("temp".into()),
            context: Some(Context::new()),
        };
        let v = update(&b);
        assert_eq!(
            keys(&v),
            ["channel_id", "content", "context", "group_id", "subtype"]
        );
    }
}
