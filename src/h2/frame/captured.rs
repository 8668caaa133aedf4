//! The frames real clients send first, as captured in `tests/data/h2/`
//! (its README says how), read into their exact frames: curl 7.88.1 and
//! nghttp 1.52.0 with prior knowledge, a GET and a POST each. nghttp's
//! own account of what it sent (`nghttp -v`, saved beside the bytes) is
//! checked against ours, frame by frame.

use super::*;
use crate::h2::PREFACE;

const CURL_GET: &[u8] = include_bytes!("../../../tests/data/h2/curl-get.bin");
const CURL_POST: &[u8] = include_bytes!("../../../tests/data/h2/curl-post.bin");
const NGHTTP_GET: &[u8] = include_bytes!("../../../tests/data/h2/nghttp-get.bin");
const NGHTTP_POST: &[u8] = include_bytes!("../../../tests/data/h2/nghttp-post.bin");
const NGHTTP_GET_V: &str = include_str!("../../../tests/data/h2/nghttp-get.txt");
const NGHTTP_POST_V: &str = include_str!("../../../tests/data/h2/nghttp-post.txt");

/// The capture after its preface, cut into frames by a [`Reader`] as a
/// connection would, each parsed. Panics on anything but whole, valid
/// frames: these are real clients.
fn frames(capture: &[u8]) -> Vec<(Header, Frame<'_>)> {
    assert_eq!(&capture[..PREFACE.len()], PREFACE);
    let mut rest = &capture[PREFACE.len()..];
    let mut out = Vec::new();
    // The frames borrow from the capture, not the reader: cut them by the
    // reader's headers, and check that it agrees on every byte.
    let mut reader = Reader::default();
    assert_eq!(reader.feed(rest), rest.len());
    while let Some(raw) = reader.next_frame() {
        let raw = raw.expect("a valid frame");
        let (frame, after) = rest.split_at(raw.bytes().len());
        assert_eq!(raw.bytes(), frame);
        let header = raw.header();
        out.push((header, Frame::parse(&header, &frame[9..]).expect("valid")));
        rest = after;
    }
    assert!(rest.is_empty(), "{} bytes left", rest.len());
    assert_eq!(reader.buffered(), 0);
    out
}

fn only_frames<'a>(frames: &[(Header, Frame<'a>)]) -> Vec<Frame<'a>> {
    frames.iter().map(|(_, frame)| *frame).collect()
}

fn lines(frames: &[(Header, Frame)]) -> Vec<String> {
    frames.iter().map(|(_, frame)| frame.to_string()).collect()
}

fn settings(frame: &Frame) -> Vec<(u16, u32)> {
    let Frame::Settings { settings, .. } = frame else {
        panic!("{frame:?}");
    };
    settings.iter().map(|s| (s.id, s.value)).collect()
}

/// curl's three settings, as in h2.rs's own capture: 100 streams, a 32
/// MiB window per stream, no push.
const CURL_SETTINGS: [(u16, u32); 3] = [
    (setting::MAX_CONCURRENT_STREAMS, 100),
    (setting::INITIAL_WINDOW_SIZE, 33_554_432),
    (setting::ENABLE_PUSH, 0),
];

/// curl's first two frames, the same in both captures.
fn assert_curl_opening(frames: &[(Header, Frame)]) {
    assert_eq!(settings(&frames[0].1), CURL_SETTINGS);
    assert_eq!(
        frames[0].0,
        Header {
            length: 18,
            kind: kind::SETTINGS,
            flags: 0,
            stream: 0
        }
    );
    // The connection's window goes from 65535 to 32 MiB: 65535 +
    // 33488897 = 33554432.
    assert_eq!(
        frames[1].1,
        Frame::WindowUpdate {
            stream: 0,
            increment: 33_488_897
        }
    );
}

#[test]
fn curls_get_is_settings_window_update_and_one_headers() {
    let frames = frames(CURL_GET);
    assert_eq!(frames.len(), 3);
    assert_curl_opening(&frames);
    // HPACK: :method GET (0x82), :path / (0x84), :scheme http (0x86),
    // :authority 127.0.0.1:PORT (0x41, Huffman), user-agent, accept.
    let fragment = b"\x82\x84\x86\x41\x8b\x08\x9d\x5c\x0b\x81\x70\xdc\x65\xd6\x84\xdf\
        \x7a\x88\x25\xb6\x50\xc3\xab\xbc\xf2\xe1\x53\x03\x2a\x2f\x2a";
    assert_eq!(
        frames[2].1,
        Frame::Headers {
            stream: 1,
            end_stream: true,
            end_headers: true,
            pad_length: None,
            priority: None,
            fragment,
        }
    );
    assert_eq!(frames[2].0.flags, flag::END_STREAM | flag::END_HEADERS);
    assert_eq!(
        lines(&frames),
        [
            "SETTINGS 18 bytes: MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=33554432, \
             ENABLE_PUSH=0",
            "WINDOW_UPDATE stream 0, +33488897",
            "HEADERS stream 1, 31 bytes, END_STREAM END_HEADERS",
        ]
    );
}

#[test]
fn curls_post_ends_its_stream_with_data_not_headers() {
    let frames = frames(CURL_POST);
    assert_eq!(frames.len(), 4);
    assert_curl_opening(&frames);
    let Frame::Headers {
        stream: 1,
        end_stream: false,
        end_headers: true,
        pad_length: None,
        priority: None,
        fragment,
    } = frames[2].1
    else {
        panic!("{:?}", frames[2]);
    };
    // 0x83 is HPACK's static entry 3, `:method: POST`; `:path: /echo`
    // follows as a literal (0x04: not indexed, the name of entry 4).
    assert_eq!(fragment.len(), 67);
    assert_eq!(fragment[0], 0x83);
    assert_eq!(
        frames[3].1,
        Frame::Data {
            stream: 1,
            end_stream: true,
            pad_length: None,
            data: b"hello, rawnet\n",
        }
    );
    assert_eq!(
        lines(&frames)[2..],
        [
            "HEADERS stream 1, 67 bytes, END_HEADERS",
            "DATA stream 1, 14 bytes, END_STREAM"
        ]
    );
}

/// nghttp's five PRIORITY frames, the same in both captures: RFC 7540's
/// tree of idle streams 3, 5, 7, 9 and 11 (Firefox's old scheme), that
/// its requests then hang from.
fn nghttp_priorities() -> Vec<Frame<'static>> {
    [(3, 0, 201), (5, 0, 101), (7, 0, 1), (9, 7, 1), (11, 3, 1)]
        .into_iter()
        .map(|(stream, dependency, weight)| Frame::Priority {
            stream,
            priority: Priority {
                exclusive: false,
                dependency,
                weight,
            },
        })
        .collect()
}

fn nghttp_settings() -> [(u16, u32); 2] {
    [
        (setting::MAX_CONCURRENT_STREAMS, 100),
        (setting::INITIAL_WINDOW_SIZE, 65_535),
    ]
}

#[test]
fn nghttps_get_is_settings_five_priorities_and_a_prioritised_headers() {
    let frames = frames(NGHTTP_GET);
    assert_eq!(frames.len(), 7);
    assert_eq!(settings(&frames[0].1), nghttp_settings());
    assert_eq!(only_frames(&frames)[1..6], nghttp_priorities());
    let (header, headers) = frames[6];
    // 0x25: END_STREAM, END_HEADERS, PRIORITY.
    assert_eq!(header.flags, 0x25);
    let Frame::Headers {
        stream: 13,
        end_stream: true,
        end_headers: true,
        pad_length: None,
        priority: Some(priority),
        fragment,
    } = headers
    else {
        panic!("{headers:?}");
    };
    // The weight byte 0x0f is weight 16, hung from stream 11.
    assert_eq!(
        priority,
        Priority {
            exclusive: false,
            dependency: 11,
            weight: 16
        }
    );
    assert_eq!(fragment.len(), 39 - 5);
    assert_eq!(&fragment[..3], b"\x82\x84\x86");
    assert_eq!(
        lines(&frames),
        [
            "SETTINGS 12 bytes: MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=65535",
            "PRIORITY stream 3, weight 201 on 0",
            "PRIORITY stream 5, weight 101 on 0",
            "PRIORITY stream 7, weight 1 on 0",
            "PRIORITY stream 9, weight 1 on 7",
            "PRIORITY stream 11, weight 1 on 3",
            "HEADERS stream 13, 39 bytes, END_STREAM END_HEADERS, priority weight 16 on 11",
        ]
    );
}

#[test]
fn nghttps_post_sends_its_body_in_one_data_frame() {
    let frames = frames(NGHTTP_POST);
    assert_eq!(frames.len(), 8);
    assert_eq!(settings(&frames[0].1), nghttp_settings());
    assert_eq!(only_frames(&frames)[1..6], nghttp_priorities());
    assert_eq!(
        lines(&frames)[6..],
        [
            "HEADERS stream 13, 49 bytes, END_HEADERS, priority weight 16 on 11",
            "DATA stream 13, 14 bytes, END_STREAM",
        ]
    );
}

/// What `nghttp -v` printed about one frame it sent: `send PRIORITY
/// frame <length=5, flags=0x00, stream_id=3>`, and for PRIORITY and
/// HEADERS the next line's `(dep_stream_id=0, weight=201, exclusive=0)`.
#[derive(Debug, PartialEq)]
struct NghttpSays {
    name: String,
    length: u32,
    flags: u8,
    stream: u32,
    priority: Option<(u32, u16, bool)>,
}

fn nghttp_says(log: &str) -> Vec<NghttpSays> {
    let value = |text: &str, key: &str| -> String {
        let start = text.find(key).unwrap_or_else(|| panic!("{key} in {text}")) + key.len();
        text[start..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect()
    };
    let mut said: Vec<NghttpSays> = Vec::new();
    for line in log.lines() {
        if let Some(at) = line.find("] send ") {
            let name = line[at + 7..].split(' ').next().unwrap().to_string();
            let flags = value(line, "flags=0x");
            said.push(NghttpSays {
                name,
                length: value(line, "length=").parse().unwrap(),
                flags: u8::from_str_radix(&flags, 16).unwrap(),
                stream: value(line, "stream_id=").parse().unwrap(),
                priority: None,
            });
        } else if line.contains("dep_stream_id=") {
            said.last_mut().unwrap().priority = Some((
                value(line, "dep_stream_id=").parse().unwrap(),
                value(line, "weight=").parse().unwrap(),
                value(line, "exclusive=") == "1",
            ));
        }
    }
    said
}

fn we_say(frames: &[(Header, Frame)]) -> Vec<NghttpSays> {
    frames
        .iter()
        .map(|(header, frame)| {
            let priority = match frame {
                Frame::Priority { priority, .. }
                | Frame::Headers {
                    priority: Some(priority),
                    ..
                } => Some((priority.dependency, priority.weight, priority.exclusive)),
                _ => None,
            };
            NghttpSays {
                name: kind::name(header.kind).unwrap().to_string(),
                length: header.length,
                flags: header.flags,
                stream: header.stream,
                priority,
            }
        })
        .collect()
}

#[test]
fn nghttp_agrees_with_us_on_every_frame_it_sent() {
    for (capture, log) in [(NGHTTP_GET, NGHTTP_GET_V), (NGHTTP_POST, NGHTTP_POST_V)] {
        let said = nghttp_says(log);
        assert_eq!(said.len(), 7 + usize::from(capture == NGHTTP_POST));
        assert_eq!(we_say(&frames(capture)), said);
    }
}

#[test]
fn every_capture_reads_the_same_a_byte_at_a_time() {
    for capture in [CURL_GET, CURL_POST, NGHTTP_GET, NGHTTP_POST] {
        let whole = frames(capture);
        let mut reader = Reader::default();
        let mut got = Vec::new();
        for &byte in &capture[PREFACE.len()..] {
            assert_eq!(reader.feed(&[byte]), 1);
            while let Some(raw) = reader.next_frame() {
                got.push(raw.unwrap().bytes().to_vec());
            }
        }
        let mut expected = Vec::new();
        for (header, frame) in &whole {
            let mut out = Vec::new();
            frame.write(&mut out);
            assert_eq!(out[..9], header.to_bytes());
            expected.push(out);
        }
        // And writing each parsed frame gives back the bytes sent.
        assert_eq!(got, expected);
    }
}
