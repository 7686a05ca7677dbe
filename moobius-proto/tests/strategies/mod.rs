//! proptest strategies for the data model and the websocket frames.
//!
//! Use from an integration test with `mod strategies;`. Every strategy yields
//! *canonical* values: values that the codec's serialised form can represent
//! without ambiguity, so that `decode(encode(x)) == x` is the property to
//! test. Where a value has two spellings on the wire (e.g. the group id
//! `"service"` versus [`GroupRef::Service`]), only the canonical one is
//! generated; the comment on each strategy says which.
//!
//! Strings mix plain ids, UUIDs and arbitrary Unicode (control characters,
//! quotes, backslashes, astral code points), so escaping is always exercised.

#![allow(dead_code, unreachable_pub)]

use moobius_proto::model::{
    ActionSubtype, BottomButton, Button, ButtonClick, CanvasItem, ChannelInfo, Character,
    CharacterRefs, ClickArgument, Context, CopyBody, Dialog, Display, GroupRef, InputComponent,
    InputType, MenuItem, MenuItemClick, MessageBody, MessageContent, MessageSubtype, OneOrList,
    SimpleAction, StyleItem, UpdateBody, UpdateContent, UpdateSubtype, Widget,
};
use moobius_proto::ws::{
    ClickedMessage, CustomFrame, GenericUpdate, MessageDown, MessageUp, Outbound, ServiceLogin,
    Update, UpdateKind, UserAction, UserActionKind, UserLogin,
};
use moobius_proto::{
    AccessToken, ButtonId, ChannelId, CharacterId, GroupId, MenuItemId, RequestId,
};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value};
use std::fmt::Debug;

// ---------------------------------------------------------------- strings

/// Short strings: mostly plain, sometimes arbitrary Unicode with escapes.
pub fn text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-z0-9_ -]{0,10}",
        2 => "(?s).{0,8}",
        1 => select(vec![
            "", "\"", "\\", "\\u0000", "\u{0}", "\n\t\r", "\u{1F600}", "\u{7f}\u{80}", "é",
            "\u{2028}", "</script>", "null", "{}", "[]",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

/// A lowercase hyphenated UUID, as the platform's ids are.
pub fn uuid() -> BoxedStrategy<String> {
    any::<[u8; 16]>()
        .prop_map(|b| RequestId::from_random_bytes(b).as_str().to_owned())
        .boxed()
}

/// An id string: a UUID or any short string.
pub fn id_string() -> BoxedStrategy<String> {
    prop_oneof![2 => uuid(), 1 => text()].boxed()
}

/// A typed id (`ChannelId`, `CharacterId`, …).
pub fn id<T: From<String> + Debug + 'static>() -> BoxedStrategy<T> {
    id_string().prop_map(T::from).boxed()
}

/// A request id.
pub fn request_id() -> BoxedStrategy<RequestId> {
    id_string().prop_map(RequestId::new).boxed()
}

// ---------------------------------------------------------------- JSON

/// A JSON leaf whose text form parses back to an equal value: numbers are
/// integers or short dyadic fractions (serde_json without its
/// `float_roundtrip` feature may misread long decimals by one ulp).
pub fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1_000_000i32..1_000_000).prop_map(|n| Value::from(f64::from(n) / 8.0)),
        text().prop_map(Value::String),
    ]
    .boxed()
}

/// Any JSON value (depth ≤ 4) whose text form parses back to an equal value.
pub fn json_value() -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(4, 24, 5, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..5).prop_map(Value::Array),
                btree_map(text(), inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
        .boxed()
}

/// A JSON object with random keys and values.
pub fn json_object() -> BoxedStrategy<Map<String, Value>> {
    btree_map(text(), json_value(), 0..5)
        .prop_map(|m| m.into_iter().collect())
        .boxed()
}

/// A free-form `context` map (often empty, as on the wire).
pub fn context() -> BoxedStrategy<Context> {
    prop_oneof![1 => Just(Context::new()), 2 => json_object().prop_map(Context::from)].boxed()
}

// ---------------------------------------------------------------- open enums

/// A value of an open enum: a known one, or `Other` of a string that is not
/// a known spelling (`from_wire` maps known spellings to their variant, so
/// `Other("text")` is never generated).
fn open<T: Clone + Debug + 'static>(
    known: &'static [T],
    from_wire: fn(&str) -> T,
) -> BoxedStrategy<T> {
    prop_oneof![
        3 => select(known),
        1 => text().prop_map(move |s| from_wire(&s)),
    ]
    .boxed()
}

/// A message subtype.
pub fn message_subtype() -> BoxedStrategy<MessageSubtype> {
    open(MessageSubtype::KNOWN, MessageSubtype::from_wire)
}

/// A widget.
pub fn widget() -> BoxedStrategy<Widget> {
    open(Widget::KNOWN, Widget::from_wire)
}

/// A display.
pub fn display() -> BoxedStrategy<Display> {
    open(Display::KNOWN, Display::from_wire)
}

/// An input type.
pub fn input_type() -> BoxedStrategy<InputType> {
    open(InputType::KNOWN, InputType::from_wire)
}

// ---------------------------------------------------------------- model

/// Message content; every member independently present or absent.
pub fn message_content() -> BoxedStrategy<MessageContent> {
    (
        option::of(text()),
        option::of(text()),
        option::of(any::<u64>()),
        option::of(text()),
        option::of(text()),
        option::of(text()),
        option::of(text()),
    )
        .prop_map(|(text, path, size, filename, link, title, button)| {
            let mut v = MessageContent::default();
            v.text = text;
            v.path = path;
            v.size = size;
            v.filename = filename;
            v.link = link;
            v.title = title;
            v.button = button;
            v
        })
        .boxed()
}

/// A recipient group: `Service`, or a group whose id is not `"service"`.
pub fn group_ref() -> BoxedStrategy<GroupRef> {
    prop_oneof![
        1 => Just(GroupRef::Service),
        4 => id_string()
            .prop_filter("\"service\" is GroupRef::Service", |s| s != "service")
            .prop_map(|s| GroupRef::Group(GroupId::new(s))),
    ]
    .boxed()
}

/// A character in canonical form: its `character_context` holds `name`,
/// `avatar` and `description` (as a character record on the wire must, and
/// as `Character`'s serialisation writes them).
pub fn character() -> BoxedStrategy<Character> {
    (
        id::<CharacterId>(),
        text(),
        option::of(text()),
        option::of(text()),
        context(),
    )
        .prop_map(|(character_id, name, avatar, description, mut ctx)| {
            ctx.insert("name".into(), Value::from(name.clone()));
            ctx.insert("avatar".into(), Value::from(avatar.clone()));
            ctx.insert("description".into(), Value::from(description.clone()));
            {
                let mut v = Character::new(character_id, name);
                v.avatar = avatar;
                v.description = description;
                v.character_context = Some(ctx);
                v
            }
        })
        .boxed()
}

/// Character references: a group, a list of ids, or a non-empty list of
/// records (an empty list reads back as `Ids(vec![])`).
pub fn character_refs() -> BoxedStrategy<CharacterRefs> {
    prop_oneof![
        3 => group_ref().prop_map(CharacterRefs::Group),
        1 => vec(id(), 0..4).prop_map(CharacterRefs::Ids),
        1 => vec(character(), 1..3).prop_map(CharacterRefs::Records),
    ]
    .boxed()
}

/// A dialog input field.
pub fn input_component() -> BoxedStrategy<InputComponent> {
    (
        text(),
        input_type(),
        option::of(any::<bool>()),
        option::of(text()),
        option::of(vec(text(), 0..3)),
    )
        .prop_map(|(label, kind, required, placeholder, choices)| {
            let mut v = InputComponent::new(label, kind);
            v.required = required;
            v.placeholder = placeholder;
            v.choices = choices;
            v
        })
        .boxed()
}

/// A dialog bottom button.
pub fn bottom_button() -> BoxedStrategy<BottomButton> {
    (text(), text(), any::<bool>())
        .prop_map(|(id, text, submit)| BottomButton::new(id, text, submit))
        .boxed()
}

/// A dialog (the title is always set: the wire default `"Dialog"` applies
/// only when it is absent).
pub fn dialog() -> BoxedStrategy<Dialog> {
    (
        text(),
        option::of(vec(input_component(), 0..3)),
        option::of(vec(bottom_button(), 0..3)),
    )
        .prop_map(|(title, components, bottom_buttons)| {
            let mut v = Dialog::new(title);
            v.components = components;
            v.bottom_buttons = bottom_buttons;
            v
        })
        .boxed()
}

/// A button, with or without a dialog.
pub fn button() -> BoxedStrategy<Button> {
    (id::<ButtonId>(), text(), option::of(dialog()))
        .prop_map(|(button_id, button_text, dialog)| {
            let mut v = Button::new(button_id, button_text);
            v.dialog = dialog;
            v
        })
        .boxed()
}

/// A context-menu item.
pub fn menu_item() -> BoxedStrategy<MenuItem> {
    (
        id::<MenuItemId>(),
        text(),
        prop_oneof![
            vec(message_subtype(), 0..4).prop_map(OneOrList::List),
            message_subtype().prop_map(OneOrList::One),
        ],
        option::of(dialog()),
    )
        .prop_map(|(menu_item_id, menu_item_text, message_subtypes, dialog)| {
            let mut v = MenuItem::new(menu_item_id, menu_item_text, []);
            v.message_subtypes = message_subtypes;
            v.dialog = dialog;
            v
        })
        .boxed()
}

/// A style item.
pub fn style_item() -> BoxedStrategy<StyleItem> {
    (
        widget(),
        display(),
        option::of(any::<bool>()),
        option::of(id()),
        option::of(text()),
    )
        .prop_map(|(widget, display, expand, button_id, text)| {
            let mut v = StyleItem::new(widget, display);
            v.expand = expand;
            v.button_id = button_id;
            v.text = text;
            v
        })
        .boxed()
}

/// A canvas item (text, image, both or neither).
pub fn canvas_item() -> BoxedStrategy<CanvasItem> {
    (option::of(text()), option::of(text()))
        .prop_map(|(text, path)| {
            let mut v = CanvasItem::default();
            v.text = text;
            v.path = path;
            v
        })
        .boxed()
}

/// A channel's info.
pub fn channel_info() -> BoxedStrategy<ChannelInfo> {
    (id::<ChannelId>(), text(), text(), text())
        .prop_map(
            |(channel_id, channel_name, channel_description, channel_type)| {
                let mut v = ChannelInfo::new(channel_id, channel_name, channel_description);
                v.channel_type = channel_type;
                v
            },
        )
        .boxed()
}

/// A dialog value.
pub fn click_argument() -> BoxedStrategy<ClickArgument> {
    (text(), text(), option::of(text()))
        .prop_map(|(label, value, filename)| {
            let mut v = ClickArgument::new(label, value);
            v.filename = filename;
            v
        })
        .boxed()
}

/// The content of an inbound update, of every kind. `Other` carries a
/// subtype that is not a known one.
pub fn update_content() -> BoxedStrategy<UpdateContent> {
    prop_oneof![
        character_refs().prop_map(UpdateContent::Characters),
        vec(button(), 0..3).prop_map(UpdateContent::Buttons),
        vec(menu_item(), 0..3).prop_map(UpdateContent::Menu),
        vec(style_item(), 0..3).prop_map(UpdateContent::Style),
        vec(canvas_item(), 0..3).prop_map(UpdateContent::Canvas),
        channel_info().prop_map(UpdateContent::ChannelInfo),
        (
            text().prop_filter("a known subtype is not Other", |s| matches!(
                UpdateSubtype::from_wire(s),
                UpdateSubtype::Other(_)
            )),
            json_value()
        )
            .prop_map(|(subtype, content)| UpdateContent::Other { subtype, content }),
    ]
    .boxed()
}

/// A message as the platform sends it (`message_up` / `message_down` body).
pub fn message_body() -> BoxedStrategy<MessageBody> {
    (
        message_subtype(),
        id::<ChannelId>(),
        message_content(),
        any::<i64>(),
        option::of(character_refs()),
        id::<CharacterId>(),
        option::of(id()),
        option::of(context()),
    )
        .prop_map(
            |(subtype, channel_id, content, timestamp, recipients, sender, message_id, context)| {
                let mut v = MessageBody::new(subtype, channel_id, content, sender, timestamp);
                v.recipients = recipients;
                v.message_id = message_id;
                v.context = context;
                v
            },
        )
        .boxed()
}

/// An update as the platform sends it to users.
pub fn update_body() -> BoxedStrategy<UpdateBody> {
    (
        id::<ChannelId>(),
        update_content(),
        option::of(character_refs()),
        option::of(text()),
        option::of(context()),
    )
        .prop_map(|(channel_id, content, recipients, group_id, context)| {
            let mut v = UpdateBody::new(channel_id, content);
            v.recipients = recipients;
            v.group_id = group_id;
            v.context = context;
            v
        })
        .boxed()
}

/// An acknowledgement.
pub fn copy_body() -> BoxedStrategy<CopyBody> {
    (request_id(), text(), any::<bool>(), option::of(context()))
        .prop_map(|(request_id, origin_type, status, context)| {
            let mut v = CopyBody::new(request_id, origin_type, status);
            v.context = context;
            v
        })
        .boxed()
}

/// A join, leave or refresh as a service receives it.
pub fn simple_action() -> BoxedStrategy<SimpleAction> {
    (
        id::<ChannelId>(),
        id::<CharacterId>(),
        option::of(context()),
    )
        .prop_map(|(channel_id, sender, context)| {
            let mut v = SimpleAction::new(channel_id, sender);
            v.context = context;
            v
        })
        .boxed()
}

/// A button click as a service receives it.
pub fn button_click() -> BoxedStrategy<ButtonClick> {
    (
        (
            id::<ButtonId>(),
            id::<ChannelId>(),
            id::<CharacterId>(),
            vec(click_argument(), 0..3),
        ),
        (
            option::of(vec(text(), 0..3)),
            option::of(text()),
            option::of(context()),
            option::of(text()),
        ),
    )
        .prop_map(
            |(
                (button_id, channel_id, sender, arguments),
                (labels, bottom_button_id, context, button_type),
            )| {
                let mut v = ButtonClick::new(button_id, channel_id, sender);
                v.arguments = arguments;
                v.labels = labels;
                v.bottom_button_id = bottom_button_id;
                v.context = context;
                v.button_type = button_type;
                v
            },
        )
        .boxed()
}

/// A menu-item click as a service receives it.
pub fn menu_item_click() -> BoxedStrategy<MenuItemClick> {
    (
        (
            id::<MenuItemId>(),
            message_subtype(),
            message_content(),
            id::<ChannelId>(),
            id::<CharacterId>(),
        ),
        (
            option::of(id()),
            vec(click_argument(), 0..3),
            option::of(text()),
            option::of(context()),
        ),
    )
        .prop_map(
            |(
                (menu_item_id, message_subtype, message_content, channel_id, sender),
                (message_id, arguments, bottom_button_id, context),
            )| {
                let mut v = MenuItemClick::new(
                    menu_item_id,
                    message_subtype,
                    message_content,
                    channel_id,
                    sender,
                );
                v.message_id = message_id;
                v.arguments = arguments;
                v.bottom_button_id = bottom_button_id;
                v.context = context;
                v
            },
        )
        .boxed()
}

// ---------------------------------------------------------------- outbound

/// `service_login`.
pub fn service_login() -> BoxedStrategy<ServiceLogin> {
    (id(), text())
        .prop_map(|(service_id, token)| ServiceLogin {
            service_id,
            access_token: AccessToken::new(token),
        })
        .boxed()
}

/// `user_login`.
pub fn user_login() -> BoxedStrategy<UserLogin> {
    text()
        .prop_map(|token| UserLogin {
            access_token: AccessToken::new(token),
        })
        .boxed()
}

/// `message_down`.
pub fn message_down() -> BoxedStrategy<MessageDown> {
    (
        (id(), id(), message_subtype(), message_content()),
        (group_ref(), id(), any::<i64>(), context()),
    )
        .prop_map(
            |(
                (service_id, channel_id, subtype, content),
                (recipients, sender, timestamp, context),
            )| MessageDown {
                service_id,
                channel_id,
                subtype,
                content,
                recipients,
                sender,
                timestamp,
                context,
            },
        )
        .boxed()
}

/// `message_up`.
pub fn message_up() -> BoxedStrategy<MessageUp> {
    (
        (id(), id(), message_subtype(), message_content()),
        (group_ref(), any::<i64>(), context()),
    )
        .prop_map(
            |((user_id, channel_id, subtype, content), (recipients, timestamp, context))| {
                MessageUp {
                    user_id,
                    channel_id,
                    subtype,
                    content,
                    recipients,
                    timestamp,
                    context,
                }
            },
        )
        .boxed()
}

/// What an outbound update changes, of every kind.
pub fn update_kind() -> BoxedStrategy<UpdateKind> {
    prop_oneof![
        (group_ref(), group_ref()).prop_map(|(recipients, characters)| UpdateKind::Characters {
            recipients,
            characters
        }),
        (group_ref(), vec(button(), 0..3)).prop_map(|(recipients, buttons)| UpdateKind::Buttons {
            recipients,
            buttons
        }),
        (group_ref(), vec(menu_item(), 0..3))
            .prop_map(|(recipients, items)| UpdateKind::Menu { recipients, items }),
        (group_ref(), vec(style_item(), 0..3))
            .prop_map(|(recipients, items)| UpdateKind::Style { recipients, items }),
        (group_ref(), vec(canvas_item(), 0..3))
            .prop_map(|(recipients, items)| UpdateKind::Canvas { recipients, items }),
        channel_info().prop_map(UpdateKind::ChannelInfo),
    ]
    .boxed()
}

/// `update` of a typed kind.
pub fn update() -> BoxedStrategy<Update> {
    (id(), id(), update_kind())
        .prop_map(|(service_id, channel_id, kind)| Update {
            service_id,
            channel_id,
            kind,
        })
        .boxed()
}

/// `update` with a body of the caller's shape: a random object. (A body that
/// happens to read as a typed update body, with `subtype`, `channel_id`,
/// `content` and a group as `recipients`, decodes as [`Update`]; random keys
/// never spell all four.)
pub fn generic_update() -> BoxedStrategy<GenericUpdate> {
    (id(), json_object())
        .prop_map(|(service_id, body)| GenericUpdate {
            service_id,
            body: Value::Object(body),
        })
        .boxed()
}

/// What a user action does, of every kind.
pub fn user_action_kind() -> BoxedStrategy<UserActionKind> {
    prop_oneof![
        Just(UserActionKind::JoinChannel),
        Just(UserActionKind::LeaveChannel),
        Just(UserActionKind::Refresh),
        (id(), vec(click_argument(), 0..3), text()).prop_map(
            |(button_id, arguments, bottom_button_id)| UserActionKind::ButtonClick {
                button_id,
                arguments,
                bottom_button_id,
            }
        ),
        (
            id(),
            (
                option::of(id()),
                option::of(message_subtype()),
                message_content()
            ),
            vec(click_argument(), 0..3),
            text(),
        )
            .prop_map(
                |(menu_item_id, (message_id, subtype, content), arguments, bottom_button_id)| {
                    UserActionKind::MenuItemClick {
                        menu_item_id,
                        message: {
                            let mut c = ClickedMessage::new(content);
                            c.message_id = message_id;
                            c.subtype = subtype;
                            c
                        },
                        arguments,
                        bottom_button_id,
                    }
                }
            ),
    ]
    .boxed()
}

/// `action` (user mode).
pub fn user_action() -> BoxedStrategy<UserAction> {
    (id(), id(), user_action_kind())
        .prop_map(|(user_id, channel_id, kind)| UserAction {
            user_id,
            channel_id,
            kind,
        })
        .boxed()
}

/// A frame type for [`CustomFrame`]: a known one or any string.
pub fn frame_type() -> BoxedStrategy<String> {
    prop_oneof![
        1 => select(FRAME_TYPES).prop_map(str::to_owned),
        1 => text(),
    ]
    .boxed()
}

/// The generic `send`: any type, any body.
pub fn custom_frame() -> BoxedStrategy<CustomFrame> {
    (frame_type(), id_string(), json_value())
        .prop_map(|(frame_type, client_id, body)| CustomFrame {
            frame_type,
            client_id,
            body,
        })
        .boxed()
}

/// Any outbound frame, every variant.
pub fn outbound() -> BoxedStrategy<Outbound> {
    prop_oneof![
        1 => service_login().prop_map(Outbound::ServiceLogin),
        1 => user_login().prop_map(Outbound::UserLogin),
        1 => Just(Outbound::Heartbeat),
        1 => message_down().prop_map(|m| Outbound::MessageDown(Box::new(m))),
        1 => message_up().prop_map(|m| Outbound::MessageUp(Box::new(m))),
        2 => update().prop_map(|u| Outbound::Update(Box::new(u))),
        1 => generic_update().prop_map(Outbound::GenericUpdate),
        2 => user_action().prop_map(|a| Outbound::Action(Box::new(a))),
        1 => custom_frame().prop_map(Outbound::Custom),
    ]
    .boxed()
}

// ---------------------------------------------------------------- frame-like JSON

/// Every frame type either side sends, plus `roger` (defined, unhandled).
pub const FRAME_TYPES: &[&str] = &[
    "message_up",
    "message_down",
    "action",
    "update",
    "copy",
    "refresh",
    "heartbeat",
    "service_login",
    "user_login",
    "roger",
];

/// Keys that frames and bodies carry, so random objects hit the decoders'
/// typed paths rather than only their "unknown key" arms.
pub const KEYS: &[&str] = &[
    "type",
    "body",
    "message",
    "request_id",
    "service_id",
    "user_id",
    "character_id",
    "access_token",
    "subtype",
    "channel_id",
    "content",
    "recipients",
    "sender",
    "timestamp",
    "message_id",
    "context",
    "characters",
    "button_id",
    "arguments",
    "labels",
    "bottom_button_id",
    "button_type",
    "menu_item_id",
    "message_subtype",
    "message_content",
    "group_id",
    "status",
    "origin_type",
    "text",
    "label",
    "value",
    "character_context",
    "name",
];

/// Every subtype of any frame.
pub fn any_subtype() -> BoxedStrategy<String> {
    let mut all: Vec<String> = Vec::new();
    all.extend(MessageSubtype::KNOWN.iter().map(|s| s.as_str().to_owned()));
    all.extend(UpdateSubtype::KNOWN.iter().map(|s| s.as_str().to_owned()));
    all.extend(ActionSubtype::KNOWN.iter().map(|s| s.as_str().to_owned()));
    all.push("fetch_characters".into());
    select(all).boxed()
}

/// A JSON value biased towards the shapes of frames: objects whose keys are
/// mostly [`KEYS`], `subtype`s that are real, strings that are ids.
pub fn frame_ish_value() -> BoxedStrategy<Value> {
    let key = prop_oneof![4 => select(KEYS).prop_map(str::to_owned), 1 => text()];
    let leaf = prop_oneof![
        4 => json_leaf(),
        1 => any_subtype().prop_map(Value::String),
        1 => select(FRAME_TYPES).prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(key.clone(), inner, 0..7)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A frame-shaped object: `type` is each known frame type (or another
/// string, or absent), `body` a frame-ish value, plus random members.
pub fn frame_ish() -> BoxedStrategy<Value> {
    (
        option::of(frame_type()),
        option::of(frame_ish_value()),
        btree_map(
            select(KEYS).prop_map(str::to_owned),
            frame_ish_value(),
            0..4,
        ),
        option::of(any_subtype()),
    )
        .prop_map(|(ty, body, extra, subtype)| {
            let mut m: Map<String, Value> = extra.into_iter().collect();
            if let Some(ty) = ty {
                m.insert("type".into(), Value::String(ty));
            }
            if let Some(mut body) = body {
                if let (Value::Object(b), Some(s)) = (&mut body, subtype) {
                    b.insert("subtype".into(), Value::String(s));
                }
                m.insert("body".into(), body);
            }
            Value::Object(m)
        })
        .boxed()
}
