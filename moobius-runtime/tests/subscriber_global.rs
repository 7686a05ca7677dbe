//! An application's own global subscriber wins over `log_config`.

use moobius_proto::config::LogConfig;

#[test]
fn an_application_subscriber_wins_and_install_changes_nothing() {
    tracing_subscriber::fmt().with_writer(std::io::sink).init();
    let cfg = LogConfig {
        log_level: "INFO".into(),
        terminal_log_level: "INFO".into(),
        error_log_level: "WARNING".into(),
        log_file: None,
        error_log_file: None,
        log_retention: serde_json::json!({}),
    };
    assert!(moobius_runtime::subscriber::install(&cfg)
        .unwrap()
        .is_none());
}
