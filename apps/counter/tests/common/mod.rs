//! Shared test helpers: the real `counter` binary in child processes on random ports, against
//! real Redis and MariaDB (started beforehand by scripts/services.sh) or the embedded backends.
//! Every test gets its own Redis stream, its own MySQL database and its own data directory.
//! A missing service fails the test loudly; nothing here skips.

#![allow(dead_code)]

use std::collections::HashSet;
use std::fs;
use std::future::Future;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sqlx::{Connection, Executor};

/// Generous bound for anything that should happen "soon"; never a performance assertion.
pub const PATIENCE: Duration = Duration::from_secs(120);

pub fn redis_url() -> String {
    std::env::var("COUNTER_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

pub fn mysql_admin_url() -> String {
    std::env::var("COUNTER_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

/// A name no other test (or test run) uses.
pub fn unique_name(prefix: &str) -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    format!("{prefix}_{}", &id[id.len() - 12..])
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("cannot find a free port")
        .port()
}

/// Polls `check` until it returns `Some`, failing the test with `what` after `timeout`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A MySQL database created for one test and dropped afterwards.
pub struct TestDatabase {
    pub name: String,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let name = unique_name("counter_t");
        let mut admin = admin_connection().await;
        admin
            .execute(format!("CREATE DATABASE `{name}`").as_str())
            .await
            .expect("cannot create the test database");
        Self { name }
    }

    pub fn url(&self) -> String {
        format!("{}/{}", mysql_admin_url(), self.name)
    }
}

async fn admin_connection() -> sqlx::MySqlConnection {
    sqlx::MySqlConnection::connect(&mysql_admin_url())
        .await
        .unwrap_or_else(|e| {
            panic!(
                "MariaDB is not reachable at {} ({e}); run scripts/services.sh first",
                mysql_admin_url()
            )
        })
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        clean_up_as_admin(format!("DROP DATABASE IF EXISTS `{}`", self.name));
    }
}

/// Runs `statement` as the MySQL administrator, for a `Drop` that removes what a test made.
/// Drop may run inside a runtime; a fresh thread with its own runtime is always allowed.
pub fn clean_up_as_admin(statement: String) {
    let _ = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let mut admin = admin_connection().await;
            let _ = admin.execute(statement.as_str()).await;
        });
    })
    .join();
}

/// A Redis stream (and its dead-letter stream) for one test, deleted afterwards.
pub struct TestStream {
    pub name: String,
    pub redis_url: String,
}

impl TestStream {
    pub fn new(redis_url: &str) -> Self {
        let stream = Self {
            name: unique_name("counter_t"),
            redis_url: redis_url.to_owned(),
        };
        let _: String = stream.cmd(&mut redis::cmd("PING")).unwrap_or_else(|e| {
            panic!("Redis is not reachable at {redis_url} ({e}); run scripts/services.sh first")
        });
        stream
    }

    pub fn dead_letters(&self) -> String {
        counter::queue::redis::dead_letter_stream(&self.name)
    }

    pub fn cmd<T: redis::FromRedisValue>(&self, cmd: &mut redis::Cmd) -> redis::RedisResult<T> {
        let client = redis::Client::open(self.redis_url.as_str())?;
        let mut conn = client.get_connection_with_timeout(Duration::from_secs(5))?;
        cmd.query(&mut conn)
    }

    pub fn len(&self, key: &str) -> u64 {
        self.cmd(redis::cmd("XLEN").arg(key)).expect("XLEN")
    }

    /// Messages delivered to a worker and not yet acknowledged.
    pub fn pending(&self) -> u64 {
        let reply: redis::Value = self
            .cmd(
                redis::cmd("XPENDING")
                    .arg(&self.name)
                    .arg(counter::queue::redis::GROUP),
            )
            .expect("XPENDING");
        match reply {
            redis::Value::Array(items) => match items.first() {
                Some(redis::Value::Int(n)) => *n as u64,
                _ => 0,
            },
            _ => 0,
        }
    }
}

impl Drop for TestStream {
    fn drop(&mut self) {
        let _: redis::RedisResult<u64> =
            self.cmd(redis::cmd("DEL").arg(&self.name).arg(self.dead_letters()));
    }
}

/// Which backends a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Embedded queue and SQLite in a temporary DATA_DIR.
    Embedded,
    /// Redis on the shared server and a fresh MariaDB database.
    Real,
}

/// The backends of one test: environment for the child processes, plus direct access to the
/// stored rows for checks the API does not offer.
pub struct Backends {
    pub kind: Kind,
    pub data_dir: tempfile::TempDir,
    pub stream: Option<TestStream>,
    pub database: Option<TestDatabase>,
    pub env: Vec<(String, String)>,
}

/// What the counts table holds.
#[derive(Debug, PartialEq, Eq)]
pub struct Stored {
    pub rows: i64,
    pub distinct_values: i64,
    pub values: HashSet<i64>,
}

impl Backends {
    pub async fn new(kind: Kind) -> Self {
        Self::with_redis(kind, &redis_url()).await
    }

    /// Like [`Backends::new`], with the queue on a Redis of the test's choosing.
    pub async fn with_redis(kind: Kind, redis_url: &str) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut env = vec![("DATA_DIR".to_owned(), data_dir.path().display().to_string())];
        let (stream, database) = match kind {
            Kind::Embedded => (None, None),
            Kind::Real => {
                let stream = TestStream::new(redis_url);
                let database = TestDatabase::create().await;
                env.push(("REDIS_URL".into(), redis_url.to_owned()));
                env.push(("REDIS_QUEUE".into(), stream.name.clone()));
                env.push(("DATABASE_URL".into(), database.url()));
                (Some(stream), Some(database))
            }
        };
        Self {
            kind,
            data_dir,
            stream,
            database,
            env,
        }
    }

    pub fn stream(&self) -> &TestStream {
        self.stream.as_ref().expect("a Redis-backed test")
    }

    pub async fn stored(&self) -> Stored {
        const ROWS: &str = "SELECT COUNT(*), COUNT(DISTINCT value) FROM counts";
        const VALUES: &str = "SELECT value FROM counts";
        match &self.database {
            Some(db) => {
                let mut conn = sqlx::MySqlConnection::connect(&db.url())
                    .await
                    .expect("mysql");
                let (rows, distinct_values) = sqlx::query_as(ROWS)
                    .fetch_one(&mut conn)
                    .await
                    .expect("count");
                let values = sqlx::query_scalar(VALUES)
                    .fetch_all(&mut conn)
                    .await
                    .expect("values");
                Stored {
                    rows,
                    distinct_values,
                    values: values.into_iter().collect(),
                }
            }
            None => {
                let path = self.data_dir.path().join("counter.db");
                let mut conn =
                    sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                        .await
                        .expect("sqlite");
                let (rows, distinct_values) = sqlx::query_as(ROWS)
                    .fetch_one(&mut conn)
                    .await
                    .expect("count");
                let values = sqlx::query_scalar(VALUES)
                    .fetch_all(&mut conn)
                    .await
                    .expect("values");
                Stored {
                    rows,
                    distinct_values,
                    values: values.into_iter().collect(),
                }
            }
        }
    }

    pub fn spawn(&self, role: &str, extra_env: &[(&str, &str)]) -> Process {
        Process::spawn(role, &self.env, extra_env, self.data_dir.path())
    }

    /// Like [`Backends::spawn`], with arguments after the subcommand.
    pub fn spawn_args(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Process {
        Process::start(args, &self.env, extra_env, self.data_dir.path(), false)
    }

    /// Like [`Backends::spawn`], with stdout in a file of its own ([`Process::stdout`]) and
    /// only stderr in the log.
    pub fn spawn_with_stdout(&self, role: &str, extra_env: &[(&str, &str)]) -> Process {
        Process::start(&[role], &self.env, extra_env, self.data_dir.path(), true)
    }
}

static SPAWNED: AtomicUsize = AtomicUsize::new(0);

/// A `counter` child process; its output goes to a log file, printed if the test fails.
pub struct Process {
    pub role: String,
    child: Child,
    pub log: PathBuf,
    /// Where stdout goes when it is kept apart from the log.
    pub stdout_file: Option<PathBuf>,
}

impl Process {
    pub fn spawn(
        role: &str,
        env: &[(String, String)],
        extra_env: &[(&str, &str)],
        log_dir: &Path,
    ) -> Self {
        Self::start(&[role], env, extra_env, log_dir, false)
    }

    /// Runs `counter ARGS…`; the first argument is the role (subcommand).
    fn start(
        args: &[&str],
        env: &[(String, String)],
        extra_env: &[(&str, &str)],
        log_dir: &Path,
        separate_stdout: bool,
    ) -> Self {
        let role = args[0];
        let n = SPAWNED.fetch_add(1, Ordering::Relaxed);
        let log = log_dir.join(format!("{role}-{n}.log"));
        let out = fs::File::create(&log).expect("log file");
        let stdout_file = separate_stdout.then(|| log_dir.join(format!("{role}-{n}.stdout")));
        let stdout = match &stdout_file {
            Some(path) => fs::File::create(path).expect("stdout file"),
            None => out.try_clone().expect("log file"),
        };
        let mut command = Command::new(env!("CARGO_BIN_EXE_counter"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HTTP_HOST", "127.0.0.1")
            .env("HTTP_PORT", "0")
            .env("WEB_PORT", "0")
            .env("RUST_LOG", "info")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(extra_env.iter().copied())
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(out);
        let child = command.spawn().expect("cannot start the counter binary");
        Self {
            role: role.to_owned(),
            child,
            log,
            stdout_file,
        }
    }

    pub fn output(&self) -> String {
        read_text(&self.log)
    }

    /// The complete lines written to stdout so far (a process from
    /// [`Backends::spawn_with_stdout`]).
    pub fn stdout_lines(&self) -> Vec<String> {
        let path = self.stdout_file.as_ref().expect("stdout kept apart");
        read_text(path)
            .split_inclusive('\n')
            .filter_map(|line| line.strip_suffix('\n'))
            .map(str::to_owned)
            .collect()
    }

    /// Base URL of the `server` ("api" or "web") once the process logged that it listens.
    pub async fn url(&mut self, server: &str) -> String {
        let marker = format!("{server} listening on ");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let found = BufReader::new(fs::File::open(&self.log).expect("log"))
                .lines()
                .map_while(Result::ok)
                .find_map(|line| {
                    let start = line.find(&marker)? + marker.len();
                    let rest = &line[start..];
                    let end = rest
                        .find(|c: char| c.is_whitespace() || c == '"')
                        .unwrap_or(rest.len());
                    Some(rest[..end].to_owned())
                });
            if let Some(url) = found {
                return url;
            }
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                panic!(
                    "{} exited ({status}) before listening:\n{}",
                    self.role,
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} did not start listening",
                self.role
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on our own child's pid has no memory-safety preconditions.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits (bounded) for the process to exit by itself.
    pub async fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "{} did not exit", self.role);
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            let text = self.output();
            let tail: Vec<&str> = text.lines().rev().take(40).collect();
            eprintln!(
                "--- last lines of {} ({}) ---",
                self.role,
                self.log.display()
            );
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
            if let Some(path) = &self.stdout_file {
                eprintln!("--- stdout of {} ---\n{}", self.role, read_text(path));
            }
        }
    }
}

fn read_text(path: &Path) -> String {
    let mut text = String::new();
    let _ = fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text));
    text
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

pub async fn post_count(client: &reqwest::Client, base: &str, count: i64) -> StatusCode {
    match client
        .post(format!("{base}/count"))
        .json(&serde_json::json!({ "count": count }))
        .send()
        .await
    {
        Ok(response) => response.status(),
        Err(e) => panic!("POST /count failed at the transport level: {e}"),
    }
}

/// Posts every value with `concurrency` requests in flight; returns each value's status.
pub async fn post_all(base: &str, values: Vec<i64>, concurrency: usize) -> Vec<(i64, StatusCode)> {
    let values = Arc::new(values);
    let next = Arc::new(AtomicUsize::new(0));
    let client = client();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (values, next, client, base) = (
            values.clone(),
            next.clone(),
            client.clone(),
            base.to_owned(),
        );
        tasks.spawn(async move {
            let mut results = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&value) = values.get(i) else { break };
                results.push((value, post_count(&client, &base, value).await));
            }
            results
        });
    }
    let mut all = Vec::with_capacity(values.len());
    while let Some(results) = tasks.join_next().await {
        all.extend(results.expect("posting task panicked"));
    }
    all
}

/// `GET /count` as (rows, last).
pub async fn get_count(client: &reqwest::Client, base: &str) -> (i64, Option<i64>) {
    let body: serde_json::Value = client
        .get(format!("{base}/count"))
        .send()
        .await
        .expect("GET /count")
        .error_for_status()
        .expect("GET /count status")
        .json()
        .await
        .expect("GET /count JSON");
    (
        body["count"].as_i64().expect("count"),
        body["last"].as_i64(),
    )
}

/// Value of an unlabelled series in the Prometheus text of `/metrics`.
pub async fn metric(client: &reqwest::Client, base: &str, name: &str) -> Option<f64> {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// Waits until the database holds `rows` rows.
pub async fn wait_for_rows(backends: &Backends, rows: i64) -> Stored {
    wait_for(&format!("{rows} stored rows"), PATIENCE, || async {
        let stored = backends.stored().await;
        (stored.rows >= rows).then_some(stored)
    })
    .await
}

/// A private `redis-server` on loopback (ports chosen by the caller, data in a temporary
/// directory), killed by its own pid when dropped. A missing `redis-server` fails the test.
pub struct RedisServer {
    child: Child,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    /// Starts `redis-server` with `args` added to a throwaway, loopback-only configuration and
    /// waits until `probe` (a plaintext `redis://` URL, with the password if one is required)
    /// answers PING.
    pub async fn start(args: &[String], probe: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("cannot run redis-server (install redis-server)");
        let mut server = Self { child, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let pong = redis::Client::open(probe)
                .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(500)))
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c));
            if pong.is_ok() {
                return server;
            }
            if let Some(status) = server.child.try_wait().expect("try_wait") {
                panic!("redis-server {args:?} exited ({status}) at start");
            }
            assert!(
                Instant::now() < deadline,
                "redis-server {args:?} did not answer: {pong:?}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A throwaway certificate authority and a server certificate it signed for `127.0.0.1` and
/// `localhost`, made with the `openssl` command in a temporary directory. A missing `openssl`
/// fails the test.
pub struct TestCa {
    dir: tempfile::TempDir,
}

impl TestCa {
    pub fn generate() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let openssl = |args: &[&str]| {
            let output = Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("cannot run openssl (install openssl)");
            assert!(
                output.status.success(),
                "openssl {args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
        openssl(
            &[
                &["req", "-x509", "-nodes", "-days", "2"][..],
                &ec,
                &["-keyout", "ca.key", "-out", "ca.pem"],
                &["-subj", "/CN=counter test CA"],
                &["-addext", "basicConstraints=critical,CA:TRUE"],
                &["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ]
            .concat(),
        );
        openssl(
            &[
                &["req", "-nodes"][..],
                &ec,
                &["-keyout", "server.key", "-out", "server.csr"],
                &["-subj", "/CN=localhost"],
            ]
            .concat(),
        );
        fs::write(
            dir.path().join("server.ext"),
            "subjectAltName = IP:127.0.0.1, DNS:localhost\n\
             basicConstraints = critical, CA:FALSE\n\
             keyUsage = critical, digitalSignature, keyEncipherment\n\
             extendedKeyUsage = serverAuth\n",
        )
        .expect("write server.ext");
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ]);
        Self { dir }
    }

    /// The CA certificate (PEM), what a client must trust.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }
    pub fn server_cert(&self) -> PathBuf {
        self.dir.path().join("server.pem")
    }
    pub fn server_key(&self) -> PathBuf {
        self.dir.path().join("server.key")
    }
}

/// `GET /health/ready` as (status, body).
pub async fn readiness(client: &reqwest::Client, base: &str) -> (StatusCode, serde_json::Value) {
    let response = client
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .expect("GET /health/ready");
    let status = response.status();
    (status, response.json().await.expect("readiness JSON"))
}

/// Waits until `process` logged a line containing `text`; fails with the log otherwise.
pub async fn wait_for_log(process: &Process, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !process.output().contains(text) {
        assert!(
            Instant::now() < deadline,
            "{} never logged {text:?}:\n{}",
            process.role,
            process.output()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A TCP proxy on loopback in front of `target` (the real MariaDB) that a test can cut: while
/// cut it closes every connection at once, the live ones and each new one, as a database that
/// went away would; restored, it forwards again. The port stays the proxy's throughout.
pub struct CuttableProxy {
    pub port: u16,
    state: Arc<std::sync::Mutex<ProxyState>>,
    accept: tokio::task::JoinHandle<()>,
}

struct ProxyState {
    up: bool,
    connections: Vec<tokio::task::AbortHandle>,
}

impl CuttableProxy {
    pub async fn start(target: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let state = Arc::new(std::sync::Mutex::new(ProxyState {
            up: true,
            connections: Vec::new(),
        }));
        let (target, shared) = (target.to_owned(), state.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                // Deciding and registering under one lock: `cut` cannot miss a connection.
                let mut state = shared.lock().expect("proxy state");
                if !state.up {
                    drop(client);
                    continue;
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                state.connections.retain(|c| !c.is_finished());
                state.connections.push(task.abort_handle());
            }
        });
        Self {
            port,
            state,
            accept,
        }
    }

    /// Closes every connection and refuses new ones until [`CuttableProxy::restore`].
    pub fn cut(&self) {
        let mut state = self.state.lock().expect("proxy state");
        state.up = false;
        for connection in state.connections.drain(..) {
            connection.abort();
        }
    }

    pub fn restore(&self) {
        self.state.lock().expect("proxy state").up = true;
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

/// `host:port` of the MariaDB the tests use.
pub fn mysql_address() -> String {
    let url = url::Url::parse(&mysql_admin_url()).expect("COUNTER_TEST_MYSQL_URL is a URL");
    format!(
        "{}:{}",
        url.host_str().expect("a host"),
        url.port().unwrap_or(3306)
    )
}
