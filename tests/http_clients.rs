//! HTTP with the clients people use: curl and a request typed into nc, on
//! the default (auto) port, plus `rawnet client --http`.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

use common::{rawnet, Server};

fn curl(server: &Server, args: &[&str]) -> Output {
    let out = Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "10"])
        .args(
            args.iter()
                .map(|a| a.replace("URL", &format!("http://{}", server.addr))),
        )
        .output()
        .expect("curl must be installed: scripts/test.sh installs it");
    assert!(
        out.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn curl_v_shows_a_correct_response_with_the_request_in_it() {
    let server = Server::start(&[]);
    let out = curl(&server, &["-v", "URL/hello?who=curl"]);
    let (body, trace) = (text(&out.stdout), text(&out.stderr));
    assert!(trace.contains("< HTTP/1.1 200 OK"), "{trace}");
    assert!(
        trace.contains(&format!("< Content-Length: {}", out.stdout.len())),
        "{trace}"
    );
    assert!(
        trace.contains("< Content-Type: text/plain; charset=utf-8"),
        "{trace}"
    );
    assert!(
        body.contains("GET /hello?who=curl HTTP/1.1\\r\\n\n"),
        "{body}"
    );
    assert!(
        body.contains(&format!("Host: {}\\r\\n\n", server.addr)),
        "{body}"
    );
    assert!(body.contains("User-Agent: curl/"), "{body}");
}

#[test]
fn curl_i_sends_head_and_gets_headers_only() {
    let mut server = Server::start(&[]);
    let out = curl(&server, &["-I", "URL/"]);
    let head = text(&out.stdout);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains("Content-Length: ") && head.ends_with("\r\n\r\n"),
        "{head}"
    );
    assert!(server
        .expect("request 1:")
        .contains("HEAD / HTTP/1.1 -> 200 OK"));
}

#[test]
fn curl_reuses_the_connection_for_two_urls() {
    let mut server = Server::start(&[]);
    let out = curl(&server, &["-v", "URL/one", "URL/two"]);
    let (body, trace) = (text(&out.stdout), text(&out.stderr));
    assert!(trace.contains("Re-using existing connection"), "{trace}");
    assert!(
        body.contains("(request 1 on it)") && body.contains("(request 2 on it)"),
        "{body}"
    );
    assert!(
        server.expect("request 2:").starts_with("#1 "),
        "both requests on connection #1"
    );
}

#[test]
fn curl_posts_a_body() {
    let server = Server::start(&[]);
    let out = curl(&server, &["-d", "name=rawnet&lang=rust", "URL/form"]);
    let body = text(&out.stdout);
    assert!(body.contains("POST /form HTTP/1.1\\r\\n"), "{body}");
    assert!(body.contains("Content-Length: 21\\r\\n"), "{body}");
    assert!(
        body.ends_with("body: 21 bytes\nname=rawnet&lang=rust\n"),
        "{body}"
    );
}

#[test]
fn curl_uploads_chunked() {
    let server = Server::start(&[]);
    let mut child = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--max-time",
            "10",
            "-H",
            "Transfer-Encoding: chunked",
        ])
        .args([
            "--data-binary",
            "@-",
            &format!("http://{}/upload", server.addr),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"chunky\ndata")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let body = text(&out.stdout);
    assert!(body.contains("Transfer-Encoding: chunked\\r\\n"), "{body}");
    assert!(
        body.ends_with("body: 11 bytes\nchunky\\n\ndata\n"),
        "{body}"
    );
}

#[test]
fn curl_expect_100_continue_sees_continue() {
    let server = Server::start(&[]);
    let out = curl(
        &server,
        &["-v", "-H", "Expect: 100-continue", "-d", "payload", "URL/"],
    );
    let trace = text(&out.stderr);
    assert!(trace.contains("< HTTP/1.1 100 Continue"), "{trace}");
    assert!(text(&out.stdout).ends_with("body: 7 bytes\npayload\n"));
}

#[test]
fn curl_http1_0_gets_a_closing_response() {
    let server = Server::start(&[]);
    let out = curl(&server, &["-v", "--http1.0", "URL/old"]);
    let trace = text(&out.stderr);
    assert!(
        trace.contains("< HTTP/1.1 200 OK") && trace.contains("< Connection: close"),
        "{trace}"
    );
    assert!(text(&out.stdout).contains("GET /old HTTP/1.0\\r\\n"));
}

#[test]
fn curl_sees_the_error_status_and_reason() {
    let server = Server::start(&[]);
    let out = Command::new("curl")
        .args([
            "--silent",
            "--max-time",
            "10",
            "-H",
            "Content-Length: +5",
            "-d",
            "hello",
        ])
        .arg(format!("http://{}/", server.addr))
        .output()
        .unwrap();
    assert_eq!(
        text(&out.stdout),
        "400 Bad Request: invalid Content-Length \"+5\"\n"
    );
}

/// A request typed into nc: bare LF line endings, then the response, then
/// the same port still echoing for text that is not HTTP.
#[test]
fn nc_can_type_a_request_and_still_echo() {
    let server = Server::start(&[]);
    let nc = |input: &[u8]| {
        let mut child = Command::new("nc")
            .args(["-N", "127.0.0.1", &server.addr.port().to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("nc (netcat-openbsd) must be installed: scripts/test.sh installs it");
        child.stdin.take().unwrap().write_all(input).unwrap();
        let mut out = Vec::new();
        child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
        assert!(child.wait().unwrap().success());
        out
    };

    let response = text(&nc(b"GET /typed HTTP/1.1\nHost: localhost\n\n"));
    let (head, body) = response.split_once("\r\n\r\n").expect("a response head");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains(&format!("Content-Length: {}", body.len())),
        "{head}"
    );
    assert!(
        body.contains("GET /typed HTTP/1.1\\n\nHost: localhost\\n\n\\n\n"),
        "{body}"
    );

    assert_eq!(nc(b"just text\n"), b"You said \"just text\n\"\r\n");
}

#[test]
fn rawnet_client_http_prints_the_raw_response() {
    let mut server = Server::start(&[]);
    let out = rawnet()
        .args([
            "client",
            "--host",
            "127.0.0.1",
            "--port",
            &server.addr.port().to_string(),
            "--http",
            "/x?y",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let response = text(&out.stdout);
    let (head, body) = response.split_once("\r\n\r\n").expect("a response head");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\nDate: "), "{head}");
    assert!(
        head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())),
        "{head}"
    );
    assert!(head.ends_with("\r\nConnection: close"), "{head}");
    let port = server.addr.port();
    // It asks for the JSON view, whose head is the one it wrote.
    #[cfg(feature = "json")]
    let sent = format!(
        "GET /x?y HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: rawnet/{}\r\n\
         Accept: application/json, */*\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    #[cfg(feature = "json")]
    assert!(
        body.contains(&format!("  \"head\": {:?},\n", sent)),
        "{body}"
    );
    #[cfg(feature = "json")]
    let json: serde_json::Value = serde_json::from_str(body).expect("the JSON view");
    #[cfg(feature = "json")]
    let peer = json["addresses"]["peer"]["address"].as_str().unwrap();
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "connect to 127.0.0.1:{port}\n> GET /x?y HTTP/1.1\\r\\n\n"
        )),
        "{stderr}"
    );
    // The diff of what arrived, from the JSON view: the `json` feature.
    #[cfg(feature = "json")]
    assert!(
        stderr.ends_with(&format!(
            "\nWhat arrived at the server, against what this client sent:\n\
             = the head arrived exactly as it was sent\n\
             Addresses the server saw:\n\
             \x20 {peer}   (the TCP peer: the one address rawnet saw itself); \
             this client's own address\n\
             Connection closed ({} bytes received)\n",
            out.stdout.len()
        )),
        "{stderr}"
    );
    assert!(server
        .expect("request 1:")
        .contains("GET /x?y HTTP/1.1 -> 200 OK"));
}

#[test]
fn curl_http2_offers_h2c_and_gets_http_1_1_with_a_note() {
    let server = Server::start(&[]);
    // curl 7.88 asks `Upgrade: h2c` with `HTTP2-Settings` on plain http://.
    let out = curl(&server, &["--http2", "-i", "URL/"]);
    let response = text(&out.stdout);
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("Upgrade: h2c\\r\\n\n"), "{response}");
    assert!(
        response.contains(
            "Worth noting:\n- The client offered to switch to HTTP/2 (Upgrade: h2c); \
             rawnet stayed on HTTP/1.1.\n"
        ),
        "{response}"
    );
}

/// `--method`, `--header` (replacing the client's own Accept) and
/// `--data @FILE`: every byte it wrote is on stderr, and the body arrives
/// with the Content-Length it counted.
#[test]
#[cfg(feature = "json")]
fn rawnet_client_http_sends_a_method_headers_and_a_file() {
    let server = Server::start(&[]);
    let file = std::env::temp_dir().join(format!("rawnet-data-{}", std::process::id()));
    std::fs::write(&file, b"a\x00b\n").unwrap();
    let out = rawnet()
        .args(["client", "--host", "127.0.0.1", "--port"])
        .arg(server.addr.port().to_string())
        .args(["--http", "/put?format=json", "--method", "PUT"])
        .args([
            "--header",
            "accept: application/json",
            "--header",
            "X-Two:  a b ",
        ])
        .arg("--data")
        .arg(format!("@{}", file.display()))
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let port = server.addr.port();
    assert!(
        stderr.starts_with(&format!(
            "connect to 127.0.0.1:{port}\n\
             > PUT /put?format=json HTTP/1.1\\r\\n\n\
             > Host: 127.0.0.1:{port}\\r\\n\n\
             > User-Agent: rawnet/{}\\r\\n\n\
             > accept: application/json\\r\\n\n\
             > X-Two: a b\\r\\n\n\
             > Content-Length: 4\\r\\n\n\
             > Connection: close\\r\\n\n\
             > \\r\\n\n\
             > \"a\\x00b\\n\"\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("\n= the head arrived exactly as it was sent\n"),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    let (_, body) = stdout.split_once("\r\n\r\n").expect("a response head");
    let json: serde_json::Value = serde_json::from_str(body).expect("the JSON view");
    assert_eq!(
        json["body"],
        serde_json::json!({"length": 4, "encoding": "text", "content": "a\u{0}b\n", "not_shown": 0})
    );
}
