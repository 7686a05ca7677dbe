//! A user-mode bot: an ordinary account that answers "ping" with "pong". With a config
//! (`cargo run -p moobius-blocking --example pingpong -- --config config.json`, `service_mode: false`)
//! it runs as that account; without, it starts a local devserver, pings it, prints the answer.
mod dev;
use moobius_blocking::prelude::*;

struct PingPong;

impl Bot for PingPong {
    type Spell = ();
    fn on_message_down(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
        if message.content.text.as_deref() == Some("ping") {
            let pong = MessageSpec::text(message.channel_id, "pong", message.sender);
            moobius.send_message(pong)?;
        }
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Some(config) = Config::from_args(std::env::args().skip(1))? {
        return Ok(moobius_blocking::run(config, PingPong)?);
    }
    let dev = dev::Dev::start(&["bot@example.com", "alice@example.com"])?;
    let bot = moobius_blocking::spawn(dev.user("bot@example.com")?, PingPong)?;
    bot.moobius().wait_ready(dev::WAIT)?;
    let bot_id = CharacterId::new(bot.moobius().own_id().unwrap_or_default());
    let mut alice = Client::connect(dev.user("alice@example.com")?, dev::WAIT)?;
    let ping = MessageSpec::text("lobby", "ping", bot_id);
    alice.moobius().send_message(ping)?;
    let heard = std::iter::from_fn(|| alice.next_event_timeout(dev::WAIT)).find_map(|e| match e {
        Event::MessageDown(message) => message.content.text,
        _ => None,
    });
    println!("alice: ping; the bot: {}", heard.unwrap_or_default());
    Ok(bot.stop()?)
}
