//! An echo service: every message comes back to its author. With a config file
//! (`cargo run -p moobius-blocking --example blocking_echo -- --config config.json`) it serves that platform;
//! without, it starts a local devserver, says hello as a user, prints the echo and exits.
mod dev;
use moobius_blocking::prelude::*;

struct Echo;

impl Bot for Echo {
    type Spell = ();
    fn on_message_up(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
        let author = message.sender.clone();
        Ok(moobius.send_message(MessageSpec::forward(&message, author))?)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Some(config) = Config::from_args(std::env::args().skip(1))? {
        return Ok(moobius_blocking::run(config, Echo)?);
    }
    let dev = dev::Dev::start(&["echo@example.com", "alice@example.com"])?;
    let echo = moobius_blocking::spawn(dev.service("echo@example.com")?, Echo)?;
    echo.moobius().wait_ready(dev::WAIT)?;
    let mut alice = Client::connect(dev.user("alice@example.com")?, dev::WAIT)?;
    let hello = MessageSpec::text("lobby", "hello, echo!", Recipients::Service);
    alice.moobius().send_message(hello)?;
    let heard = std::iter::from_fn(|| alice.next_event_timeout(dev::WAIT)).find_map(|e| match e {
        Event::MessageDown(message) => message.content.text,
        _ => None,
    });
    println!("alice hears back: {}", heard.unwrap_or_default());
    Ok(echo.stop()?)
}
