//! The smallest service: every message goes back to its author.
//!
//! `cargo run -p moobius-tokio --example echo` runs it on an embedded
//! devserver with a user who says two things; `-- --config config.json`
//! serves a real platform until Ctrl-C.

#[path = "common/mod.rs"]
mod common;

use moobius_tokio::prelude::*;

struct Echo;

impl Service for Echo {
    type Spell = ();

    async fn on_message_up(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
        let author = message.sender.clone();
        moobius
            .send_message(MessageSpec::forward(&message, author))
            .await?;
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_logging();
    if let Some(config) = Config::from_args(std::env::args().skip(1))? {
        return Ok(moobius_tokio::run(config, Echo).await?);
    }
    let server = common::devserver(&[common::USER_EMAIL]).await;
    let service = moobius_tokio::spawn(common::service_config(&server), Echo);
    service.moobius().wait_ready().await?;
    let (printer, mut inbox) = common::Printer::new("alice");
    let user = moobius_tokio::spawn(common::user_config(&server, common::USER_EMAIL), printer);
    user.moobius().wait_ready().await?;
    for text in ["hello", "is there an echo?"] {
        println!("  alice says: {text}");
        let spec = MessageSpec::text(common::CHANNEL, text, Recipients::Service);
        user.moobius().send_message(spec).await?;
        common::next(&mut inbox).await?;
    }
    user.stop().await?;
    service.stop().await?;
    server.shutdown().await;
    Ok(())
}
