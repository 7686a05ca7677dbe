//! The echo service of the end-to-end benchmark started the way the README
//! did before 0.1's performance work: `#[tokio::main]` (tokio's multi-thread
//! runtime) and [`moobius_tokio::run`]. `moobius-tokio/benches/e2e.rs` compares it with
//! `e2e_service` (the runtime `Options::runtime` picks), and
//! `scripts/bench/e2e-vs-reference.sh` builds it at an older revision to
//! measure before/after in one run (it compiles against every version of
//! the crate since 0.1).
//!
//! ```sh
//! e2e_service_tokio_main --config config.json
//! ```
//!
//! Prints `E2E READY` once ready; stops gracefully on SIGTERM or Ctrl-C.

use moobius_tokio::proto::compose::MessageSpec;
use moobius_tokio::proto::model::MessageBody;
use moobius_tokio::{CallbackResult, Config, Moobius, Service};

/// Sends every message back to its author.
struct Echo;

impl Service for Echo {
    type Spell = ();

    async fn on_start(&mut self, _moobius: &Moobius) -> CallbackResult {
        println!("E2E READY");
        Ok(())
    }

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
    let config = Config::from_args(std::env::args().skip(1))?
        .ok_or("usage: e2e_service_tokio_main --config PATH")?;
    Ok(moobius_tokio::run(config, Echo).await?)
}
