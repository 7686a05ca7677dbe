//! Every case of `shared/fixtures/ws_inbound` decodes, without error, into the
//! typed frame the reference SDK's callback (or, where it crashes, the rules
//! of `EXPECTATIONS.md`) calls for, with the values the frame carried.

mod fixture_support;

use fixture_support::{json_matches, run_all, s, strip_dataclass};
use moobius_proto::model::{CharacterRefs, GroupRef, UpdateContent, UpdateSubtype};
use moobius_proto::ws::{decode_inbound, Action, Inbound};
use serde_json::{json, Map, Value};

/// The callback the reference SDK would call for our decoded frame.
fn callback_of(frame: &Inbound) -> String {
    match frame {
        Inbound::MessageUp(_) => "on_message_up".into(),
        Inbound::MessageDown(_) => "on_message_down".into(),
        Inbound::Action(Action::Join(_)) => "on_join".into(),
        Inbound::Action(Action::Leave(_)) => "on_leave".into(),
        Inbound::Action(Action::Refresh(_)) => "on_refresh".into(),
        Inbound::Action(Action::ButtonClick(_)) => "on_button_click".into(),
        Inbound::Action(Action::MenuItemClick(_)) => "on_menu_item_click".into(),
        Inbound::Action(_) => "on_action (unhandled subtype)".into(),
        Inbound::Update(u) => match u.content.subtype() {
            UpdateSubtype::Other(_) => "on_update (unknown subtype)".into(),
            known => format!("on_update_{known}"),
        },
        Inbound::Copy(_) => "on_copy_client".into(),
        Inbound::PlatformError { .. } => "platform error".into(),
        Inbound::Unknown(_) => "on_unknown_payload".into(),
        _ => "unexpected variant".into(),
    }
}

/// The callback a frame calls for, by our rules: the reference's own leaf
/// callback where it has one; otherwise what its `type`/`subtype` say, with
/// `join_channel`/`leave_channel` accepted as `join`/`leave`, frames with a
/// `message` and no `body` as platform errors, and untyped frames as unknown.
fn expected_callback(case: &Value) -> String {
    let frame = &case["inbound"];
    let body = &frame["body"];
    if frame.get("message").is_some() && body.is_null() {
        return "platform error".into();
    }
    if let (Some(cb), true) = (s(case, "callback"), case["error"].is_null()) {
        if cb != "on_update_characters" || body["content"]["characters"] == "service" {
            return cb.into();
        }
    }
    match (s(frame, "type"), s(body, "subtype")) {
        (Some("action"), Some("join" | "join_channel")) => "on_join".into(),
        (Some("action"), Some("leave" | "leave_channel")) => "on_leave".into(),
        (Some("action"), Some(sub @ ("button_click" | "menu_item_click" | "refresh"))) => {
            format!("on_{sub}")
        }
        // Legacy (`fetch_*`) and unknown action subtypes have no leaf
        // callback: the action arrives undecoded, with its body.
        (Some("action"), Some(_)) => "on_action (unhandled subtype)".into(),
        (Some("update"), Some(sub)) if UpdateSubtype::KNOWN.iter().any(|k| k.as_str() == sub) => {
            format!("on_update_{sub}")
        }
        (Some("update"), Some(_)) => "on_update (unknown subtype)".into(),
        (Some("message_up"), _) => "on_message_up".into(),
        (Some("message_down"), _) => "on_message_down".into(),
        (Some("copy"), _) => "on_copy_client".into(),
        (Some("refresh"), _) => "on_refresh".into(),
        _ => "on_unknown_payload".into(),
    }
}

/// Our decoded value in the frame's own wire shape, to hold against it.
fn our_body(frame: &Inbound) -> Value {
    let v = match frame {
        Inbound::MessageUp(m) | Inbound::MessageDown(m) => serde_json::to_value(m),
        Inbound::Action(Action::Join(a) | Action::Leave(a) | Action::Refresh(a)) => {
            serde_json::to_value(a)
        }
        Inbound::Action(Action::ButtonClick(c)) => serde_json::to_value(c),
        Inbound::Action(Action::MenuItemClick(c)) => serde_json::to_value(c),
        Inbound::Update(u) => serde_json::to_value(u),
        Inbound::Copy(c) => serde_json::to_value(c),
        Inbound::Action(Action::Other { body, .. }) => Ok(body.clone()),
        _ => Ok(Value::Null),
    };
    v.expect("decoded values serialise")
}

/// The frame's body as we expect to read it: unknown keys dropped (we ignore
/// them; only keys our value has are compared), nested click arguments
/// flattened one level, and absent or `null` click arguments read as the
/// empty list.
fn expected_body(body: &Value, ours: &Value) -> Value {
    match (body, ours) {
        (Value::Object(b), Value::Object(o)) => {
            let mut out = expected_members(b, o);
            if o.get("arguments").is_some_and(Value::is_array)
                && b.get("arguments").is_none_or(Value::is_null)
            {
                out.insert("arguments".into(), json!([]));
            }
            Value::Object(out)
        }
        (Value::Array(b), Value::Array(o)) if b.len() == o.len() => {
            Value::Array(b.iter().zip(o).map(|(b, o)| expected_body(b, o)).collect())
        }
        _ => body.clone(),
    }
}

/// The members of a frame's body that our value has, each as we expect
/// to read it.
fn expected_members(b: &Map<String, Value>, o: &Map<String, Value>) -> Map<String, Value> {
    b.iter()
        .filter_map(|(k, v)| {
            let mine = o.get(k)?;
            let v = match (k.as_str(), v) {
                ("arguments", Value::Array(items)) if items.iter().any(Value::is_array) => {
                    Value::Array(
                        items
                            .iter()
                            .flat_map(|i| match i {
                                Value::Array(a) => a.clone(),
                                one => vec![one.clone()],
                            })
                            .collect(),
                    )
                }
                _ => expected_body(v, mine),
            };
            Some((k.clone(), v))
        })
        .collect()
}

fn check(_name: &str, case: &Value) -> Result<(), String> {
    let text = s(case, "inbound_text").ok_or("case has no inbound_text")?;
    let frame = decode_inbound(text).map_err(|e| format!("decode failed: {e}"))?;
    let want = expected_callback(case);
    let got = callback_of(&frame);
    if want != got {
        return Err(format!("expected {want}, decoded as {got}: {frame:?}"));
    }
    let inbound = &case["inbound"];
    match &frame {
        Inbound::Unknown(u) => {
            if u.raw != *inbound {
                return Err("unknown frame lost its raw JSON".into());
            }
            if u.frame_type.as_deref() != s(inbound, "type") {
                return Err(format!("unknown frame type {:?}", u.frame_type));
            }
            return Ok(());
        }
        Inbound::PlatformError { message } => {
            return if Some(message.as_str()) == s(inbound, "message") {
                Ok(())
            } else {
                Err(format!("message {message:?}"))
            };
        }
        Inbound::Update(u) => {
            // Group ids stay group ids until the session resolves them.
            if let UpdateContent::Characters(c) = &u.content {
                let sent = &inbound["body"]["content"]["characters"];
                // A group id (resolved later by the session), or a list of
                // ids or of character records, taken as sent.
                let sent_ids: Option<Vec<&str>> = sent.as_array().map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().or_else(|| s(v, "character_id")))
                        .collect()
                });
                let ok = match (c, sent.as_str()) {
                    (CharacterRefs::Group(GroupRef::Service), Some("service")) => true,
                    (CharacterRefs::Group(GroupRef::Group(g)), Some(id)) => g == id,
                    (CharacterRefs::Ids(ids), None) => {
                        sent_ids == Some(ids.iter().map(|i| i.as_str()).collect())
                    }
                    (CharacterRefs::Records(rs), None) => {
                        sent_ids == Some(rs.iter().map(|r| r.character_id.as_str()).collect())
                    }
                    _ => false,
                };
                if !ok {
                    return Err(format!("characters decoded as {c:?}, sent {sent}"));
                }
            }
        }
        _ => {}
    }
    let ours = our_body(&frame);
    let mut want = expected_body(&inbound["body"], &ours);
    if let (Some(cb_arg), Inbound::Copy(_) | Inbound::MessageUp(_) | Inbound::MessageDown(_)) =
        (leaf_argument(case), &frame)
    {
        // Where the reference delivered the value, it must agree with ours
        // (but for recipients, which the session resolves).
        let mut arg = strip_dataclass(&cb_arg);
        let mut mine = ours.clone();
        for v in [&mut arg, &mut mine] {
            if let Some(m) = v.as_object_mut() {
                m.remove("recipients");
            }
        }
        json_matches(&arg, &mine)
            .map_err(|e| format!("differs from the reference's callback argument: {e}"))?;
    }
    if inbound["body"]["message_id"].is_null() && ours.get("message_id").is_some() {
        want["message_id"] = json!(null);
    }
    json_matches(&want, &ours)
        .map_err(|e| format!("decoded value differs from the frame: {e}\n  ours: {ours}"))
}

/// The argument of the reference's last leaf callback, if it got that far.
fn leaf_argument(case: &Value) -> Option<Value> {
    case["result"]["callbacks"]
        .as_array()?
        .iter()
        .rev()
        .find(|c| s(c, "kind") == Some("leaf"))
        .map(|c| c["arg"].clone())
}

#[test]
fn every_ws_inbound_case_decodes_to_the_right_typed_frame() {
    run_all("ws_inbound", check);
}
