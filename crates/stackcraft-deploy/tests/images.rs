//! Image publishing against real parts: moto (server mode) answers ECR `GetAuthorizationToken`,
//! Debian's `docker-registry` (the distribution registry) on loopback with htpasswd basic auth
//! for moto's token receives the push of the `counter` image that synth built. Independent
//! tools check the result: `skopeo inspect` shows the digest and config stackcraft reported,
//! `umoci unpack` gives a root file system whose `counter` answers `/health` under `chroot` with
//! an empty environment. A second deploy only asks (HEAD); a registry that refuses the password
//! or cannot be reached stops the deploy before any change set, naming image and registry.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{assembly_of, repo_root, text, ui, Moto, CONFIG};
use stackcraft::core::ImageAsset;
use stackcraft::template::sub;
use stackcraft_deploy::*;

/// moto's ECR token for its default account is `AWS:<account>-auth-token`.
const USER: &str = "AWS";
const MOTO_PASSWORD: &str = "123456789012-auth-token";
const REPOSITORY: &str = "stackcraft-images-123456789012-eu-central-1";

/// A registry of its own on a free loopback port (scripts/registry.sh), stopped on drop.
struct Registry {
    dir: tempfile::TempDir,
    url: String,
}

impl Registry {
    fn start(password: &str) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("bash")
            .arg(repo_root().join("scripts/registry.sh"))
            .arg("start")
            .arg(dir.path())
            .args([USER, password])
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "the registry did not start (run `bash scripts/test-tools.sh`): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        Registry { dir, url }
    }

    fn host(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// The access log: one line per request, `"METHOD /path HTTP/1.1" status`.
    fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("registry.log"))
            .unwrap()
            .lines()
            .filter_map(|l| l.split('"').nth(1).map(str::to_owned))
            .filter(|r| r.contains(" /v2/"))
            .collect()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("scripts/registry.sh"))
            .arg("stop")
            .arg(self.dir.path())
            .status();
    }
}

/// The counter image, as synth builds it (cached under this repository's target/).
fn counter_image() -> ImageAsset {
    let root = repo_root();
    stackcraft_assets::rust_image(&stackcraft_assets::RustImage {
        source_dir: &root,
        package_dir: "apps/counter",
        package: "counter",
        bin: "counter",
        port: Some(5080),
        user: "10001:10001",
    })
    .expect("the counter image builds")
}

/// One stack that uses the image: its URI (by digest) as an output, next to a parameter.
fn assembly(image: &ImageAsset) -> stackcraft::core::Assembly {
    let image = image.clone();
    let app = stackcraft::App::from_config("stackcraft.toml").stack("svc", move |stack| {
        stack.add_image(image.clone());
        stack.add_raw(
            "Marker",
            "AWS::SSM::Parameter",
            match stackcraft::template::Value::from(
                serde_json::json!({"Type": "String", "Value": "svc"}),
            ) {
                stackcraft::template::Value::Map(m) => m,
                _ => unreachable!(),
            },
            stackcraft::template::Tagging::Map,
        );
        stack.output("ImageUri", sub(image.uri_template()));
    });
    let mut a = assembly_of(&app, CONFIG, "dev");
    a.select(&["svc".to_owned()]).unwrap();
    a
}

fn yes() -> DeployOptions {
    DeployOptions {
        yes: true,
        ..DeployOptions::default()
    }
}

async fn session(moto: &Moto, registry_url: &str) -> Session {
    let mut session = moto.session("dev").await;
    session.registry_url = Some(registry_url.to_owned());
    session
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the tool runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn skopeo_json(registry: &Registry, tag: &str, config: bool) -> serde_json::Value {
    let mut cmd = Command::new("skopeo");
    cmd.args(["inspect", "--tls-verify=false"])
        .arg(format!("--creds={USER}:{MOTO_PASSWORD}"));
    if config {
        cmd.arg("--config");
    }
    cmd.arg(format!("docker://{}/{REPOSITORY}:{tag}", registry.host()));
    serde_json::from_str(&run(&mut cmd)).unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET path` on 127.0.0.1:port: status line and body.
fn get(port: u16, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

/// `counter all` of the unpacked root file system, run as its root with an empty environment,
/// its servers on ports the system picks (`0`: no race with other tests for a free port), its
/// log kept to say where they listen and why it stopped.
struct Chrooted {
    child: Child,
    log: PathBuf,
}

impl Chrooted {
    fn start(rootfs: &Path, args: &[&str]) -> Chrooted {
        let log = rootfs.join("counter.log");
        let child = Command::new("/usr/sbin/chroot")
            .arg(rootfs)
            .args([
                "/usr/local/bin/counter",
                "all",
                "--http-port=0",
                "--web-port=0",
            ])
            .args(args)
            .env_clear()
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("chroot runs (as root)");
        Chrooted { child, log }
    }

    /// Waits until the API listens and answers `/health` (it starts in well under the
    /// deadline); returns its port and the answer.
    fn health(&mut self) -> (u16, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            if let Some(port) = listening_port(&log, "api") {
                if let Ok(response) = get(port, "/health") {
                    return (port, response);
                }
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("counter exited with {status} before answering:\n{log}");
            }
            assert!(
                Instant::now() < deadline,
                "counter did not answer /health:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The port of "`server` listening on http://ADDRESS:PORT" in the counter's log.
fn listening_port(log: &str, server: &str) -> Option<u16> {
    let marker = format!("{server} listening on http://");
    let address = log
        .lines()
        .find_map(|l| Some(&l[l.find(&marker)? + marker.len()..]))?;
    let port = address.rsplit(':').next()?;
    port.trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()
}

impl Drop for Chrooted {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pushes(requests: &[String]) -> Vec<&String> {
    requests
        .iter()
        .filter(|r| r.starts_with("POST") || r.starts_with("PUT") || r.starts_with("PATCH"))
        .collect()
}

#[tokio::test]
async fn the_counter_image_is_pushed_once_by_digest_and_runs_from_its_unpacked_rootfs() {
    let image = counter_image();
    let moto = Moto::start();
    let registry = Registry::start(MOTO_PASSWORD);
    let session = session(&moto, &registry.url).await;
    let svc = assembly(&image);

    let (ui1, out) = ui(None);
    let started = Instant::now();
    deploy(&session, &svc, &yes(), &ui1).await.unwrap();
    println!("first push: {:.2}s", started.elapsed().as_secs_f64());
    assert!(
        text(&out).contains("images: 1 pushed, 0 already"),
        "{}",
        text(&out)
    );
    // (moto drops stack outputs after ExecuteChangeSet: the template is checked instead.)
    let template = svc.stacks[0].template.to_json();
    assert!(
        template.contains(&format!(
            "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/stackcraft-images-${{AWS::AccountId}}-${{AWS::Region}}@{}",
            image.digest
        )),
        "the template names the image by digest: {template}"
    );
    let first = registry.requests();
    assert!(!pushes(&first).is_empty(), "{first:?}");

    // Unchanged image: the second deploy only asks.
    let (ui2, out) = ui(None);
    let started = Instant::now();
    deploy(&session, &svc, &yes(), &ui2).await.unwrap();
    println!("unchanged push: {:.3}s", started.elapsed().as_secs_f64());
    assert!(
        text(&out).contains("images: 0 pushed, 1 already"),
        "{}",
        text(&out)
    );
    let all = registry.requests();
    let second = &all[first.len()..];
    assert!(pushes(second).is_empty(), "no upload: {second:?}");
    assert!(
        second.iter().any(|r| r.starts_with("HEAD /v2/")),
        "{second:?}"
    );
    assert!(
        second
            .iter()
            .all(|r| r.starts_with("HEAD ") || r.starts_with("GET /v2/ ")),
        "only HEAD requests (and the auth challenge of /v2/): {second:?}"
    );

    // skopeo sees the digest and config that stackcraft wrote.
    let inspected = skopeo_json(&registry, &image.tag(), false);
    assert_eq!(inspected["Digest"], image.digest.as_str());
    let config = skopeo_json(&registry, &image.tag(), true);
    let local: serde_json::Value = {
        let manifest: serde_json::Value = serde_json::from_slice(
            &std::fs::read(image.source.join("blobs/sha256").join(image.hex())).unwrap(),
        )
        .unwrap();
        let config_digest = manifest["config"]["digest"].as_str().unwrap();
        serde_json::from_slice(
            &std::fs::read(
                image
                    .source
                    .join("blobs/sha256")
                    .join(config_digest.trim_start_matches("sha256:")),
            )
            .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(config, local);
    assert_eq!(config["config"]["User"], "10001:10001");
    assert_eq!(
        config["config"]["Entrypoint"],
        serde_json::json!(["/usr/local/bin/counter"])
    );
    assert_eq!(
        config["config"]["ExposedPorts"],
        serde_json::json!({"5080/tcp": {}})
    );

    // umoci unpacks what skopeo pulls; the binary runs in it with nothing from the host.
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("layout");
    run(Command::new("skopeo")
        .args(["copy", "--src-tls-verify=false"])
        .arg(format!("--src-creds={USER}:{MOTO_PASSWORD}"))
        .arg(format!(
            "docker://{}/{REPOSITORY}:{}",
            registry.host(),
            image.tag()
        ))
        .arg(format!("oci:{}:counter", layout.display())));
    let bundle = work.path().join("bundle");
    run(Command::new("umoci")
        .args(["unpack", "--image"])
        .arg(format!("{}:counter", layout.display()))
        .arg(&bundle));
    let rootfs: PathBuf = bundle.join("rootfs");
    assert!(rootfs.join("usr/local/bin/counter").exists());
    assert!(
        rootfs.join("etc/ssl/certs/ca-certificates.crt").exists(),
        "the counter reads the system's roots (rustls-native-certs): the image has a bundle"
    );
    let mut counter = Chrooted::start(&rootfs, &[]);
    let (_, health) = counter.health();
    assert!(
        health.starts_with("HTTP/1.0 200") || health.starts_with("HTTP/1.1 200"),
        "{health}"
    );
    assert!(health.contains(r#""status":"ok""#), "{health}");
    drop(counter);

    // Static glibc resolves `localhost` (the image's /etc/hosts) and connects: the queue is the
    // Redis on this machine, reached by name.
    let queue = format!("image-test-{}", std::process::id());
    let mut counter = Chrooted::start(
        &rootfs,
        &[
            "--redis-host=localhost",
            &format!("--redis-queue={queue}"),
            "--data-dir=/tmp/data",
        ],
    );
    let (api, _) = counter.health();
    let ready = get(api, "/health/ready").unwrap();
    assert!(ready.contains(r#""queue":"up""#), "{ready}");
    drop(counter);
    let _ = Command::new("redis-cli")
        .args([
            "-h",
            "127.0.0.1",
            "DEL",
            &queue,
            &format!("{{{queue}}}:dead"),
        ])
        .output();
}

#[tokio::test]
async fn a_refusing_or_unreachable_registry_stops_the_deploy_before_any_change_set() {
    let image = counter_image();
    let moto = Moto::start();
    let svc = assembly(&image);

    // The registry knows another password than the one ECR's token carries.
    let registry = Registry::start("not-the-token");
    let session = session(&moto, &registry.url).await;
    let (u, _) = ui(None);
    let err = deploy(&session, &svc, &yes(), &u).await.unwrap_err();
    let message = err.to_string();
    assert_eq!(err.exit_code(), 5, "{message}");
    assert!(
        message.contains("pushing image counter/counter"),
        "{message}"
    );
    assert!(message.contains(&registry.url), "{message}");
    assert!(message.contains("no change set was executed"), "{message}");
    assert!(
        session
            .cfn
            .describe_stack("demo-dev-svc")
            .await
            .unwrap()
            .is_none(),
        "no stack was created"
    );

    // Nothing listens there.
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let session = self::session(&moto, &nowhere).await;
    let (u, _) = ui(None);
    let err = deploy(&session, &svc, &yes(), &u).await.unwrap_err();
    let message = err.to_string();
    assert_eq!(err.exit_code(), 4, "{message}");
    assert!(message.contains(&nowhere), "{message}");
    assert!(message.contains("counter/counter"), "{message}");
    assert!(session
        .cfn
        .describe_stack("demo-dev-svc")
        .await
        .unwrap()
        .is_none());

    // Loopback-only mode refuses a registry elsewhere.
    let session = self::session(&moto, "http://10.0.0.1:5000").await;
    let (u, _) = ui(None);
    let err = deploy(&session, &svc, &yes(), &u).await.unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(
        err.to_string().contains("STACKCRAFT_LOOPBACK_ONLY"),
        "{err}"
    );
}
