//! What the AWS deployment needs (ElastiCache with an AUTH token and in-transit encryption,
//! RDS with `require_secure_transport`), on loopback: a private `redis-server` with
//! `--requirepass`, one serving TLS with a certificate from a throwaway CA made here with
//! `openssl`, and MYSQL_TLS against the shared MariaDB.

use sqlx::{Connection, Executor};

use crate::common::{
    client, free_port, get_count, mysql_admin_url, post_count, readiness, wait_for, wait_for_log,
    wait_for_rows, Backends, Kind, RedisServer, TestCa, PATIENCE,
};

const PASSWORD: &str = "Auth-Token-5d1e8a07-never-log-me";
const WRONG: &str = "Wrong-Token-93b2c4f6-never-log-me";

/// The application's own variables for Redis, as the blueprint passes them (no REDIS_URL).
fn without_redis_url(backends: &mut Backends) {
    backends.env.retain(|(key, _)| key != "REDIS_URL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_password_authenticates_and_a_wrong_one_is_reported() {
    let port = free_port();
    let _redis = RedisServer::start(
        &[
            "--port".into(),
            port.to_string(),
            "--requirepass".into(),
            PASSWORD.into(),
        ],
        &format!("redis://:{PASSWORD}@127.0.0.1:{port}"),
    )
    .await;
    let mut backends =
        Backends::with_redis(Kind::Real, &format!("redis://:{PASSWORD}@127.0.0.1:{port}")).await;
    let client = client();

    // The password inside REDIS_URL.
    let mut in_url = backends.spawn("api", &[]);
    let base = in_url.url("api").await;
    let (status, body) = readiness(&client, &base).await;
    assert_eq!(
        (status.as_u16(), &body["queue"]),
        (200, &"up".into()),
        "{body}"
    );

    // REDIS_HOST / REDIS_PORT / REDIS_PASSWORD, as the blueprint sets them: a full round trip.
    without_redis_url(&mut backends);
    let port = port.to_string();
    let redis_env = [("REDIS_HOST", "127.0.0.1"), ("REDIS_PORT", port.as_str())];
    let debug = [("RUST_LOG", "debug"), ("LOG_FORMAT", "json")];
    let mut all = backends.spawn(
        "all",
        &[&redis_env[..], &[("REDIS_PASSWORD", PASSWORD)], &debug[..]].concat(),
    );
    let base = all.url("api").await;
    assert_eq!(post_count(&client, &base, 41).await, 202);
    assert_eq!(wait_for_rows(&backends, 1).await.values, [41].into());
    assert_eq!(get_count(&client, &base).await, (1, Some(41)));
    let (status, body) = readiness(&client, &base).await;
    assert_eq!(status, 200, "{body}");

    // A wrong password: nothing is queued, readiness reports the queue down, and the log says
    // why without showing either password.
    let mut wrong = backends.spawn(
        "api",
        &[&redis_env[..], &[("REDIS_PASSWORD", WRONG)], &debug[..]].concat(),
    );
    let base = wrong.url("api").await;
    assert_eq!(post_count(&client, &base, 42).await, 503);
    let (status, body) = readiness(&client, &base).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["queue"], "down", "{body}");
    assert_eq!(body["database"], "up", "{body}");
    wait_for_log(&wrong, "redis rejected the credentials").await;

    // No password at all: said just as plainly.
    let mut none = backends.spawn("api", &redis_env);
    let base = none.url("api").await;
    let (status, body) = readiness(&client, &base).await;
    assert_eq!(
        (status.as_u16(), &body["queue"]),
        (503, &"down".into()),
        "{body}"
    );
    wait_for_log(&none, "redis requires a password").await;

    for process in [&in_url, &all, &wrong, &none] {
        let output = process.output();
        assert!(
            !output.contains(PASSWORD) && !output.contains(WRONG),
            "{} logged a password:\n{output}",
            process.role
        );
    }
    wait_for("the stream to drain", PATIENCE, || async {
        (backends.stream().len(&backends.stream().name) == 0).then_some(())
    })
    .await;
    for process in [&mut in_url, &mut all, &mut wrong, &mut none] {
        process.kill();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_over_tls_with_a_password() {
    let ca = TestCa::generate();
    // TLS for the application; a plaintext port too, only for this test's own checks.
    let (plain, tls) = (free_port(), free_port());
    let _redis = RedisServer::start(
        &[
            "--port".into(),
            plain.to_string(),
            "--tls-port".into(),
            tls.to_string(),
            "--tls-cert-file".into(),
            ca.server_cert().display().to_string(),
            "--tls-key-file".into(),
            ca.server_key().display().to_string(),
            "--tls-ca-cert-file".into(),
            ca.ca().display().to_string(),
            "--tls-auth-clients".into(),
            "no".into(),
            "--requirepass".into(),
            PASSWORD.into(),
        ],
        &format!("redis://:{PASSWORD}@127.0.0.1:{plain}"),
    )
    .await;
    let mut backends = Backends::with_redis(
        Kind::Real,
        &format!("redis://:{PASSWORD}@127.0.0.1:{plain}"),
    )
    .await;
    without_redis_url(&mut backends);
    let client = client();
    let tls_port = tls.to_string();
    let ca_file = ca.ca().display().to_string();
    // Exactly the blueprint's Redis variables, on the TLS port.
    let blueprint = [
        ("REDIS_HOST", "127.0.0.1"),
        ("REDIS_PORT", tls_port.as_str()),
        ("REDIS_TLS", "true"),
        ("REDIS_PASSWORD", PASSWORD),
    ];

    // The CA among the "system" certificates (SSL_CERT_FILE replaces the system bundle), as
    // ElastiCache's publicly trusted certificate is in production: a full round trip.
    let mut all = backends.spawn(
        "all",
        &[&blueprint[..], &[("SSL_CERT_FILE", ca_file.as_str())]].concat(),
    );
    let base = all.url("api").await;
    assert!(
        all.output().contains(&format!("rediss://127.0.0.1:{tls}")),
        "{}",
        all.output()
    );
    for count in 1..=20 {
        assert_eq!(post_count(&client, &base, count).await, 202);
    }
    assert_eq!(
        wait_for_rows(&backends, 20).await.values,
        (1..=20).collect()
    );
    let (status, body) = readiness(&client, &base).await;
    assert_eq!(status, 200, "{body}");
    // The worker drained the stream over TLS too.
    wait_for("the stream to drain", PATIENCE, || async {
        (backends.stream().len(&backends.stream().name) == 0).then_some(())
    })
    .await;

    // The same with the CA given by REDIS_TLS_CA (a private CA), and with a rediss:// URL.
    let url = format!("rediss://127.0.0.1:{tls}");
    for extra in [
        vec![("REDIS_TLS_CA", ca_file.as_str())],
        vec![
            ("REDIS_URL", url.as_str()),
            ("REDIS_TLS_CA", ca_file.as_str()),
        ],
    ] {
        let mut api = backends.spawn("api", &[&blueprint[..], &extra[..]].concat());
        let base = api.url("api").await;
        let (status, body) = readiness(&client, &base).await;
        assert_eq!(status, 200, "{extra:?}: {body}");
        assert_eq!(post_count(&client, &base, 100).await, 202);
        api.kill();
    }

    // A server certificate no trusted CA signed: refused, and the log says it is the
    // certificate.
    let mut untrusted = backends.spawn(
        "api",
        &[&blueprint[..], &[("SSL_CERT_FILE", "/dev/null")]].concat(),
    );
    let base = untrusted.url("api").await;
    let (status, body) = readiness(&client, &base).await;
    assert_eq!(
        (status.as_u16(), &body["queue"]),
        (503, &"down".into()),
        "{body}"
    );
    wait_for_log(&untrusted, "certificate").await;

    // Plaintext to the TLS port does not work (so the round trip above really was TLS).
    let mut plaintext =
        backends.spawn("api", &[&blueprint[..], &[("REDIS_TLS", "false")]].concat());
    let base = plaintext.url("api").await;
    let (status, body) = readiness(&client, &base).await;
    assert_eq!(
        (status.as_u16(), &body["queue"]),
        (503, &"down".into()),
        "{body}"
    );

    for process in [&all, &untrusted, &plaintext] {
        assert!(
            !process.output().contains(PASSWORD),
            "{} logged the password",
            process.role
        );
    }
    for process in [&mut all, &mut untrusted, &mut plaintext] {
        process.kill();
    }
}

/// MYSQL_TLS=true means encrypted or nothing. The shared MariaDB decides which outcome this
/// test checks: with TLS enabled the connection must work (and be encrypted); without, the
/// application must refuse to fall back to plaintext. Either way something real is asserted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_tls_required_never_falls_back_to_plaintext() {
    let mut admin = sqlx::MySqlConnection::connect(&mysql_admin_url())
        .await
        .unwrap_or_else(|e| panic!("MariaDB is not reachable ({e}); run scripts/services.sh"));
    let (_, have_ssl): (String, String) = sqlx::query_as("SHOW VARIABLES LIKE 'have_ssl'")
        .fetch_one(&mut admin)
        .await
        .expect("have_ssl");
    admin.close().await.ok();
    let server_has_tls = have_ssl == "YES";
    eprintln!("MariaDB have_ssl = {have_ssl}");

    let backends = Backends::new(Kind::Real).await;
    let client = client();
    let no_migrations = ("MIGRATE_ON_START", "false");

    // Explicitly off: plaintext, works whatever the server offers.
    let mut off = backends.spawn("api", &[("MYSQL_TLS", "false"), no_migrations]);
    let base = off.url("api").await;
    let (status, body) = readiness(&client, &base).await;
    assert_eq!(status, 200, "{body}");
    off.kill();

    let mut required = backends.spawn("api", &[("MYSQL_TLS", "true"), no_migrations]);
    let base = required.url("api").await;
    assert!(
        required.output().contains("ssl-mode=REQUIRED"),
        "{}",
        required.output()
    );
    let (status, body) = readiness(&client, &base).await;
    if server_has_tls {
        assert_eq!(status, 200, "{body}");
    } else {
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["database"], "down", "{body}");
        wait_for_log(&required, "TLS").await;
    }

    // ssl-mode=REQUIRED inside DATABASE_URL does the same.
    let url = format!(
        "{}?ssl-mode=REQUIRED",
        backends.database.as_ref().unwrap().url()
    );
    let mut in_url = backends.spawn("api", &[("DATABASE_URL", url.as_str()), no_migrations]);
    let base = in_url.url("api").await;
    let (status, body) = readiness(&client, &base).await;
    let expected = if server_has_tls { 200 } else { 503 };
    assert_eq!(status, expected, "{body}");
    required.kill();
    in_url.kill();

    // The connection the API uses really is encrypted when the server can.
    if server_has_tls {
        let mut conn = sqlx::MySqlConnection::connect(&url).await.expect("TLS");
        let (_, cipher): (String, String) = sqlx::query_as("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
            .fetch_one(&mut conn)
            .await
            .expect("Ssl_cipher");
        assert!(!cipher.is_empty());
        conn.execute("SELECT 1").await.unwrap();
    }
}
