//! The callbacks of both drivers' application traits (`moobius-tokio`'s
//! `Service`, `moobius-blocking`'s `Bot`), declared once: their names,
//! arguments, documentation and default behaviour. A driver gives its trait's
//! own header (documentation, bounds, the `Spell` type) and whether its
//! callbacks are `async`; [`callback_trait!`] writes the methods.
//!
//! The two traits therefore cannot drift: a callback added here appears in
//! both, with the same arguments and the same default, and [`call_back!`]
//! (the event → callback table) calls it in both.

/// Declares a driver's callback trait with every callback of the SDK.
///
/// `async` makes each callback return `impl Future<Output = CallbackResult>
/// + Send` (implementations may write `async fn`); `sync` makes it return
/// `CallbackResult`. `Moobius` is the invoking crate's (`crate::Moobius`).
///
/// ```ignore
/// moobius_runtime::callback_trait! {
///     sync
///     /// The trait's documentation.
///     pub trait Bot {
///         /// What a spell is.
///         type Spell: Send + 'static;
///     }
/// }
/// ```
#[doc(hidden)]
#[macro_export]
// `crate::Moobius` is meant: the invoking driver's handle.
#[allow(clippy::crate_in_macro_def)]
macro_rules! callback_trait {
    (async $($rest:tt)*) => { $crate::callback_trait!(@trait [await] $($rest)*); };
    (sync $($rest:tt)*) => { $crate::callback_trait!(@trait [] $($rest)*); };

    (@ret [await]) => { impl ::core::future::Future<Output = $crate::CallbackResult> + Send };
    (@ret []) => { $crate::CallbackResult };
    (@body [await] $body:block) => { async move $body };
    (@body [] $body:block) => { $body };
    // A callback whose default does nothing.
    (@noop [$($aw:tt)?] $(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?)) => {
        $(#[$doc])*
        fn $name(
            &mut self,
            moobius: &crate::Moobius,
            $($arg: $ty),*
        ) -> $crate::callback_trait!(@ret [$($aw)?]) {
            $crate::callback_trait!(@body [$($aw)?] {
                let _ = (moobius, $($arg),*);
                Ok(())
            })
        }
    };

    (@trait [$($aw:tt)?]
        $(#[$attr:meta])*
        pub trait $name:ident $(: $bound:tt $(+ $more:tt)*)? { $($head:tt)* }
    ) => {
        $(#[$attr])*
        pub trait $name $(: $bound $(+ $more)*)? {
            $($head)*

            $crate::callback_trait! { @noop [$($aw)?]
                /// Service mode: logged in, channels are about to be bound
                /// (`before_channel_init`).
                fn before_channel_init()
            }

            /// Service mode: a configured channel is bound and ready, once
            /// per channel at start; the usual place to open per-channel
            /// storage (see the crate's *Storage* documentation). The default
            /// calls [`on_channel_checkin`](Self::on_channel_checkin).
            fn on_channel_init(
                &mut self,
                moobius: &crate::Moobius,
                channel_id: $crate::__proto::ids::ChannelId,
            ) -> $crate::callback_trait!(@ret [$($aw)?]) {
                $crate::callback_trait!(@body [$($aw)?] {
                    self.on_channel_checkin(moobius, channel_id)$(.$aw)?
                })
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// Service mode: periodic check-in of each channel
                /// (`service_config.checkin_interval`), and at start by default.
                fn on_channel_checkin(channel_id: $crate::__proto::ids::ChannelId)
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// Start-up finished: logged in, channels bound (or joined).
                fn on_start()
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// Service mode: a user's message. `message.recipients` holds the
                /// resolved ids of its intended recipients (empty when sent to the
                /// service only).
                fn on_message_up(message: $crate::__proto::model::MessageBody)
            }

            /// Service mode: a user action. The default hands each kind to
            /// its own callback ([`on_join`](Self::on_join),
            /// [`on_leave`](Self::on_leave), [`on_refresh`](Self::on_refresh),
            /// [`on_button_click`](Self::on_button_click),
            /// [`on_menu_item_click`](Self::on_menu_item_click)); other
            /// subtypes are logged.
            fn on_action(
                &mut self,
                moobius: &crate::Moobius,
                action: $crate::__proto::ws::Action,
            ) -> $crate::callback_trait!(@ret [$($aw)?]) {
                $crate::callback_trait!(@body [$($aw)?] {
                    use $crate::__proto::ws::Action;
                    match action {
                        Action::Join(a) => self.on_join(moobius, a)$(.$aw)?,
                        Action::Leave(a) => self.on_leave(moobius, a)$(.$aw)?,
                        Action::Refresh(a) => self.on_refresh(moobius, a)$(.$aw)?,
                        Action::ButtonClick(c) => self.on_button_click(moobius, *c)$(.$aw)?,
                        Action::MenuItemClick(c) => {
                            self.on_menu_item_click(moobius, *c)$(.$aw)?
                        }
                        Action::Other { subtype, .. } => {
                            ::tracing::debug!(%subtype, "action of an unhandled subtype");
                            Ok(())
                        }
                        other => {
                            ::tracing::debug!(?other, "action of an unhandled kind");
                            Ok(())
                        }
                    }
                })
            }

            /// Service mode: a user joined a channel. The default calls
            /// [`do_member_sync`](Self::do_member_sync) with the channel and
            /// the user who joined, as the reference's `on_join` does.
            fn on_join(
                &mut self,
                moobius: &crate::Moobius,
                action: $crate::__proto::model::SimpleAction,
            ) -> $crate::callback_trait!(@ret [$($aw)?]) {
                $crate::callback_trait!(@body [$($aw)?] {
                    self.do_member_sync(moobius, action.channel_id, action.sender)$(.$aw)?
                })
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// Service mode: brings one member's view of a channel up to
                /// date, the usual place to send a user the service's interface
                /// (characters, buttons, menu, canvas, style). The default
                /// [`on_join`](Self::on_join) and [`on_refresh`](Self::on_refresh)
                /// call it with the channel and the user who joined or asked; as
                /// the reference's `do_member_sync`, the default itself sends
                /// **nothing**. The trait's documentation shows an override.
                fn do_member_sync(
                    channel_id: $crate::__proto::ids::ChannelId,
                    member: $crate::__proto::ids::CharacterId,
                )
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// Service mode: a user left a channel.
                fn on_leave(action: $crate::__proto::model::SimpleAction)
            }

            /// Service mode: a client asks for the channel's state
            /// (characters, buttons, canvas, ...). The default calls
            /// [`do_member_sync`](Self::do_member_sync) with the channel and
            /// the user who asked, as the reference's `on_refresh` does.
            fn on_refresh(
                &mut self,
                moobius: &crate::Moobius,
                action: $crate::__proto::model::SimpleAction,
            ) -> $crate::callback_trait!(@ret [$($aw)?]) {
                $crate::callback_trait!(@body [$($aw)?] {
                    self.do_member_sync(moobius, action.channel_id, action.sender)$(.$aw)?
                })
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// Service mode: a button was clicked (with its dialog's values).
                fn on_button_click(click: $crate::__proto::model::ButtonClick)
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// Service mode: a context-menu item was clicked on a message.
                fn on_menu_item_click(click: $crate::__proto::model::MenuItemClick)
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// The platform's acknowledgement of a frame (`copy`).
                fn on_copy_client(copy: $crate::__proto::model::CopyBody)
            }

            /// A frame of a type this SDK does not know, with its raw JSON.
            fn on_unknown_payload(
                &mut self,
                moobius: &crate::Moobius,
                frame: $crate::__proto::ws::UnknownFrame,
            ) -> $crate::callback_trait!(@ret [$($aw)?]) {
                $crate::callback_trait!(@body [$($aw)?] {
                    let _ = moobius;
                    ::tracing::debug!(frame_type = ?frame.frame_type, "unknown payload");
                    Ok(())
                })
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// A spell sent to the running application
                /// ([`Spell`](Self::Spell)).
                fn on_spell(spell: Self::Spell)
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// User mode: a service's message. `message.recipients` holds
                /// resolved ids when the frame carried any (the platform normally
                /// strips them).
                fn on_message_down(message: $crate::__proto::model::MessageBody)
            }

            /// User mode: the channel's interface changed, group ids resolved
            /// (a character list arrives as ids). The default hands each kind
            /// of change to its `on_update_*` callback.
            fn on_update(
                &mut self,
                moobius: &crate::Moobius,
                update: $crate::__proto::model::UpdateBody,
            ) -> $crate::callback_trait!(@ret [$($aw)?]) {
                $crate::callback_trait!(@body [$($aw)?] {
                    use $crate::__proto::model::UpdateContent;
                    let channel = update.channel_id;
                    match update.content {
                        UpdateContent::Characters(refs) => {
                            let ids = refs.inline_ids().unwrap_or_default();
                            self.on_update_characters(moobius, channel, ids)$(.$aw)?
                        }
                        UpdateContent::Buttons(b) => {
                            self.on_update_buttons(moobius, channel, b)$(.$aw)?
                        }
                        UpdateContent::Menu(m) => self.on_update_menu(moobius, channel, m)$(.$aw)?,
                        UpdateContent::Style(s) => {
                            self.on_update_style(moobius, channel, s)$(.$aw)?
                        }
                        UpdateContent::Canvas(c) => {
                            self.on_update_canvas(moobius, channel, c)$(.$aw)?
                        }
                        UpdateContent::ChannelInfo(info) => {
                            self.on_update_channel_info(moobius, info)$(.$aw)?
                        }
                        UpdateContent::Other { subtype, .. } => {
                            ::tracing::debug!(%subtype, "update of an unknown subtype");
                            Ok(())
                        }
                        other => {
                            ::tracing::debug!(
                                subtype = %other.subtype(),
                                "update of a kind this driver does not handle"
                            );
                            Ok(())
                        }
                    }
                })
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// User mode: the character list shown in a channel, in order.
                fn on_update_characters(
                    channel_id: $crate::__proto::ids::ChannelId,
                    characters: ::std::vec::Vec<$crate::__proto::ids::CharacterId>,
                )
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// User mode: a channel's name or description changed.
                fn on_update_channel_info(info: $crate::__proto::model::ChannelInfo)
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// User mode: the canvas (whole replacement).
                fn on_update_canvas(
                    channel_id: $crate::__proto::ids::ChannelId,
                    items: ::std::vec::Vec<$crate::__proto::model::CanvasItem>,
                )
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// User mode: the button bar (whole replacement).
                fn on_update_buttons(
                    channel_id: $crate::__proto::ids::ChannelId,
                    buttons: ::std::vec::Vec<$crate::__proto::model::Button>,
                )
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// User mode: widget styles.
                fn on_update_style(
                    channel_id: $crate::__proto::ids::ChannelId,
                    items: ::std::vec::Vec<$crate::__proto::model::StyleItem>,
                )
            }

            $crate::callback_trait! { @noop [$($aw)?]
                /// User mode: the context menu (whole replacement).
                fn on_update_menu(
                    channel_id: $crate::__proto::ids::ChannelId,
                    items: ::std::vec::Vec<$crate::__proto::model::MenuItem>,
                )
            }
        }
    };
}
