//! A connection with no socket: the client's bytes come from a script of
//! chunks, and what the server writes is collected. This is how the
//! property tests and the fuzzer drive the real connection handler
//! (`conn::serve`, timers, protocols and all) thousands of times a second.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use smol::io::{AsyncRead, AsyncWrite};

use crate::conn::{self, Transport};
use crate::log::{ConnLog, Logger};
use crate::settings::Settings;

/// The client side of an in-memory connection: each chunk arrives as one
/// read (as if the client wrote it in one go), then end of stream (FIN).
pub(crate) struct Scripted {
    chunks: VecDeque<Vec<u8>>,
    /// Everything the server wrote.
    pub written: Vec<u8>,
}

impl Scripted {
    pub(crate) fn new(chunks: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Scripted {
            chunks: chunks.into_iter().filter(|c| !c.is_empty()).collect(),
            written: Vec::new(),
        }
    }
}

impl AsyncRead for Scripted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let Some(chunk) = self.chunks.front_mut() else {
            return Poll::Ready(Ok(0));
        };
        let n = chunk.len().min(buf.len());
        buf[..n].copy_from_slice(&chunk[..n]);
        chunk.drain(..n);
        if chunk.is_empty() {
            self.chunks.pop_front();
        }
        Poll::Ready(Ok(n))
    }
}

impl AsyncWrite for Scripted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.written.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Always readable: the script is already there. It runs alone on its
/// thread, so it never needs to give the thread up.
impl Transport for Scripted {
    fn shares_a_thread(&self) -> bool {
        false
    }
}

/// Serves one scripted connection to the end and returns what the server
/// wrote back. Logging is off, so this prints nothing.
pub fn serve(chunks: impl IntoIterator<Item = Vec<u8>>, settings: &Settings) -> Vec<u8> {
    let mut stream = Scripted::new(chunks);
    let (_keep_running, shutdown) = crate::shutdown::channel();
    let log = ConnLog {
        id: 1,
        peer: SocketAddr::from(([127, 0, 0, 1], 1)),
        logger: Logger::quiet(),
    };
    let settings = Arc::new(settings.clone());
    smol::block_on(conn::serve(&mut stream, log, settings, shutdown, |_| {}));
    stream.written
}
