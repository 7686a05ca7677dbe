//! User mode: a bot that lives in a user account and answers "ping".
//!
//! In a channel no service is bound to, the platform delivers users'
//! messages to their recipients; the bot (Alice's account) answers Bob.
//! `cargo run -p moobius-tokio --example user_bot`

#[path = "common/mod.rs"]
mod common;

use moobius_tokio::prelude::*;

const BOB: &str = "bob@quickstart.local";

struct PingBot;

impl Service for PingBot {
    type Spell = ();

    async fn on_message_down(&mut self, m: &Moobius, message: MessageBody) -> CallbackResult {
        if message.content.text.as_deref() == Some("ping") {
            let reply =
                MessageSpec::text(message.channel_id.clone(), "pong", message.sender.clone());
            m.send_message(reply).await?;
        }
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_logging();
    if let Some(config) = moobius_tokio::Config::from_args(std::env::args().skip(1))? {
        return Ok(moobius_tokio::run(config, PingBot).await?);
    }
    let server = common::devserver(&[common::USER_EMAIL, BOB]).await;
    let bot = moobius_tokio::spawn(common::user_config(&server, common::USER_EMAIL), PingBot);
    bot.moobius().wait_ready().await?;
    let (printer, mut inbox) = common::Printer::new("bob");
    let bob = moobius_tokio::spawn(common::user_config(&server, BOB), printer);
    bob.moobius().wait_ready().await?;
    let alice = bot.moobius().own_id().unwrap_or_default();
    // Both have joined the channel (the bot's join may still be in flight).
    let joined = |s: &moobius_devserver::DevServerHandle| {
        s.members(common::CHANNEL).contains(&alice).then_some(())
    };
    server
        .wait_until(std::time::Duration::from_secs(10), joined)
        .await
        .ok_or("the bot did not join")?;
    println!("  bob says ping to the bot");
    bob.moobius()
        .send_message(MessageSpec::text(
            common::CHANNEL,
            "ping",
            vec![alice.into()],
        ))
        .await?;
    common::next(&mut inbox).await?;
    bob.stop().await?;
    bot.stop().await?;
    server.shutdown().await;
    Ok(())
}
