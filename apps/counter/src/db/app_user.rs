//! The application's MySQL user: created by `counter migrate` (with the administrator's
//! connection) with exactly the privileges the API and the worker need, nothing else; its
//! password set on every run, so a rotated secret applies at the next migration.

use std::str::FromStr;

use anyhow::Context;
use sqlx::mysql::MySqlConnectOptions;
use sqlx::{Connection, Executor, MySqlConnection};

use crate::config::{AppUser, SecretUrl};

/// What the services do, per table. The API reads `counts` (`GET /count`); the worker inserts
/// into it (`INSERT IGNORE` skips stored ids without UPDATE rights), so no stored count can be
/// changed or deleted with these credentials. A migration that adds a table the services use
/// adds it here.
pub const PRIVILEGES: &[(&str, &str)] = &[("counts", "SELECT, INSERT")];

/// The host part of the account: any, as on RDS, where tasks connect from changing addresses.
const HOST: &str = "'%'";

/// Creates `user` if missing, sets its password and grants it [`PRIVILEGES`] on the tables of
/// the administrator's database (`admin`). Idempotent.
pub async fn provision(admin: &SecretUrl, user: &AppUser) -> anyhow::Result<()> {
    let options = MySqlConnectOptions::from_str(admin.expose())
        .with_context(|| format!("bad database url {admin}"))?;
    let mut conn = MySqlConnection::connect_with(&options)
        .await
        .context("cannot connect as the administrator to provision APP_MYSQL_USER")?;
    let sql_mode: String = sqlx::query_scalar("SELECT @@SESSION.sql_mode")
        .fetch_one(&mut conn)
        .await?;
    let quote = Quoting {
        backslash_escapes: !sql_mode.contains("NO_BACKSLASH_ESCAPES"),
    };
    let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(&mut conn)
        .await?;
    let database = database.context("the database URL names no database")?;

    let account = format!("{}@{HOST}", quote.string(&user.name));
    let password = quote.string(user.password.expose());
    // Plain `&str` statements go over the text protocol: account statements cannot be
    // prepared with placeholders on every server, so the values are quoted literals.
    let statements = [
        format!("CREATE USER IF NOT EXISTS {account} IDENTIFIED BY {password}"),
        format!("ALTER USER {account} IDENTIFIED BY {password}"),
    ];
    for statement in &statements {
        conn.execute(statement.as_str())
            .await
            .map_err(|e| without_secret(e, user.password.expose()))
            .with_context(|| format!("cannot create or update MySQL user {}", user.name))?;
    }
    for (table, privileges) in PRIVILEGES {
        let grant = format!(
            "GRANT {privileges} ON {}.{} TO {account}",
            identifier(&database),
            identifier(table)
        );
        conn.execute(grant.as_str())
            .await
            .with_context(|| format!("cannot grant {privileges} on {table} to {}", user.name))?;
    }
    tracing::info!(user = %user.name, database = %database, "application user is up to date");
    conn.close().await?;
    Ok(())
}

/// String literals for the session's `sql_mode`: with backslash escapes (the default) a
/// backslash must be doubled, with NO_BACKSLASH_ESCAPES it must not.
struct Quoting {
    backslash_escapes: bool,
}

impl Quoting {
    fn string(&self, value: &str) -> String {
        let mut quoted = String::with_capacity(value.len() + 2);
        quoted.push('\'');
        for c in value.chars() {
            match c {
                '\'' => quoted.push_str("''"),
                '\\' if self.backslash_escapes => quoted.push_str("\\\\"),
                c => quoted.push(c),
            }
        }
        quoted.push('\'');
        quoted
    }
}

/// A quoted identifier (database or table name).
fn identifier(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The error, unless its text contains the password (a server echoing the statement).
fn without_secret(error: sqlx::Error, password: &str) -> anyhow::Error {
    let text = error.to_string();
    if text.contains(password) {
        anyhow::anyhow!(
            "the server rejected the statement (its message is withheld: it contains the password)"
        )
    } else {
        anyhow::Error::new(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_follow_the_sql_mode() {
        let escaping = Quoting {
            backslash_escapes: true,
        };
        let literal = Quoting {
            backslash_escapes: false,
        };
        assert_eq!(escaping.string(r"it's a \ pass"), r"'it''s a \\ pass'");
        assert_eq!(literal.string(r"it's a \ pass"), r"'it''s a \ pass'");
        assert_eq!(identifier("a`b"), "`a``b`");
    }
}
