//! Every rule of §4 and §6 that `parse` checks, each with the exact bytes
//! that break it and the error kind and code the RFC names; every type
//! written and read back; the reader fed in every way; the writers'
//! exact bytes; the lines for people. Real clients' frames are in
//! `captured.rs`.

use super::*;
use proptest::prelude::*;

/// Parses one frame given as its exact bytes, header first.
fn parse(bytes: &[u8]) -> Result<Frame<'_>, FrameError> {
    let (head, payload) = bytes.split_first_chunk::<9>().expect("a header");
    Frame::parse(&Header::parse(head), payload)
}

/// The frame's error, which must be a connection error with `code`.
#[track_caller]
fn connection_error(bytes: &[u8], code: ErrorCode) {
    match parse(bytes) {
        Err(error @ FrameError::Connection { .. }) => assert_eq!(error.code(), code, "{error}"),
        other => panic!("wanted a connection error {code}, got {other:?}"),
    }
}

/// The frame's error, which must be a stream error on `stream` with
/// `code`.
#[track_caller]
fn stream_error(bytes: &[u8], stream: u32, code: ErrorCode) -> FrameError {
    match parse(bytes) {
        Err(error @ FrameError::Stream { stream: s, .. }) if s == stream => {
            assert_eq!(error.code(), code, "{error}");
            error
        }
        other => panic!("wanted a stream {stream} error {code}, got {other:?}"),
    }
}

use ErrorCode as E;

// §4.1: the frame header.

#[test]
fn a_header_is_read_field_by_field() {
    assert_eq!(
        Header::parse(&[0x00, 0x00, 0x12, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]),
        Header {
            length: 18,
            kind: kind::SETTINGS,
            flags: 0,
            stream: 0
        }
    );
    assert_eq!(
        Header::parse(&[0xff, 0xff, 0xff, 0x0a, 0xff, 0x7f, 0xff, 0xff, 0xff]),
        Header {
            length: MAX_MAX_FRAME_SIZE,
            kind: 0x0a,
            flags: 0xff,
            stream: 0x7fff_ffff
        }
    );
}

#[test]
fn the_reserved_bit_is_ignored_on_read_and_zero_on_write() {
    let header = Header::parse(&[0, 0, 0, 0x8, 0, 0x80, 0, 0, 1]);
    assert_eq!(header.stream, 1);
    assert_eq!(header.to_bytes(), [0, 0, 0, 0x8, 0, 0, 0, 0, 1]);
    let by_hand = Header {
        stream: 0x8000_0003,
        ..header
    };
    assert_eq!(by_hand.to_bytes()[5..], [0, 0, 0, 3]);
    let mut out = Vec::new();
    by_hand.write(&mut out);
    assert_eq!(out, by_hand.to_bytes());
}

#[test]
fn a_payload_that_is_not_the_headers_length_is_a_frame_size_error() {
    let header = Header::parse(&[0, 0, 4, 0x8, 0, 0, 0, 0, 0]);
    let error = Frame::parse(&header, &[0, 0, 1]).unwrap_err();
    assert_eq!(error.code(), E::FRAME_SIZE_ERROR);
    assert!(error.is_connection_error());
}

// §4.2: frame size.

#[test]
fn a_frame_longer_than_max_frame_size_is_a_frame_size_error() {
    // 16385 bytes of DATA on stream 1, one past the initial limit.
    let header = Header::parse(&[0x00, 0x40, 0x01, 0x00, 0x00, 0, 0, 0, 1]);
    let error = header.check_size(MIN_MAX_FRAME_SIZE).unwrap_err();
    assert_eq!(
        error,
        FrameError::Connection {
            code: E::FRAME_SIZE_ERROR,
            reason: "frame longer than SETTINGS_MAX_FRAME_SIZE (§4.2)"
        }
    );
    assert_eq!(header.check_size(MIN_MAX_FRAME_SIZE + 1), Ok(()));
    let exactly = Header::parse(&[0x00, 0x40, 0x00, 0x00, 0x00, 0, 0, 0, 1]);
    assert_eq!(exactly.check_size(MIN_MAX_FRAME_SIZE), Ok(()));
}

#[test]
fn the_reader_refuses_a_long_frame_from_its_header_alone() {
    let mut reader = Reader::default();
    let head = [0x00, 0x40, 0x01, 0x00, 0x00, 0, 0, 0, 1];
    assert_eq!(reader.feed(&head[..8]), 8);
    assert!(reader.next_frame().is_none());
    assert_eq!(reader.feed(&head[8..]), 1);
    let error = reader.next_frame().unwrap().unwrap_err();
    assert_eq!(error.code(), E::FRAME_SIZE_ERROR);
    // The connection is over: the error stays, bytes after it are dropped.
    assert_eq!(reader.feed(&[0; 100]), 100);
    assert_eq!(reader.next_frame().unwrap().unwrap_err(), error);
    // A larger limit takes the same frame.
    let mut reader = Reader::new(1 << 20);
    reader.feed(&head);
    assert!(reader.next_frame().is_none());
}

// §6.1 DATA.

#[test]
fn data_on_stream_0_is_a_protocol_error() {
    connection_error(&[0, 0, 1, 0x0, 0x0, 0, 0, 0, 0, b'x'], E::PROTOCOL_ERROR);
}

#[test]
fn data_padding_as_long_as_its_payload_is_a_protocol_error() {
    // PADDED, Pad Length 3, in a payload of 3: the padding has no room.
    connection_error(&[0, 0, 3, 0x0, 0x8, 0, 0, 0, 1, 3, 0, 0], E::PROTOCOL_ERROR);
    // Pad Length 200 in a payload of 3.
    connection_error(
        &[0, 0, 3, 0x0, 0x8, 0, 0, 0, 1, 200, 0, 0],
        E::PROTOCOL_ERROR,
    );
}

#[test]
fn data_padding_that_just_fits_is_no_data() {
    assert_eq!(
        parse(&[0, 0, 3, 0x0, 0x9, 0, 0, 0, 1, 2, 0, 0]),
        Ok(Frame::Data {
            stream: 1,
            end_stream: true,
            pad_length: Some(2),
            data: b""
        })
    );
}

#[test]
fn data_with_padded_and_no_pad_length_is_a_frame_size_error() {
    connection_error(&[0, 0, 0, 0x0, 0x8, 0, 0, 0, 1], E::FRAME_SIZE_ERROR);
}

#[test]
fn non_zero_padding_is_accepted() {
    // §6.1: a receiver is not obliged to check the padding's bytes.
    let frame = parse(&[0, 0, 4, 0x0, 0x8, 0, 0, 0, 1, 2, b'x', 0xff, 0xff]).unwrap();
    assert!(matches!(frame, Frame::Data { data: b"x", .. }));
}

// §6.2 HEADERS.

#[test]
fn headers_on_stream_0_is_a_protocol_error() {
    connection_error(&[0, 0, 1, 0x1, 0x4, 0, 0, 0, 0, 0x82], E::PROTOCOL_ERROR);
}

#[test]
fn headers_padding_as_long_as_its_payload_is_a_protocol_error() {
    // PADDED | END_HEADERS, Pad Length 3 in a payload of 3.
    connection_error(
        &[0, 0, 3, 0x1, 0x0c, 0, 0, 0, 1, 3, 0x82, 0],
        E::PROTOCOL_ERROR,
    );
}

#[test]
fn headers_padding_over_its_priority_fields_is_a_protocol_error() {
    // PADDED | PRIORITY | END_HEADERS: Pad Length 2, then 6 bytes, of
    // which the priority fields need 5: 2 bytes of padding leave 4.
    connection_error(
        &[0, 0, 7, 0x1, 0x2c, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0x0f, 0],
        E::PROTOCOL_ERROR,
    );
}

#[test]
fn headers_with_priority_shorter_than_its_fields_is_a_frame_size_error() {
    // PRIORITY | END_HEADERS and 4 bytes: the fields are 5.
    connection_error(
        &[0, 0, 4, 0x1, 0x24, 0, 0, 0, 1, 0, 0, 0, 0],
        E::FRAME_SIZE_ERROR,
    );
}

#[test]
fn headers_with_padded_and_no_pad_length_is_a_frame_size_error() {
    connection_error(&[0, 0, 0, 0x1, 0x0c, 0, 0, 0, 1], E::FRAME_SIZE_ERROR);
}

#[test]
fn headers_that_depend_on_their_own_stream_are_a_stream_error() {
    // PRIORITY | END_HEADERS on stream 1, depending on stream 1.
    let bytes = [0, 0, 6, 0x1, 0x24, 0, 0, 0, 1, 0, 0, 0, 1, 0x0f, 0x82];
    let error = stream_error(&bytes, 1, E::PROTOCOL_ERROR);
    // The fragment is still there for HPACK to decode.
    let FrameError::Stream { fragment, .. } = error else {
        unreachable!()
    };
    assert_eq!(fragment, Some(5..6));
    assert_eq!(bytes[9..][5..6], [0x82]);
}

#[test]
fn padded_headers_that_depend_on_their_stream_say_where_the_fragment_is() {
    // PADDED | PRIORITY on stream 3, Pad Length 1, depending on 3 (with
    // the exclusive bit, which is not part of the identifier).
    let bytes = [
        0, 0, 9, 0x1, 0x28, 0, 0, 0, 3, 1, 0x80, 0, 0, 3, 0x0f, 0x82, 0x84, 0,
    ];
    let error = stream_error(&bytes, 3, E::PROTOCOL_ERROR);
    let FrameError::Stream { fragment, .. } = error else {
        unreachable!()
    };
    assert_eq!(bytes[9..][fragment.unwrap()], [0x82, 0x84]);
}

#[test]
fn headers_read_every_field() {
    let bytes = [
        0, 0, 10, 0x1, 0x2d, 0, 0, 0, 5, 2, 0x80, 0, 0, 3, 0xff, 0x82, 0x84, 0, 0,
    ];
    assert_eq!(
        parse(&bytes),
        Ok(Frame::Headers {
            stream: 5,
            end_stream: true,
            end_headers: true,
            pad_length: Some(2),
            priority: Some(Priority {
                exclusive: true,
                dependency: 3,
                weight: 256
            }),
            fragment: &[0x82, 0x84],
        })
    );
}

// §6.3 PRIORITY.

#[test]
fn priority_on_stream_0_is_a_protocol_error() {
    connection_error(
        &[0, 0, 5, 0x2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 15],
        E::PROTOCOL_ERROR,
    );
}

#[test]
fn priority_not_5_bytes_long_is_a_stream_frame_size_error() {
    stream_error(
        &[0, 0, 4, 0x2, 0, 0, 0, 0, 3, 0, 0, 0, 1],
        3,
        E::FRAME_SIZE_ERROR,
    );
    stream_error(
        &[0, 0, 6, 0x2, 0, 0, 0, 0, 3, 0, 0, 0, 1, 15, 0],
        3,
        E::FRAME_SIZE_ERROR,
    );
}

#[test]
fn priority_on_its_own_stream_is_a_stream_protocol_error() {
    stream_error(
        &[0, 0, 5, 0x2, 0, 0, 0, 0, 3, 0, 0, 0, 3, 15],
        3,
        E::PROTOCOL_ERROR,
    );
}

// §6.4 RST_STREAM.

#[test]
fn rst_stream_on_stream_0_is_a_protocol_error() {
    connection_error(
        &[0, 0, 4, 0x3, 0, 0, 0, 0, 0, 0, 0, 0, 8],
        E::PROTOCOL_ERROR,
    );
}

#[test]
fn rst_stream_not_4_bytes_long_is_a_frame_size_error() {
    connection_error(&[0, 0, 3, 0x3, 0, 0, 0, 0, 1, 0, 0, 8], E::FRAME_SIZE_ERROR);
    connection_error(
        &[0, 0, 5, 0x3, 0, 0, 0, 0, 1, 0, 0, 0, 8, 0],
        E::FRAME_SIZE_ERROR,
    );
}

#[test]
fn rst_stream_keeps_a_code_the_rfc_does_not_name() {
    assert_eq!(
        parse(&[0, 0, 4, 0x3, 0, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef]),
        Ok(Frame::RstStream {
            stream: 1,
            code: ErrorCode(0xdead_beef)
        })
    );
}

// §6.5 SETTINGS.

#[test]
fn settings_on_stream_1_is_a_protocol_error() {
    connection_error(&[0, 0, 0, 0x4, 0, 0, 0, 0, 1], E::PROTOCOL_ERROR);
}

#[test]
fn settings_ack_with_a_payload_is_a_frame_size_error() {
    connection_error(
        &[0, 0, 6, 0x4, 0x1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0],
        E::FRAME_SIZE_ERROR,
    );
}

#[test]
fn settings_not_a_multiple_of_6_long_is_a_frame_size_error() {
    connection_error(
        &[0, 0, 5, 0x4, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0],
        E::FRAME_SIZE_ERROR,
    );
    connection_error(
        &[0, 0, 7, 0x4, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0],
        E::FRAME_SIZE_ERROR,
    );
}

/// A SETTINGS frame with the one setting `id` = `value`.
fn one_setting(id: u16, value: u32) -> Vec<u8> {
    let mut bytes = vec![0, 0, 6, 0x4, 0, 0, 0, 0, 0];
    bytes.extend_from_slice(&id.to_be_bytes());
    bytes.extend_from_slice(&value.to_be_bytes());
    bytes
}

#[test]
fn enable_push_other_than_0_or_1_is_a_protocol_error() {
    connection_error(
        &[0, 0, 6, 0x4, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2],
        E::PROTOCOL_ERROR,
    );
    assert!(parse(&one_setting(setting::ENABLE_PUSH, 0)).is_ok());
    assert!(parse(&one_setting(setting::ENABLE_PUSH, 1)).is_ok());
}

#[test]
fn initial_window_size_above_2_31_minus_1_is_a_flow_control_error() {
    // 0x80000000 = 2^31.
    connection_error(
        &[0, 0, 6, 0x4, 0, 0, 0, 0, 0, 0, 4, 0x80, 0, 0, 0],
        E::FLOW_CONTROL_ERROR,
    );
    assert!(parse(&one_setting(setting::INITIAL_WINDOW_SIZE, MAX_WINDOW)).is_ok());
}

#[test]
fn max_frame_size_below_16384_is_a_protocol_error() {
    // 0x3fff = 16383.
    connection_error(
        &[0, 0, 6, 0x4, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0x3f, 0xff],
        E::PROTOCOL_ERROR,
    );
    assert!(parse(&one_setting(setting::MAX_FRAME_SIZE, 16_384)).is_ok());
}

#[test]
fn max_frame_size_above_16777215_is_a_protocol_error() {
    // 0x01000000 = 2^24.
    connection_error(
        &[0, 0, 6, 0x4, 0, 0, 0, 0, 0, 0, 5, 0x01, 0, 0, 0],
        E::PROTOCOL_ERROR,
    );
    assert!(parse(&one_setting(setting::MAX_FRAME_SIZE, 16_777_215)).is_ok());
}

#[test]
fn a_bad_value_after_good_ones_still_fails_the_frame() {
    let bytes = [
        0, 0, 12, 0x4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100, 0, 2, 0, 0, 0, 7,
    ];
    connection_error(&bytes, E::PROTOCOL_ERROR);
}

#[test]
fn settings_rfc_9113_does_not_bound_take_any_value() {
    for id in [
        setting::HEADER_TABLE_SIZE,
        setting::MAX_CONCURRENT_STREAMS,
        setting::MAX_HEADER_LIST_SIZE,
        0x0a0a,
        0xffff,
    ] {
        for value in [0, 2, u32::MAX] {
            assert!(parse(&one_setting(id, value)).is_ok(), "{id} = {value}");
        }
    }
}

#[test]
fn settings_keep_their_order_and_unknown_identifiers() {
    let bytes = [
        0, 0, 12, 0x4, 0, 0, 0, 0, 0, 0x0a, 0x0a, 0, 0, 0, 7, 0, 1, 0, 1, 0, 0,
    ];
    let Ok(Frame::Settings {
        ack: false,
        settings,
    }) = parse(&bytes)
    else {
        panic!("{:?}", parse(&bytes));
    };
    let list: Vec<_> = settings.iter().map(|s| (s.id, s.value)).collect();
    assert_eq!(list, [(0x0a0a, 7), (setting::HEADER_TABLE_SIZE, 65_536)]);
    assert_eq!(settings.len(), 2);
}

#[test]
fn flags_a_type_does_not_define_are_ignored() {
    // SETTINGS with every flag but ACK: not an ACK.
    assert!(matches!(
        parse(&[0, 0, 0, 0x4, 0xfe, 0, 0, 0, 0]),
        Ok(Frame::Settings { ack: false, .. })
    ));
    // RST_STREAM defines none.
    assert!(parse(&[0, 0, 4, 0x3, 0xff, 0, 0, 0, 1, 0, 0, 0, 8]).is_ok());
}

// §6.6 PUSH_PROMISE.

#[test]
fn push_promise_on_stream_0_is_a_protocol_error() {
    connection_error(
        &[0, 0, 4, 0x5, 0x4, 0, 0, 0, 0, 0, 0, 0, 2],
        E::PROTOCOL_ERROR,
    );
}

#[test]
fn push_promise_shorter_than_its_promised_stream_is_a_frame_size_error() {
    connection_error(
        &[0, 0, 3, 0x5, 0x4, 0, 0, 0, 1, 0, 0, 2],
        E::FRAME_SIZE_ERROR,
    );
}

#[test]
fn push_promise_padding_over_its_promised_stream_is_a_protocol_error() {
    // PADDED | END_HEADERS, Pad Length 1, then 4 bytes: the padding would
    // take one of the Promised Stream ID's.
    connection_error(
        &[0, 0, 5, 0x5, 0x0c, 0, 0, 0, 1, 1, 0, 0, 0, 2],
        E::PROTOCOL_ERROR,
    );
}

#[test]
fn push_promise_is_read_for_a_server_to_refuse() {
    assert_eq!(
        parse(&[0, 0, 5, 0x5, 0x4, 0, 0, 0, 1, 0x80, 0, 0, 2, 0x82]),
        Ok(Frame::PushPromise {
            stream: 1,
            end_headers: true,
            pad_length: None,
            promised: 2,
            fragment: &[0x82]
        })
    );
}

// §6.7 PING.

#[test]
fn ping_on_stream_1_is_a_protocol_error() {
    connection_error(
        &[0, 0, 8, 0x6, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8],
        E::PROTOCOL_ERROR,
    );
}

#[test]
fn ping_not_8_bytes_long_is_a_frame_size_error() {
    connection_error(
        &[0, 0, 7, 0x6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7],
        E::FRAME_SIZE_ERROR,
    );
    connection_error(
        &[0, 0, 9, 0x6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        E::FRAME_SIZE_ERROR,
    );
}

// §6.8 GOAWAY.

#[test]
fn goaway_on_stream_1_is_a_protocol_error() {
    connection_error(
        &[0, 0, 8, 0x7, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        E::PROTOCOL_ERROR,
    );
}

#[test]
fn goaway_shorter_than_8_bytes_is_a_frame_size_error() {
    connection_error(
        &[0, 0, 7, 0x7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        E::FRAME_SIZE_ERROR,
    );
}

#[test]
fn goaway_reads_its_last_stream_code_and_debug_data() {
    let bytes = [
        0, 0, 11, 0x7, 0, 0, 0, 0, 0, 0x80, 0, 0, 5, 0, 0, 0, 0xd, b'b', b'y', b'e',
    ];
    assert_eq!(
        parse(&bytes),
        Ok(Frame::GoAway {
            last_stream: 5,
            code: E::HTTP_1_1_REQUIRED,
            debug: b"bye"
        })
    );
}

// §6.9 WINDOW_UPDATE.

#[test]
fn window_update_not_4_bytes_long_is_a_frame_size_error() {
    connection_error(&[0, 0, 3, 0x8, 0, 0, 0, 0, 0, 0, 0, 1], E::FRAME_SIZE_ERROR);
    // A connection error on a stream too (§6.9).
    connection_error(
        &[0, 0, 5, 0x8, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0],
        E::FRAME_SIZE_ERROR,
    );
}

#[test]
fn window_update_of_0_on_a_stream_is_a_stream_protocol_error() {
    stream_error(
        &[0, 0, 4, 0x8, 0, 0, 0, 0, 1, 0, 0, 0, 0],
        1,
        E::PROTOCOL_ERROR,
    );
}

#[test]
fn window_update_of_0_on_the_connection_is_a_protocol_error() {
    connection_error(
        &[0, 0, 4, 0x8, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        E::PROTOCOL_ERROR,
    );
}

#[test]
fn window_update_of_only_the_reserved_bit_is_an_increment_of_0() {
    connection_error(
        &[0, 0, 4, 0x8, 0, 0, 0, 0, 0, 0x80, 0, 0, 0],
        E::PROTOCOL_ERROR,
    );
    assert_eq!(
        parse(&[0, 0, 4, 0x8, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
        Ok(Frame::WindowUpdate {
            stream: 0,
            increment: MAX_WINDOW
        })
    );
}

// §6.10 CONTINUATION.

#[test]
fn continuation_on_stream_0_is_a_protocol_error() {
    connection_error(&[0, 0, 1, 0x9, 0x4, 0, 0, 0, 0, 0x82], E::PROTOCOL_ERROR);
}

// §4.1, §5.5: types nobody defined.

#[test]
fn an_unknown_type_is_kept_to_be_ignored_on_any_stream_with_any_flags() {
    assert_eq!(
        parse(&[0, 0, 3, 0x0a, 0xff, 0x80, 0, 0, 5, 1, 2, 3]),
        Ok(Frame::Unknown {
            kind: 0x0a,
            flags: 0xff,
            stream: 5,
            payload: &[1, 2, 3]
        })
    );
    assert!(parse(&[0, 0, 0, 0xff, 0, 0, 0, 0, 0]).is_ok());
}

// §7: error codes.

#[test]
fn all_14_error_codes_have_their_names() {
    let names: Vec<String> = (0..14).map(|code| ErrorCode(code).to_string()).collect();
    assert_eq!(
        names,
        [
            "NO_ERROR",
            "PROTOCOL_ERROR",
            "INTERNAL_ERROR",
            "FLOW_CONTROL_ERROR",
            "SETTINGS_TIMEOUT",
            "STREAM_CLOSED",
            "FRAME_SIZE_ERROR",
            "REFUSED_STREAM",
            "CANCEL",
            "COMPRESSION_ERROR",
            "CONNECT_ERROR",
            "ENHANCE_YOUR_CALM",
            "INADEQUATE_SECURITY",
            "HTTP_1_1_REQUIRED",
        ]
    );
    assert_eq!(E::HTTP_1_1_REQUIRED, ErrorCode(0xd));
    assert_eq!(ErrorCode(0xe).name(), None);
    assert_eq!(ErrorCode(0xe).to_string(), "unknown error code 0xe");
    assert_eq!(format!("{:?}", E::CANCEL), "ErrorCode(CANCEL)");
}

#[test]
fn errors_say_their_kind_code_and_rule() {
    let error = parse(&[0, 0, 1, 0x0, 0x0, 0, 0, 0, 0, b'x']).unwrap_err();
    assert_eq!(
        error.to_string(),
        "connection error PROTOCOL_ERROR: DATA on stream 0 (§6.1)"
    );
    let error = parse(&[0, 0, 4, 0x2, 0, 0, 0, 0, 3, 0, 0, 0, 1]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "stream 3 error FRAME_SIZE_ERROR: PRIORITY not 5 bytes long (§6.3)"
    );
}

// Every type written and read back.

/// At least one frame of each type, with every field set both ways.
fn one_of_each() -> Vec<Frame<'static>> {
    [stream_frames(), connection_frames()].concat()
}

/// DATA, HEADERS, PRIORITY, RST_STREAM.
fn stream_frames() -> Vec<Frame<'static>> {
    let priority = |exclusive, dependency, weight| Priority {
        exclusive,
        dependency,
        weight,
    };
    vec![
        Frame::Data {
            stream: 1,
            end_stream: true,
            pad_length: None,
            data: b"hello",
        },
        Frame::Data {
            stream: 3,
            end_stream: false,
            pad_length: Some(4),
            data: b"padded",
        },
        Frame::Data {
            stream: 5,
            end_stream: true,
            pad_length: Some(0),
            data: b"",
        },
        Frame::Headers {
            stream: 1,
            end_stream: true,
            end_headers: true,
            pad_length: None,
            priority: None,
            fragment: b"\x82\x84",
        },
        Frame::Headers {
            stream: 3,
            end_stream: false,
            end_headers: false,
            pad_length: Some(2),
            priority: Some(priority(true, 1, 256)),
            fragment: b"\x82",
        },
        Frame::Priority {
            stream: 5,
            priority: priority(false, 0, 1),
        },
        Frame::RstStream {
            stream: 7,
            code: E::CANCEL,
        },
        Frame::RstStream {
            stream: 9,
            code: ErrorCode(0xdead),
        },
    ]
}

/// SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION,
/// and a type nobody defined.
fn connection_frames() -> Vec<Frame<'static>> {
    let settings = |bytes| Settings::new(bytes).unwrap();
    vec![
        Frame::Settings {
            ack: false,
            settings: settings(&[0, 1, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0]),
        },
        Frame::Settings {
            ack: true,
            settings: settings(&[]),
        },
        Frame::PushPromise {
            stream: 1,
            end_headers: true,
            pad_length: None,
            promised: 2,
            fragment: b"\x82",
        },
        Frame::PushPromise {
            stream: 1,
            end_headers: false,
            pad_length: Some(3),
            promised: 4,
            fragment: b"",
        },
        Frame::Ping {
            ack: false,
            data: *b"rawnet!!",
        },
        Frame::Ping {
            ack: true,
            data: [0; 8],
        },
        Frame::GoAway {
            last_stream: 0x7fff_ffff,
            code: E::NO_ERROR,
            debug: b"bye",
        },
        Frame::GoAway {
            last_stream: 0,
            code: E::HTTP_1_1_REQUIRED,
            debug: b"",
        },
        Frame::WindowUpdate {
            stream: 0,
            increment: MAX_WINDOW,
        },
        Frame::WindowUpdate {
            stream: 1,
            increment: 1,
        },
        Frame::Continuation {
            stream: 1,
            end_headers: true,
            fragment: b"\x84",
        },
        Frame::Continuation {
            stream: 3,
            end_headers: false,
            fragment: b"",
        },
        Frame::Unknown {
            kind: 0x0a,
            flags: 0x05,
            stream: 7,
            payload: b"ext",
        },
    ]
}

fn written(frames: &[Frame]) -> Vec<u8> {
    let mut out = Vec::new();
    for frame in frames {
        frame.write(&mut out);
    }
    out
}

#[test]
fn every_type_is_in_the_round_trip() {
    let mut kinds: Vec<u8> = one_of_each().iter().map(Frame::kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x0a]);
}

#[test]
fn every_type_written_reads_back_the_same() {
    let frames = one_of_each();
    let bytes = written(&frames);
    let mut reader = Reader::default();
    assert_eq!(reader.feed(&bytes), bytes.len());
    for frame in &frames {
        let raw = reader.next_frame().expect("a whole frame").expect("valid");
        assert_eq!(raw.header(), frame.header(), "{frame:?}");
        assert_eq!(raw.payload().len(), frame.payload_len(), "{frame:?}");
        assert_eq!(raw.parse().as_ref(), Ok(frame));
    }
    assert!(reader.next_frame().is_none());
    assert_eq!(reader.buffered(), 0);
}

#[test]
fn padding_is_written_as_zeros() {
    let mut out = Vec::new();
    one_of_each()[1].write(&mut out);
    assert_eq!(
        out,
        b"\x00\x00\x0b\x00\x08\x00\x00\x00\x03\x04padded\x00\x00\x00\x00"
    );
}

// The reader.

/// Feeds `bytes` to `reader` in pieces of the given sizes (the rest at
/// once when they run out), taking every frame out as it becomes whole,
/// as a connection would; the whole frames' bytes, or the first error.
fn read_in_pieces(
    reader: &mut Reader,
    bytes: &[u8],
    sizes: &[usize],
) -> Result<Vec<Vec<u8>>, FrameError> {
    let mut frames = Vec::new();
    let mut sizes = sizes.iter().copied();
    let mut rest = bytes;
    while !rest.is_empty() {
        let size = sizes.next().unwrap_or(rest.len()).clamp(1, rest.len());
        let (mut piece, after) = rest.split_at(size);
        rest = after;
        while !piece.is_empty() {
            let took = reader.feed(piece);
            piece = &piece[took..];
            let before = frames.len();
            while let Some(frame) = reader.next_frame() {
                frames.push(frame?.bytes().to_vec());
            }
            // Either it took bytes, or it was full of whole frames, now
            // taken out, which leaves room for more.
            assert!(took > 0 || frames.len() > before, "stuck");
            assert!(reader.buffered() <= reader.bound());
        }
    }
    Ok(frames)
}

fn each_written(frames: &[Frame]) -> Vec<Vec<u8>> {
    frames.iter().map(|frame| written(&[*frame])).collect()
}

#[test]
fn the_reader_fed_one_byte_at_a_time_gives_every_frame() {
    let frames = one_of_each();
    let bytes = written(&frames);
    let mut reader = Reader::default();
    let got = read_in_pieces(&mut reader, &bytes, &vec![1; bytes.len()]).unwrap();
    assert_eq!(got, each_written(&frames));
}

#[test]
fn the_reader_holds_no_more_than_one_largest_frame() {
    // 40 DATA frames of 16384 bytes, handed over in one 655 KB slice.
    let data = vec![0x61; 16_384];
    let frame = Frame::Data {
        stream: 1,
        end_stream: false,
        pad_length: None,
        data: &data,
    };
    let bytes = written(&[frame; 40]);
    let mut reader = Reader::default();
    assert_eq!(reader.bound(), 9 + 16_384);
    assert_eq!(reader.feed(&bytes), reader.bound());
    assert_eq!(reader.feed(&bytes), 0, "full until a frame is taken");
    let bound = reader.bound();
    let got = read_in_pieces(&mut reader, &bytes[bound..], &[]).unwrap();
    assert_eq!(got.len(), 40, "the first one held, and 39 more");
    assert!(reader.capacity() <= reader.bound());
}

#[test]
fn the_readers_limit_is_the_rfcs_range() {
    assert_eq!(Reader::new(0).max_frame_size(), MIN_MAX_FRAME_SIZE);
    assert_eq!(Reader::new(u32::MAX).max_frame_size(), MAX_MAX_FRAME_SIZE);
    let mut reader = Reader::default();
    reader.set_max_frame_size(1 << 20);
    assert_eq!(reader.bound(), 9 + (1 << 20));
}

#[test]
fn a_frame_cut_short_waits_for_the_rest() {
    let mut reader = Reader::default();
    reader.feed(&[0, 0, 8, 0x6, 0, 0, 0, 0, 0, 1, 2, 3]);
    assert!(reader.next_frame().is_none());
    assert_eq!(reader.buffered(), 12);
    reader.feed(&[4, 5, 6, 7, 8]);
    let raw = reader.next_frame().unwrap().unwrap();
    assert_eq!(raw.head(), [0, 0, 8, 0x6, 0, 0, 0, 0, 0]);
    assert_eq!(
        raw.parse(),
        Ok(Frame::Ping {
            ack: false,
            data: [1, 2, 3, 4, 5, 6, 7, 8]
        })
    );
}

// The writers a server uses.

#[test]
fn settings_are_written_in_order() {
    let mut out = Vec::new();
    write_settings(
        &mut out,
        &[
            Setting {
                id: setting::MAX_CONCURRENT_STREAMS,
                value: 100,
            },
            Setting {
                id: setting::ENABLE_PUSH,
                value: 0,
            },
        ],
    );
    assert_eq!(
        out,
        [0, 0, 12, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100, 0, 2, 0, 0, 0, 0]
    );
    out.clear();
    write_settings(&mut out, &[]);
    assert_eq!(out, [0, 0, 0, 4, 0, 0, 0, 0, 0]);
}

#[test]
fn acks_are_written() {
    let mut out = Vec::new();
    write_settings_ack(&mut out);
    write_ping_ack(&mut out, *b"rawnet!!");
    assert_eq!(
        out,
        b"\x00\x00\x00\x04\x01\x00\x00\x00\x00\
          \x00\x00\x08\x06\x01\x00\x00\x00\x00rawnet!!"
    );
}

#[test]
fn goaway_rst_stream_and_window_update_are_written() {
    let mut out = Vec::new();
    write_goaway(&mut out, 3, E::NO_ERROR, b"bye");
    write_rst_stream(&mut out, 5, E::REFUSED_STREAM);
    write_window_update(&mut out, 0, 15_663_105);
    assert_eq!(
        out,
        b"\x00\x00\x0b\x07\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00bye\
          \x00\x00\x04\x03\x00\x00\x00\x00\x05\x00\x00\x00\x07\
          \x00\x00\x04\x08\x00\x00\x00\x00\x00\x00\xef\x00\x01"
    );
}

#[test]
fn goaway_debug_data_is_cut_to_fit_any_peer() {
    let mut out = Vec::new();
    write_goaway(&mut out, 0, E::INTERNAL_ERROR, &[b'x'; 20_000]);
    assert_eq!(out.len(), 9 + 16_384);
    assert!(parse(&out).is_ok());
}

#[test]
fn what_h2_rs_sends_today_is_what_these_writers_write() {
    let mut ours = Vec::new();
    write_settings(&mut ours, &[]);
    write_goaway(
        &mut ours,
        0,
        E::HTTP_1_1_REQUIRED,
        crate::h2::GOAWAY_TEXT.as_bytes(),
    );
    let mut refusal = Vec::new();
    crate::h2::refusal(&mut refusal);
    assert_eq!(ours, refusal);
}

/// The frames of `bytes`, each parsed.
fn all_frames(bytes: &[u8]) -> Vec<Frame<'_>> {
    let mut frames = Vec::new();
    let mut rest = bytes;
    while let Some((head, after)) = rest.split_first_chunk::<9>() {
        let header = Header::parse(head);
        let (payload, after) = after.split_at(header.length as usize);
        frames.push(Frame::parse(&header, payload).unwrap());
        rest = after;
    }
    assert!(rest.is_empty());
    frames
}

#[test]
fn a_block_that_fits_is_one_headers_frame() {
    let mut out = Vec::new();
    write_headers(&mut out, 1, b"\x88", true, MIN_MAX_FRAME_SIZE);
    assert_eq!(out, [0, 0, 1, 0x1, 0x5, 0, 0, 0, 1, 0x88]);
}

#[test]
fn a_larger_block_goes_on_in_continuation_frames() {
    let block: Vec<u8> = (0..40_000).map(|i| i as u8).collect();
    let mut out = Vec::new();
    write_headers(&mut out, 3, &block, true, MIN_MAX_FRAME_SIZE);
    let frames = all_frames(&out);
    let [Frame::Headers {
        stream: 3,
        end_stream: true,
        end_headers: false,
        pad_length: None,
        priority: None,
        fragment: first,
    }, Frame::Continuation {
        stream: 3,
        end_headers: false,
        fragment: second,
    }, Frame::Continuation {
        stream: 3,
        end_headers: true,
        fragment: third,
    }] = frames[..]
    else {
        panic!("{frames:?}");
    };
    assert_eq!(
        (first.len(), second.len(), third.len()),
        (16_384, 16_384, 7_232)
    );
    assert_eq!([first, second, third].concat(), block);
}

#[test]
fn a_block_of_exactly_the_frame_size_needs_no_continuation() {
    let block = vec![0x82; 16_384];
    let mut out = Vec::new();
    write_headers(&mut out, 1, &block, false, MIN_MAX_FRAME_SIZE);
    assert_eq!(out.len(), 9 + 16_384);
    assert_eq!(out[4], flag::END_HEADERS);
    // One byte more is one CONTINUATION of 1.
    out.clear();
    write_headers(&mut out, 1, &[&block[..], &[0x84]].concat(), false, 0);
    assert_eq!(out.len(), 9 + 16_384 + 9 + 1);
    assert_eq!(out[9 + 16_384..], [0, 0, 1, 0x9, 0x4, 0, 0, 0, 1, 0x84]);
}

#[test]
fn data_is_cut_at_the_peers_frame_size_with_end_stream_on_the_last() {
    let body = vec![b'a'; 20_000];
    let mut out = Vec::new();
    write_data(&mut out, 1, &body, true, MIN_MAX_FRAME_SIZE);
    let frames = all_frames(&out);
    assert_eq!(frames.len(), 2);
    assert!(
        matches!(frames[0], Frame::Data { end_stream: false, data, .. } if data.len() == 16_384)
    );
    assert!(matches!(frames[1], Frame::Data { end_stream: true, data, .. } if data.len() == 3_616));
    out.clear();
    write_data(&mut out, 1, b"", true, MIN_MAX_FRAME_SIZE);
    assert_eq!(out, [0, 0, 0, 0x0, 0x1, 0, 0, 0, 1]);
}

// For people.

#[test]
fn each_frame_is_one_line() {
    let fragment = [0x82; 33];
    let headers = Frame::Headers {
        stream: 1,
        end_stream: true,
        end_headers: true,
        pad_length: None,
        priority: Some(Priority {
            exclusive: false,
            dependency: 0,
            weight: 16,
        }),
        fragment: &fragment,
    };
    assert_eq!(
        headers.to_string(),
        "HEADERS stream 1, 38 bytes, END_STREAM END_HEADERS, priority weight 16 on 0"
    );
    // Chromium's SETTINGS: four of them, 24 bytes.
    let mut out = Vec::new();
    let chromium = [(1, 65_536), (2, 0), (4, 6_291_456), (6, 262_144)]
        .map(|(id, value)| Setting { id, value });
    write_settings(&mut out, &chromium);
    assert_eq!(
        parse(&out).unwrap().to_string(),
        "SETTINGS 24 bytes: HEADER_TABLE_SIZE=65536, ENABLE_PUSH=0, \
         INITIAL_WINDOW_SIZE=6291456, MAX_HEADER_LIST_SIZE=262144"
    );
    let lines: Vec<String> = one_of_each().iter().map(Frame::to_string).collect();
    assert_eq!(
        lines,
        [
            "DATA stream 1, 5 bytes, END_STREAM",
            "DATA stream 3, 11 bytes, 4 bytes of padding",
            "DATA stream 5, 1 byte, END_STREAM, 0 bytes of padding",
            "HEADERS stream 1, 2 bytes, END_STREAM END_HEADERS",
            "HEADERS stream 3, 9 bytes, priority weight 256 on 1 exclusive, 2 bytes of padding",
            "PRIORITY stream 5, weight 1 on 0",
            "RST_STREAM stream 7, CANCEL",
            "RST_STREAM stream 9, unknown error code 0xdead",
            "SETTINGS 12 bytes: HEADER_TABLE_SIZE=65536, ENABLE_PUSH=0",
            "SETTINGS ACK",
            "PUSH_PROMISE stream 1, 5 bytes, END_HEADERS, promises stream 2",
            "PUSH_PROMISE stream 1, 8 bytes, promises stream 4, 3 bytes of padding",
            "PING 72 61 77 6e 65 74 21 21",
            "PING ACK 00 00 00 00 00 00 00 00",
            "GOAWAY last stream 2147483647, NO_ERROR, \"bye\"",
            "GOAWAY last stream 0, HTTP_1_1_REQUIRED",
            "WINDOW_UPDATE stream 0, +2147483647",
            "WINDOW_UPDATE stream 1, +1",
            "CONTINUATION stream 1, 1 byte, END_HEADERS",
            "CONTINUATION stream 3, 0 bytes",
            "unknown type 0x0a on stream 7, 3 bytes: ignored",
        ]
    );
}

#[test]
fn lines_escape_what_the_peer_chose_and_cut_long_lists() {
    let goaway = Frame::GoAway {
        last_stream: 1,
        code: E::NO_ERROR,
        debug: b"\x1b[31m\"red\"",
    };
    assert_eq!(
        goaway.to_string(),
        r#"GOAWAY last stream 1, NO_ERROR, "\x1b[31m\"red\"""#
    );
    let many = vec![0u8; 6 * (crate::show::LIST_SHOWN + 2)];
    let line = parse(&[&[0, 0, many.len() as u8, 4, 0, 0, 0, 0, 0][..], &many].concat())
        .unwrap()
        .to_string();
    assert!(line.starts_with("SETTINGS 108 bytes: 0x0000=0, "), "{line}");
    assert!(line.ends_with("0x0000=0, … and 2 more"), "{line}");
    let empty = parse(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).unwrap();
    assert_eq!(
        empty.to_string(),
        "SETTINGS 0 bytes, none: the defaults stand"
    );
}

fn explained(head: [u8; 9]) -> Vec<String> {
    explain_header(&head)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_header_is_explained_field_by_field() {
    assert_eq!(
        explained([0x00, 0x00, 0x12, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]),
        [
            "00 00 12     length 18",
            "04           type SETTINGS",
            "00           flags",
            "00 00 00 00  stream 0",
        ]
    );
    assert_eq!(
        explained([0x00, 0x00, 0x27, 0x01, 0x25, 0x00, 0x00, 0x00, 0x0d])[1..3],
        [
            "01           type HEADERS",
            "25           flags END_STREAM END_HEADERS PRIORITY",
        ]
    );
}

#[test]
fn what_a_header_should_not_have_is_explained_as_ignored() {
    assert_eq!(
        explained([0x00, 0x00, 0x00, 0x04, 0x41, 0x80, 0x00, 0x00, 0x01])[2..],
        [
            "41           flags ACK, 0x40 not defined for SETTINGS: ignored",
            "80 00 00 01  stream 1, reserved bit set: ignored",
        ]
    );
    assert_eq!(
        explained([0x00, 0x00, 0x04, 0x03, 0x08, 0x00, 0x00, 0x00, 0x01])[2],
        "08           flags 0x08 not defined for RST_STREAM: ignored"
    );
    assert_eq!(
        explained([0x00, 0x00, 0x03, 0xfa, 0x01, 0x00, 0x00, 0x00, 0x00])[1..3],
        [
            "fa           type 0xfa, unknown: ignored (§5.5)",
            "01           flags 0x01 not defined for this type: ignored",
        ]
    );
}

// Properties.

proptest! {
    /// However the bytes are cut, the frames that come out are the same.
    #[test]
    fn the_reader_gives_the_same_frames_however_the_bytes_are_cut(
        sizes in proptest::collection::vec(1usize..40, 0..200)
    ) {
        let frames = one_of_each();
        let bytes = written(&frames);
        let mut reader = Reader::default();
        let got = read_in_pieces(&mut reader, &bytes, &sizes).unwrap();
        prop_assert_eq!(got, each_written(&frames));
        prop_assert_eq!(reader.buffered(), 0);
    }

    /// Arbitrary bytes, cut arbitrarily: frames or an error, never a
    /// panic, never more held than the bound; every frame that parses,
    /// written again, parses the same; its line and its header's
    /// explanation are made without a panic.
    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
        sizes in proptest::collection::vec(1usize..64, 0..16),
    ) {
        let mut reader = Reader::default();
        let mut rest = &bytes[..];
        let mut sizes = sizes.into_iter();
        while !rest.is_empty() {
            let size = sizes.next().unwrap_or(rest.len()).min(rest.len());
            let took = reader.feed(&rest[..size]);
            rest = &rest[took..];
            prop_assert!(reader.buffered() <= reader.bound());
            while let Some(Ok(raw)) = reader.next_frame() {
                check_any(&raw.header(), raw.payload(), raw.head())?;
            }
            if reader.next_frame().is_some_and(|next| next.is_err()) || took == 0 {
                break;
            }
        }
    }

    /// Any header that fits its payload, of every type and then some:
    /// every check reached, none panics.
    #[test]
    fn any_frame_of_any_type_never_panics(
        kind in 0u8..12,
        flags in any::<u8>(),
        stream in any::<u32>(),
        payload in proptest::collection::vec(any::<u8>(), 0..48),
    ) {
        let header = Header { length: payload.len() as u32, kind, flags, stream };
        check_any(&header, &payload, header.to_bytes())?;
    }
}

/// What holds for any frame, valid or not.
fn check_any(header: &Header, payload: &[u8], head: [u8; 9]) -> Result<(), TestCaseError> {
    let _ = explain_header(&head).map(|field| field.to_string());
    match Frame::parse(header, payload) {
        Ok(frame) => {
            let _ = frame.to_string();
            let again = written(&[frame]);
            prop_assert_eq!(all_frames(&again), vec![frame]);
        }
        Err(error) => {
            let _ = error.to_string();
            if let FrameError::Stream {
                fragment: Some(range),
                ..
            } = error
            {
                prop_assert!(range.end <= payload.len());
            }
        }
    }
    Ok(())
}
