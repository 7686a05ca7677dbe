use super::*;
use crate::session::Role;
use std::time::Duration;

fn no_files(path: &str) -> Result<String, String> {
    Err(format!("unexpected load of {path}"))
}

const INLINE: &str = r#"{
  "account_config": {"email": "a@example.com", "password": "pw"},
  "service_config": {
    "http_server_uri": "http://127.0.0.1:1/",
    "ws_server_uri": "ws://127.0.0.1:1/ws",
    "service_id": "",
    "channels": ["c1", "c2"],
    "others": " Unbind ",
    "checkin_interval": 0
  },
  "log_config": {"log_level": "debug", "log_retention": "3 days"}
}"#;

#[test]
fn inline_sections_and_defaults() {
    let loaded = load_config(INLINE, no_files).unwrap();
    let c = &loaded.config;
    assert_eq!(c.service.channels, ["c1", "c2"]);
    assert_eq!(c.service.others, crate::session::OthersPolicy::Unbind);
    assert_eq!(c.service.checkin_interval, None, "<= 0 disables check-ins");
    assert_eq!(c.service.service_id, None, "empty id means: create one");
    assert!(c.service.service_mode);
    assert_eq!(c.log.log_level, "DEBUG");
    assert_eq!(c.log.error_log_level, "WARNING");
    assert_eq!(c.log.log_retention["retention"], "3 days");
    assert_eq!(c.db_config, None);
    assert_eq!(loaded.service_id_target, Some(ServiceIdTarget::ConfigFile));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let s = c.session_config().unwrap();
    assert_eq!(s.ws_uri, "ws://127.0.0.1:1/ws");
    assert!(matches!(
        s.role,
        Role::Service {
            service_id: None,
            checkin_interval: None,
            ..
        }
    ));
}

#[test]
fn sections_from_files_and_write_back_target() {
    let main = r#"{"account_config": "cfg/account.json", "service_config": "cfg/service.json",
                   "db_config": "cfg/db.json", "log_config": "cfg/log.json", "extra": 1}"#;
    let mut asked = Vec::new();
    let loaded = load_config(main, |p: &str| {
        asked.push(p.to_owned());
        Ok::<_, String>(
            match p {
                "cfg/account.json" => r#"{"email": "e", "password": "p"}"#,
                "cfg/service.json" => {
                    r#"{"service_id": "s1", "channels": [], "checkin_interval": 1.5, "avatar": "x.json"}"#
                }
                "cfg/db.json" => r#"[{"implementation": "json", "name": "n", "settings": {}}]"#,
                _ => "{}",
            }
            .to_owned(),
        )
    })
    .unwrap();
    assert_eq!(
        asked,
        [
            "cfg/account.json",
            "cfg/service.json",
            "cfg/db.json",
            "cfg/log.json"
        ]
    );
    let c = &loaded.config;
    assert_eq!(c.service.service_id.as_ref().unwrap(), "s1");
    assert_eq!(
        c.service.checkin_interval,
        Some(Duration::from_millis(1500))
    );
    assert_eq!(c.service.http_server_uri, "https://api.moobius.ai/");
    assert!(c.db_config.as_ref().unwrap().is_array());
    assert_eq!(
        loaded.service_id_target,
        Some(ServiceIdTarget::SectionFile("cfg/service.json".into()))
    );
    // Two unknown keys, and both URIs falling back to production.
    assert_eq!(loaded.warnings.len(), 4, "{:?}", loaded.warnings);
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.contains("`service_config.http_server_uri` is not set: using the production platform `https://api.moobius.ai/`")),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn user_mode_has_no_write_back() {
    let text = r#"{"account_config": {"email": "u", "password": "p"},
                   "service_config": {"service_mode": false, "channels": ["c"]}}"#;
    let loaded = load_config(text, no_files).unwrap();
    assert_eq!(loaded.service_id_target, None);
    let s = loaded.config.session_config().unwrap();
    assert_eq!(s.role, Role::user(vec!["c".into()]));
}

#[test]
fn errors_name_the_key() {
    let cases = [
        (
            r#"{"service_config": {"channels": "c"}}"#,
            "service_config.channels",
        ),
        (
            r#"{"service_config": {"others": "steal"}}"#,
            "service_config.others",
        ),
        (
            r#"{"service_config": {"service_mode": "no"}}"#,
            "service_config.service_mode",
        ),
        (r#"{"service_config": 3}"#, "service_config"),
        (r#"[]"#, "config"),
    ];
    for (text, key) in cases {
        match load_config(text, no_files) {
            Err(ConfigError::Invalid { key: k, .. }) => assert_eq!(k, key, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    assert!(matches!(
        load_config("{", no_files),
        Err(ConfigError::Json { .. })
    ));
    assert!(matches!(
        load_config(r#"{"account_config": "a.json"}"#, no_files),
        Err(ConfigError::Load { ref path, .. }) if path == "a.json"
    ));
    assert_eq!(
        load_config("{}", no_files),
        Err(ConfigError::Missing("service_config".into()))
    );
    let no_password = load_config(
        r#"{"account_config": {"email": "e"}, "service_config": {}}"#,
        no_files,
    )
    .unwrap();
    assert_eq!(
        no_password.config.session_config().unwrap_err(),
        ConfigError::Missing("account_config.password".into())
    );
    let bad_ws = load_config(
        r#"{"account_config": {"email": "e", "password": "p"}, "service_config": {"ws_server_uri": "http://x"}}"#,
        no_files,
    )
    .unwrap();
    assert!(bad_ws.config.session_config().is_err());
}

#[test]
fn write_back_keeps_order_and_other_keys() {
    let updated = set_service_id(INLINE, ServiceIdTarget::ConfigFile.key_path(), "svc-9").unwrap();
    let account = updated.find("account_config").unwrap();
    let service = updated.find("service_config").unwrap();
    let log = updated.find("log_config").unwrap();
    assert!(account < service && service < log, "order kept:\n{updated}");
    let v: serde_json::Value = serde_json::from_str(&updated).unwrap();
    assert_eq!(v["service_config"]["service_id"], "svc-9");
    assert_eq!(v["service_config"]["channels"][1], "c2");
    assert_eq!(v["service_config"]["checkin_interval"], 0);
    assert!(updated.ends_with("}\n"));
    assert!(
        updated.contains("\n  \"account_config\": {\n    \"email\""),
        "2-space indent:\n{updated}"
    );
    // A section file without the key gets it appended.
    let section = set_service_id(r#"{"channels": ["c"]}"#, &["service_id"], "s").unwrap();
    assert_eq!(
        section,
        "{\n  \"channels\": [\n    \"c\"\n  ],\n  \"service_id\": \"s\"\n}\n"
    );
    assert!(set_service_id("[1]", &["service_id"], "s").is_err());
    assert!(set_service_id("not json", &["service_id"], "s").is_err());
}
