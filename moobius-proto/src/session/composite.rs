//! Commands made of several HTTP calls, so that every driver gets them from
//! one place: the characters of a channel (members' profiles plus the
//! service's agents), creating a channel and binding it, and uploads with a
//! content-hash cache (the same bytes are uploaded once per session).

use super::calls::Purpose;
use super::event::{CommandError, OpError, OpId, OpOutput};
use super::{Event, Session};
use crate::http::{
    BindService, CreateChannel, FetchAgents, FetchCharacterProfile, FetchMemberIds,
    RequestUploadUrl,
};
use crate::ids::{ChannelId, CharacterId};
use crate::model::Character;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::time::Instant;

/// Content hash of an upload (SHA-256).
pub(super) type ContentHash = [u8; 32];

pub(super) fn content_hash(bytes: &[u8]) -> ContentHash {
    Sha256::digest(bytes).into()
}

impl Session {
    /// The characters of a channel (`fetch_characters`): its members'
    /// profiles followed by the service's agents. The result is
    /// [`OpOutput::Characters`].
    pub fn fetch_characters(
        &mut self,
        now: Instant,
        channel_id: ChannelId,
    ) -> Result<OpId, CommandError> {
        self.check_open()?;
        let op = self.new_op();
        let call = FetchMemberIds::new(channel_id, self.service_id());
        self.start_call(now, Box::new(call), Purpose::CharactersMembers { op });
        Ok(op)
    }

    pub(super) fn on_characters_members(
        &mut self,
        now: Instant,
        op: OpId,
        result: Result<Vec<CharacterId>, OpError>,
    ) {
        match result {
            Ok(ids) if ids.is_empty() => self.on_characters_profiles(now, op, Ok(Vec::new())),
            Ok(ids) => self.start_call(
                now,
                Box::new(FetchCharacterProfile::many(ids)),
                Purpose::CharactersProfiles { op },
            ),
            Err(e) => self.emit(Event::OpDone { op, result: Err(e) }),
        }
    }

    pub(super) fn on_characters_profiles(
        &mut self,
        now: Instant,
        op: OpId,
        result: Result<Vec<Character>, OpError>,
    ) {
        match result {
            Ok(profiles) => {
                let call = FetchAgents::new(self.service_id());
                self.start_call(
                    now,
                    Box::new(call),
                    Purpose::CharactersAgents { op, profiles },
                );
            }
            Err(e) => self.emit(Event::OpDone { op, result: Err(e) }),
        }
    }

    pub(super) fn on_characters_agents(
        &mut self,
        op: OpId,
        mut profiles: Vec<Character>,
        result: Result<Vec<Character>, OpError>,
    ) {
        let result = result.map(|agents| {
            profiles.extend(agents);
            OpOutput::Characters(profiles)
        });
        self.emit(Event::OpDone { op, result });
    }

    /// Creates a channel (`create_channel`) and, when `bind` (the
    /// reference's default), binds this service to it. The result is
    /// [`OpOutput::Channel`] with the new id.
    pub fn create_channel(
        &mut self,
        now: Instant,
        name: impl Into<String>,
        description: impl Into<String>,
        bind: bool,
    ) -> Result<OpId, CommandError> {
        self.check_open()?;
        if bind {
            self.require_service("create_channel with bind")?;
        }
        let op = self.new_op();
        let call = CreateChannel::new(name, description);
        self.start_call(now, Box::new(call), Purpose::ChannelCreated { op, bind });
        Ok(op)
    }

    pub(super) fn on_channel_created(
        &mut self,
        now: Instant,
        op: OpId,
        bind: bool,
        result: Result<ChannelId, OpError>,
    ) {
        match result {
            Ok(channel) if bind => {
                let call = BindService::new(channel.clone(), self.service_id());
                self.start_call(
                    now,
                    Box::new(call),
                    Purpose::ChannelCreatedBound { op, channel },
                );
            }
            Ok(channel) => self.emit(Event::OpDone {
                op,
                result: Ok(OpOutput::Channel(channel)),
            }),
            Err(e) => self.emit(Event::OpDone { op, result: Err(e) }),
        }
    }

    pub(super) fn on_channel_created_bound(
        &mut self,
        op: OpId,
        channel: ChannelId,
        result: Result<(), OpError>,
    ) {
        if result.is_ok() && !self.channels.contains(&channel) {
            self.channels.push(channel.clone());
        }
        let result = result.map(|()| OpOutput::Channel(channel));
        self.emit(Event::OpDone { op, result });
    }

    /// Uploads `bytes` as a file named `file_name` (its extension is sent);
    /// the result is [`OpOutput::Uploaded`] with the public URL. The same
    /// bytes are uploaded once per session: later calls answer from a
    /// content-hash cache at once.
    pub fn upload(
        &mut self,
        now: Instant,
        file_name: &str,
        bytes: Bytes,
    ) -> Result<OpId, CommandError> {
        self.check_open()?;
        let op = self.new_op();
        let hash = content_hash(&bytes);
        if let Some(url) = self.uploaded.get(&hash) {
            let url = url.clone();
            self.emit(Event::OpDone {
                op,
                result: Ok(OpOutput::Uploaded { url }),
            });
            return Ok(op);
        }
        let call = RequestUploadUrl::for_file(file_name);
        self.start_call(now, Box::new(call), Purpose::UploadUrl { op, bytes, hash });
        Ok(op)
    }

    /// Remembers an uploaded file's URL under its content hash.
    pub(super) fn remember_upload(&mut self, hash: ContentHash, url: &str) {
        // A bound on memory: services that upload ever-new files rebuild it.
        if self.uploaded.len() >= 4096 {
            self.uploaded.clear();
        }
        self.uploaded.insert(hash, url.to_owned());
    }
}
