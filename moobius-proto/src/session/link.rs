//! The websocket link: connect, log in (first frame after every connect),
//! liveness, heartbeats, and reconnecting with backoff.

use super::event::{CloseReason, ConnectionEvent, Output};
use super::timers::Timer;
use super::{Event, FatalError, Session};
use crate::ws::{
    decode_inbound_with_limit, frame_type, Inbound, Outbound, ServiceLogin, UserLogin,
};
use std::time::Instant;

/// Logins the platform may reject in a row (with a token refresh between
/// tries) before the session gives up.
const MAX_LOGIN_REJECTIONS: u32 = 3;

/// The websocket's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Link {
    /// Not started (or closed for good).
    Idle,
    /// `WsConnect` issued.
    Connecting { attempt: u32 },
    /// Open; frames flow once logged in.
    Open {
        attempt: u32,
        logged_in: bool,
        rejections: u32,
    },
    /// Closed; a reconnect is scheduled.
    Down { attempt: u32 },
}

impl Session {
    fn attempt(&self) -> u32 {
        match self.link {
            Link::Idle => 0,
            Link::Connecting { attempt } | Link::Open { attempt, .. } | Link::Down { attempt } => {
                attempt
            }
        }
    }

    pub(super) fn logged_in(&self) -> bool {
        matches!(
            self.link,
            Link::Open {
                logged_in: true,
                ..
            }
        )
    }

    /// Opens (or reopens) the websocket.
    pub(super) fn connect(&mut self, _now: Instant) {
        if self.closed {
            return;
        }
        let attempt = self.attempt();
        self.link = Link::Connecting { attempt };
        self.outputs.push_back(Output::WsConnect {
            uri: self.cfg.ws_uri.clone(),
        });
    }

    /// The websocket asked for by the last `WsConnect` is open.
    pub fn handle_ws_opened(&mut self, now: Instant) {
        let Link::Connecting { attempt } = self.link else {
            return;
        };
        self.link = Link::Open {
            attempt,
            logged_in: false,
            rejections: 0,
        };
        self.send_login(now);
        self.timers
            .set(Timer::Liveness, now + self.cfg.timings.liveness);
    }

    /// Writes the login frame, ahead of anything queued, and waits for its
    /// acknowledgement (at most the grace period).
    pub(super) fn send_login(&mut self, now: Instant) {
        self.timers
            .set(Timer::LoginGrace, now + self.cfg.timings.login_grace);
        let access_token = self.api.access_token.clone().unwrap_or_default();
        let frame = if self.is_service() {
            Outbound::ServiceLogin(ServiceLogin {
                service_id: self.service_id(),
                access_token,
            })
        } else {
            Outbound::UserLogin(UserLogin { access_token })
        };
        let rid = self.request_id();
        self.outputs.push_back(Output::WsSend(frame.encode(&rid)));
    }

    /// The login went through (acknowledged, another frame arrived, or the
    /// grace period ended without a word).
    pub(super) fn on_logged_in(&mut self, now: Instant) {
        let Link::Open {
            attempt,
            logged_in: false,
            ..
        } = self.link
        else {
            return;
        };
        self.link = Link::Open {
            attempt: 0,
            logged_in: true,
            rejections: 0,
        };
        self.timers.stop(Timer::LoginGrace);
        self.timers
            .set(Timer::Heartbeat, now + self.cfg.timings.heartbeat);
        if attempt > 0 {
            self.emit(Event::Connection(ConnectionEvent::Reconnected));
        }
        self.pump_outbox(now);
        self.on_first_login(now);
    }

    /// One text frame arrived.
    pub fn handle_ws_text(&mut self, now: Instant, text: &str) {
        if !matches!(self.link, Link::Open { .. }) || self.closed {
            return;
        }
        self.timers
            .set(Timer::Liveness, now + self.cfg.timings.liveness);
        let frame = match decode_inbound_with_limit(text, self.cfg.inbound_frame_limit()) {
            Ok(frame) => frame,
            Err(e) => return self.emit(Event::UndecodableFrame(e.to_string())),
        };
        match &frame {
            Inbound::Copy(copy) => {
                let login = matches!(
                    copy.origin_type.as_str(),
                    frame_type::SERVICE_LOGIN | frame_type::USER_LOGIN
                );
                match (login, copy.status) {
                    (true, true) => self.on_logged_in(now),
                    (true, false) => {
                        let reason = copy
                            .context
                            .as_ref()
                            .and_then(|c| c.get("message"))
                            .and_then(|m| m.as_str())
                            .map(str::to_owned);
                        self.on_login_rejected(now, reason);
                    }
                    (false, true) => self.outbox.acknowledged(&copy.request_id),
                    (false, false) => {
                        // The platform says why (the reference logs nothing);
                        // e.g. a channel another service has taken since.
                        if let Some(reason) = copy
                            .context
                            .as_ref()
                            .and_then(|c| c.get("message"))
                            .and_then(|m| m.as_str())
                        {
                            self.emit(Event::PlatformError(format!(
                                "the platform rejected a `{}` frame: {reason}",
                                copy.origin_type
                            )));
                        }
                        self.on_frame_rejected(now, &copy.request_id);
                    }
                }
            }
            _ => self.on_logged_in(now),
        }
        self.push_inbound(now, frame);
    }

    fn on_login_rejected(&mut self, now: Instant, reason: Option<String>) {
        let Link::Open {
            attempt,
            rejections,
            ..
        } = self.link
        else {
            return;
        };
        let rejections = rejections + 1;
        if rejections >= MAX_LOGIN_REJECTIONS {
            return self.fatal(
                now,
                FatalError::LoginRejected {
                    times: rejections,
                    reason,
                },
            );
        }
        self.link = Link::Open {
            attempt,
            logged_in: false,
            rejections,
        };
        // Most likely the token expired: refresh it; the login is sent again
        // with the new token (see `resume_after_token`).
        self.timers.stop(Timer::LoginGrace);
        self.start_refresh(now);
    }

    /// The platform rejected a frame: typically the socket is no longer
    /// logged in (PROTOCOL.md §3.5). Log in again, then send the frame again,
    /// once; a frame rejected twice is failed back to its caller.
    fn on_frame_rejected(&mut self, now: Instant, request_id: &crate::RequestId) {
        if let Some(op) = self.outbox.rejected(request_id) {
            self.emit(Event::OpDone {
                op,
                result: Err(super::OpError::Rejected),
            });
        }
        if let Link::Open {
            attempt,
            logged_in: true,
            rejections,
        } = self.link
        {
            self.link = Link::Open {
                attempt,
                logged_in: false,
                rejections,
            };
            self.send_login(now);
        }
    }

    /// The websocket closed or could not be opened. Reports about a socket
    /// already replaced or closed by the session are ignored.
    pub fn handle_ws_closed(&mut self, now: Instant, reason: CloseReason) {
        let attempt = match self.link {
            Link::Connecting { attempt } | Link::Open { attempt, .. } => attempt,
            Link::Idle | Link::Down { .. } => return,
        };
        if self.closed {
            return;
        }
        let too_big = reason.frame_too_big();
        self.emit(Event::Connection(ConnectionEvent::Disconnected(reason)));
        for (op, len) in self.outbox.requeue_unacked(too_big) {
            let limit = self.cfg.max_frame_bytes.min(len.saturating_sub(1));
            self.emit(Event::OpDone {
                op,
                result: Err(super::OpError::FrameTooLarge { len, limit }),
            });
        }
        for t in [Timer::Heartbeat, Timer::Liveness, Timer::LoginGrace] {
            self.timers.stop(t);
        }
        let delay = self.cfg.backoff.delay(attempt, &mut self.rng);
        let attempt = attempt.saturating_add(1);
        self.link = Link::Down { attempt };
        let at = now + delay;
        self.timers.set(Timer::Reconnect, at);
        self.emit(Event::Connection(ConnectionEvent::Reconnecting {
            attempt,
            at,
        }));
    }

    pub(super) fn on_liveness_timeout(&mut self, now: Instant) {
        if !self.wants_ws_read() {
            // The driver does not read the socket (too many frames wait for
            // lookups): silence says nothing about the connection.
            self.timers
                .set(Timer::Liveness, now + self.cfg.timings.liveness);
            return;
        }
        let secs = self.cfg.timings.liveness.as_secs();
        self.outputs.push_back(Output::WsClose {
            reason: format!("no frame for {secs} s"),
        });
        self.handle_ws_closed(
            now,
            CloseReason::Error(format!("liveness: no frame for {secs} s")),
        );
    }

    pub(super) fn on_heartbeat_timer(&mut self, now: Instant) {
        if self.logged_in() {
            let rid = self.request_id();
            self.outputs
                .push_back(Output::WsSend(Outbound::Heartbeat.encode(&rid)));
            self.timers
                .set(Timer::Heartbeat, now + self.cfg.timings.heartbeat);
        }
    }
}
