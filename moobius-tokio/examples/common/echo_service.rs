//! The example service: echoes messages, offers two buttons (one with a

//! dialog), a context menu, and a canvas counting messages.

use moobius_tokio::prelude::*;
use std::collections::HashMap;

/// The agent the service speaks as.
pub(crate) const AGENT_NAME: &str = "Echo bot";

/// Echo + buttons + menu + canvas.
#[derive(Default)]
pub(crate) struct EchoService {
    agent: Option<CharacterId>,
    echoed: HashMap<ChannelId, u32>,
}

impl EchoService {
    fn agent(&self) -> CharacterId {
        self.agent.clone().unwrap_or_default()
    }

    /// Everything a client shows: characters, buttons, menu, canvas, style.
    async fn send_interface(
        &self,
        m: &Moobius,
        channel: &ChannelId,
        to: CharacterId,
    ) -> CallbackResult {
        let mut characters = m.fetch_member_ids(channel.clone()).await?;
        characters.push(self.agent());
        m.send_characters(channel.clone(), characters, to.clone())
            .await?;
        m.send_buttons(channel.clone(), buttons(), to.clone())
            .await?;
        let shout = MenuItem::new("shout", "Shout it", [MessageSubtype::Text]);
        m.send_menu(channel.clone(), vec![shout], to.clone())
            .await?;
        let count = self.echoed.get(channel).copied().unwrap_or(0);
        m.send_canvas(channel.clone(), canvas(count), to.clone())
            .await?;
        let mut style = StyleItem::new(Widget::Canvas, Display::Visible);
        style.expand = Some(true);
        m.send_style(channel.clone(), vec![style], to).await?;
        Ok(())
    }

    async fn say(
        &self,
        m: &Moobius,
        channel: &ChannelId,
        to: CharacterId,
        text: String,
    ) -> CallbackResult {
        let spec = MessageSpec::text(channel.clone(), text, to).sender(self.agent());
        m.send_message(spec).await?;
        Ok(())
    }
}

fn buttons() -> Vec<Button> {
    let times = InputComponent::new("How many times?", InputType::Dropdown)
        .with_choices((1..=5).map(|n| n.to_string()))
        .with_required(true);
    let repeat = Dialog::new("Repeat after me")
        .component(InputComponent::new(
            "What should I repeat?",
            InputType::Text,
        ))
        .component(times)
        .bottom_button(BottomButton::new("cancel", "Never mind", false))
        .bottom_button(BottomButton::new("confirm", "Repeat!", true));
    vec![
        Button::new("meow", "MEOW"),
        Button::new("repeat", "REPEAT").with_dialog(repeat),
    ]
}

fn canvas(count: u32) -> Vec<CanvasItem> {
    vec![
        CanvasItem::text("Welcome to the lobby! Say something and I will say it back."),
        CanvasItem::text(format!("Messages echoed so far: {count}")),
    ]
}

impl Service for EchoService {
    type Spell = ();

    async fn before_channel_init(&mut self, m: &Moobius) -> CallbackResult {
        // Reuse the agent from an earlier run, or create it.
        let agents = m.fetch_agents().await?;
        let agent = match agents.into_iter().find(|a| a.name == AGENT_NAME) {
            Some(a) => a,
            None => {
                let profile = Profile::new(AGENT_NAME).description("Says back what you say");
                m.create_agent(profile).await?
            }
        };
        self.agent = Some(agent.character_id);
        Ok(())
    }

    async fn on_join(&mut self, m: &Moobius, action: SimpleAction) -> CallbackResult {
        self.send_interface(m, &action.channel_id, action.sender.clone())
            .await?;
        let text = "Welcome! Type anything, or press a button.".to_owned();
        self.say(m, &action.channel_id, action.sender, text).await
    }

    async fn on_refresh(&mut self, m: &Moobius, action: SimpleAction) -> CallbackResult {
        self.send_interface(m, &action.channel_id, action.sender)
            .await
    }

    async fn on_message_up(&mut self, m: &Moobius, message: MessageBody) -> CallbackResult {
        let channel = message.channel_id.clone();
        let text = message
            .content
            .text
            .clone()
            .unwrap_or_else(|| format!("a {} message", message.subtype));
        self.say(
            m,
            &channel,
            message.sender.clone(),
            format!("You said: \"{text}\""),
        )
        .await?;
        let count = self.echoed.entry(channel.clone()).or_insert(0);
        *count += 1;
        let count = *count;
        let everyone = m.fetch_member_ids(channel.clone()).await?;
        if !everyone.is_empty() {
            m.send_canvas(channel, canvas(count), everyone).await?;
        }
        Ok(())
    }

    async fn on_button_click(&mut self, m: &Moobius, click: ButtonClick) -> CallbackResult {
        let to = click.sender.clone();
        let text = match click.button_id.as_str() {
            "meow" => "Meow! =^.^=".to_owned(),
            "repeat" => {
                let arg = |label: &str| {
                    click
                        .arguments
                        .iter()
                        .find(|a| a.label == label)
                        .map(|a| a.value.clone())
                };
                let what = arg("What should I repeat?").unwrap_or_else(|| "nothing".into());
                let times: usize = arg("How many times?")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1);
                vec![what; times.clamp(1, 5)].join(" ")
            }
            other => format!("I don't know the button {other:?}"),
        };
        self.say(m, &click.channel_id, to, text).await
    }

    async fn on_menu_item_click(&mut self, m: &Moobius, click: MenuItemClick) -> CallbackResult {
        let text = click.message_content.text.clone().unwrap_or_default();
        let reply = match click.menu_item_id.as_str() {
            "shout" => format!("{}!", text.to_uppercase()),
            other => format!("I don't know the menu item {other:?}"),
        };
        self.say(m, &click.channel_id, click.sender, reply).await
    }
}
