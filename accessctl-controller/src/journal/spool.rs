//! The spool: a controller's events on their way from its local SQLite journal to the
//! shared store (PostgreSQL), in order, none lost and none twice.
//!
//! Every event is recorded in the local journal first, with the controller's next
//! sequence number; the door's path ends there. A [`Flusher`] thread, on its own
//! connection to the local database, reads the events after the watermark (the last
//! sequence number committed to the shared store, kept in the local `spool` table),
//! appends them in batches in sequence order, and moves the watermark only after the
//! shared store committed. A crash between the two sends the batch again, which the
//! events' identity makes harmless. While the store is unreachable the spool grows;
//! the flusher reconnects with backoff and reports every failure as a
//! [`SpoolReport`].
//!
//! It must never block the controller on the network, never skip an event, never
//! move the watermark past an event not committed, and never render anything.

use std::path::Path;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::params;

use super::{Entry, EventStore, Journal, JournalError, StoreError};

impl Journal {
    /// Makes `target` the store this journal's spool flushes to. A new target starts
    /// with every event this journal still holds (sending them again is harmless).
    pub fn spool_to(&mut self, target: &str) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT INTO spool (one, target, flushed) VALUES (1, ?1, 0)
                 ON CONFLICT (one) DO UPDATE SET target = excluded.target, flushed = 0
                 WHERE spool.target <> excluded.target",
                params![target],
            )
            .map(drop)
            .map_err(|e| self.fail("set the spool's target", e))
    }

    /// The store the spool flushes to and the last sequence number committed there,
    /// if the journal has a spool.
    pub fn spool_state(&self) -> Result<Option<(String, i64)>, JournalError> {
        let read = || {
            let mut statement = self
                .conn
                .prepare_cached("SELECT target, flushed FROM spool")?;
            let mut rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.next().transpose()
        };
        read().map_err(|e| self.fail("read the spool", e))
    }

    /// This controller's events not yet committed to the spool's target, oldest
    /// first, at most `limit`.
    pub fn spooled(&self, limit: usize) -> Result<Vec<Entry>, JournalError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {} FROM events WHERE controller = ?1
               AND seq > COALESCE((SELECT flushed FROM spool), 0)
             ORDER BY seq LIMIT ?2",
            super::COLUMNS
        );
        let read = || {
            let mut statement = self.conn.prepare_cached(&sql)?;
            let rows = statement.query_map(params![self.controller, limit], super::raw_entry)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        };
        let rows = read().map_err(|e| self.fail("read the spool", e))?;
        rows.into_iter().map(|row| self.entry(row)).collect()
    }

    /// How many of this controller's events wait in the spool.
    pub fn pending(&self) -> Result<u64, JournalError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM events WHERE controller = ?1
                   AND seq > COALESCE((SELECT flushed FROM spool), 0)",
                params![self.controller],
                |row| row.get::<_, i64>(0),
            )
            .map(i64::unsigned_abs)
            .map_err(|e| self.fail("count the spool", e))
    }

    /// Records that every event of this controller up to `through` is committed to
    /// `target`. The watermark never moves back.
    pub fn mark_flushed(&mut self, target: &str, through: i64) -> Result<(), JournalError> {
        self.conn
            .execute(
                "UPDATE spool SET flushed = MAX(flushed, ?2) WHERE target = ?1",
                params![target, through],
            )
            .map(drop)
            .map_err(|e| self.fail("move the spool's watermark", e))
    }
}

/// What one flush did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flushed {
    /// Events sent.
    pub sent: usize,
    /// Of those, events the store did not hold yet (fewer after a crash mid-flush).
    pub new: usize,
    /// The last sequence number now committed (0 when nothing was sent).
    pub through: i64,
}

/// Where a flush failed.
#[derive(Debug, thiserror::Error)]
pub enum FlushError {
    /// The local journal could not be read or its watermark moved.
    #[error("spool: {0}")]
    Local(#[source] JournalError),
    /// The shared store refused the batch or could not be reached.
    #[error("spool: {0}")]
    Remote(#[source] StoreError),
}

/// Sends the next batch of at most `batch` spooled events to `remote`, then moves
/// the watermark. Safe to interrupt anywhere: the watermark moves only after the
/// store committed, and a batch sent again changes nothing there.
pub fn flush_once(
    local: &mut Journal,
    remote: &mut dyn EventStore,
    batch: usize,
) -> Result<Flushed, FlushError> {
    let target = remote.name();
    local.spool_to(&target).map_err(FlushError::Local)?;
    let entries = local.spooled(batch).map_err(FlushError::Local)?;
    let Some(last) = entries.last() else {
        return Ok(Flushed {
            sent: 0,
            new: 0,
            through: 0,
        });
    };
    let through = last.id;
    let new = remote.append(&entries).map_err(FlushError::Remote)?;
    local
        .mark_flushed(&target, through)
        .map_err(FlushError::Local)?;
    Ok(Flushed {
        sent: entries.len(),
        new,
        through,
    })
}

/// How the flusher paces itself.
#[derive(Debug, Clone, Copy)]
pub struct SpoolConfig {
    /// Events per batch (one transaction in the shared store).
    pub batch: usize,
    /// The first wait after a failure; doubled after each one in a row.
    pub backoff_min: Duration,
    /// The longest wait between attempts.
    pub backoff_max: Duration,
    /// How long to wait for new events when the spool is empty (a
    /// [`Flusher::wake`] ends the wait early).
    pub idle: Duration,
}

impl Default for SpoolConfig {
    fn default() -> SpoolConfig {
        SpoolConfig {
            batch: 500,
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(10),
            idle: Duration::from_millis(250),
        }
    }
}

/// What the flusher did or failed to do, for the caller to render.
#[derive(Debug)]
#[non_exhaustive]
pub enum SpoolReport {
    /// Connected to the shared store (at start, or again after a failure).
    Connected {
        /// The store, without its password.
        target: String,
        /// Events waiting in the spool then.
        pending: u64,
    },
    /// A batch was committed.
    Flushed {
        /// The store.
        target: String,
        /// What the flush did.
        flushed: Flushed,
    },
    /// The shared store could not be reached or refused a batch; the events stay
    /// in the spool and the flusher tries again after `retry_in`.
    Unreachable {
        /// Why.
        error: StoreError,
        /// The wait before the next attempt.
        retry_in: Duration,
    },
    /// The local journal failed; the flusher tries again after `retry_in`.
    LocalFailed {
        /// Why.
        error: JournalError,
        /// The wait before the next attempt.
        retry_in: Duration,
    },
}

/// Opens the shared store: called again after each failure.
pub type Connect = Box<dyn FnMut() -> Result<Box<dyn EventStore + Send>, StoreError> + Send>;

/// The flusher's thread and the way to talk to it.
pub struct Flusher {
    signal: Arc<Signal>,
    reports: Receiver<SpoolReport>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Flusher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flusher").finish_non_exhaustive()
    }
}

/// Stop and wake flags, and the condition variable the thread waits on.
#[derive(Default)]
struct Signal {
    state: Mutex<(bool, bool)>,
    changed: Condvar,
}

impl Signal {
    /// Sets the stop or wake flag and wakes the thread.
    fn raise(&self, stop: bool) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if stop {
            state.0 = true;
        } else {
            state.1 = true;
        }
        self.changed.notify_all();
    }

    /// Waits `timeout` or until raised; true when the thread should stop.
    fn wait(&self, timeout: Duration) -> bool {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut state, _) = self
            .changed
            .wait_timeout_while(state, timeout, |(stop, wake)| !*stop && !*wake)
            .unwrap_or_else(PoisonError::into_inner);
        state.1 = false;
        state.0
    }

    fn stopped(&self) -> bool {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).0
    }
}

impl Flusher {
    /// Starts flushing the journal at `local` (a file: the thread opens its own
    /// connection) to the store `connect` opens.
    pub fn start(
        local: &Path,
        connect: Connect,
        config: SpoolConfig,
    ) -> Result<Flusher, JournalError> {
        let journal = Journal::open(local)?;
        let signal = Arc::new(Signal::default());
        let (sender, reports) = channel();
        let thread_signal = Arc::clone(&signal);
        let thread = std::thread::Builder::new()
            .name("accessctl-spool".into())
            .spawn(move || run(journal, connect, config, &thread_signal, &sender))
            .map_err(|source| JournalError::Thread {
                path: local.to_path_buf(),
                source,
            })?;
        Ok(Flusher {
            signal,
            reports,
            thread: Some(thread),
        })
    }

    /// Asks for a flush now (after recording events), without waiting for it.
    pub fn wake(&self) {
        self.signal.raise(false);
    }

    /// The reports since the last call, oldest first.
    pub fn reports(&self) -> Vec<SpoolReport> {
        self.reports.try_iter().collect()
    }

    /// Stops the thread (after a last flush while connected) and returns the
    /// reports not taken yet.
    pub fn stop(mut self) -> Vec<SpoolReport> {
        self.halt();
        self.reports()
    }

    fn halt(&mut self) {
        self.signal.raise(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        self.halt();
    }
}

/// The flusher's loop: connect, flush batch after batch, wait when empty, back off
/// after a failure.
fn run(
    mut local: Journal,
    mut connect: Connect,
    config: SpoolConfig,
    signal: &Signal,
    reports: &Sender<SpoolReport>,
) {
    let mut remote: Option<Box<dyn EventStore + Send>> = None;
    let mut backoff = config.backoff_min;
    let mut report = |report| drop(reports.send(report));
    loop {
        let store = match remote.as_mut() {
            Some(store) => store,
            None => match connect() {
                Ok(store) => {
                    let pending = local.pending().unwrap_or(0);
                    report(SpoolReport::Connected {
                        target: store.name(),
                        pending,
                    });
                    remote.insert(store)
                }
                Err(error) => {
                    report(SpoolReport::Unreachable {
                        error,
                        retry_in: backoff,
                    });
                    if signal.wait(backoff) {
                        return;
                    }
                    backoff = (backoff * 2).min(config.backoff_max);
                    continue;
                }
            },
        };
        let wait = match flush_once(&mut local, store.as_mut(), config.batch) {
            Ok(flushed) if flushed.sent == 0 => {
                backoff = config.backoff_min;
                config.idle
            }
            Ok(flushed) => {
                backoff = config.backoff_min;
                report(SpoolReport::Flushed {
                    target: store.name(),
                    flushed,
                });
                Duration::ZERO
            }
            Err(FlushError::Remote(error)) => {
                remote = None;
                report(SpoolReport::Unreachable {
                    error,
                    retry_in: backoff,
                });
                let wait = backoff;
                backoff = (backoff * 2).min(config.backoff_max);
                wait
            }
            Err(FlushError::Local(error)) => {
                report(SpoolReport::LocalFailed {
                    error,
                    retry_in: backoff,
                });
                let wait = backoff;
                backoff = (backoff * 2).min(config.backoff_max);
                wait
            }
        };
        let stop = signal.stopped() || (wait > Duration::ZERO && signal.wait(wait));
        if stop {
            if let Some(store) = remote.as_mut() {
                drain(&mut local, store.as_mut(), config.batch, &mut report);
            }
            return;
        }
    }
}

/// The last flush before stopping: batch after batch while they succeed.
fn drain(
    local: &mut Journal,
    remote: &mut dyn EventStore,
    batch: usize,
    report: &mut impl FnMut(SpoolReport),
) {
    while let Ok(flushed) = flush_once(local, remote, batch) {
        if flushed.sent == 0 {
            return;
        }
        report(SpoolReport::Flushed {
            target: remote.name(),
            flushed,
        });
    }
}
