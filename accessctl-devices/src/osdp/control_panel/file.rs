//! Sending one file to one PD: `osdp_FILETRANSFER` fragments, paced by the PD's
//! `osdp_FTSTAT` answers.
//!
//! Owns [`FileSender`]: it cuts the file into fragments no longer than the smallest of
//! the CP's fragment length and what fits in the PD's receive buffer and in the PD's
//! last "update message max" (a message size, per SIA OSDP 2.2), waits the delay each `osdp_FTSTAT` asks for, keeps sending empty fragments
//! while the PD says it is finishing, and tells success from failure by the status
//! code. It never sends anything itself, nor retries a fragment: the PD loop does.

use std::time::{Duration, Instant};

use super::timing::later;
use crate::osdp::command::{FileTransfer, FileType};
use crate::osdp::reply::{FileTransferCode, FileTransferStatus};

/// Bytes a file fragment's frame adds around its data, at worst: header, security
/// block, code, `osdp_FILETRANSFER` header, encryption padding, MAC, CRC.
pub(super) const FILE_FRAME_OVERHEAD: usize = 5 + 2 + 1 + 11 + 16 + 4 + 2;

/// How many empty "finishing" keep-alive fragments a PD may ask for before the
/// transfer is given up.
const MAX_KEEP_ALIVES: u32 = 1000;

/// What an `osdp_FTSTAT` meant for the transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum FileStep {
    /// Go on: `sent` bytes of `total` accepted.
    Progress {
        /// Bytes accepted.
        sent: usize,
        /// The file's size.
        total: usize,
    },
    /// Every byte is in and the PD is still finishing: nothing new, ask again.
    Finishing,
    /// The PD processed the whole file; `rebooting` when it restarts now.
    Done {
        /// Whether the PD said it reboots.
        rebooting: bool,
    },
    /// The transfer failed.
    Failed(String),
}

/// The sending side of one file transfer.
#[derive(Debug)]
pub(super) struct FileSender {
    file_type: FileType,
    contents: Vec<u8>,
    /// Bytes the PD has accepted.
    accepted: usize,
    /// The length of the fragment awaiting its `osdp_FTSTAT`.
    in_flight: Option<usize>,
    /// The largest fragment the PD accepts now.
    max_fragment: usize,
    /// When the next fragment may go.
    ready_at: Option<Instant>,
    keep_alives: u32,
}

impl FileSender {
    /// A transfer of `contents` (at most `u32::MAX` bytes, checked by the caller), in
    /// fragments of at most `max_fragment` bytes.
    pub(super) fn new(file_type: FileType, contents: Vec<u8>, max_fragment: usize) -> Self {
        Self {
            file_type,
            contents,
            accepted: 0,
            in_flight: None,
            max_fragment: max_fragment.max(1),
            ready_at: None,
            keep_alives: 0,
        }
    }

    /// Whether the next fragment may be sent at `now`.
    pub(super) fn is_ready(&self, now: Instant) -> bool {
        self.ready_at.is_none_or(|at| at <= now)
    }

    /// When the next fragment may be sent (`None`: now).
    pub(super) fn ready_at(&self) -> Option<Instant> {
        self.ready_at
    }

    /// Never send fragments longer than `limit` (the PD's receive buffer allows no
    /// more).
    pub(super) fn limit_fragment(&mut self, limit: usize) {
        self.max_fragment = self.max_fragment.min(limit.max(1));
    }

    /// The next fragment, from the first byte not yet accepted (empty once all were:
    /// a keep-alive while the PD finishes).
    pub(super) fn next_fragment(&mut self) -> FileTransfer {
        let end = self
            .accepted
            .saturating_add(self.max_fragment)
            .min(self.contents.len());
        let data = self
            .contents
            .get(self.accepted..end)
            .unwrap_or_default()
            .to_vec();
        self.in_flight = Some(data.len());
        FileTransfer {
            file_type: self.file_type,
            total_size: to_u32(self.contents.len()),
            offset: to_u32(self.accepted),
            data,
        }
    }

    /// Takes the PD's answer to the fragment in flight, received at `now`.
    pub(super) fn accept_status(&mut self, status: &FileTransferStatus, now: Instant) -> FileStep {
        if status.status.0 < 0 {
            return FileStep::Failed(describe(status.status));
        }
        let fragment = self.in_flight.take().unwrap_or(0);
        self.accepted = self
            .accepted
            .saturating_add(fragment)
            .min(self.contents.len());
        if status.update_max > 0 {
            // A message size: the fragment is what is left after the frame's overhead.
            self.max_fragment = usize::from(status.update_max)
                .saturating_sub(FILE_FRAME_OVERHEAD)
                .max(1);
        }
        self.ready_at = Some(later(now, Duration::from_millis(u64::from(status.delay))));
        if self.accepted < self.contents.len() {
            return self.progress();
        }
        self.finish(status.status, fragment)
    }

    /// The step once every byte was accepted.
    fn finish(&mut self, status: FileTransferCode, fragment: usize) -> FileStep {
        match status {
            FileTransferCode::FINISHING => {
                self.keep_alives += 1;
                if self.keep_alives > MAX_KEEP_ALIVES {
                    return FileStep::Failed("the PD kept finishing for too long".into());
                }
                if fragment > 0 {
                    return self.progress();
                }
                // A keep-alive answered: nothing new to report.
                FileStep::Finishing
            }
            FileTransferCode::REBOOTING => FileStep::Done { rebooting: true },
            _ => FileStep::Done { rebooting: false },
        }
    }

    fn progress(&self) -> FileStep {
        FileStep::Progress {
            sent: self.accepted,
            total: self.contents.len(),
        }
    }
}

/// The status code in words.
fn describe(code: FileTransferCode) -> String {
    match code.name() {
        Some(name) => format!("the PD answered {name} ({})", code.0),
        None => format!("the PD answered status {}", code.0),
    }
}

/// A length the caller checked to fit.
fn to_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osdp::reply::FileTransferAction;

    fn status(code: FileTransferCode, delay: u16, update_max: u16) -> FileTransferStatus {
        FileTransferStatus {
            action: FileTransferAction(FileTransferAction::INTERLEAVE),
            delay,
            status: code,
            update_max,
        }
    }

    #[test]
    fn fragments_follow_update_max_and_delay() {
        let now = Instant::now();
        let mut sender = FileSender::new(FileType::OPAQUE, (0..10).collect(), 4);
        let first = sender.next_fragment();
        assert_eq!(
            (first.offset, first.total_size, first.data),
            (0, 10, vec![0, 1, 2, 3])
        );
        let message_max = u16::try_from(FILE_FRAME_OVERHEAD + 3).unwrap();
        let step = sender.accept_status(&status(FileTransferCode::OK, 30, message_max), now);
        assert_eq!(step, FileStep::Progress { sent: 4, total: 10 });
        assert!(!sender.is_ready(now));
        assert!(sender.is_ready(now + Duration::from_millis(30)));
        assert_eq!(sender.next_fragment().data, vec![4, 5, 6]);
        sender.accept_status(&status(FileTransferCode::OK, 0, 0), now);
        assert_eq!(sender.next_fragment().data, vec![7, 8, 9]);
        let step = sender.accept_status(&status(FileTransferCode::FINISHING, 0, 0), now);
        assert_eq!(
            step,
            FileStep::Progress {
                sent: 10,
                total: 10
            }
        );
        let keep_alive = sender.next_fragment();
        assert_eq!((keep_alive.offset, keep_alive.data.len()), (10, 0));
        let step = sender.accept_status(&status(FileTransferCode::FINISHING, 0, 0), now);
        assert_eq!(step, FileStep::Finishing, "no progress to report again");
        sender.next_fragment();
        let step = sender.accept_status(&status(FileTransferCode::PROCESSED, 0, 0), now);
        assert_eq!(step, FileStep::Done { rebooting: false });
    }

    #[test]
    fn negative_status_fails() {
        let mut sender = FileSender::new(FileType::OPAQUE, vec![1; 8], 4);
        sender.next_fragment();
        let step = sender.accept_status(
            &status(FileTransferCode::UNRECOGNIZED, 0, 0),
            Instant::now(),
        );
        assert!(matches!(step, FileStep::Failed(reason) if reason.contains("unrecognized")));
    }
}
