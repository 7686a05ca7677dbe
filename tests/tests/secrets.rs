//! No secret reaches `Debug` or `Display` (issue "Secrets and files", items 1
//! and 5): one walk over every public configuration, request and error type
//! of proto, storage and both drivers that can hold a secret, each built with
//! a distinct secret in every place one can go — the account password (file
//! and environment), `db_config` settings (password, token-like keys, URLs
//! with credentials and secret query parameters), access and refresh tokens,
//! sign-up and reset codes, and URIs with credentials — then every text is
//! searched for every secret.
//!
//! Controls make sure the values really carry the secrets (the wire forms
//! contain them), so the test fails if a secret is dropped on the way in
//! instead of being redacted on the way out.

use std::fmt::{Debug, Display};
use std::path::Path;

use bytes::Bytes;
use moobius_proto::config::{load_config, load_config_file, ConfigError};
use moobius_proto::http::{
    ApiContext, AuthTokens, BaseUri, ConfirmResetPassword, ConfirmSignUp, DeleteAccount, Endpoint,
    Refresh, SignIn, SignUp,
};
use moobius_proto::secret::{AccessToken, ConfirmationCode, Password, RefreshToken};
use moobius_proto::session::{Role, SessionConfig};
use moobius_proto::ws::{decode_client_frame, ServiceLogin, UserLogin};
use moobius_storage::{
    Backend, ChannelStorage, Container, ContainerSpec, RedisSettings, StorageConfig,
};
use serde_json::json;

const ACCOUNT_PASSWORD: &str = "account-pw-SECRET-01";
const ENV_PASSWORD: &str = "env-pw-SECRET-02";
const DB_PASSWORD: &str = "REDIS-SECRET-789";
const DB_URL_PASSWORD: &str = "url-pw-SECRET-03";
const DB_QUERY_TOKEN: &str = "query-token-SECRET-04";
const DB_API_KEY: &str = "api-key-SECRET-05";
const ACCESS_TOKEN: &str = "access-token-SECRET-06";
const REFRESH_TOKEN: &str = "refresh-token-SECRET-07";
const SIGN_UP_CODE: &str = "signup-code-SECRET-08";
const RESET_CODE: &str = "reset-code-SECRET-09";
const URI_PASSWORD: &str = "uri-pw-SECRET-10";
const NEW_PASSWORD: &str = "new-pw-SECRET-11";

const SECRETS: [&str; 12] = [
    ACCOUNT_PASSWORD,
    ENV_PASSWORD,
    DB_PASSWORD,
    DB_URL_PASSWORD,
    DB_QUERY_TOKEN,
    DB_API_KEY,
    ACCESS_TOKEN,
    REFRESH_TOKEN,
    SIGN_UP_CODE,
    RESET_CODE,
    URI_PASSWORD,
    NEW_PASSWORD,
];

/// Collects every text shown and what leaked.
#[derive(Default)]
struct Walk {
    shown: usize,
    leaks: Vec<String>,
}

impl Walk {
    fn check(&mut self, what: &str, how: &str, text: &str) {
        self.shown += 1;
        for secret in SECRETS {
            if text.contains(secret) {
                self.leaks
                    .push(format!("{what} ({how}) shows {secret:?}:\n    {text}"));
            }
        }
    }

    fn debug(&mut self, what: &str, value: &impl Debug) {
        self.check(what, "Debug", &format!("{value:?}"));
        self.check(what, "Debug {:#?}", &format!("{value:#?}"));
    }

    fn both(&mut self, what: &str, value: &(impl Debug + Display)) {
        self.debug(what, value);
        self.check(what, "Display", &value.to_string());
    }
}

/// `db_config` with a secret in every place a setting can hold one.
fn db_config() -> serde_json::Value {
    json!([
        {"implementation": "redis", "name": "fields",
         "settings": {"host": "127.0.0.1", "port": 1, "db": 0, "username": "app",
                      "password": DB_PASSWORD}},
        {"implementation": "redis", "name": "by_url",
         "settings": {"url": format!("redis://app:{DB_URL_PASSWORD}@127.0.0.1:1/0")}},
        {"implementation": "json", "name": "files", "settings": {"root_dir": "data"}}
    ])
}

/// The same, plus what only free-form JSON can hold (unknown to storage).
fn db_config_with_extras() -> serde_json::Value {
    let mut v = db_config();
    v.as_array_mut().expect("list").push(json!(
        {"implementation": "custom", "name": "extras",
         "settings": {"api_key": DB_API_KEY,
                      "endpoint": format!("https://store.example/v1?token={DB_QUERY_TOKEN}&x=1")}}
    ));
    v
}

fn main_config() -> String {
    json!({
        "account_config": {"email": "bot@example.com", "password": ACCOUNT_PASSWORD},
        "service_config": {"http_server_uri": "http://127.0.0.1:7700/",
                           "ws_server_uri": "ws://127.0.0.1:7700/ws",
                           "service_id": "svc-1", "channels": ["lobby"]},
        "db_config": db_config_with_extras(),
    })
    .to_string()
}

fn session_config() -> SessionConfig {
    SessionConfig::new(
        "bot@example.com",
        Password::new(ACCOUNT_PASSWORD),
        "http://127.0.0.1:7700/".parse().expect("base"),
        "ws://127.0.0.1:7700/ws",
        Role::service(None, vec!["lobby".into()]),
    )
}

fn walk_proto_config(w: &mut Walk) {
    let text = main_config();
    let loaded = load_config(&text, |_| Err::<String, _>("no files")).expect("config");
    assert_eq!(
        loaded
            .config
            .account
            .password
            .as_ref()
            .map(Password::expose),
        Some(ACCOUNT_PASSWORD),
        "control: the password is in the config"
    );
    assert!(
        serde_json::to_string(&loaded.config.db_config)
            .unwrap()
            .contains(DB_PASSWORD),
        "control: db_config holds its settings as given"
    );
    w.debug("proto LoadedConfig", &loaded);
    w.debug("proto AppConfig", &loaded.config);
    w.debug("proto AccountConfig", &loaded.config.account);
    w.debug("proto ServiceConfig", &loaded.config.service);
    w.debug("proto LogConfig", &loaded.config.log);
    let session = loaded.config.session_config().expect("session config");
    w.debug("proto SessionConfig", &session);
    w.debug("proto Role", &session.role);

    // The environment's password replaces the file's.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.json");
    std::fs::write(&path, &text).expect("write");
    let env = |k: &str| (k == "MOOBIUS_PASSWORD").then(|| ENV_PASSWORD.to_owned());
    let file = load_config_file(
        &path,
        |p: &Path| std::fs::read_to_string(p),
        Path::exists,
        env,
    )
    .expect("config file");
    assert_eq!(
        file.session.password.expose(),
        ENV_PASSWORD,
        "control: env wins"
    );
    w.debug("proto ConfigFile", &file);

    // Errors about configs that hold secrets.
    let errors: Vec<(&str, ConfigError)> = vec![
        (
            "credentials in http_server_uri",
            load_config(
                &text.replace(
                    "http://127.0.0.1:7700/",
                    &format!("http://app:{URI_PASSWORD}@127.0.0.1:7700/"),
                ),
                |_| Err::<String, _>("no files"),
            )
            .expect("parses")
            .config
            .session_config()
            .expect_err("refused"),
        ),
        (
            "secret query in ws_server_uri",
            load_config(
                &text.replace(
                    "ws://127.0.0.1:7700/ws",
                    &format!("ws://127.0.0.1:7700/ws?token={URI_PASSWORD}"),
                ),
                |_| Err::<String, _>("no files"),
            )
            .expect("parses")
            .config
            .session_config()
            .expect_err("refused"),
        ),
        (
            "broken JSON after a password",
            load_config(
                &format!(r#"{{"account_config": {{"password": "{ACCOUNT_PASSWORD}" "x"}}}}"#),
                |_| Err::<String, _>("no files"),
            )
            .expect_err("invalid JSON"),
        ),
        (
            "a section file that cannot be read",
            load_config(r#"{"account_config": "account.json"}"#, |_| {
                Err::<String, _>("permission denied")
            })
            .expect_err("load"),
        ),
    ];
    for (what, err) in &errors {
        w.both(&format!("proto ConfigError: {what}"), err);
    }
    let uri_err = BaseUri::parse(&format!("http://app:{URI_PASSWORD}@host/?q=1"))
        .expect_err("credentials refused");
    w.both("proto BaseUriError", &uri_err);
}

fn walk_proto_requests(w: &mut Walk) {
    let base: BaseUri = "http://127.0.0.1:7700/".parse().expect("base");
    let ctx = ApiContext::new(base).with_access_token(AccessToken::new(ACCESS_TOKEN));
    w.debug("proto ApiContext", &ctx);
    w.debug(
        "proto AuthTokens",
        &AuthTokens::new(
            AccessToken::new(ACCESS_TOKEN),
            RefreshToken::new(REFRESH_TOKEN),
        ),
    );
    w.both("proto AccessToken", &AccessToken::new(ACCESS_TOKEN));
    w.both("proto RefreshToken", &RefreshToken::new(REFRESH_TOKEN));
    w.both("proto Password", &Password::new(ACCOUNT_PASSWORD));
    w.both(
        "proto ConfirmationCode",
        &ConfirmationCode::new(SIGN_UP_CODE),
    );

    let email = "bot@example.com";
    let sign_in = SignIn::new(email, Password::new(ACCOUNT_PASSWORD));
    let refresh = Refresh::new(email, RefreshToken::new(REFRESH_TOKEN));
    let sign_up = SignUp::new(email, Password::new(ACCOUNT_PASSWORD));
    let confirm = ConfirmSignUp::new(email, SIGN_UP_CODE);
    let reset = ConfirmResetPassword::new(email, Password::new(NEW_PASSWORD), RESET_CODE);
    let delete = DeleteAccount::new(email, Password::new(ACCOUNT_PASSWORD));
    w.debug("proto SignIn", &sign_in);
    w.debug("proto Refresh", &refresh);
    w.debug("proto SignUp", &sign_up);
    w.debug("proto ConfirmSignUp", &confirm);
    w.debug("proto ConfirmResetPassword", &reset);
    w.debug("proto DeleteAccount", &delete);

    // Controls: the secrets do go on the wire.
    let body = |req: Result<http::Request<Bytes>, _>| {
        let req: http::Request<Bytes> = req.expect("request");
        String::from_utf8(req.body().to_vec()).expect("utf-8")
    };
    assert!(body(sign_in.request(&ctx)).contains(ACCOUNT_PASSWORD));
    assert!(body(refresh.request(&ctx)).contains(REFRESH_TOKEN));
    assert!(body(confirm.request(&ctx)).contains(SIGN_UP_CODE));
    let reset_body = body(reset.request(&ctx));
    assert!(reset_body.contains(RESET_CODE) && reset_body.contains(NEW_PASSWORD));

    // The websocket login frames and how the devserver decodes them.
    let service_login = ServiceLogin {
        service_id: "svc-1".into(),
        access_token: AccessToken::new(ACCESS_TOKEN),
    };
    let user_login = UserLogin {
        access_token: AccessToken::new(ACCESS_TOKEN),
    };
    w.debug("proto ServiceLogin", &service_login);
    w.debug("proto UserLogin", &user_login);
    let frame = json!({"type": "user_login", "request_id": "r1",
                       "body": {"access_token": ACCESS_TOKEN}})
    .to_string();
    let decoded = decode_client_frame(&frame).expect("client frame");
    w.debug("proto ClientFrame", &decoded);
}

fn walk_storage(w: &mut Walk) {
    let config = StorageConfig::from_value(&db_config()).expect("db_config");
    let Backend::Redis(fields) = &config.containers[0].backend else {
        panic!("redis")
    };
    assert_eq!(fields.password.as_deref(), Some(DB_PASSWORD), "control");
    w.debug("storage StorageConfig", &config);
    for spec in config.specs() {
        w.debug("storage ContainerSpec", spec);
        w.debug("storage Backend", &spec.backend);
    }
    let settings = RedisSettings::from_url(format!("rediss://app:{DB_URL_PASSWORD}@127.0.0.1:1/0"))
        .with_password(DB_PASSWORD);
    w.debug("storage RedisSettings", &settings);
    let query = RedisSettings::from_url(format!("redis://127.0.0.1:1/0?password={DB_PASSWORD}"));
    w.debug("storage RedisSettings (query)", &query);
    w.check(
        "storage RedisSettings (query)",
        "server_display",
        &query.server_display(),
    );
    w.check(
        "storage RedisSettings",
        "server_display",
        &settings.server_display(),
    );

    // Config errors about settings that hold secrets.
    let bad = [
        json!([{"implementation": "redis", "name": "a",
                "settings": {"url": format!("http://app:{DB_URL_PASSWORD}@h/")}}]),
        json!([{"implementation": "redis", "name": "a",
                "settings": {"url": format!("redis://app:{DB_URL_PASSWORD}@h/"),
                             "password": DB_PASSWORD}}]),
        json!([{"implementation": "redis", "name": "a",
                "settings": {"password": DB_PASSWORD, "passwrd": DB_PASSWORD}}]),
        json!([{"implementation": "redis", "name": "a",
                "settings": {"password": DB_PASSWORD, "port": DB_PASSWORD}}]),
        json!([{"implementation": "redis", "name": "a",
                "settings": {"url": format!("rediss://app:{DB_URL_PASSWORD}@h/"),
                             "ca_file": ""}}]),
        json!([{"implementation": "redis", "name": "a",
                "settings": {"url": format!("http://h/?password={DB_PASSWORD}")}}]),
        json!([{"implementation": "redis", "name": "a",
                "settings": {"db": DB_PASSWORD}}]),
    ];
    for v in &bad {
        let err = StorageConfig::from_value(v).expect_err("refused");
        w.both("storage ConfigError", &err);
    }

    // Opening fails (nothing listens on port 1): errors name the server.
    for spec in &config.specs()[..2] {
        let err = Container::open("svc", "chan", spec).expect_err("nothing listens");
        w.both("storage StorageError (open)", &err);
    }
    let err = ChannelStorage::open("svc", "chan", config.specs()).expect_err("fails");
    w.both("storage StorageError (channel)", &err);

    // An open container and channel storage.
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = [
        ContainerSpec::json("files", dir.path()),
        ContainerSpec::memory("m"),
    ];
    let storage = ChannelStorage::open("svc", "chan", &specs).expect("open");
    w.debug("storage ChannelStorage", &storage);
    if let Ok(url) = std::env::var("MOOBIUS_TEST_REDIS_URL") {
        // A live Redis container: its location names the server only.
        let c = Container::open(
            "svc",
            "chan",
            &ContainerSpec::redis("live", RedisSettings::from_url(url)),
        )
        .expect("open live redis");
        w.debug("storage Container (redis)", &c);
        w.check("storage Container (redis)", "location", c.location());
    }
}

fn walk_drivers(w: &mut Walk) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.json");
    std::fs::write(&path, main_config()).expect("write");
    let env = |k: &str| (k == "MOOBIUS_PASSWORD").then(|| ENV_PASSWORD.to_owned());

    let tokio_config = moobius_tokio::Config::load_with_env(&path, env).expect("tokio config");
    assert!(tokio_config.db_config.is_some(), "control");
    w.debug("tokio Config (file)", &tokio_config);
    let built =
        moobius_tokio::Config::new(session_config()).with_db_config(db_config_with_extras());
    w.debug("tokio Config (code)", &built);

    let blocking_config =
        moobius_blocking::Config::load_with_env(&path, env).expect("blocking config");
    assert!(blocking_config.db_config.is_some(), "control");
    w.debug("blocking Config (file)", &blocking_config);
    let built =
        moobius_blocking::Config::new(session_config()).with_db_config(db_config_with_extras());
    w.debug("blocking Config (code)", &built);

    // Driver errors about configs with secrets.
    let bad = main_config().replace(
        "http://127.0.0.1:7700/",
        &format!("http://app:{URI_PASSWORD}@127.0.0.1:7700/"),
    );
    std::fs::write(&path, bad).expect("write");
    let err = moobius_tokio::Config::load_with_env(&path, env).expect_err("refused");
    w.both("tokio Error (config)", &err);
    let err = moobius_blocking::Config::load_with_env(&path, env).expect_err("refused");
    w.both("blocking Error (config)", &err);
}

#[test]
fn no_secret_in_any_debug_or_display() {
    let mut w = Walk::default();
    walk_proto_config(&mut w);
    walk_proto_requests(&mut w);
    walk_storage(&mut w);
    walk_drivers(&mut w);
    assert!(
        w.shown > 100,
        "the walk shows every type ({} texts)",
        w.shown
    );
    assert!(
        w.leaks.is_empty(),
        "{} leaks:\n{}",
        w.leaks.len(),
        w.leaks.join("\n")
    );
}
