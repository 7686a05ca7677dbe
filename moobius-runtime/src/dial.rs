//! How both drivers open a websocket: the settings their adapters take
//! from the configuration, gathered once.

use crate::tls::ClientTls;
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
    /// The driver's TLS configuration, built at the first `wss://` (or
    /// `https://`: the tokio driver's HTTP shares it).
    pub tls: Arc<ClientTls>,
}

impl Dial {
    /// The settings of `config` (the session's inbound frame limit, the
    /// options' buffers and time limits), with `tls` for `wss://`.
    #[must_use]
    pub fn new(config: &Config, tls: Arc<ClientTls>) -> Self {
        let options = &config.options;
        Self {
            config: crate::frames::ws_config(config.session.inbound_frame_limit(), options),
            connect_timeout: options.connect_timeout,
            write_timeout: options.write_timeout,
            tls,
        }
    }

    /// What an opening that ran out of
    /// [`connect_timeout`](Self::connect_timeout) says (without the host:
    /// [`explain::with_hint`](crate::explain::with_hint) puts it in front).
    #[must_use]
    pub fn timed_out(&self) -> String {
        crate::explain::timed_out(
            "opening the websocket",
            self.connect_timeout,
            "connect_timeout",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TlsConfig;

    #[test]
    fn the_settings_come_from_the_session_and_the_options() {
        let mut config = crate::config::test_config();
        config.options = config
            .options
            .connect_timeout(Duration::from_secs(3))
            .write_timeout(Duration::from_secs(4));
        let tls = ClientTls::new(&TlsConfig::new().with_env(false)).expect("tls");
        let dial = Dial::new(&config, Arc::new(tls));
        assert_eq!(dial.connect_timeout, Duration::from_secs(3));
        assert_eq!(dial.write_timeout, Duration::from_secs(4));
        let limit = config.session.inbound_frame_limit();
        assert_eq!(dial.config.max_frame_size, Some(limit));
        assert_eq!(dial.config.max_message_size, Some(limit));
        let text = dial.timed_out();
        assert!(
            text.contains("3s") && text.contains("connect_timeout"),
            "{text}"
        );
    }
}
