//! Buttons, one of them with a dialog, and what a click carries.
//!
//! `cargo run -p moobius-tokio --example buttons_and_dialogs`

#[path = "common/mod.rs"]
mod common;

use moobius_tokio::prelude::*;

struct Greeter;

impl Service for Greeter {
    type Spell = ();

    /// Every newcomer gets the buttons.
    async fn on_join(&mut self, m: &Moobius, join: SimpleAction) -> CallbackResult {
        let dialog = Dialog::new("Who are you?")
            .component(InputComponent::new("Your name", InputType::Text))
            .bottom_button(BottomButton::new("ok", "Greet me", true));
        let buttons = vec![
            Button::new("wave", "Wave"),
            Button::new("greet", "Greet").with_dialog(dialog),
        ];
        m.send_buttons(join.channel_id, buttons, join.sender)
            .await?;
        Ok(())
    }

    async fn on_button_click(&mut self, m: &Moobius, click: ButtonClick) -> CallbackResult {
        let reply = match click.button_id.as_str() {
            "wave" => "*waves back*".to_owned(),
            _ => {
                let name = click
                    .arguments
                    .first()
                    .map_or("stranger", |a| a.value.as_str());
                format!("Hello, {name}! (you pressed {:?})", click.bottom_button_id)
            }
        };
        m.send_message(MessageSpec::text(click.channel_id, reply, click.sender))
            .await?;
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_logging();
    if let Some(config) = moobius_tokio::Config::from_args(std::env::args().skip(1))? {
        return Ok(moobius_tokio::run(config, Greeter).await?);
    }
    let server = common::devserver(&[common::USER_EMAIL]).await;
    let service = moobius_tokio::spawn(common::service_config(&server), Greeter);
    service.moobius().wait_ready().await?;
    let (printer, mut inbox) = common::Printer::new("bob");
    let user = moobius_tokio::spawn(common::user_config(&server, common::USER_EMAIL), printer);
    user.moobius().wait_ready().await?;
    let u = user.moobius();
    println!("  bob clicks Wave");
    u.send_button_click(Click::new(common::CHANNEL, "wave"))
        .await?;
    common::next(&mut inbox).await?;
    println!("  bob clicks Greet and types \"Bob\"");
    let click = Click::new(common::CHANNEL, "greet")
        .argument("Your name", "Bob")
        .bottom_button("ok");
    u.send_button_click(click).await?;
    common::next(&mut inbox).await?;
    user.stop().await?;
    service.stop().await?;
    server.shutdown().await;
    Ok(())
}
