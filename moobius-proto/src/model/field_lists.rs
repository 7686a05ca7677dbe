//! The field lists of the model structs, pinned. Outside this crate they are
//! `#[non_exhaustive]`: tests and the proptest strategies
//! (`tests/strategies/mod.rs`) build them with constructors and field
//! assignments, which still compile when a field is added. The struct
//! literals here do not: a new field fails to compile here first, as a
//! reminder to fill it in the strategies too, and each value must encode
//! every field it has.

use super::*;
use serde::Serialize;

fn keys(value: &impl Serialize) -> usize {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_object().map(serde_json::Map::len))
        .unwrap_or(0)
}

fn ctx() -> Option<Context> {
    Some(Context::default())
}

#[test]
fn received_bodies_encode_every_field() {
    let content = MessageContent {
        text: Some("t".into()),
        path: Some("p".into()),
        size: Some(1),
        filename: Some("f".into()),
        link: Some("l".into()),
        title: Some("ti".into()),
        button: Some("b".into()),
    };
    assert_eq!(keys(&content), 7);
    let body = MessageBody {
        subtype: MessageSubtype::Text,
        channel_id: "c".into(),
        content: content.clone(),
        timestamp: 1,
        recipients: Some(CharacterRefs::Ids(vec!["u".into()])),
        sender: "s".into(),
        message_id: Some("m".into()),
        context: ctx(),
    };
    assert_eq!(keys(&body), 8);
    let argument = ClickArgument {
        label: "l".into(),
        value: "v".into(),
        filename: Some("f".into()),
    };
    assert_eq!(keys(&argument), 3);
    let click = ButtonClick {
        button_id: "b".into(),
        channel_id: "c".into(),
        sender: "s".into(),
        arguments: vec![argument.clone()],
        labels: Some(vec![]),
        bottom_button_id: Some("x".into()),
        context: ctx(),
        button_type: Some("t".into()),
    };
    assert_eq!(keys(&click), 8);
    let menu_click = MenuItemClick {
        menu_item_id: "m".into(),
        message_subtype: MessageSubtype::Text,
        message_content: content,
        channel_id: "c".into(),
        sender: "s".into(),
        message_id: Some("id".into()),
        arguments: vec![argument],
        bottom_button_id: Some("x".into()),
        context: ctx(),
    };
    assert_eq!(keys(&menu_click), 9);
    let action = SimpleAction {
        channel_id: "c".into(),
        sender: "s".into(),
        context: ctx(),
    };
    assert_eq!(keys(&action), 3);
    let copy = CopyBody {
        request_id: crate::ids::RequestId::new("r"),
        origin_type: "o".into(),
        status: true,
        context: ctx(),
    };
    assert_eq!(keys(&copy), 4);
    let user = UserInfo {
        user_id: "u".into(),
        email: "e".into(),
        email_verified: Some(true),
        name: "n".into(),
        avatar: Some("a".into()),
        description: Some("d".into()),
        system_context: ctx(),
    };
    assert_eq!(keys(&user), 7);
    let group = Group {
        group_id: "g".into(),
        character_ids: vec!["u".into()],
    };
    assert_eq!(keys(&group), 2);
}

#[test]
fn interface_items_encode_every_field() {
    let component = InputComponent {
        label: "l".into(),
        kind: InputType::Dropdown,
        required: Some(true),
        placeholder: Some("p".into()),
        choices: Some(vec!["1".into()]),
    };
    assert_eq!(keys(&component), 5);
    let bottom = BottomButton {
        id: "i".into(),
        text: "t".into(),
        submit: true,
    };
    assert_eq!(keys(&bottom), 3);
    let dialog = Dialog {
        title: "t".into(),
        components: Some(vec![component]),
        bottom_buttons: Some(vec![bottom]),
    };
    assert_eq!(keys(&dialog), 3);
    let button = Button {
        button_id: "b".into(),
        button_text: "t".into(),
        dialog: Some(dialog.clone()),
    };
    assert_eq!(keys(&button), 3);
    let item = MenuItem {
        menu_item_id: "m".into(),
        menu_item_text: "t".into(),
        message_subtypes: OneOrList::One(MessageSubtype::Text),
        dialog: Some(dialog),
    };
    assert_eq!(keys(&item), 4);
    let style = StyleItem {
        widget: Widget::Button,
        display: Display::Highlight,
        expand: Some(true),
        button_id: Some("b".into()),
        text: Some("t".into()),
    };
    assert_eq!(keys(&style), 5);
    let canvas = CanvasItem {
        text: Some("t".into()),
        path: Some("p".into()),
    };
    assert_eq!(keys(&canvas), 2);
    let info = ChannelInfo {
        channel_id: "c".into(),
        channel_name: "n".into(),
        channel_description: "d".into(),
        channel_type: "ccs".into(),
    };
    assert_eq!(keys(&info), 4);
    let character = Character {
        character_id: "u".into(),
        name: "n".into(),
        avatar: Some("a".into()),
        description: Some("d".into()),
        character_context: ctx(),
    };
    // `character_id` and `character_context` (name, avatar and
    // description inside it).
    assert_eq!(keys(&character), 2);
}
