//! The moto helper against the real server (`.venv/moto`, from `bash scripts/python-tools.sh
//! moto`), and its failures without one.

use std::net::TcpStream;
use std::path::Path;

use stackcraft_testkit::moto::Moto;

#[test]
fn servers_answer_on_ports_of_their_own_until_dropped() {
    let (a, b) = (Moto::start(), Moto::start());
    assert!(a.url().starts_with("http://127.0.0.1:"), "{}", a.url());
    assert_ne!(a.url(), b.url());
    let address = a.address().to_owned();
    assert!(TcpStream::connect(&address).is_ok());
    drop(a);
    assert!(TcpStream::connect(&address).is_err(), "stopped on drop");
    assert!(TcpStream::connect(b.address()).is_ok());
}

#[test]
fn the_shared_server_is_one() {
    let first = stackcraft_testkit::moto::shared().url();
    assert_eq!(first, stackcraft_testkit::moto::shared().url());
}

/// The panic's message.
fn failure(python: &'static str) -> String {
    let panic = std::panic::catch_unwind(|| Moto::start_with(Path::new(python))).unwrap_err();
    match panic.downcast::<String>() {
        Ok(message) => *message,
        Err(panic) => panic.downcast::<&str>().map(|m| m.to_string()).unwrap(),
    }
}

#[test]
fn without_moto_the_test_fails_and_says_why() {
    let missing = failure("/nonexistent/python");
    assert!(
        missing.contains("/nonexistent/python is missing")
            && missing.contains("scripts/python-tools.sh moto"),
        "{missing}"
    );
    // An interpreter that exits at once: reported, not waited for.
    let exited = failure("/bin/false");
    assert!(
        exited.contains("moto did not start") && exited.contains("moto exited"),
        "{exited}"
    );
}
