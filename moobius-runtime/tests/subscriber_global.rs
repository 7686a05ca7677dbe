//! An application's own global subscriber wins over `log_config`.

use moobius_proto::config::LogConfig;

#[test]
fn an_application_subscriber_wins_and_install_changes_nothing() {
    tracing_subscriber::fmt().with_writer(std::io::sink).init();
    let cfg = LogConfig::default();
    assert!(moobius_runtime::subscriber::install(&cfg)
        .unwrap()
        .is_none());
}
