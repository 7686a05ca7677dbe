//! Wire shapes of one encoded frame per outbound kind, pinned with insta.
//! A change to any of these is a change to the wire protocol: review it.

use moobius_proto::model::{
    BottomButton, Button, CanvasItem, ChannelInfo, ClickArgument, Dialog, Display, GroupRef,
    InputComponent, InputType, MenuItem, MessageContent, MessageSubtype, StyleItem, Widget,
};
use moobius_proto::ws::{
    ClickedMessage, CustomFrame, GenericUpdate, MessageDown, MessageUp, Outbound, ServiceLogin,
    Update, UpdateKind, UserAction, UserActionKind, UserLogin,
};
use moobius_proto::{AccessToken, RequestId};
use serde_json::json;

const SERVICE: &str = "11111111-1111-4111-8111-111111111111";
const CHANNEL: &str = "22222222-2222-4222-8222-222222222222";
const USER: &str = "33333333-3333-4333-8333-333333333333";
const AGENT: &str = "55555555-5555-4555-8555-555555555555";
const GROUP: &str = "66666666-6666-4666-8666-666666666666";
const LIST: &str = "77777777-7777-4777-8777-777777777777";

fn encode(frame: Outbound) -> String {
    frame.encode(&RequestId::new("88888888-8888-4888-8888-888888888888"))
}

fn to() -> GroupRef {
    GroupRef::Group(GROUP.into())
}

fn update(kind: UpdateKind) -> Outbound {
    Outbound::Update(Box::new(Update {
        service_id: SERVICE.into(),
        channel_id: CHANNEL.into(),
        kind,
    }))
}

fn action(kind: UserActionKind) -> Outbound {
    Outbound::Action(Box::new(UserAction {
        user_id: USER.into(),
        channel_id: CHANNEL.into(),
        kind,
    }))
}

#[test]
fn login_and_heartbeat() {
    insta::assert_snapshot!(
        "service_login",
        encode(Outbound::ServiceLogin(ServiceLogin {
            service_id: SERVICE.into(),
            access_token: AccessToken::new("eyJ.access")
        }))
    );
    insta::assert_snapshot!(
        "user_login",
        encode(Outbound::UserLogin(UserLogin {
            access_token: AccessToken::new("eyJ.access")
        }))
    );
    insta::assert_snapshot!("heartbeat", encode(Outbound::Heartbeat));
}

#[test]
fn messages() {
    insta::assert_snapshot!(
        "message_down",
        encode(Outbound::MessageDown(Box::new(MessageDown {
            service_id: SERVICE.into(),
            channel_id: CHANNEL.into(),
            subtype: MessageSubtype::Text,
            content: MessageContent::text("hello"),
            recipients: to(),
            sender: AGENT.into(),
            timestamp: 1_722_014_904_438,
            context: Default::default(),
        })))
    );
    insta::assert_snapshot!(
        "message_up",
        encode(Outbound::MessageUp(Box::new(MessageUp {
            user_id: USER.into(),
            channel_id: CHANNEL.into(),
            subtype: MessageSubtype::Image,
            content: MessageContent::path("https://bucket.example/a.png"),
            recipients: GroupRef::Service,
            timestamp: 1_722_014_904_438,
            context: Default::default(),
        })))
    );
}

#[test]
fn updates() {
    insta::assert_snapshot!(
        "update_characters",
        encode(update(UpdateKind::Characters {
            recipients: to(),
            characters: GroupRef::Group(LIST.into())
        }))
    );
    let dialog = Dialog::new("REPEAT")
        .component(
            InputComponent::new("How many?", InputType::Dropdown)
                .with_required(true)
                .with_choices(["1", "2"]),
        )
        .bottom_button(BottomButton::new("cancel", "NO!", false));
    insta::assert_snapshot!(
        "update_buttons",
        encode(update(UpdateKind::Buttons {
            recipients: to(),
            buttons: vec![
                Button::new("meow", "MEOW"),
                Button::new("repeat", "REPEAT").with_dialog(dialog)
            ]
        }))
    );
    insta::assert_snapshot!(
        "update_menu",
        encode(update(UpdateKind::Menu {
            recipients: to(),
            items: vec![MenuItem::new(
                "mi_type",
                "What type is it?",
                [MessageSubtype::Text, MessageSubtype::Audio]
            )]
        }))
    );
    insta::assert_snapshot!(
        "update_style",
        encode(update(UpdateKind::Style {
            recipients: to(),
            items: vec![StyleItem::new(Widget::Canvas, Display::Visible).with_expand(true)]
        }))
    );
    insta::assert_snapshot!(
        "update_canvas",
        encode(update(UpdateKind::Canvas {
            recipients: to(),
            items: vec![
                CanvasItem::text("I am up!"),
                CanvasItem::image("https://bucket.example/a.png")
            ]
        }))
    );
    insta::assert_snapshot!(
        "update_channel_info",
        encode(update(UpdateKind::ChannelInfo(
            ChannelInfo::new(CHANNEL, "Graduated!", "I know Moobius now!").with_channel_type("ccs")
        )))
    );
    insta::assert_snapshot!(
        "update_generic",
        encode(Outbound::GenericUpdate(GenericUpdate {
            service_id: SERVICE.into(),
            body: json!({"any": "caller data"})
        }))
    );
}

#[test]
fn actions() {
    insta::assert_snapshot!(
        "action_join_channel",
        encode(action(UserActionKind::JoinChannel))
    );
    insta::assert_snapshot!(
        "action_leave_channel",
        encode(action(UserActionKind::LeaveChannel))
    );
    insta::assert_snapshot!("action_refresh", encode(action(UserActionKind::Refresh)));
    insta::assert_snapshot!(
        "action_button_click",
        encode(action(UserActionKind::ButtonClick {
            button_id: "repeat".into(),
            arguments: vec![ClickArgument::new("How many?", "2")],
            bottom_button_id: "confirm".into(),
        }))
    );
    insta::assert_snapshot!(
        "action_menu_item_click",
        encode(action(UserActionKind::MenuItemClick {
            menu_item_id: "mi_type".into(),
            message: {
                let mut m = ClickedMessage::new(MessageContent::text("meow"));
                m.message_id = Some("99999999-9999-4999-8999-999999999999".into());
                m.subtype = Some(MessageSubtype::Text);
                m
            },
            arguments: vec![],
            bottom_button_id: "confirm".into(),
        }))
    );
}

#[test]
fn custom_frame() {
    insta::assert_snapshot!(
        "custom_message_down",
        encode(Outbound::Custom(CustomFrame {
            frame_type: "message_down".into(),
            client_id: SERVICE.into(),
            body: json!({"subtype": "text"})
        }))
    );
}
