//! The quick start.
//!
//! ```sh
//! cargo run -p moobius-tokio --example quickstart
//! ```
//! starts an embedded Moobius devserver on 127.0.0.1, runs the example
//! service (echo, buttons with a dialog, a context menu, a canvas) and a
//! scripted user (a user-mode `Service`) that joins, talks, clicks a button
//! and a menu item, prints the conversation, and exits.
//!
//! ```sh
//! cargo run -p moobius-tokio --example quickstart -- --serve
//! ```
//! starts the embedded devserver and the example service, prints the URL of
//! the devserver's chat page with a ready-to-use account, and serves until
//! Ctrl-C: talk to the service in a browser.
//!
//! ```sh
//! cargo run -p moobius-tokio --example quickstart -- --config path/to/config.json
//! ```
//! runs the same service against the platform the config names (the
//! reference SDK's layout; `MOOBIUS_EMAIL` / `MOOBIUS_PASSWORD` override the
//! credentials) until Ctrl-C.

#[path = "common/mod.rs"]
mod common;

use common::echo_service::EchoService;
use moobius_tokio::prelude::*;
use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// The whole scripted conversation must finish within this.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(20);

#[tokio::main]
async fn main() -> ExitCode {
    common::init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [] => embedded().await,
        [flag] if flag == "--serve" => serve().await,
        [flag, path] if flag == "--config" => with_config(path).await,
        _ => {
            eprintln!("usage: quickstart [--serve | --config path/to/config.json]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The service against a real platform, until Ctrl-C.
async fn with_config(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::load(path)?;
    println!("quickstart: serving with {path}; press Ctrl-C to stop");
    moobius_tokio::run(config, EchoService::default()).await?;
    Ok(())
}

/// The embedded devserver and the service until Ctrl-C, for the chat page.
async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let server = common::devserver(&[common::USER_EMAIL, common::SECOND_USER_EMAIL]).await;
    let service = moobius_tokio::spawn(common::service_config(&server), EchoService::default());
    service.moobius().wait_ready().await?;
    let page = format!(
        "{}/chat#as={}&channel={}",
        server.http_uri(),
        common::USER_EMAIL,
        common::CHANNEL
    );
    println!(
        "quickstart: the echo service is serving channel #{}",
        common::CHANNEL
    );
    println!(
        "quickstart: open the chat page (signed in as {}):",
        common::USER_EMAIL
    );
    println!();
    println!("    {page}");
    println!();
    println!(
        "quickstart: accounts {} and {} (password \"{}\"); the websocket is {}",
        common::USER_EMAIL,
        common::SECOND_USER_EMAIL,
        common::PASSWORD,
        server.ws_uri()
    );
    println!("quickstart: press Ctrl-C to stop");
    tokio::signal::ctrl_c().await?;
    println!("quickstart: stopping");
    let stopped = service.stop().await;
    server.shutdown().await;
    stopped?;
    Ok(())
}

/// The service and a scripted user, through an embedded devserver.
async fn embedded() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let server = common::devserver(&[common::USER_EMAIL]).await;
    println!("quickstart: devserver listening on {}", server.http_uri());

    let service = moobius_tokio::spawn(common::service_config(&server), EchoService::default());
    service.moobius().wait_ready().await?;
    println!(
        "quickstart: echo service {} is serving channel #{}",
        service.moobius().own_id().unwrap_or_default(),
        common::CHANNEL
    );

    let (done_tx, done_rx) = oneshot::channel();
    let alice = ScriptedUser::new(done_tx);
    let user = moobius_tokio::spawn(common::user_config(&server, common::USER_EMAIL), alice);

    let outcome = tokio::time::timeout(SCRIPT_TIMEOUT, done_rx).await;
    let user_result = user.stop().await;
    let service_result = service.stop().await;
    server.shutdown().await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(_)) => return Err("the scripted user stopped early".into()),
        Err(_) => return Err(format!("no full conversation within {SCRIPT_TIMEOUT:?}").into()),
    }
    user_result?;
    service_result?;
    println!(
        "quickstart: conversation finished in {:.1} s; everything stopped cleanly",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Where the scripted conversation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Greeting,
    Asking,
    Meow,
    Repeat,
    Shout,
    Done,
}

/// A user-mode service playing Alice.
struct ScriptedUser {
    step: Step,
    channel: ChannelId,
    names: HashMap<CharacterId, String>,
    done: Option<oneshot::Sender<()>>,
}

impl ScriptedUser {
    fn new(done: oneshot::Sender<()>) -> Self {
        Self {
            step: Step::Greeting,
            channel: common::CHANNEL.into(),
            names: HashMap::new(),
            done: Some(done),
        }
    }

    async fn say(&self, m: &Moobius, text: &str) -> CallbackResult {
        println!("  alice      > {text}");
        let spec = MessageSpec::text(self.channel.clone(), text, Recipients::Service);
        m.send_message(spec).await?;
        Ok(())
    }

    fn name(&self, id: &CharacterId) -> String {
        self.names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.as_str().chars().take(8).collect())
    }
}

impl Service for ScriptedUser {
    type Spell = ();

    async fn on_start(&mut self, m: &Moobius) -> CallbackResult {
        println!("quickstart: alice joined #{}", self.channel);
        self.say(m, "Hello, echo bot!").await
    }

    async fn on_update_characters(
        &mut self,
        m: &Moobius,
        _channel: ChannelId,
        characters: Vec<CharacterId>,
    ) -> CallbackResult {
        for c in m.fetch_character_profile(characters.clone()).await? {
            self.names.insert(c.character_id, c.name);
        }
        let names: Vec<String> = characters.iter().map(|c| self.name(c)).collect();
        println!("  [people]   {}", names.join(", "));
        Ok(())
    }

    async fn on_update_buttons(
        &mut self,
        _m: &Moobius,
        _channel: ChannelId,
        buttons: Vec<Button>,
    ) -> CallbackResult {
        let labels: Vec<&str> = buttons.iter().map(|b| b.button_text.as_str()).collect();
        println!("  [buttons]  {}", labels.join(" | "));
        Ok(())
    }

    async fn on_update_canvas(
        &mut self,
        _m: &Moobius,
        _channel: ChannelId,
        items: Vec<CanvasItem>,
    ) -> CallbackResult {
        let texts: Vec<&str> = items.iter().filter_map(|i| i.text.as_deref()).collect();
        println!("  [canvas]   {}", texts.join(" / "));
        Ok(())
    }

    async fn on_message_down(&mut self, m: &Moobius, message: MessageBody) -> CallbackResult {
        let text = message.content.text.clone().unwrap_or_default();
        println!("  {:<10} > {text}", self.name(&message.sender));
        let channel = self.channel.clone();
        self.step = match self.step {
            Step::Greeting if text.starts_with("You said") => {
                self.say(m, "What can you do?").await?;
                Step::Asking
            }
            Step::Asking if text.starts_with("You said") => {
                println!("  alice      * clicks MEOW");
                m.send_button_click(Click::new(channel, "meow")).await?;
                Step::Meow
            }
            Step::Meow if text.starts_with("Meow") => {
                println!("  alice      * clicks REPEAT: \"hip hip hooray\" x3");
                let click = Click::new(channel, "repeat")
                    .argument("What should I repeat?", "hip hip hooray")
                    .argument("How many times?", "3");
                m.send_button_click(click).await?;
                Step::Repeat
            }
            Step::Repeat if text.contains("hooray") => {
                println!("  alice      * right-clicks that message: Shout it");
                m.send_menu_item_click(MenuClick::on_message("shout", &message))
                    .await?;
                Step::Shout
            }
            Step::Shout if text.contains("HOORAY") => {
                if let Some(done) = self.done.take() {
                    let _ = done.send(());
                }
                Step::Done
            }
            other => other,
        };
        Ok(())
    }
}
