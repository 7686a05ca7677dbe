//! The echo service of the end-to-end benchmark (`moobius-tokio/benches/e2e.rs`,
//! `scripts/bench/e2e-vs-reference.sh`) on the blocking driver, as a process
//! of its own so that its CPU time and memory can be read alone.
//!
//! ```sh
//! e2e_service_blocking --config config.json
//! ```
//!
//! Every message goes back to its author. Prints `E2E READY` once ready;
//! stops gracefully on SIGTERM or Ctrl-C.

use moobius_blocking::proto::{compose::MessageSpec, model::MessageBody};
use moobius_blocking::{Bot, CallbackResult, Config, Moobius};

/// Sends every message back to its author.
struct Echo;

impl Bot for Echo {
    type Spell = ();

    fn on_start(&mut self, _moobius: &Moobius) -> CallbackResult {
        println!("E2E READY");
        Ok(())
    }

    fn on_message_up(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
        let author = message.sender.clone();
        Ok(moobius.send_message(MessageSpec::forward(&message, author))?)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_args(std::env::args().skip(1))?
        .ok_or("usage: e2e_service_blocking --config PATH")?;
    Ok(moobius_blocking::run(config, Echo)?)
}
