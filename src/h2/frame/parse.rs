//! A frame's payload read into its fields, and every rule of RFC 9113
//! about a frame's own shape checked on the way: which stream it may be
//! on, how long it may be, what its padding and its values may be. Each
//! check names its section; the error kind and code are the ones that
//! section says.
//!
//! Checks that need more than the frame (the stream's state, what came
//! before) are the connection's; see the module's doc.

use super::{
    flag, kind, setting, ErrorCode, Frame, FrameError, Header, Priority, Setting, Settings,
    MAX_MAX_FRAME_SIZE, MAX_WINDOW, MIN_MAX_FRAME_SIZE, STREAM_MASK,
};

/// See [`Frame::parse`].
pub(super) fn parse<'a>(header: &Header, payload: &'a [u8]) -> Result<Frame<'a>, FrameError> {
    // The caller cut the payload by the header's length; a mismatch is
    // its mistake, reported rather than trusted.
    if usize::try_from(header.length).ok() != Some(payload.len()) {
        return Err(FrameError::connection(
            ErrorCode::FRAME_SIZE_ERROR,
            "payload not as long as the header's Length says (§4.1)",
        ));
    }
    // A header built by hand may carry the reserved bit; Header::parse
    // never does. Ignored either way (§4.1).
    let header = Header {
        stream: header.stream & STREAM_MASK,
        ..*header
    };
    let header = &header;
    match header.kind {
        kind::DATA => data(header, payload),
        kind::HEADERS => headers(header, payload),
        kind::PRIORITY => priority(header, payload),
        kind::RST_STREAM => rst_stream(header, payload),
        kind::SETTINGS => settings(header, payload),
        kind::PUSH_PROMISE => push_promise(header, payload),
        kind::PING => ping(header, payload),
        kind::GOAWAY => goaway(header, payload),
        kind::WINDOW_UPDATE => window_update(header, payload),
        kind::CONTINUATION => continuation(header, payload),
        // §4.1: "Implementations MUST ignore and discard frames of
        // unknown types"; §5.5 says the same of every extension point.
        kind => Ok(Frame::Unknown {
            kind,
            flags: header.flags,
            stream: header.stream,
            payload,
        }),
    }
}

/// The frame's stream, for the types that "MUST be associated with a
/// stream": on stream 0 they are a connection PROTOCOL_ERROR (DATA §6.1,
/// HEADERS §6.2, PRIORITY §6.3, RST_STREAM §6.4, PUSH_PROMISE §6.6,
/// CONTINUATION §6.10). `reason` says which.
fn on_stream(header: &Header, reason: &'static str) -> Result<u32, FrameError> {
    match header.stream {
        0 => Err(FrameError::connection(ErrorCode::PROTOCOL_ERROR, reason)),
        stream => Ok(stream),
    }
}

/// For the types that apply to the connection as a whole, whose stream
/// "MUST be zero": anything else is a connection PROTOCOL_ERROR
/// (SETTINGS §6.5, PING §6.7, GOAWAY §6.8).
fn on_connection(header: &Header, reason: &'static str) -> Result<(), FrameError> {
    match header.stream {
        0 => Ok(()),
        _ => Err(FrameError::connection(ErrorCode::PROTOCOL_ERROR, reason)),
    }
}

fn frame_size(reason: &'static str) -> FrameError {
    FrameError::connection(ErrorCode::FRAME_SIZE_ERROR, reason)
}

/// What to say when a padded frame's padding is wrong, per type.
struct Padding {
    /// PADDED is set and the payload is empty: no Pad Length byte.
    no_pad_length: &'static str,
    /// Too short for the fields the type always has after Pad Length.
    too_short: &'static str,
    /// More padding than the payload has room for.
    too_long: &'static str,
}

/// Takes a padded frame's Pad Length byte off the front and its padding
/// off the end, when PADDED is set; what is left is the type's `fixed`
/// bytes of fields, then its data or fragment.
///
/// §6.1, §6.2, §6.6: padding "the length of the frame payload or greater"
/// is a connection PROTOCOL_ERROR; so is padding that would eat into the
/// fields before the fragment (RFC 7540 §6.2 said so in as many words).
/// A payload too short for Pad Length or for the fields is "too small to
/// contain mandatory frame data" (§4.2): FRAME_SIZE_ERROR, a connection
/// error since these frames carry a field block or count against the
/// connection's flow-control window. The padding's bytes are not looked
/// at: §6.1 lets a receiver accept non-zero ones.
fn unpad<'a>(
    header: &Header,
    payload: &'a [u8],
    fixed: usize,
    say: &Padding,
) -> Result<(Option<u8>, &'a [u8]), FrameError> {
    if !header.has(flag::PADDED) {
        if payload.len() < fixed {
            return Err(frame_size(say.too_short));
        }
        return Ok((None, payload));
    }
    let Some((&pad_length, rest)) = payload.split_first() else {
        return Err(frame_size(say.no_pad_length));
    };
    if rest.len() < fixed {
        return Err(frame_size(say.too_short));
    }
    let Some(body) = rest.len().checked_sub(usize::from(pad_length)) else {
        return Err(FrameError::connection(
            ErrorCode::PROTOCOL_ERROR,
            say.too_long,
        ));
    };
    if body < fixed {
        return Err(FrameError::connection(
            ErrorCode::PROTOCOL_ERROR,
            say.too_long,
        ));
    }
    Ok((Some(pad_length), &rest[..body]))
}

fn data<'a>(header: &Header, payload: &'a [u8]) -> Result<Frame<'a>, FrameError> {
    let stream = on_stream(header, "DATA on stream 0 (§6.1)")?;
    let (pad_length, data) = unpad(
        header,
        payload,
        0,
        &Padding {
            no_pad_length: "DATA with PADDED and no Pad Length (§6.1, §4.2)",
            too_short: "DATA too short (§6.1)",
            too_long: "DATA padding as long as the payload or longer (§6.1)",
        },
    )?;
    Ok(Frame::Data {
        stream,
        end_stream: header.has(flag::END_STREAM),
        pad_length,
        data,
    })
}

fn headers<'a>(header: &Header, payload: &'a [u8]) -> Result<Frame<'a>, FrameError> {
    let stream = on_stream(header, "HEADERS on stream 0 (§6.2)")?;
    let fixed = if header.has(flag::PRIORITY) {
        Priority::LEN
    } else {
        0
    };
    let (pad_length, body) = unpad(
        header,
        payload,
        fixed,
        &Padding {
            no_pad_length: "HEADERS with PADDED and no Pad Length (§6.2, §4.2)",
            too_short: "HEADERS with PRIORITY shorter than its priority fields (§6.2, §4.2)",
            too_long: "HEADERS padding longer than the room after its fields (§6.2)",
        },
    )?;
    let (priority, fragment) = match body.split_first_chunk::<{ Priority::LEN }>() {
        Some((fields, fragment)) if fixed > 0 => (Some(Priority::parse(*fields)), fragment),
        _ => (None, body),
    };
    if priority.is_some_and(|p| p.dependency == stream) {
        // Where the fragment is, for HPACK, which must decode it anyway.
        let start = usize::from(pad_length.is_some()) + fixed;
        return Err(FrameError::Stream {
            stream,
            code: ErrorCode::PROTOCOL_ERROR,
            reason: SELF_DEPENDENCY,
            fragment: Some(start..start + fragment.len()),
        });
    }
    Ok(Frame::Headers {
        stream,
        end_stream: header.has(flag::END_STREAM),
        end_headers: header.has(flag::END_HEADERS),
        pad_length,
        priority,
        fragment,
    })
}

/// RFC 7540 §5.3.1: "A stream cannot depend on itself. An endpoint MUST
/// treat this as a stream error of type PROTOCOL_ERROR." RFC 9113
/// deprecates the priority scheme (§5.3.2) and no longer spells this
/// out, but its peers (nghttp2, h2spec's tests) still hold to it.
const SELF_DEPENDENCY: &str = "a stream depends on itself (RFC 7540 §5.3.1)";

fn priority<'a>(header: &Header, payload: &'a [u8]) -> Result<Frame<'a>, FrameError> {
    let stream = on_stream(header, "PRIORITY on stream 0 (§6.3)")?;
    // §6.3: the one length error the RFC makes a *stream* error: a
    // PRIORITY frame changes nothing but its own stream's place.
    let Ok(fields) = <[u8; Priority::LEN]>::try_from(payload) else {
        return Err(FrameError::stream(
            stream,
            ErrorCode::FRAME_SIZE_ERROR,
            "PRIORITY not 5 bytes long (§6.3)",
        ));
    };
    let priority = Priority::parse(fields);
    if priority.dependency == stream {
        return Err(FrameError::stream(
            stream,
            ErrorCode::PROTOCOL_ERROR,
            SELF_DEPENDENCY,
        ));
    }
    Ok(Frame::Priority { stream, priority })
}

fn rst_stream<'a>(header: &Header, payload: &'a [u8]) -> Result<Frame<'a>, FrameError> {
    let stream = on_stream(header, "RST_STREAM on stream 0 (§6.4)")?;
    let Ok(code) = <[u8; 4]>::try_from(payload) else {
        return Err(frame_size("RST_STREAM not 4 bytes long (§6.4)"));
    };
    Ok(Frame::RstStream {
        stream,
        code: ErrorCode(u32::from_be_bytes(code)),
    })
}

fn settings<'a>(header: &Header, payload: &'a [u8]) -> Result<Frame<'a>, FrameError> {
    on_connection(header, "SETTINGS on a stream other than 0 (§6.5)")?;
    let ack = header.has(flag::ACK);
    if ack && !payload.is_empty() {
        return Err(frame_size("SETTINGS with ACK and a payload (§6.5)"));
    }
    let Some(settings) = Settings::new(payload) else {
        return Err(frame_size("SETTINGS length not a multiple of 6 (§6.5)"));
    };
    settings.iter().try_for_each(check_setting)?;
    Ok(Frame::Settings { ack, settings })
}

/// The values §6.5.2 bounds, each a connection error; any other
/// identifier is ignored, whatever its value (§6.5.2's last paragraph).
fn check_setting(setting: Setting) -> Result<(), FrameError> {
    let error = |code, reason| Err(FrameError::connection(code, reason));
    match (setting.id, setting.value) {
        (setting::ENABLE_PUSH, 2..) => error(
            ErrorCode::PROTOCOL_ERROR,
            "SETTINGS_ENABLE_PUSH neither 0 nor 1 (§6.5.2)",
        ),
        (setting::ENABLE_CONNECT_PROTOCOL, 2..) => error(
            ErrorCode::PROTOCOL_ERROR,
            "SETTINGS_ENABLE_CONNECT_PROTOCOL neither 0 nor 1 (RFC 8441 §3)",
        ),
        // A window can never be larger than 2^31 - 1 (§6.9.1).
        (setting::INITIAL_WINDOW_SIZE, value) if value > MAX_WINDOW => error(
            ErrorCode::FLOW_CONTROL_ERROR,
            "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1 (§6.5.2)",
        ),
        (setting::MAX_FRAME_SIZE, value)
            if !(MIN_MAX_FRAME_SIZE..=MAX_MAX_FRAME_SIZE).contains(&value) =>
        {
            error(
                ErrorCode::PROTOCOL_ERROR,
                "SETTINGS_MAX_FRAME_SIZE outside 16384..=16777215 (§6.5.2)",
            )
        }
        _ => Ok(()),
    }
}

fn push_promise<'a>(header: &Header, payload: &'a [u8]) -> Result<Frame<'a>, FrameError> {
    let stream = on_stream(header, "PUSH_PROMISE on stream 0 (§6.6)")?;
    let too_short = "PUSH_PROMISE shorter than its Promised Stream ID (§6.6, §4.2)";
    let (pad_length, body) = unpad(
        header,
        payload,
        4,
        &Padding {
            no_pad_length: "PUSH_PROMISE with PADDED and no Pad Length (§6.6, §4.2)",
            too_short,
            too_long: "PUSH_PROMISE padding longer than the room after its fields (§6.6)",
        },
    )?;
    // unpad made sure of the 4 bytes.
    let Some((promised, fragment)) = body.split_first_chunk::<4>() else {
        return Err(frame_size(too_short));
    };
    Ok(Frame::PushPromise {
        stream,
        end_headers: header.has(flag::END_HEADERS),
        pad_length,
        promised: u32::from_be_bytes(*promised) & STREAM_MASK,
        fragment,
    })
}

fn ping<'a>(header: &Header, payload: &'a [u8]) -> Result<Frame<'a>, FrameError> {
    on_connection(header, "PING on a stream other than 0 (§6.7)")?;
    let Ok(data) = <[u8; 8]>::try_from(payload) else {
        return Err(frame_size("PING not 8 bytes long (§6.7)"));
    };
    Ok(Frame::Ping {
        ack: header.has(flag::ACK),
        data,
    })
}

fn goaway<'a>(header: &Header, payload: &'a [u8]) -> Result<Frame<'a>, FrameError> {
    on_connection(header, "GOAWAY on a stream other than 0 (§6.8)")?;
    // Last-Stream-ID and Error Code are mandatory: shorter is "too small
    // to contain mandatory frame data", on stream 0 (§4.2).
    let Some((fixed, debug)) = payload.split_first_chunk::<8>() else {
        return Err(frame_size("GOAWAY shorter than 8 bytes (§6.8, §4.2)"));
    };
    let [s0, s1, s2, s3, c0, c1, c2, c3] = *fixed;
    Ok(Frame::GoAway {
        last_stream: u32::from_be_bytes([s0, s1, s2, s3]) & STREAM_MASK,
        code: ErrorCode(u32::from_be_bytes([c0, c1, c2, c3])),
        debug,
    })
}

fn window_update<'a>(header: &Header, payload: &'a [u8]) -> Result<Frame<'a>, FrameError> {
    // §6.9: a connection error on any stream.
    let Ok(increment) = <[u8; 4]>::try_from(payload) else {
        return Err(frame_size("WINDOW_UPDATE not 4 bytes long (§6.9)"));
    };
    let increment = u32::from_be_bytes(increment) & STREAM_MASK;
    // §6.9: an increment of 0 is a stream error on a stream, and a
    // connection error on the connection's own window (stream 0).
    if increment == 0 {
        return Err(match header.stream {
            0 => FrameError::connection(
                ErrorCode::PROTOCOL_ERROR,
                "WINDOW_UPDATE of 0 on the connection (§6.9)",
            ),
            stream => FrameError::stream(
                stream,
                ErrorCode::PROTOCOL_ERROR,
                "WINDOW_UPDATE of 0 on a stream (§6.9)",
            ),
        });
    }
    Ok(Frame::WindowUpdate {
        stream: header.stream,
        increment,
    })
}

fn continuation<'a>(header: &Header, payload: &'a [u8]) -> Result<Frame<'a>, FrameError> {
    let stream = on_stream(header, "CONTINUATION on stream 0 (§6.10)")?;
    Ok(Frame::Continuation {
        stream,
        end_headers: header.has(flag::END_HEADERS),
        fragment: payload,
    })
}
