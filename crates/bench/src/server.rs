//! Running the release `sinergi` binary and talking to it over plain TCP.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// A `sinergi serve` process; stopped (SIGINT, then SIGKILL) when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts the server and waits for its first answered `GET /healthz`.
    /// Returns the time from spawn to that answer.
    pub fn start(
        binary: &Path,
        database: &str,
        log: &Path,
        timeout: Duration,
    ) -> anyhow::Result<(Server, Duration)> {
        let port = free_port()?;
        let out = File::create(log).with_context(|| format!("log {}", log.display()))?;
        let err = out.try_clone()?;
        let started = Instant::now();
        let child = Command::new(binary)
            .arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--database")
            .arg(database)
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut server = Server {
            child,
            port,
            log: log.to_path_buf(),
        };
        loop {
            if healthz(port) {
                return Ok((server, started.elapsed()));
            }
            if let Some(status) = server.child.try_wait()? {
                bail!(
                    "sinergi exited ({status}) before answering; log:\n{}",
                    server.log_text()
                );
            }
            if started.elapsed() > timeout {
                bail!(
                    "sinergi did not answer /healthz within {timeout:?}; log:\n{}",
                    server.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Stops the server gracefully (so SQLite checkpoints its WAL), killing it if it lingers.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill")
            .arg("-INT")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A port nothing listens on right now.
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("no free local port")?;
    Ok(listener.local_addr()?.port())
}

/// One minimal HTTP/1.1 `GET /healthz`: true once the server answers 200 "ok".
fn healthz(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request).is_err() {
        return false;
    }
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 256];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                if body_is_ok(&buf) {
                    return true;
                }
            }
        }
    }
    body_is_ok(&buf)
}

fn body_is_ok(response: &[u8]) -> bool {
    let text = String::from_utf8_lossy(response);
    text.starts_with("HTTP/1.1 200")
        && text
            .split_once("\r\n\r\n")
            .is_some_and(|(_, body)| body.starts_with("ok"))
}

/// Status code of one `GET path` (the whole response is read and discarded).
pub fn get_status(port: u16, path: &str) -> anyhow::Result<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("no HTTP status in the answer to {path}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn recognises_the_health_answer() {
        assert!(super::body_is_ok(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok"
        ));
        assert!(!super::body_is_ok(b"HTTP/1.1 200 OK\r\ncontent-le"));
        assert!(!super::body_is_ok(
            b"HTTP/1.1 503 Service Unavailable\r\n\r\nok"
        ));
    }
}
