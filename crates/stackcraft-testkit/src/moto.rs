//! moto, the local AWS emulator, in server mode on a free 127.0.0.1 port: scripts/moto_serial.py
//! run by the Python of `.venv/moto` (installed by `bash scripts/python-tools.sh moto`). It
//! applies one request at a time, so moto's item writes are as atomic as DynamoDB's, and it
//! can inject transaction conflicts (`/_faults/transact-conflicts`). A test that cannot start
//! it panics with the reason: these tests fail, they never skip.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// How long a starting server may take to answer: bounded, so a moto that cannot start fails
/// the tests instead of hanging them (generous: the machine may be busy compiling).
const READY_WITHIN: Duration = Duration::from_secs(120);

/// Another process can take the free port between our look and moto's bind: try a new one.
const ATTEMPTS: usize = 5;

/// A running server; dropping it stops it.
#[derive(Debug)]
pub struct Moto {
    url: String,
    child: Child,
    log: PathBuf,
}

impl Moto {
    /// Starts a server of its own (and waits until it answers).
    pub fn start() -> Moto {
        Moto::start_with(&repo_root().join(".venv/moto/bin/python"))
    }

    /// [`Moto::start`] with another Python (one that has moto).
    pub fn start_with(python: &Path) -> Moto {
        assert!(
            python.exists(),
            "{} is missing: run `bash scripts/python-tools.sh moto`",
            python.display()
        );
        let mut failures = Vec::new();
        for _ in 0..ATTEMPTS {
            match Moto::try_start(python) {
                Ok(moto) => return moto,
                Err(failure) => failures.push(failure),
            }
        }
        panic!("moto did not start:\n{}", failures.join("\n"));
    }

    fn try_start(python: &Path) -> Result<Moto, String> {
        let port = free_port();
        let log =
            std::env::temp_dir().join(format!("stackcraft-moto-{}-{port}.log", std::process::id()));
        let out = File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(python)
            .arg(repo_root().join("scripts/moto_serial.py"))
            .arg(port.to_string())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("{} does not run: {e}", python.display()))?;
        // Built first, so an early return drops (and so stops) the child.
        let mut moto = Moto {
            url: format!("http://127.0.0.1:{port}"),
            child,
            log,
        };
        let deadline = Instant::now() + READY_WITHIN;
        while !answers(moto.address()) {
            if let Ok(Some(status)) = moto.child.try_wait() {
                return Err(format!(
                    "port {port}: moto exited ({status}):\n{}",
                    moto.log_tail()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "port {port}: no answer within {READY_WITHIN:?}:\n{}",
                    moto.log_tail()
                ));
            }
            sleep(Duration::from_millis(50));
        }
        Ok(moto)
    }

    /// `http://127.0.0.1:<port>`, the endpoint URL for the SDK's clients.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `127.0.0.1:<port>`, for requests of a test's own.
    pub fn address(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// The end of the server's output, for a failure message.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// One server for the whole test binary, started by the first test that asks. A static is
/// never dropped: scripts/moto_serial.py ends by itself when this process does.
pub fn shared() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

/// The repository root: two levels above this crate.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Whether an HTTP server answers at `address` (moto's own API: any status will do).
fn answers(address: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(address) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request =
        format!("GET /moto-api/ HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    let mut head = [0u8; 8];
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_exact(&mut head).is_ok()
        && head.starts_with(b"HTTP/1.")
}
