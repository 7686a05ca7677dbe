//! A Wand runs services in the background and sends them spells.
//!
//! `cargo run -p moobius-tokio --example wand_spells`

#[path = "common/mod.rs"]
mod common;

use moobius_tokio::prelude::*;

/// Announces whatever it is told to the channel.
struct Herald;

impl Service for Herald {
    type Spell = String;

    async fn on_join(&mut self, m: &Moobius, join: SimpleAction) -> CallbackResult {
        let hello = "Welcome! Announcements will appear here.";
        m.send_message(MessageSpec::text(join.channel_id, hello, join.sender))
            .await?;
        Ok(())
    }

    async fn on_spell(&mut self, m: &Moobius, text: String) -> CallbackResult {
        let everyone = m.fetch_member_ids(common::CHANNEL).await?;
        if !everyone.is_empty() {
            m.send_message(MessageSpec::text(common::CHANNEL, text, everyone))
                .await?;
        }
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_logging();
    if let Some(config) = moobius_tokio::Config::from_args(std::env::args().skip(1))? {
        return Ok(moobius_tokio::run(config, Herald).await?);
    }
    let server = common::devserver(&[common::USER_EMAIL]).await;
    let mut wand = Wand::new();
    let herald = wand.spawn(common::service_config(&server), Herald);
    herald.moobius().wait_ready().await?;
    let (printer, mut inbox) = common::Printer::new("dave");
    let listener = wand.spawn(common::user_config(&server, common::USER_EMAIL), printer);
    listener.moobius().wait_ready().await?;
    common::next(&mut inbox).await?; // the welcome: dave is in the channel
    for spell in ["Hear ye!", "The quick start works."] {
        println!("  spell to service #{}: {spell:?}", herald.id());
        wand.spell(&herald, spell.to_owned()).await?;
        common::next(&mut inbox).await?;
    }
    // In a real program: `wand.run_until_ctrl_c().await?`.
    wand.stop_all().await?;
    server.shutdown().await;
    Ok(())
}
