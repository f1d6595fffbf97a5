//! A PostgreSQL database as `--journal` names it: the URL's connection settings and
//! the name it may be shown by.
//!
//! Owns reading `postgres://` URLs and the name without a password that every
//! message uses. It must never keep a password in [`Database::name`], never show
//! one in `Debug`, and never connect: [`super::Postgres`] does.

use std::fmt;
use std::time::Duration;

use postgres::config::Host;
use postgres::Config;

use super::PostgresError;

/// How long a connection attempt may take unless the URL says (`connect_timeout`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A PostgreSQL database: where to connect, and the name it is shown by.
#[derive(Clone)]
pub struct Database {
    config: Config,
    name: String,
}

impl Database {
    /// True when `text` is a PostgreSQL URL (`postgres://…` or `postgresql://…`).
    pub fn is_url(text: &str) -> bool {
        text.starts_with("postgres://") || text.starts_with("postgresql://")
    }

    /// Reads a URL such as `postgres://user@host/db` or, on a Unix socket,
    /// `postgres://postgres@localhost/db?host=/run/postgresql`.
    pub fn parse(url: &str) -> Result<Database, PostgresError> {
        let mut config: Config =
            url.parse()
                .map_err(|source: postgres::Error| PostgresError::Url {
                    name: redact(url),
                    problem: source.to_string(),
                })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("accessctl");
        }
        let name = name(&config);
        Ok(Database { config, name })
    }

    /// The database as it may be shown: `postgres://user@host:port/db`, or
    /// `postgres://user@/db?host=DIR` on a Unix socket; never a password.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The connection settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The same server and user, another database (for harnesses that make one
    /// database per test).
    pub fn with_dbname(&self, dbname: &str) -> Database {
        let mut config = self.config.clone();
        config.dbname(dbname);
        let name = name(&config);
        Database { config, name }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Database").field(&self.name).finish()
    }
}

/// The name of the database `config` connects to, without its password.
fn name(config: &Config) -> String {
    let user = config.get_user().unwrap_or_default();
    let dbname = config.get_dbname().unwrap_or(user);
    let ports = config.get_ports();
    let mut tcp = Vec::new();
    let mut sockets = Vec::new();
    for (index, host) in config.get_hosts().iter().enumerate() {
        let port = ports.get(index).or(ports.first());
        match host {
            Host::Tcp(host) => match port {
                Some(port) => tcp.push(format!("{host}:{port}")),
                None => tcp.push(host.clone()),
            },
            Host::Unix(dir) => sockets.push(dir.display().to_string()),
        }
    }
    let mut text = format!("postgres://{user}@{}/{dbname}", tcp.join(","));
    if !sockets.is_empty() {
        text.push_str(&format!("?host={}", sockets.join(",")));
    }
    text
}

/// `url` with any password masked, for a URL that does not read: the userinfo's
/// `:password` and a `password=` parameter become `***`.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(end) => rest.split_at(end),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    let tail = mask_parameter(tail, "password=");
    match scheme.is_empty() {
        true => format!("{authority}{tail}"),
        false => format!("{scheme}://{authority}{tail}"),
    }
}

/// `text` with the value of every `key` parameter (up to the next `&`) masked.
fn mask_parameter(text: &str, key: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(key) {
        let (before, after) = rest.split_at(start + key.len());
        out.push_str(before);
        out.push_str("***");
        rest = after.find('&').map_or("", |end| after.split_at(end).1);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_is_named_without_its_password() {
        let tcp = Database::parse("postgres://ana:s3cret@db.example:6432/fleet").unwrap();
        assert_eq!(tcp.name(), "postgres://ana@db.example:6432/fleet");
        let socket = Database::parse("postgres://postgres:s3cret@/events?host=/tmp/pg").unwrap();
        assert_eq!(socket.name(), "postgres://postgres@/events?host=/tmp/pg");
        // A host in the URL and one in `host=` are both tried, and both named.
        let both =
            Database::parse("postgres://postgres:s3cret@localhost/events?host=/tmp/pg").unwrap();
        assert_eq!(
            both.name(),
            "postgres://postgres@localhost:5432/events?host=/tmp/pg"
        );
        let parameter = Database::parse("postgresql://u@h/d?password=s3cret").unwrap();
        assert!(!format!("{parameter:?} {}", parameter.name()).contains("s3cret"));
    }

    #[test]
    fn a_url_that_does_not_read_is_shown_masked() {
        assert_eq!(
            redact("postgres://ana:s3cret@h/d?x=1"),
            "postgres://ana:***@h/d?x=1"
        );
        assert_eq!(
            redact("postgres://h/d?password=s3cret&sslmode=off"),
            "postgres://h/d?password=***&sslmode=off"
        );
        let error = Database::parse("postgres://ana:s3cret@h/d?nonsense=1").unwrap_err();
        assert!(!error.to_string().contains("s3cret"), "{error}");
    }
}
