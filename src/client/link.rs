//! The client's connection to the server: the one way it reads and
//! writes, whether the bytes go on the TCP stream as they are or, with
//! `--tls`, as TLS records (`tls.rs` turns records into plaintext and
//! back). Everything above it (the tutorial's exchange, `--half-close`,
//! `--stdin`, `--http`) reads and writes plaintext, and does not know
//! which.

use std::io;
use std::net::{Shutdown, SocketAddr};

use async_net::TcpStream;
use smol::io::{AsyncReadExt, AsyncWriteExt};

#[cfg(feature = "tls")]
use super::tls::Records;

pub(super) struct Link {
    tcp: TcpStream,
    /// With `--tls`: the session, its handshake done.
    #[cfg(feature = "tls")]
    tls: Option<Records>,
}

impl Link {
    /// Bytes on the TCP stream as they are.
    pub(super) fn plain(tcp: TcpStream) -> Self {
        Link {
            tcp,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }

    /// Bytes inside TLS records, once the handshake is done.
    #[cfg(feature = "tls")]
    pub(super) fn tls(tcp: TcpStream, records: Records) -> Self {
        Link {
            tcp,
            tls: Some(records),
        }
    }

    /// What the server sent, as the server's program wrote it. `Ok(0)`:
    /// it has finished. Safe to drop before it is done: nothing is lost.
    pub(super) async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(feature = "tls")]
        if let Some(tls) = &mut self.tls {
            return tls.read(&mut self.tcp, buf).await;
        }
        self.tcp.read(buf).await
    }

    pub(super) async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        #[cfg(feature = "tls")]
        if let Some(tls) = &mut self.tls {
            return tls.write_all(&mut self.tcp, bytes).await;
        }
        self.tcp.write_all(bytes).await
    }

    /// "I have finished sending": TCP's FIN, after TLS's close_notify
    /// when there is TLS (the server's `end` event, either way). Replies
    /// can still be read.
    pub(super) async fn finish(&mut self) -> io::Result<()> {
        #[cfg(feature = "tls")]
        if let Some(tls) = &mut self.tls {
            tls.close(&mut self.tcp).await?;
        }
        self.tcp.shutdown(Shutdown::Write)
    }

    /// The tutorial's `client.destroy()`: closing is dropping the socket.
    /// With TLS, close_notify goes first, so the server can tell our end
    /// from a cut (best effort: the server may have gone already).
    pub(super) async fn close(self) {
        #[cfg(feature = "tls")]
        if let Some(mut tls) = self.tls {
            let mut tcp = self.tcp;
            let _ = tls.close(&mut tcp).await;
        }
    }

    /// This end's address, to compare with the peer the server saw.
    pub(super) fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}
