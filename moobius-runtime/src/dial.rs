//! How both drivers open a websocket: the settings their adapters take
//! from the configuration, gathered once.

use crate::Config;
use std::sync::Arc;
use std::time::Duration;
use tungstenite::protocol::WebSocketConfig;

/// What opening (and writing to) a websocket takes: the frame limit and
/// buffer sizes, the time limits, and the TLS configuration of `wss://`
/// (websocket proxies: none).
#[derive(Clone, Debug)]
pub struct Dial {
    /// Frame limit and buffer sizes ([`ws_config`](crate::frames::ws_config)).
    pub config: WebSocketConfig,
    /// Opening the websocket (TCP, TLS and handshake) takes at most this
    /// long (`Options::connect_timeout`).
    pub connect_timeout: Duration,
    /// A write blocked this long counts as a lost connection
    /// (`Options::write_timeout`).
    pub write_timeout: Duration,
    /// The driver's TLS configuration (`TlsConfig::rustls_client_config`,
    /// or `tls::client_config` over roots shared with HTTP).
    pub tls: Arc<rustls::ClientConfig>,
}

impl Dial {
    /// The settings of `config` (the session's inbound frame limit, the
    /// options' buffers and time limits), with `tls` for `wss://`.
    #[must_use]
    pub fn new(config: &Config, tls: Arc<rustls::ClientConfig>) -> Self {
        let options = &config.options;
        Self {
            config: crate::frames::ws_config(config.session.inbound_frame_limit(), options),
            connect_timeout: options.connect_timeout,
            write_timeout: options.write_timeout,
            tls,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, TlsConfig};
    use moobius_proto::session::{Role, SessionConfig};

    #[test]
    fn the_settings_come_from_the_session_and_the_options() {
        let session = SessionConfig::new(
            "bot@example.com",
            "secret".into(),
            "http://127.0.0.1:9/".parse().expect("base"),
            "ws://127.0.0.1:9/ws",
            Role::user(vec![]),
        );
        let options = Options::default()
            .connect_timeout(Duration::from_secs(3))
            .write_timeout(Duration::from_secs(4));
        let config = Config::new(session).with_options(options);
        let tls = TlsConfig::new()
            .with_env(false)
            .rustls_client_config()
            .expect("tls");
        let dial = Dial::new(&config, tls);
        assert_eq!(dial.connect_timeout, Duration::from_secs(3));
        assert_eq!(dial.write_timeout, Duration::from_secs(4));
        let limit = config.session.inbound_frame_limit();
        assert_eq!(dial.config.max_frame_size, Some(limit));
        assert_eq!(dial.config.max_message_size, Some(limit));
    }
}
