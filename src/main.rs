//! The `rawnet` binary: parse the arguments, run the server or the client,
//! turn failures into one line on stderr and an exit code.
//!
//! Exit codes: 0 success, 1 runtime failure, 2 usage error.

use std::process::ExitCode;

use rawnet::cli::{self, Action, UsageError};
use rawnet::settings::Settings;
use rawnet::{client, server, shutdown};

fn main() -> ExitCode {
    // `std::env::args` panics on an argument that is not UTF-8 (a path or
    // a `--body` with a stray byte): read them as the OS gives them and
    // say which one is wrong instead.
    let mut argv = Vec::new();
    for arg in std::env::args_os() {
        match arg.into_string() {
            Ok(arg) => argv.push(arg),
            Err(arg) => {
                eprintln!(
                    "rawnet: argument {:?} is not UTF-8; for bytes that are not text, use --data @FILE",
                    arg
                );
                return ExitCode::from(2);
            }
        }
    }
    match cli::parse(&argv) {
        Ok(Action::Print(text)) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Ok(Action::Serve {
            host,
            port,
            settings,
        }) => serve(&host, port, settings),
        Ok(Action::Client(opts)) => match smol::block_on(client::run(&opts)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => fail(&format!("client: {err}")),
        },
        #[cfg(feature = "bench")]
        Ok(Action::Bench(opts)) => bench(&opts),
        Err(UsageError(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// `rawnet bench`: the load, then its report; exit 1 if any reply was
/// wrong or none came.
#[cfg(feature = "bench")]
fn bench(opts: &rawnet::bench::Options) -> ExitCode {
    eprintln!(
        "rawnet bench: {} mode, {} connections, pipeline {}, {:.1}s against {}:{}",
        format!("{:?}", opts.mode).to_lowercase(),
        opts.connections,
        opts.pipeline,
        opts.duration.as_secs_f64(),
        opts.host,
        opts.port
    );
    let report = rawnet::bench::run(opts);
    print!("{report}");
    if report.errors > 0 || report.requests == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn serve(host: &str, port: u16, settings: Settings) -> ExitCode {
    // Before binding, so a signal sent right after `listening on` is caught.
    let signal = match shutdown::on_signal(settings.server.logger) {
        Ok(signal) => signal,
        Err(err) => return fail(&format!("cannot watch for Ctrl-C: {err}")),
    };
    smol::block_on(async {
        let listeners = match server::bind(host, port).await {
            Ok(listeners) => listeners,
            Err(err) => return fail(&err.to_string()),
        };
        let logger = settings.server.logger;
        let summary = server::run(listeners, settings, signal).await;
        logger.emit(server::Event::ShutdownComplete {
            connections: summary.connections,
            bytes_in: summary.bytes_in,
            bytes_out: summary.bytes_out,
        });
        ExitCode::SUCCESS
    })
}

fn fail(message: &str) -> ExitCode {
    eprintln!("rawnet: {message}");
    ExitCode::from(1)
}

/// The allocator for everything the server holds. jemalloc, because it
/// gives memory back to the OS once a flood of clients has left, where
/// glibc's malloc kept hundreds of MB (see Cargo.toml and
/// tests/memory.rs). To compare another, change this one line (and the
/// dependency): `std::alloc::System` is glibc's malloc again,
/// `mimalloc::MiMalloc` is mimalloc.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
