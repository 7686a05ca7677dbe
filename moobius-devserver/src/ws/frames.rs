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

/// `{"type": T, "body": B}`, serialised straight to text (no `Value` in
/// between). Serialising these model types cannot fail; an empty object
/// stands in if it ever did.
#[derive(Serialize)]
struct Frame<'a, B: Serialize> {
    #[serde(rename = "type")]
    ty: &'a str,
    body: B,
}

/// A body with a `subtype` next to its own keys (actions).
#[derive(Serialize)]
struct WithSubtype<'a, T: Serialize> {
    #[serde(flatten)]
    inner: &'a T,
    subtype: &'a str,
}

fn frame<B: Serialize>(ty: &str, body: B) -> String {
    serde_json::to_string(&Frame { ty, body }).unwrap_or_else(|_| "{}".to_owned())
}

/// `copy`: `{"request_id", "origin_type", "status", "context"}`.
pub(crate) fn copy(request_id: &str, origin_type: &str, status: bool, context: Context) -> String {
    let mut body = CopyBody::new(RequestId::new(request_id), origin_type, status);
    body.context = Some(context);
    frame(frame_type::COPY, &body)
}

/// `message_up` (to a service, with `recipients`) or `message_down` (to a
/// user, `recipients` left out by passing `None` in the body). The body
/// always carries `message_id` (the routing always sets it).
pub(crate) fn message(ty: &str, body: &MessageBody) -> String {
    frame(ty, body)
}

/// `action` join / leave / refresh: a [`SimpleAction`] plus its `subtype`.
pub(crate) fn simple_action(subtype: &str, a: &SimpleAction) -> String {
    frame(frame_type::ACTION, WithSubtype { inner: a, subtype })
}

/// `action` / `button_click`, arguments flat.
pub(crate) fn button_click(c: &ButtonClick) -> String {
    frame(
        frame_type::ACTION,
        WithSubtype {
            inner: c,
            subtype: ActionSubtype::ButtonClick.as_str(),
        },
    )
}

/// `action` / `menu_item_click`, arguments flat.
pub(crate) fn menu_item_click(c: &MenuItemClick) -> String {
    frame(
        frame_type::ACTION,
        WithSubtype {
            inner: c,
            subtype: ActionSubtype::MenuItemClick.as_str(),
        },
    )
}

/// `update`: `subtype`, `channel_id`, `content` and the optional
/// `recipients` / `group_id` / `context` that the body sets.
pub(crate) fn update(body: &UpdateBody) -> String {
    frame(frame_type::UPDATE, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use moobius_proto::model::{
        CanvasItem, ClickArgument, MessageContent, MessageSubtype, UpdateContent,
    };
    use serde_json::{json, Value};

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).expect("JSON")
    }

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
        let v = parse(&copy("r1", "heartbeat", true, Context::new()));
        assert_eq!(v["type"], "copy");
        assert_eq!(keys(&v), ["context", "origin_type", "request_id", "status"]);
    }

    #[test]
    fn message_down_has_no_recipients_and_a_message_id() {
        let mut body = MessageBody::new(
            MessageSubtype::Text,
            "c",
            MessageContent::text("hi"),
            "s",
            1,
        );
        body.message_id = Some("m".into());
        body.context = Some(Context::new());
        let v = parse(&message("message_down", &body));
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
        let mut a = SimpleAction::new("c", "u");
        a.context = Some(Context::new());
        let v = parse(&simple_action("join", &a));
        assert_eq!(keys(&v), ["channel_id", "context", "sender", "subtype"]);
        let mut c = ButtonClick::new("b", "c", "u");
        c.arguments = vec![ClickArgument::new("l", "v")];
        c.bottom_button_id = Some("confirm".into());
        c.context = Some(Context::new());
        let v = parse(&button_click(&c));
        assert_eq!(
            v["body"]["arguments"],
            json!([{"label": "l", "value": "v"}])
        );
        assert_eq!(v["body"]["subtype"], "button_click");
    }

    #[test]
    fn update_keys() {
        let mut b = UpdateBody::new("c", UpdateContent::Canvas(vec![CanvasItem::text("x")]));
        b.group_id = Some("temp".into());
        b.context = Some(Context::new());
        let v = parse(&update(&b));
        assert_eq!(
            keys(&v),
            ["channel_id", "content", "context", "group_id", "subtype"]
        );
    }
}
