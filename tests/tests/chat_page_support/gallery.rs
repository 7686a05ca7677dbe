//! A service that shows everything the chat page can render besides text:
//! an image, a file and a card message, an agent with an avatar picture, a
//! canvas with a picture (collapsed by style), a highlighted button whose
//! dialog has every input component type, and menu items for image and
//! text messages.

use moobius_tokio::proto::compose::{MessageInput, MessageSpec};
use moobius_tokio::proto::ids::{ChannelId, CharacterId};
use moobius_tokio::proto::model::{
    Button, ButtonClick, CanvasItem, Dialog, Display, InputComponent, InputType, MenuItem,
    MenuItemClick, MessageContent, MessageSubtype, SimpleAction, StyleItem, Widget,
};
use moobius_tokio::{CallbackResult, Moobius, Profile, Service};

/// The agent's name.
pub(crate) const AGENT: &str = "Gallery";

/// See the module docs. `image_url` and `file_url` are served by the
/// devserver (`DevServerHandle::put_file`).
pub(crate) struct Gallery {
    pub(crate) image_url: String,
    pub(crate) file_url: String,
    agent: Option<CharacterId>,
}

impl Gallery {
    pub(crate) fn new(image_url: String, file_url: String) -> Self {
        Self {
            image_url,
            file_url,
            agent: None,
        }
    }

    fn agent(&self) -> CharacterId {
        self.agent.clone().unwrap_or_default()
    }

    async fn content(
        &self,
        m: &Moobius,
        channel: &ChannelId,
        to: CharacterId,
        subtype: MessageSubtype,
        content: MessageContent,
    ) -> CallbackResult {
        let spec = MessageSpec::new(
            channel.clone(),
            MessageInput::Content { subtype, content },
            to,
        )
        .sender(self.agent());
        m.send_message(spec).await?;
        Ok(())
    }

    async fn say(
        &self,
        m: &Moobius,
        channel: &ChannelId,
        to: CharacterId,
        text: String,
    ) -> CallbackResult {
        let content = MessageContent::text(text);
        self.content(m, channel, to, MessageSubtype::Text, content)
            .await
    }

    async fn interface(&self, m: &Moobius, channel: &ChannelId, to: CharacterId) -> CallbackResult {
        let mut characters = m.fetch_member_ids(channel.clone()).await?;
        characters.push(self.agent());
        m.send_characters(channel.clone(), characters, to.clone())
            .await?;

        let mut dropdown = InputComponent::new("Colour", InputType::Dropdown);
        dropdown.choices = Some(vec!["red".into(), "green".into(), "blue".into()]);
        let mut name = InputComponent::new("Name", InputType::Text);
        name.required = Some(true);
        name.placeholder = Some("your name".into());
        let form = Dialog::new("Every component")
            .component(name)
            .component(InputComponent::new("Story", InputType::Textbox))
            .component(InputComponent::new("Age", InputType::Number))
            .component(InputComponent::new("Secret", InputType::Password))
            .component(dropdown);
        let buttons = vec![
            Button::new("form", "FORM").with_dialog(form),
            Button::new("hidden", "HIDDEN"),
        ];
        m.send_buttons(channel.clone(), buttons, to.clone()).await?;

        let mut caption = MenuItem::new("caption", "Caption it", [MessageSubtype::Text]);
        caption.dialog =
            Some(Dialog::new("Caption").component(InputComponent::new("Caption", InputType::Text)));
        let describe = MenuItem::new("describe", "Describe it", [MessageSubtype::Image]);
        m.send_menu(channel.clone(), vec![describe, caption], to.clone())
            .await?;

        let canvas =
            vec![CanvasItem::text("A picture on the canvas").with_path(self.image_url.clone())];
        m.send_canvas(channel.clone(), canvas, to.clone()).await?;

        let mut collapsed = StyleItem::new(Widget::Canvas, Display::Visible);
        collapsed.expand = Some(false);
        let mut highlight = StyleItem::new(Widget::Button, Display::Highlight);
        highlight.button_id = Some("form".into());
        let mut hidden = StyleItem::new(Widget::Button, Display::Invisible);
        hidden.button_id = Some("hidden".into());
        m.send_style(channel.clone(), vec![collapsed, highlight, hidden], to)
            .await?;
        Ok(())
    }
}

impl Service for Gallery {
    type Spell = ();

    async fn before_channel_init(&mut self, m: &Moobius) -> CallbackResult {
        let profile = Profile::new(AGENT)
            .avatar(self.image_url.clone())
            .description("Shows pictures, files and cards");
        self.agent = Some(m.create_agent(profile).await?.character_id);
        Ok(())
    }

    async fn on_join(&mut self, m: &Moobius, action: SimpleAction) -> CallbackResult {
        let (c, to) = (&action.channel_id, action.sender.clone());
        self.interface(m, c, to.clone()).await?;
        let image = MessageContent::path(self.image_url.clone());
        self.content(m, c, to.clone(), MessageSubtype::Image, image)
            .await?;
        let file = MessageContent::path(self.file_url.clone())
            .with_filename("report.txt")
            .with_size(2048);
        self.content(m, c, to.clone(), MessageSubtype::File, file)
            .await?;
        let card = MessageContent::text("Cards have a title, a text and a link.")
            .with_title("A card")
            .with_link("https://example.com/")
            .with_button("Open it");
        self.content(m, c, to, MessageSubtype::Card, card).await
    }

    async fn on_refresh(&mut self, m: &Moobius, action: SimpleAction) -> CallbackResult {
        self.interface(m, &action.channel_id, action.sender).await
    }

    async fn on_button_click(&mut self, m: &Moobius, click: ButtonClick) -> CallbackResult {
        let args: Vec<String> = click
            .arguments
            .iter()
            .map(|a| format!("{}={}", a.label, a.value))
            .collect();
        let text = format!(
            "{} via {}: {}",
            click.button_id,
            click.bottom_button_id.as_deref().unwrap_or("?"),
            args.join("; ")
        );
        self.say(m, &click.channel_id, click.sender, text).await
    }

    async fn on_menu_item_click(&mut self, m: &Moobius, click: MenuItemClick) -> CallbackResult {
        let text = match click.menu_item_id.as_str() {
            "describe" => format!(
                "That is an {} message at {}",
                click.message_subtype,
                click.message_content.path.clone().unwrap_or_default()
            ),
            other => {
                let args: Vec<String> = click.arguments.iter().map(|a| a.value.clone()).collect();
                format!("{other}: {}", args.join(", "))
            }
        };
        self.say(m, &click.channel_id, click.sender, text).await
    }
}
