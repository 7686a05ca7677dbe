//! A context menu on messages, and a canvas that shows the last pick.
//!
//! `cargo run -p moobius-tokio --example menu_and_canvas`

#[path = "common/mod.rs"]
mod common;

use moobius_tokio::prelude::*;

struct Picker;

impl Service for Picker {
    type Spell = ();

    async fn on_join(&mut self, m: &Moobius, join: SimpleAction) -> CallbackResult {
        let (channel, user) = (join.channel_id, join.sender);
        let menu = vec![MenuItem::new(
            "pin",
            "Pin to canvas",
            [MessageSubtype::Text],
        )];
        m.send_menu(channel.clone(), menu, user.clone()).await?;
        m.send_canvas(
            channel.clone(),
            vec![CanvasItem::text("Nothing pinned yet")],
            user.clone(),
        )
        .await?;
        let tip = "Right-click a message and pick \"Pin to canvas\".";
        m.send_message(MessageSpec::text(channel, tip, user))
            .await?;
        Ok(())
    }

    async fn on_menu_item_click(&mut self, m: &Moobius, click: MenuItemClick) -> CallbackResult {
        let text = click.message_content.text.unwrap_or_default();
        let canvas = vec![CanvasItem::text(format!("Pinned: {text}"))];
        let everyone = m.fetch_member_ids(click.channel_id.clone()).await?;
        m.send_canvas(click.channel_id, canvas, everyone).await?;
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_logging();
    if let Some(config) = moobius_tokio::Config::from_args(std::env::args().skip(1))? {
        return Ok(moobius_tokio::run(config, Picker).await?);
    }
    let server = common::devserver(&[common::USER_EMAIL]).await;
    let service = moobius_tokio::spawn(common::service_config(&server), Picker);
    service.moobius().wait_ready().await?;
    let (printer, mut inbox) = common::Printer::new("carol");
    let user = moobius_tokio::spawn(common::user_config(&server, common::USER_EMAIL), printer);
    user.moobius().wait_ready().await?;
    let tip = common::next(&mut inbox).await?;
    println!("  carol right-clicks that message: Pin to canvas");
    user.moobius()
        .send_menu_item_click(MenuClick::on_message("pin", &tip))
        .await?;
    // The canvas update is printed by the printer; give it a moment.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    user.stop().await?;
    service.stop().await?;
    server.shutdown().await;
    Ok(())
}
