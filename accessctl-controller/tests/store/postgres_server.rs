//! A real PostgreSQL for the tests and benchmarks that need one.
//!
//! Owns finding the server: `ACCESSCTL_TEST_POSTGRES` (a URL to a server whose
//! user may create databases) when set, else a throwaway cluster started here in a
//! temporary directory on a Unix socket (`initdb` and `pg_ctl` from the PATH or
//! `/usr/lib/postgresql/*/bin`, run as the `postgres` user when we are root), else a
//! panic saying what is missing: a test needing PostgreSQL never passes having done
//! nothing. Each test gets a fresh database of its own. A cluster started here is
//! stopped by a watchdog when the test process ends, however it ends.
//!
//! Included with `#[path]` by the controller's, the CLI's and the benches' tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use accessctl_controller::journal::postgres::client;
use accessctl_controller::journal::postgres::Database;

/// The environment variable naming a server to use instead of starting one.
pub const ENV: &str = "ACCESSCTL_TEST_POSTGRES";

/// A PostgreSQL server the tests may create databases on.
pub struct Server {
    /// The URL of its `postgres` database.
    pub url: String,
    /// The cluster we started, if we did (its data directory, socket directory).
    cluster: Option<Cluster>,
}

/// A cluster started by [`Cluster::start`].
pub struct Cluster {
    /// The temporary directory holding data and socket.
    root: tempfile::TempDir,
    bin: PathBuf,
    /// Whether commits reach the disk (`fsync`): on for benchmarks, off for tests.
    durable: bool,
}

/// The server every test of this process shares.
pub fn shared() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var(ENV) {
        Ok(url) if !url.is_empty() => Server { url, cluster: None },
        _ => Server::start(),
    })
}

/// A fresh, empty database on the shared server, named after `test`.
pub fn fresh_database(test: &str) -> Database {
    shared().fresh_database(test)
}

impl Server {
    /// A server someone else runs, at `url`.
    pub fn at(url: String) -> Server {
        Server { url, cluster: None }
    }

    /// Starts a throwaway cluster of our own, whatever `ACCESSCTL_TEST_POSTGRES`
    /// says (for a test that stops and starts its server).
    pub fn start() -> Server {
        let cluster = Cluster::start(false);
        Server {
            url: cluster.url(),
            cluster: Some(cluster),
        }
    }

    /// Starts a throwaway cluster with PostgreSQL's default durability (`fsync` on),
    /// for benchmarks.
    pub fn start_durable() -> Server {
        let cluster = Cluster::start(true);
        Server {
            url: cluster.url(),
            cluster: Some(cluster),
        }
    }

    /// A fresh, empty database named after `test` (and a counter).
    pub fn fresh_database(&self, test: &str) -> Database {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let name = format!(
            "t_{}_{}_{n}",
            std::process::id(),
            test.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        let admin = Database::parse(&self.url).expect("the server's URL reads");
        let mut client = admin
            .config()
            .connect(client::NoTls)
            .unwrap_or_else(|e| panic!("PostgreSQL at {} is unreachable: {e}", admin.name()));
        for statement in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            client
                .batch_execute(&statement)
                .expect("the test user may create databases");
        }
        admin.with_dbname(&name)
    }

    /// Stops the cluster (fast shutdown: connections are cut). Only for a cluster
    /// started here.
    pub fn stop(&self) {
        self.cluster
            .as_ref()
            .expect("a cluster of our own")
            .pg_ctl(&["-m", "fast", "-w", "stop"]);
    }

    /// Starts the cluster again after [`Server::stop`].
    pub fn restart(&self) {
        self.cluster
            .as_ref()
            .expect("a cluster of our own")
            .launch();
    }
}

impl Cluster {
    /// initdb and start a cluster in a new temporary directory.
    fn start(durable: bool) -> Cluster {
        let bin = binaries().unwrap_or_else(|| {
            panic!(
                "PostgreSQL is needed: set {ENV} to a server's URL, or install the server \
                 (`apt-get install -y postgresql`) so that initdb and pg_ctl are on the PATH \
                 or in /usr/lib/postgresql/*/bin"
            )
        });
        let root = tempfile::Builder::new()
            .prefix("accessctl-pg")
            .tempdir()
            .expect("a temporary directory");
        std::fs::create_dir(root.path().join("socket")).expect("a socket directory");
        if is_root() {
            let owned = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(root.path())
                .status();
            assert!(
                owned.is_ok_and(|s| s.success()),
                "chown to the postgres user"
            );
        }
        let data = root.path().join("data");
        let init = as_postgres(&bin.join("initdb"))
            .args([
                "--auth=trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--no-locale",
                "-D",
            ])
            .arg(&data)
            .stdout(Stdio::null())
            .output()
            .expect("initdb runs");
        assert!(
            init.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let cluster = Cluster { root, bin, durable };
        cluster.launch();
        cluster.watch();
        cluster
    }

    fn url(&self) -> String {
        format!(
            "postgres://postgres@/postgres?host={}",
            self.socket().display()
        )
    }

    fn socket(&self) -> PathBuf {
        self.root.path().join("socket")
    }

    fn launch(&self) {
        let options = format!(
            "-k {} -c listen_addresses='' -c fsync={} -c max_connections=200",
            self.socket().display(),
            if self.durable { "on" } else { "off" }
        );
        let log = self.root.path().join("log");
        self.pg_ctl(&[
            "-o",
            &options,
            "-l",
            &log.display().to_string(),
            "-w",
            "start",
        ]);
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.root.path().join("data");
        let output = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .args(args)
            .stdout(Stdio::null())
            .output()
            .expect("pg_ctl runs");
        assert!(
            output.status.success(),
            "pg_ctl {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// A shell that waits for this process to end, then stops the cluster and
    /// removes its directory.
    fn watch(&self) {
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; {stop} -D {data} -m immediate -w stop >/dev/null 2>&1; rm -rf {root}",
            pid = std::process::id(),
            stop = self.pg_ctl_command(),
            data = self.root.path().join("data").display(),
            root = self.root.path().display(),
        );
        let spawned = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        assert!(spawned.is_ok(), "the cluster's watchdog starts");
    }

    fn pg_ctl_command(&self) -> String {
        let pg_ctl = self.bin.join("pg_ctl").display().to_string();
        match is_root() {
            true => format!("runuser -u postgres -- {pg_ctl}"),
            false => pg_ctl,
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.root.path().join("data");
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The directory holding initdb and pg_ctl.
fn binaries() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut candidates = on_path;
    if let Ok(versions) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut dirs: Vec<PathBuf> = versions.flatten().map(|v| v.path().join("bin")).collect();
        dirs.sort();
        candidates.extend(dirs.into_iter().rev());
    }
    candidates
        .into_iter()
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
}

/// `program`, run as the `postgres` user when we are root (initdb refuses root).
fn as_postgres(program: &Path) -> Command {
    match is_root() {
        true => {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        }
        false => Command::new(program),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}
