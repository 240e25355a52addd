//! Settings from the environment, with laptop defaults: `127.0.0.1:8080`, items in memory, any
//! CORS origin, text logs. On AWS the blueprint sets [`items_contract::env`]'s variables.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use items_contract::env;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub address: SocketAddr,
    /// `None`: items in memory.
    pub table: Option<String>,
    /// `None`: any origin.
    pub cors_origins: Option<Vec<String>>,
    pub log_format: LogFormat,
}

/// A variable with a value the API cannot use.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{name}={value:?}: {problem}")]
pub struct BadSetting {
    pub name: &'static str,
    pub value: String,
    pub problem: &'static str,
}

impl Settings {
    pub fn from_env() -> Result<Settings, BadSetting> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The settings from `lookup` (a variable's value, if set and not empty).
    pub fn from_lookup(
        lookup: impl Fn(&'static str) -> Option<String>,
    ) -> Result<Settings, BadSetting> {
        let get = |name| lookup(name).filter(|v| !v.trim().is_empty());
        let bad = |name, value: String, problem| BadSetting {
            name,
            value,
            problem,
        };
        let host = match get(env::HTTP_HOST) {
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(v) => v
                .parse()
                .map_err(|_| bad(env::HTTP_HOST, v, "not an IP address"))?,
        };
        let port = match get(env::HTTP_PORT) {
            None => items_contract::DEFAULT_HTTP_PORT,
            Some(v) => v
                .parse()
                .map_err(|_| bad(env::HTTP_PORT, v, "not a port number"))?,
        };
        let cors_origins = match get(env::CORS_ALLOW_ORIGINS) {
            None => None,
            Some(v) if v.trim() == "*" => None,
            Some(v) => Some(
                v.split(',')
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect(),
            ),
        };
        let log_format = match get(env::LOG_FORMAT).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(v) => return Err(bad(env::LOG_FORMAT, v.to_owned(), "text or json")),
        };
        Ok(Settings {
            address: SocketAddr::new(host, port),
            table: get(env::ITEMS_TABLE),
            cors_origins,
            log_format,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn it_reads_exactly_the_contract_s_variables() {
        let asked = RefCell::new(BTreeSet::new());
        Settings::from_lookup(|name| {
            asked.borrow_mut().insert(name);
            None
        })
        .unwrap();
        let contract: BTreeSet<&str> = env::READ.iter().copied().collect();
        assert_eq!(asked.into_inner(), contract);
    }

    #[test]
    fn defaults_run_on_a_laptop_and_bad_values_name_their_variable() {
        let defaults = Settings::from_lookup(|_| None).unwrap();
        assert_eq!(defaults.address.to_string(), "127.0.0.1:8080");
        assert_eq!(defaults.table, None);
        let set = Settings::from_lookup(|name| match name {
            env::ITEMS_TABLE => Some("items".into()),
            env::CORS_ALLOW_ORIGINS => Some("https://a.example, https://b.example".into()),
            env::HTTP_HOST => Some("0.0.0.0".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(set.table.as_deref(), Some("items"));
        assert_eq!(
            set.cors_origins.unwrap(),
            ["https://a.example", "https://b.example"]
        );
        let err = Settings::from_lookup(|name| (name == env::HTTP_PORT).then(|| "eighty".into()))
            .unwrap_err();
        assert_eq!(err.to_string(), "HTTP_PORT=\"eighty\": not a port number");
    }
}
