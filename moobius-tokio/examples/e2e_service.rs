//! The echo service of the end-to-end benchmark (`moobius-tokio/benches/e2e.rs`,
//! `scripts/bench/e2e-vs-reference.sh`), as a process of its own so that
//! its CPU time and memory can be read alone.
//!
//! ```sh
//! e2e_service --config config.json [--flavour current_thread|multi_thread]
//!             [--ws-read-buffer BYTES] [--ws-write-buffer BYTES]
//! ```
//!
//! Every message goes back to its author (the same service as the
//! reference SDK's in `scripts/bench/e2e_reference_echo.py`). Prints
//! `E2E READY` once ready; stops gracefully on SIGTERM or Ctrl-C. Without
//! `--flavour` it runs on the runtime that `Options::runtime` names (the
//! default, see the crate docs); with it, on that flavour.

use moobius_tokio::proto::compose::MessageSpec;
use moobius_tokio::proto::model::MessageBody;
use moobius_tokio::{CallbackResult, Config, Moobius, RuntimeFlavour, Service};

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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut config = None;
    let mut flavour = None;
    let mut read_buffer = None;
    let mut write_buffer = None;
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--config", Some(path)) => config = Some(Config::load(path)?),
            ("--flavour", Some(f)) => {
                flavour = Some(match f.as_str() {
                    "current_thread" => RuntimeFlavour::CurrentThread,
                    "multi_thread" => RuntimeFlavour::MultiThread,
                    other => return Err(format!("unknown flavour `{other}`").into()),
                });
            }
            ("--ws-read-buffer", Some(n)) => read_buffer = Some(n.parse()?),
            ("--ws-write-buffer", Some(n)) => write_buffer = Some(n.parse()?),
            _ => {
                return Err(
                    "usage: e2e_service --config PATH [--flavour current_thread|multi_thread] \
                     [--ws-read-buffer BYTES] [--ws-write-buffer BYTES]"
                        .into(),
                )
            }
        }
    }
    let mut config = config.ok_or("--config PATH is required")?;
    if let Some(flavour) = flavour {
        config.options = config.options.runtime(flavour);
    }
    if let Some(n) = read_buffer {
        config.options = config.options.ws_read_buffer(n);
    }
    if let Some(n) = write_buffer {
        config.options = config.options.ws_write_buffer(n);
    }
    moobius_tokio::run_with_runtime(config, Echo)?;
    Ok(())
}
