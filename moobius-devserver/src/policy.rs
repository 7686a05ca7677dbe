//! The permission model, in one place. Every HTTP handler and websocket
//! route asks [`check`] whether an account may do an [`Act`]; no handler
//! decides on its own. The README's permission table is this module.
//!
//! Words used below, for a channel `c` and an account `u`:
//! * **owner** of `c`: the account that created it (`/channel/create`), or
//!   the owner given when it was seeded (default: the first seeded account);
//! * **service owner** of `c`: the account owning the service bound to `c`;
//! * **manager** of `c`: its owner or its service owner;
//! * **member** of `c`: a user who joined it (`join_channel`);
//! * **reader** of `c`: a member or a manager.

use crate::error::ApiError;
use crate::state::channels::Channel;
use crate::state::State;

/// Something an account asks to do.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Act<'a> {
    /// `POST /service/bind` of `service` to `channel`.
    Bind { channel: &'a str, service: &'a str },
    /// `POST /service/unbind` of `service` from `channel`.
    Unbind { channel: &'a str, service: &'a str },
    /// `POST /channel/update` (rename, describe).
    ManageChannel { channel: &'a str },
    /// History, member list, the channel's groups (list, create, temp).
    ReadChannel { channel: &'a str },
    /// Agents (create, update, list) and `service_login`.
    ManageService { service: &'a str },
    /// `GET /user/group` / `GET /service/group` of one group.
    ReadGroup { group: &'a str },
    /// A user's `message_up`, `leave_channel`, `refresh` and clicks.
    Participate { channel: &'a str },
    /// A service's `message_down` / `update` in `channel`, shown as
    /// `sender` (`None` for updates).
    Speak {
        service: &'a str,
        channel: &'a str,
        sender: Option<&'a str>,
    },
}

/// The senders a service may always use in `message_down`: the literal the
/// reference SDK sends for an empty sender (PROTOCOL.md §8.3).
pub(crate) const NO_SENDER: &str = "no_sender";

fn forbidden(why: String) -> ApiError {
    ApiError::forbidden(why)
}

fn owns_service(st: &State, service_id: &str, user_id: &str) -> bool {
    st.services
        .get(service_id)
        .is_some_and(|s| s.owner == user_id)
}

/// The owner or the bound service's owner.
fn is_manager(st: &State, c: &Channel, user_id: &str) -> bool {
    c.owner.as_deref() == Some(user_id)
        || c.service
            .as_deref()
            .is_some_and(|s| owns_service(st, s, user_id))
}

fn is_reader(st: &State, c: &Channel, user_id: &str) -> bool {
    c.is_member(user_id) || is_manager(st, c, user_id)
}

/// Whether `user_id` may do `act`: `Ok`, or why not (`10403`, or `10404`
/// for an unknown channel/service/group).
pub(crate) fn check(st: &State, user_id: &str, act: Act<'_>) -> Result<(), ApiError> {
    match act {
        Act::Bind { channel, service } => {
            st.services.owned(service, user_id)?;
            let c = st.channels.get(channel)?;
            match c.owner.as_deref() {
                // An ownerless seeded channel goes to its first binder.
                None => Ok(()),
                Some(o) if o == user_id => Ok(()),
                Some(_) => Err(forbidden(format!(
                    "channel `{channel}` belongs to another account: only its owner may bind a service to it"
                ))),
            }
        }
        Act::Unbind { channel, service } => {
            let c = st.channels.get(channel)?;
            if st.services.get(service).is_none() {
                return Err(ApiError::not_found(format!("unknown service `{service}`")));
            }
            if owns_service(st, service, user_id) || c.owner.as_deref() == Some(user_id) {
                Ok(())
            } else {
                Err(forbidden(format!(
                    "only the channel's owner or the service's owner may unbind `{service}` from `{channel}`"
                )))
            }
        }
        Act::ManageChannel { channel } => {
            let c = st.channels.get(channel)?;
            if is_manager(st, c, user_id) {
                Ok(())
            } else {
                Err(forbidden(format!(
                    "channel `{channel}` belongs to another account"
                )))
            }
        }
        Act::ReadChannel { channel } => {
            let c = st.channels.get(channel)?;
            if is_reader(st, c, user_id) {
                Ok(())
            } else {
                Err(forbidden(format!("not a member of channel `{channel}`")))
            }
        }
        Act::ManageService { service } => st.services.owned(service, user_id).map(|_| ()),
        Act::ReadGroup { group } => {
            let g = st.groups.get(group)?;
            match &g.kind {
                // A channel group is the channel's: its readers see it.
                crate::state::groups::GroupKind::Channel { channel_id, .. } => {
                    if g.owner == user_id {
                        return Ok(());
                    }
                    check(
                        st,
                        user_id,
                        Act::ReadChannel {
                            channel: channel_id,
                        },
                    )
                }
                // A service group reaches users in `update`s (character
                // lists): its id is the capability, like a file URL.
                crate::state::groups::GroupKind::Service => Ok(()),
            }
        }
        Act::Participate { channel } => {
            let c = st.channels.get(channel)?;
            if c.is_member(user_id) {
                Ok(())
            } else {
                Err(forbidden(format!("not a member of channel `{channel}`")))
            }
        }
        Act::Speak {
            service,
            channel,
            sender,
        } => {
            let c = st.channels.get(channel)?;
            if c.service.as_deref() != Some(service) {
                return Err(forbidden(format!(
                    "channel `{channel}` is not bound to service `{service}`"
                )));
            }
            let Some(sender) = sender else {
                return Ok(());
            };
            let own_agent = st
                .services
                .agent(sender)
                .is_some_and(|a| a.service_id == service);
            if sender == NO_SENDER || sender == service || own_agent || c.is_member(sender) {
                Ok(())
            } else {
                Err(forbidden(format!(
                    "sender `{sender}` is neither a member of `{channel}` nor an agent of the service"
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> (State, String, String, String) {
        let mut st = State::default();
        let a = st.accounts.seed("a@x.io", "pw").expect("a");
        let b = st.accounts.seed("b@x.io", "pw").expect("b");
        st.channels
            .create(Some("c"), "C", "", Some(&a))
            .expect("channel");
        let sa = st.services.create(&a, "");
        (st, a, b, sa)
    }

    #[test]
    fn only_the_owner_binds_and_others_cannot_read() {
        let (mut st, a, b, sa) = world();
        let sb = st.services.create(&b, "");
        fn bind(s: &str) -> Act<'_> {
            Act::Bind {
                channel: "c",
                service: s,
            }
        }
        assert!(check(&st, &a, bind(&sa)).is_ok());
        assert_eq!(
            check(&st, &b, bind(&sb)).map_err(|e| e.code),
            Err(crate::codes::FORBIDDEN)
        );
        assert!(check(&st, &b, bind(&sa)).is_err(), "not b's service");
        st.channels.bind("c", &sa, &a).expect("bind");
        assert!(check(&st, &a, Act::ReadChannel { channel: "c" }).is_ok());
        assert!(check(&st, &b, Act::ReadChannel { channel: "c" }).is_err());
        st.channels.join("c", &b).expect("join");
        assert!(check(&st, &b, Act::ReadChannel { channel: "c" }).is_ok());
        assert!(check(&st, &b, Act::ManageChannel { channel: "c" }).is_err());
    }

    #[test]
    fn senders_are_members_agents_or_the_service() {
        let (mut st, a, b, sa) = world();
        st.channels.bind("c", &sa, &a).expect("bind");
        let as_ = |sender: &str| {
            check(
                &st,
                &a,
                Act::Speak {
                    service: &sa,
                    channel: "c",
                    sender: Some(sender),
                },
            )
            .is_ok()
        };
        assert!(as_(NO_SENDER));
        assert!(as_(&sa));
        assert!(!as_(&b), "b is not a member yet");
        assert!(!as_(&a), "the owner is not a member");
    }
}
