//! A DynamoDB API served locally: moto in server mode on loopback (scripts/moto_serial.py, one
//! request at a time, so conditional writes are as atomic as DynamoDB's), and fresh tables in it.
//! moto is installed by scripts/python-tools.sh; without it these tests fail and say so.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;

/// One server per test binary; a static is never dropped, and the script ends with its parent.
struct Moto {
    endpoint: String,
    _child: Child,
}

fn endpoint() -> &'static str {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    &MOTO
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            let python = root.join(".venv/moto/bin/python");
            assert!(
                python.exists(),
                "{} is missing: run `bash scripts/python-tools.sh`",
                python.display()
            );
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let child = Command::new(python)
                .arg(root.join("scripts/moto_serial.py"))
                .arg(port.to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("moto starts");
            let deadline = Instant::now() + Duration::from_secs(60);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(
                    Instant::now() < deadline,
                    "moto did not listen on port {port}"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            Moto {
                endpoint: format!("http://127.0.0.1:{port}"),
                _child: child,
            }
        })
        .endpoint
}

pub fn client() -> Client {
    let creds =
        aws_sdk_dynamodb::config::Credentials::new("testing", "testing", None, None, "tests");
    let timeouts = aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(60))
        .build();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version_latest()
        .region(aws_sdk_dynamodb::config::Region::new("eu-central-1"))
        .credentials_provider(creds)
        .endpoint_url(endpoint())
        .timeout_config(timeouts)
        .build();
    Client::from_conf(config)
}

/// A fresh table with the blueprint's key schema (`id`, a string).
pub async fn table(client: &Client, name: &str) -> String {
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(items_contract::PARTITION_KEY)
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(items_contract::PARTITION_KEY)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    name.to_owned()
}
