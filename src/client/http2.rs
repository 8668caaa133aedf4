//! `rawnet client --http PATH --http2`: one request over HTTP/2 (h2c
//! with prior knowledge, or `h2` inside `--tls`), every frame printed both
//! ways as it crosses (`>` sent, `<` received, on stderr), the response's
//! header block decoded field by field, and its body on stdout. The
//! frames and HPACK are the server's own code (`src/h2/`), used from the
//! other end.

use std::io::{self, Write};
use std::time::Duration;

use super::link::Link;
use super::{read_within, ClientError, Options};
use crate::h2::frame::{self, ErrorCode, Frame, Reader};
use crate::h2::hpack::{Decoder, Encoder};
use crate::h2::PREFACE;

/// The request's one stream: a client's first is 1 (RFC 9113 §5.1.1).
const STREAM: u32 = 1;

/// Sends the request, prints every frame, and returns once the response
/// ended its stream (or the server's GOAWAY or RST_STREAM came).
pub(super) async fn exchange(
    link: &mut Link,
    opts: &Options,
    path: &str,
    target: &str,
) -> Result<(), ClientError> {
    let io_err = |err| ClientError::Io {
        target: target.to_string(),
        err,
    };
    let mut out = PREFACE.to_vec();
    eprintln!(
        "> the connection preface: {:?}",
        String::from_utf8_lossy(PREFACE)
    );
    frame::write_settings(&mut out, &[]);
    let block = request_block(opts, path, target);
    frame::write_headers(&mut out, STREAM, &block, true, frame::MIN_MAX_FRAME_SIZE);
    print_frames(">", &out[PREFACE.len()..]);
    link.write_all(&out).await.map_err(io_err)?;
    let body = read_response(link, opts.wait, target).await?;
    let mut goaway = Vec::new();
    frame::write_goaway(&mut goaway, 0, ErrorCode::NO_ERROR, b"");
    print_frames(">", &goaway);
    let _ = link.write_all(&goaway).await;
    let _ = io::stdout().lock().write_all(&body);
    // The caller drops the connection, which closes it.
    Ok(())
}

/// The request's header block: the pseudo-headers first (§8.3.1), then
/// `--header`s, names in lower case as HTTP/2 requires.
fn request_block(opts: &Options, path: &str, target: &str) -> Vec<u8> {
    let scheme = if cfg!(feature = "tls") && uses_tls(opts) {
        "https"
    } else {
        "http"
    };
    let mut fields: Vec<(String, String)> = vec![
        (":method".into(), opts.http.method.clone()),
        (":scheme".into(), scheme.into()),
        (":authority".into(), target.into()),
        (":path".into(), path.into()),
        (
            "user-agent".into(),
            concat!("rawnet/", env!("CARGO_PKG_VERSION")).into(),
        ),
    ];
    for (name, value) in &opts.http.headers {
        fields.push((name.to_ascii_lowercase(), value.clone()));
    }
    let mut block = Vec::new();
    Encoder::new(4096).encode(&fields, &mut block);
    block
}

#[cfg(feature = "tls")]
fn uses_tls(opts: &Options) -> bool {
    opts.tls.is_some()
}

#[cfg(not(feature = "tls"))]
fn uses_tls(_: &Options) -> bool {
    false
}

/// Reads frames until the response's stream ends; answers the server's
/// SETTINGS with an ACK on the way. Returns the body.
async fn read_response(
    link: &mut Link,
    wait: Duration,
    target: &str,
) -> Result<Vec<u8>, ClientError> {
    let mut reader = Reader::default();
    let mut decoder = Decoder::new(4096);
    let mut body = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match read_within(link, &mut buf, wait).await {
            Ok(Some(0)) | Err(_) => return Ok(body),
            Ok(Some(n)) => n,
            Ok(None) => {
                return Err(ClientError::Silent {
                    target: target.to_string(),
                    wait,
                    http: true,
                })
            }
        };
        let mut data = &buf[..n];
        let mut answers = Vec::new();
        let mut done = false;
        while !data.is_empty() && !done {
            let taken = reader.feed(data);
            data = &data[taken..];
            while let Some(Ok(raw)) = reader.next_frame() {
                let bytes = raw.bytes().to_vec();
                print_frames("<", &bytes);
                let Ok(frame) = raw.parse() else { continue };
                done |= on_frame(frame, &mut decoder, &mut body, &mut answers);
            }
        }
        if !answers.is_empty() {
            print_frames(">", &answers);
            let _ = link.write_all(&answers).await;
        }
        if done {
            return Ok(body);
        }
    }
}

/// One frame of the server's: whether the response is over.
fn on_frame(
    frame: Frame<'_>,
    decoder: &mut Decoder,
    body: &mut Vec<u8>,
    answers: &mut Vec<u8>,
) -> bool {
    match frame {
        Frame::Settings { ack: false, .. } => {
            frame::write_settings_ack(answers);
            false
        }
        Frame::Headers {
            stream: STREAM,
            end_stream,
            fragment,
            ..
        } => {
            match decoder.decode(fragment, 64 * 1024) {
                Ok(fields) => {
                    for field in &fields {
                        eprintln!("    {}", field.describe(fragment));
                    }
                }
                Err(error) => eprintln!("    HPACK: {error}"),
            }
            end_stream
        }
        Frame::Data {
            stream: STREAM,
            end_stream,
            data,
            ..
        } => {
            body.extend_from_slice(data);
            end_stream
        }
        Frame::RstStream { stream: STREAM, .. } | Frame::GoAway { .. } => true,
        _ => false,
    }
}

/// Each frame in `bytes`, one line: `< HEADERS stream 1, 61 bytes, ...`.
fn print_frames(arrow: &str, mut bytes: &[u8]) {
    while let Some(head) = bytes.first_chunk::<{ frame::Header::LEN }>() {
        let header = frame::Header::parse(head);
        let len = (frame::Header::LEN + header.length as usize).min(bytes.len());
        match Frame::parse(&header, &bytes[frame::Header::LEN..len]) {
            Ok(frame) => eprintln!("{arrow} {frame}"),
            Err(error) => eprintln!("{arrow} {error}"),
        }
        bytes = &bytes[len..];
    }
}
