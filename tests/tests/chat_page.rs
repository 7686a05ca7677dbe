//! The devserver's chat page in a real browser: headless Chromium driven
//! through WebDriver (chromedriver), against the quick start's echo service.
//!
//! Needs `chromium` and `chromedriver` (`scripts/env/chromium.sh` installs
//! them and exports `MOOBIUS_CHROMIUM` / `MOOBIUS_CHROMEDRIVER`; without the
//! variables both are looked up on `PATH`). When they are missing the test
//! is skipped, except under `CI=true`, where it fails.
//!
//! Every scenario saves a screenshot under
//! `target/tmp/chat_page/` (`CARGO_TARGET_TMPDIR`) and checks it is not
//! blank.

#[allow(dead_code, unreachable_pub)]
#[path = "../../moobius-tokio/examples/common/echo_service.rs"]
mod echo_service;

#[path = "chat_page_support/webdriver.rs"]
mod webdriver;

#[path = "chat_page_support/gallery.rs"]
mod gallery;

use echo_service::EchoService;
use moobius_devserver::{DevServer, DevServerHandle};
use moobius_tokio::proto::session::{Role, SessionConfig};
use moobius_tokio::Config;
use std::path::{Path, PathBuf};
use webdriver::{Browser, Driver};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const SERVICE_EMAIL: &str = "service@chat.test";
const GALLERY_EMAIL: &str = "gallery@chat.test";
const ALICE: &str = "alice@chat.test";
const BOB: &str = "bob@chat.test";
const PASSWORD: &str = "chat-page-pw";
const CHANNEL: &str = "lobby";
const GALLERY: &str = "gallery";
const PLAZA: &str = "plaza";

/// `MOOBIUS_<NAME>` if set, else the first of `candidates` found on PATH.
fn tool(var: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var).filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| candidates.iter().map(move |c| dir.join(c)))
        .find(|p| p.is_file())
}

/// The browser and its driver, or `None` (skip) outside CI.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let chromium = tool(
        "MOOBIUS_CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
    );
    let driver = tool("MOOBIUS_CHROMEDRIVER", &["chromedriver"]);
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "CI=true but chromium/chromedriver are missing: run scripts/env/chromium.sh \
                 (or set MOOBIUS_CHROMIUM and MOOBIUS_CHROMEDRIVER)"
            );
            eprintln!("chat_page: SKIPPED: chromium/chromedriver not found (scripts/env/chromium.sh installs them)");
            None
        }
    }
}

fn session(server: &DevServerHandle, email: &str, role: Role) -> SessionConfig {
    let http = format!("{}/", server.http_uri())
        .parse()
        .expect("the devserver's URI is valid");
    SessionConfig::new(email, PASSWORD.into(), http, server.ws_uri(), role)
}

fn shots_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("chat_page")
}

/// Saves a screenshot and checks it is not blank: the luminance varies and
/// the picture has more than a handful of colours.
fn screenshot(b: &Browser, name: &str) -> TestResult {
    let png_bytes = b.screenshot()?;
    let path = shots_dir().join(format!("{name}.png"));
    std::fs::write(&path, &png_bytes)?;
    let stats = webdriver::image_stats(&png_bytes)?;
    eprintln!(
        "chat_page: {} ({}x{}, luminance variance {:.0}, {} colours)",
        path.display(),
        stats.width,
        stats.height,
        stats.variance,
        stats.colours
    );
    assert!(
        stats.variance > 100.0 && stats.colours > 16,
        "screenshot {name} looks blank: {stats:?}"
    );
    Ok(())
}

/// `GET` a path of the devserver: status, content type, body.
fn get(base: &str, path: &str) -> Result<(u16, String, String), Box<dyn std::error::Error>> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent.get(&format!("{base}{path}")).call()?;
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok((r.status().as_u16(), ct, r.body_mut().read_to_string()?))
}

/// Without a browser: the page and its assets are served, with the seeded
/// accounts in a `<meta>` for loopback clients; other paths stay the API.
#[test]
fn the_page_and_its_assets_are_served() -> TestResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let server = rt.block_on(
        DevServer::builder()
            .user(ALICE, PASSWORD)
            .channel(CHANNEL, "Lobby")
            .start(),
    )?;
    let base = server.http_uri();
    for path in ["/", "/chat", "/chat/"] {
        let (status, ct, body) = get(&base, path)?;
        assert_eq!(status, 200, "{path}");
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        assert!(body.contains("<script src=\"/chat/chat.js\">"), "{path}");
        assert!(
            body.contains(r#"<meta name="moobius-demo-accounts" content="[{&quot;email&quot;:&quot;alice@chat.test&quot;,&quot;password&quot;:&quot;chat-page-pw&quot;}]">"#),
            "{path}: {body:.600}"
        );
    }
    let (status, ct, body) = get(&base, "/chat/chat.js")?;
    assert_eq!((status, ct.starts_with("text/javascript")), (200, true));
    assert!(body.contains("user_login") && body.contains("menu_item_click"));
    let (status, ct, _) = get(&base, "/chat/chat.css")?;
    assert_eq!((status, ct.starts_with("text/css")), (200, true));
    // The API is untouched: an unknown path is a JSON 404 envelope.
    let (status, ct, body) = get(&base, "/chat/nope")?;
    assert_eq!(status, 404);
    assert!(ct.starts_with("application/json"), "{ct}");
    assert!(body.contains("no such endpoint"), "{body}");
    rt.block_on(server.shutdown());
    Ok(())
}

#[test]
fn chat_page_in_a_real_browser() -> TestResult {
    let Some((chromium, chromedriver)) = tools() else {
        return Ok(());
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let server = rt.block_on(
        DevServer::builder()
            .user(SERVICE_EMAIL, PASSWORD)
            .user(ALICE, PASSWORD)
            .user(BOB, PASSWORD)
            .user(GALLERY_EMAIL, PASSWORD)
            .channel(CHANNEL, "Lobby")
            // Only a channel's owner binds a service to it.
            .channel_owned_by(GALLERY, "Gallery", GALLERY_EMAIL)
            .channel(PLAZA, "Plaza")
            .start(),
    )?;
    let service_config = |email: &str, channel: &str| {
        let mut config = Config::new(session(
            &server,
            email,
            Role::service(None, vec![channel.into()]),
        ));
        config.no_warn_cannot_save_service_id = true;
        config
    };
    let image_url = server.put_file("pics/gallery.png", test_picture()?, "image/png");
    let file_url = server.put_file("docs/report.txt", "a small report\n", "text/plain");
    let (service, gallery) = rt.block_on(async {
        let s = moobius_tokio::spawn(
            service_config(SERVICE_EMAIL, CHANNEL),
            EchoService::default(),
        );
        let g = moobius_tokio::spawn(
            service_config(GALLERY_EMAIL, GALLERY),
            gallery::Gallery::new(image_url, file_url),
        );
        s.moobius().wait_ready().await?;
        g.moobius().wait_ready().await?;
        Ok::<_, moobius_tokio::Error>((s, g))
    })?;

    // Screenshots of this run only.
    let _ = std::fs::remove_dir_all(shots_dir());
    std::fs::create_dir_all(shots_dir())?;
    let driver = Driver::start(&chromedriver)?;
    let b = driver.browser(&chromium, (1280, 860))?;
    let outcome = scenarios(&b, &server);
    if outcome.is_err() {
        // Leave the state of the page for the failure report.
        let _ = screenshot(&b, "zz-failure");
    }
    drop(b);
    drop(driver);
    rt.block_on(async {
        let _ = service.stop().await;
        let _ = gallery.stop().await;
        server.shutdown().await;
    });
    outcome
}

/// A 96×64 colour gradient, as PNG.
fn test_picture() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let (w, h) = (96u32, 64u32);
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header()?;
    let mut data = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            data.extend([(x * 255 / w) as u8, (y * 255 / h) as u8, 180]);
        }
    }
    writer.write_image_data(&data)?;
    writer.finish()?;
    Ok(out)
}

fn scenarios(b: &Browser, server: &DevServerHandle) -> TestResult {
    lobby(b, server)?;
    gallery_channel(b)?;
    picker_and_address(b, &server.http_uri())
}

/// Sign out; sign in with the seeded account picker; an address that signs
/// in and opens a channel (what `quickstart --serve` prints) shows the
/// channel's history.
fn picker_and_address(b: &Browser, base: &str) -> TestResult {
    b.click("#sign-out")?;
    b.wait_for(
        "the sign-in view",
        "return !document.querySelector('#signin-view').hidden;",
    )?;
    b.click(&format!("#demo-accounts button[data-email='{BOB}']"))?;
    b.wait_text("#whoami", BOB)?;
    b.wait_text("#channel-list", "Gallery")?;

    // A channel without a service: the members are the character list and a
    // message goes to all of them; your own copy is not shown twice.
    b.click(&format!("li[data-channel-id='{PLAZA}'] button.open"))?;
    b.wait_text("#characters", "bob")?;
    b.wait_text("#composer-to", "everyone")?;
    b.type_into("#composer-text", "Hello, plaza")?;
    b.click("#composer button[type=submit]")?;
    b.wait_text("#messages .message.mine", "→ group")?;
    b.wait_text("#frames", "message_down / text “Hello, plaza”")?;
    let shown = b.eval(
        "return [...document.querySelectorAll('#messages .message')]\
         .filter(m => m.textContent.includes('Hello, plaza')).length;",
    )?;
    assert_eq!(shown, serde_json::json!(1), "the message is shown once");
    screenshot(b, "13-no-service")?;
    b.click("#room-back")?;
    b.goto(&format!("{base}/chat#as={ALICE}&channel={GALLERY}"))?;
    b.wait_text("#whoami", ALICE)?;
    b.wait_text("#room-name", "Gallery")?;
    b.wait_text("#buttons", "FORM")?;
    b.wait_text("#messages", "caption: nice one")?;
    b.wait_text("#messages .card-message", "A card")?;
    Ok(())
}

/// Whether every `img` the selector finds has loaded (at least one).
fn images_loaded(css: &str) -> String {
    format!(
        "const i = [...document.querySelectorAll({})]; \
         return i.length > 0 && i.every(x => x.complete && x.naturalWidth > 0);",
        serde_json::json!(css)
    )
}

/// Images, files, cards, avatars, a canvas picture, style, every dialog
/// component, and menu items by message subtype (the gallery service).
fn gallery_channel(b: &Browser) -> TestResult {
    b.click(&format!("li[data-channel-id='{GALLERY}'] button.open"))?;
    b.wait_text("#messages", "Cards have a title, a text and a link.")?;
    b.wait_for(
        "the image message",
        &images_loaded("#messages .message[data-subtype=image] .bubble img"),
    )?;
    b.wait_text("#messages .file-message", "report.txt (2.0 KiB)")?;
    b.wait_text("#messages .card-message .card-title", "A card")?;
    b.wait_text("#messages .card-message .card-link", "Open it")?;
    let href = b.eval("return document.querySelector('.card-message .card-link').href;")?;
    assert_eq!(href, serde_json::json!("https://example.com/"));
    b.wait_for(
        "the agent's avatar",
        &images_loaded("#characters .avatar img"),
    )?;
    b.wait_text("#characters", gallery::AGENT)?;
    // Style: the canvas is collapsed, FORM highlighted, HIDDEN not shown.
    b.wait_for(
        "the style to apply",
        "const c = document.querySelector('#canvas'); \
         const f = document.querySelector('#buttons [data-button-id=form]'); \
         const h = document.querySelector('#buttons [data-button-id=hidden]'); \
         return !c.hidden && c.classList.contains('collapsed') && !!f \
           && f.classList.contains('highlight') && !!h && h.hidden;",
    )?;
    b.click("#canvas-toggle")?;
    b.wait_for("the canvas picture", &images_loaded("#canvas-body img"))?;
    b.wait_text("#canvas-body", "A picture on the canvas")?;
    screenshot(b, "10-gallery")?;

    // A dialog with every component type; the required one is enforced.
    b.click("#buttons button[data-button-id='form']")?;
    b.wait_text("#dialog-title", "Every component")?;
    b.wait_for(
        "every component type",
        "const d = document.querySelector('#dialog'); \
         return !!(d.querySelector('input[type=text][data-label=Name][required]') \
           && d.querySelector('textarea[data-label=Story]') \
           && d.querySelector('input[type=number][data-label=Age]') \
           && d.querySelector('input[type=password][data-label=Secret]') \
           && d.querySelector('select[data-label=Colour] option[value=green]'));",
    )?;
    b.click("#dialog .bottom-button[data-id='confirm']")?;
    std::thread::sleep(std::time::Duration::from_millis(300));
    let still_open = b.eval("return !document.querySelector('#dialog-backdrop').hidden;")?;
    assert_eq!(
        still_open,
        serde_json::json!(true),
        "an empty required field keeps the dialog open"
    );
    b.type_into("#dialog [data-label='Name']", "Ada")?;
    b.type_into("#dialog [data-label='Story']", "Once upon a time")?;
    b.type_into("#dialog [data-label='Age']", "36")?;
    b.type_into("#dialog [data-label='Secret']", "pw")?;
    b.click("#dialog select[data-label='Colour'] option[value='green']")?;
    screenshot(b, "11-dialog-components")?;
    b.click("#dialog .bottom-button[data-id='confirm']")?;
    b.wait_text(
        "#messages",
        "form via confirm: Name=Ada; Story=Once upon a time; Age=36; Secret=pw; Colour=green",
    )?;

    // Menu items by subtype: the image gets "Describe it" only.
    b.right_click("#messages .message[data-subtype=image] .bubble")?;
    b.wait_text("#context-menu", "Describe it")?;
    let menu = b.eval("return document.querySelector('#context-menu').textContent;")?;
    assert!(
        !menu.as_str().unwrap_or_default().contains("Caption it"),
        "{menu}"
    );
    b.click("#context-menu .menu-item[data-menu-item-id='describe']")?;
    b.wait_text("#messages", "That is an image message at http")?;
    // A text message gets "Caption it", with a dialog.
    b.right_click("#messages li.message:last-child .bubble")?;
    b.click("#context-menu .menu-item[data-menu-item-id='caption']")?;
    b.type_into("#dialog [data-label='Caption']", "nice one")?;
    b.click("#dialog .bottom-button[data-id='confirm']")?;
    b.wait_text("#messages", "caption: nice one")?;
    screenshot(b, "12-gallery-menu")?;
    Ok(())
}

fn lobby(b: &Browser, server: &DevServerHandle) -> TestResult {
    let base = server.http_uri();
    let alice_id = server.user_id(ALICE).expect("seeded");

    // -- sign in: the seeded account picker and the email/password form
    b.goto(&format!("{base}/"))?;
    b.wait_text("#demo-accounts", ALICE)?;
    b.wait_text("#demo-accounts", BOB)?;
    b.type_into("#signin-email", ALICE)?;
    b.type_into("#signin-password", PASSWORD)?;
    screenshot(b, "01-sign-in")?;
    b.click("#signin-form button[type=submit]")?;
    b.wait_text("#whoami", ALICE)?;
    b.wait_text("#conn-status", "online")?;

    // -- the channel list; join the lobby
    b.wait_text("#channel-list", "Lobby")?;
    screenshot(b, "02-channels")?;
    b.click(&format!("li[data-channel-id='{CHANNEL}'] button.open"))?;

    // -- what the echo service shows: buttons, canvas, characters, menu
    b.wait_text("#buttons", "MEOW")?;
    b.wait_text("#buttons", "REPEAT")?;
    b.wait_text("#canvas-body", "Welcome to the lobby")?;
    b.wait_text("#characters", "Echo bot")?;
    b.wait_text("#characters", "alice")?;
    b.wait_text("#messages", "Welcome! Type anything")?;
    b.wait_for(
        "the canvas to be shown expanded (style)",
        "const c = document.querySelector('#canvas'); \
         return !c.hidden && !c.classList.contains('collapsed');",
    )?;
    assert!(
        server
            .channel(CHANNEL)
            .is_some_and(|c| c.members.contains(&alice_id)),
        "joining in the page made alice a member"
    );
    screenshot(b, "03-joined")?;

    // -- send a message, see the echo
    b.type_into("#composer-text", "Hello from the browser")?;
    b.click("#composer button[type=submit]")?;
    b.wait_text("#messages", "You said: \"Hello from the browser\"")?;
    b.wait_text("#canvas-body", "Messages echoed so far: 1")?;
    screenshot(b, "04-echo")?;

    // -- send a picture and a file (uploaded through /file/upload)
    let picture = Path::new(env!("CARGO_TARGET_TMPDIR")).join("chat_page_upload.png");
    std::fs::write(&picture, test_picture()?)?;
    let notes = Path::new(env!("CARGO_TARGET_TMPDIR")).join("chat_page_notes.txt");
    std::fs::write(&notes, "twelve bytes")?;
    b.type_into("#composer-file", &picture.to_string_lossy())?;
    b.wait_for(
        "the uploaded picture in the message list",
        &images_loaded("#messages .message.mine[data-subtype=image] .bubble img"),
    )?;
    b.wait_text("#messages", "You said: \"a image message\"")?;
    b.type_into("#composer-file", &notes.to_string_lossy())?;
    b.wait_text(
        "#messages .message.mine .file-message",
        "chat_page_notes.txt (12 B)",
    )?;
    b.wait_text("#messages", "You said: \"a file message\"")?;
    screenshot(b, "04-upload")?;

    // -- click a button without a dialog
    b.click("#buttons button[data-button-id='meow']")?;
    b.wait_text("#messages", "Meow! =^.^=")?;
    screenshot(b, "05-button")?;

    // -- the connection drops while the access token has expired: the page
    // reconnects, is refused, refreshes the token, logs in again, carries on
    let logins = "[...document.querySelectorAll('#frames li.out')]\
                  .filter(li => li.querySelector('.summary').textContent.endsWith('user_login')).length";
    server.expire_access_tokens();
    assert_eq!(server.drop_user_connections(&alice_id), 1);
    b.wait_for(
        "a third user_login, accepted",
        &format!(
            "return {logins} >= 3 && document.querySelector('#conn-status').textContent === 'online';"
        ),
    )?;
    b.wait_text("#frames", "POST /auth/refresh → 200")?;
    b.click("#buttons button[data-button-id='meow']")?;
    b.wait_for(
        "a second meow",
        "return [...document.querySelectorAll('#messages .message')]\
         .filter(m => m.textContent.includes('Meow! =^.^=')).length === 2;",
    )?;

    // -- a button with a dialog: fill it and submit
    b.click("#buttons button[data-button-id='repeat']")?;
    b.wait_text("#dialog-title", "Repeat after me")?;
    b.type_into(
        "#dialog [data-label='What should I repeat?']",
        "hip hip hooray",
    )?;
    b.click("#dialog select[data-label='How many times?'] option[value='3']")?;
    screenshot(b, "06-dialog")?;
    b.click("#dialog .bottom-button[data-id='confirm']")?;
    b.wait_text("#messages", "hip hip hooray hip hip hooray hip hip hooray")?;
    b.wait_for(
        "the dialog to close",
        "return document.querySelector('#dialog-backdrop').hidden;",
    )?;

    // -- the context menu of that message (right click), then its item
    let repeated = "#messages li.message:last-child";
    b.wait_text(repeated, "hip hip hooray hip hip hooray")?;
    b.right_click(repeated)?;
    b.wait_text("#context-menu", "Shout it")?;
    screenshot(b, "07-menu")?;
    b.click("#context-menu .menu-item[data-menu-item-id='shout']")?;
    b.wait_text("#messages", "HIP HIP HOORAY HIP HIP HOORAY HIP HIP HOORAY!")?;
    screenshot(b, "08-menu-item")?;

    // -- refresh asks the service again (a second `action/refresh` frame)
    let refreshes = "[...document.querySelectorAll('#frames li.out')]\
                     .filter(li => li.textContent.includes('action / refresh')).length";
    let before = b
        .eval(&format!("return {refreshes};"))?
        .as_u64()
        .unwrap_or(0);
    b.click("#room-refresh")?;
    b.wait_for(
        "a second refresh frame",
        &format!("return {refreshes} > {before};"),
    )?;

    // -- the frames tab shows what went over the wire
    b.click("#tab-frames")?;
    for what in [
        "user_login",
        "action / join_channel",
        "message_up / text",
        "action / button_click",
        "action / menu_item_click",
        "update / buttons",
        "message_down / text",
        "POST /auth/sign_in",
    ] {
        b.wait_text("#frames", what)?;
    }
    screenshot(b, "09-frames")?;

    // -- leave: back to the channel list, no longer a member
    b.click("#tab-chat")?;
    b.click("#room-leave")?;
    b.wait_text(
        &format!("li[data-channel-id='{CHANNEL}'] button.open"),
        "Join",
    )?;
    assert!(
        server
            .channel(CHANNEL)
            .is_some_and(|c| !c.members.contains(&alice_id)),
        "leaving in the page removed alice from the channel"
    );
    Ok(())
}
