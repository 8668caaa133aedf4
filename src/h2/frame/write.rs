//! Frames written: any [`Frame`] by [`Frame::write`], and the frames a
//! server sends, each one call. Everything sent follows §4.1: unused
//! flags 0, reserved bits 0, padding zeros.

use super::{
    flag, kind, ErrorCode, Frame, Header, Priority, Setting, Settings, MAX_MAX_FRAME_SIZE,
    MAX_WINDOW, MIN_MAX_FRAME_SIZE, STREAM_MASK,
};

/// The flags a frame's fields say.
pub(super) fn flags(frame: &Frame) -> u8 {
    let bit = |set: bool, flag: u8| if set { flag } else { 0 };
    match *frame {
        Frame::Data {
            end_stream,
            pad_length,
            ..
        } => bit(end_stream, flag::END_STREAM) | bit(pad_length.is_some(), flag::PADDED),
        Frame::Headers {
            end_stream,
            end_headers,
            pad_length,
            priority,
            ..
        } => {
            bit(end_stream, flag::END_STREAM)
                | bit(end_headers, flag::END_HEADERS)
                | bit(pad_length.is_some(), flag::PADDED)
                | bit(priority.is_some(), flag::PRIORITY)
        }
        Frame::Settings { ack, .. } | Frame::Ping { ack, .. } => bit(ack, flag::ACK),
        Frame::PushPromise {
            end_headers,
            pad_length,
            ..
        } => bit(end_headers, flag::END_HEADERS) | bit(pad_length.is_some(), flag::PADDED),
        Frame::Continuation { end_headers, .. } => bit(end_headers, flag::END_HEADERS),
        Frame::Unknown { flags, .. } => flags,
        Frame::Priority { .. }
        | Frame::RstStream { .. }
        | Frame::GoAway { .. }
        | Frame::WindowUpdate { .. } => 0,
    }
}

/// The Pad Length byte and the padding, when there are.
fn padding(pad_length: Option<u8>) -> usize {
    pad_length.map_or(0, |n| 1 + usize::from(n))
}

/// See [`Frame::payload_len`].
pub(super) fn payload_len(frame: &Frame) -> usize {
    match *frame {
        Frame::Data {
            pad_length, data, ..
        } => padding(pad_length) + data.len(),
        Frame::Headers {
            pad_length,
            priority,
            fragment,
            ..
        } => padding(pad_length) + priority.map_or(0, |_| Priority::LEN) + fragment.len(),
        Frame::Priority { .. } => Priority::LEN,
        Frame::RstStream { .. } | Frame::WindowUpdate { .. } => 4,
        Frame::Settings { settings, .. } => settings.as_bytes().len(),
        Frame::PushPromise {
            pad_length,
            fragment,
            ..
        } => padding(pad_length) + 4 + fragment.len(),
        Frame::Ping { .. } => 8,
        Frame::GoAway { debug, .. } => 8 + debug.len(),
        Frame::Continuation { fragment, .. } => fragment.len(),
        Frame::Unknown { payload, .. } => payload.len(),
    }
}

/// See [`Frame::write`].
pub(super) fn frame(frame: &Frame, out: &mut Vec<u8>) {
    frame.header().write(out);
    let start = out.len();
    let stream_id = |id: u32| (id & STREAM_MASK).to_be_bytes();
    match *frame {
        Frame::Data {
            pad_length, data, ..
        } => padded(out, pad_length, &[], data),
        Frame::Headers {
            pad_length,
            priority,
            fragment,
            ..
        } => {
            let fields = priority.map(Priority::to_bytes);
            padded(
                out,
                pad_length,
                fields.as_ref().map_or(&[], |f| f),
                fragment,
            );
        }
        Frame::Priority { priority, .. } => out.extend_from_slice(&priority.to_bytes()),
        Frame::RstStream { code, .. } => out.extend_from_slice(&code.0.to_be_bytes()),
        Frame::Settings { settings, .. } => out.extend_from_slice(settings.as_bytes()),
        Frame::PushPromise {
            pad_length,
            promised,
            fragment,
            ..
        } => padded(out, pad_length, &stream_id(promised), fragment),
        Frame::Ping { data, .. } => out.extend_from_slice(&data),
        Frame::GoAway {
            last_stream,
            code,
            debug,
        } => {
            out.extend_from_slice(&stream_id(last_stream));
            out.extend_from_slice(&code.0.to_be_bytes());
            out.extend_from_slice(debug);
        }
        Frame::WindowUpdate { increment, .. } => out.extend_from_slice(&stream_id(increment)),
        Frame::Continuation { fragment, .. } => out.extend_from_slice(fragment),
        Frame::Unknown { payload, .. } => out.extend_from_slice(payload),
    }
    debug_assert_eq!(out.len() - start, frame.payload_len());
}

/// Pad Length, the type's fields, its data or fragment, then zeros.
fn padded(out: &mut Vec<u8>, pad_length: Option<u8>, fields: &[u8], body: &[u8]) {
    out.extend(pad_length);
    out.extend_from_slice(fields);
    out.extend_from_slice(body);
    out.resize(out.len() + pad_length.map_or(0, usize::from), 0);
}

/// A length that fits the header's 24 bits; the writers below never make
/// a longer one.
fn length(bytes: usize) -> u32 {
    let length = u32::try_from(bytes).unwrap_or(u32::MAX);
    debug_assert!(length <= MAX_MAX_FRAME_SIZE, "{bytes} bytes");
    length
}

/// SETTINGS with `settings`, in order (§6.5): the first frame a server
/// sends (§3.4), before it has read a byte of the client's. Empty says
/// "the defaults stand". At most 2730 settings fit the 16384 bytes every
/// peer takes; a server sends a handful.
pub fn write_settings(out: &mut Vec<u8>, settings: &[Setting]) {
    let payload = settings.len() * Settings::ENTRY_LEN;
    debug_assert!(payload <= MIN_MAX_FRAME_SIZE as usize);
    Header {
        length: length(payload),
        kind: kind::SETTINGS,
        flags: 0,
        stream: 0,
    }
    .write(out);
    for setting in settings {
        out.extend_from_slice(&setting.id.to_be_bytes());
        out.extend_from_slice(&setting.value.to_be_bytes());
    }
}

/// SETTINGS with ACK and no payload: the peer's settings are applied
/// (§6.5.3), which must be said at once after reading them.
pub fn write_settings_ack(out: &mut Vec<u8>) {
    Frame::Settings {
        ack: true,
        settings: Settings { bytes: &[] },
    }
    .write(out);
}

/// PING with ACK, carrying back the 8 bytes of the peer's PING (§6.7).
pub fn write_ping_ack(out: &mut Vec<u8>, data: [u8; 8]) {
    Frame::Ping { ack: true, data }.write(out);
}

/// GOAWAY (§6.8): no stream above `last_stream` was or will be processed
/// (0: none was), for the reason `code`, with `debug` for a person. The
/// debug data is cut to what fits a frame of 16384 bytes, which every
/// peer accepts whatever its settings.
pub fn write_goaway(out: &mut Vec<u8>, last_stream: u32, code: ErrorCode, debug: &[u8]) {
    let room = MIN_MAX_FRAME_SIZE as usize - 8;
    Frame::GoAway {
        last_stream,
        code,
        debug: &debug[..debug.len().min(room)],
    }
    .write(out);
}

/// RST_STREAM (§6.4): `stream` ends now, for the reason `code`.
pub fn write_rst_stream(out: &mut Vec<u8>, stream: u32, code: ErrorCode) {
    debug_assert_ne!(stream, 0, "RST_STREAM needs a stream");
    Frame::RstStream { stream, code }.write(out);
}

/// WINDOW_UPDATE (§6.9): the peer may send `increment` more bytes of
/// DATA on `stream`, or on the whole connection for stream 0. The
/// increment must be 1 to 2^31 - 1: 0 is a PROTOCOL_ERROR at the peer.
pub fn write_window_update(out: &mut Vec<u8>, stream: u32, increment: u32) {
    debug_assert!((1..=MAX_WINDOW).contains(&increment), "{increment}");
    Frame::WindowUpdate { stream, increment }.write(out);
}

/// A whole field block (HPACK's output for one header or trailer
/// section) on `stream`: a HEADERS frame, then as many CONTINUATION
/// frames as it takes for no frame to be longer than `max_frame_size`,
/// the peer's SETTINGS_MAX_FRAME_SIZE (§4.2, §4.3). END_HEADERS is on
/// the last of them; END_STREAM, if `end_stream`, on the HEADERS frame
/// (§6.2: it belongs to the block, whichever frame ends it). Nothing may
/// be sent between them on this connection (§4.3), which is why they
/// are written in one go.
pub fn write_headers(
    out: &mut Vec<u8>,
    stream: u32,
    block: &[u8],
    end_stream: bool,
    max_frame_size: u32,
) {
    debug_assert_ne!(stream, 0, "HEADERS needs a stream");
    let mut fragments = block.chunks(frame_room(max_frame_size));
    let first = fragments.next().unwrap_or_default();
    let mut rest = fragments.peekable();
    Frame::Headers {
        stream,
        end_stream,
        end_headers: rest.peek().is_none(),
        pad_length: None,
        priority: None,
        fragment: first,
    }
    .write(out);
    while let Some(fragment) = rest.next() {
        Frame::Continuation {
            stream,
            end_headers: rest.peek().is_none(),
            fragment,
        }
        .write(out);
    }
}

/// `data` on `stream`, as DATA frames no longer than `max_frame_size`
/// (the peer's SETTINGS_MAX_FRAME_SIZE), END_STREAM on the last if
/// `end_stream`. Empty data is one empty frame, which with END_STREAM
/// ends the stream without a byte. Flow control is the caller's: it
/// passes no more than both windows allow (§6.9.1).
pub fn write_data(
    out: &mut Vec<u8>,
    stream: u32,
    data: &[u8],
    end_stream: bool,
    max_frame_size: u32,
) {
    debug_assert_ne!(stream, 0, "DATA needs a stream");
    let mut pieces = data.chunks(frame_room(max_frame_size)).peekable();
    if pieces.peek().is_none() {
        return write_data_frame(out, stream, &[], end_stream);
    }
    while let Some(piece) = pieces.next() {
        write_data_frame(out, stream, piece, end_stream && pieces.peek().is_none());
    }
}

fn write_data_frame(out: &mut Vec<u8>, stream: u32, data: &[u8], end_stream: bool) {
    Frame::Data {
        stream,
        end_stream,
        pad_length: None,
        data,
    }
    .write(out);
}

/// The most payload a frame to the peer may have: its
/// SETTINGS_MAX_FRAME_SIZE, taken as the RFC bounds it, so that a bad
/// value can make neither an empty nor an oversized frame.
fn frame_room(max_frame_size: u32) -> usize {
    max_frame_size.clamp(MIN_MAX_FRAME_SIZE, MAX_MAX_FRAME_SIZE) as usize
}
