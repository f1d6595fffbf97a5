//! The receiving end of `osdp_FILETRANSFER`: fragments gathered into a file.
//!
//! Owns `FileReceiver`: one transfer at a time, fragments in order (each at the offset
//! where the previous ended), the whole file at most `max_file_len` bytes. Each fragment
//! is answered with an `osdp_FTSTAT`: ok, processed once complete, or an error that
//! discards the transfer. When the application judges files, the last fragment is
//! answered "finishing" instead, and so is every empty fragment of that file until the
//! application's verdict: then "processed", or "unrecognized file contents". It never
//! interprets a file's contents (the application gets them in a `FileReceived` event)
//! and never holds more than `max_file_len` bytes.

use crate::osdp::command::{FileTransfer, FileType};
use crate::osdp::reply::{FileTransferAction, FileTransferCode, FileTransferStatus};

/// A file whose last fragment arrived.
pub(crate) type ReceivedFile = (FileType, Vec<u8>);

/// The transfer under way, if any.
#[derive(Debug)]
pub(crate) struct FileReceiver {
    max_len: usize,
    /// Whether the application judges each file before it is answered processed.
    judged: bool,
    transfer: Option<Transfer>,
    /// The last file received, while the CP awaits the application's verdict on it.
    received: Option<Received>,
}

/// A whole file the application was given to judge, and its verdict once given.
#[derive(Debug)]
struct Received {
    file_type: FileType,
    total: usize,
    accepted: Option<bool>,
}

#[derive(Debug)]
struct Transfer {
    file_type: FileType,
    total: usize,
    contents: Vec<u8>,
}

impl FileReceiver {
    /// A receiver accepting files of up to `max_len` bytes.
    pub(crate) fn new(max_len: usize) -> Self {
        Self {
            max_len,
            judged: false,
            transfer: None,
            received: None,
        }
    }

    /// Whether the application judges each file before the CP hears it processed.
    pub(crate) fn set_judged(&mut self, judged: bool) {
        self.judged = judged;
    }

    /// The application's verdict on the file it was given; `false` when no file
    /// awaits one (none received, already judged, or the transfer was dropped).
    pub(crate) fn judge(&mut self, accepted: bool) -> bool {
        match &mut self.received {
            Some(received) if received.accepted.is_none() => {
                received.accepted = Some(accepted);
                true
            }
            _ => false,
        }
    }

    /// Whether a transfer is under way.
    #[cfg(test)]
    pub(crate) fn in_progress(&self) -> bool {
        self.transfer.is_some()
    }

    /// Discards the transfer under way and any file awaiting its verdict
    /// (`osdp_ABORT`, a link reset).
    pub(crate) fn abort(&mut self) {
        self.transfer = None;
        self.received = None;
    }

    /// Takes one fragment: the `osdp_FTSTAT` answer, and the file when it is complete.
    pub(crate) fn receive(
        &mut self,
        fragment: &FileTransfer,
    ) -> (FileTransferStatus, Option<ReceivedFile>) {
        if let Some(code) = self.verdict(fragment) {
            return (status(code), None);
        }
        match self.accept(fragment) {
            Ok(Some(file)) if self.judged => {
                self.received = Some(Received {
                    file_type: file.0,
                    total: file.1.len(),
                    accepted: None,
                });
                (status(FileTransferCode::FINISHING), Some(file))
            }
            Ok(Some(file)) => (status(FileTransferCode::PROCESSED), Some(file)),
            Ok(None) => (status(FileTransferCode::OK), None),
            Err(code) => {
                self.transfer = None;
                (status(code), None)
            }
        }
    }

    /// The answer to an empty fragment of the file awaiting its verdict: finishing
    /// until the application judged it, then processed or unrecognized (and the file
    /// is forgotten). Any other fragment forgets that file and is a transfer's.
    fn verdict(&mut self, fragment: &FileTransfer) -> Option<FileTransferCode> {
        let received = self.received.as_ref()?;
        let same_file = fragment.data.is_empty()
            && fragment.file_type == received.file_type
            && usize::try_from(fragment.total_size).ok() == Some(received.total);
        if !same_file {
            self.received = None;
            return None;
        }
        let code = match received.accepted {
            None => return Some(FileTransferCode::FINISHING),
            Some(true) => FileTransferCode::PROCESSED,
            Some(false) => FileTransferCode::UNRECOGNIZED,
        };
        self.received = None;
        Some(code)
    }

    fn accept(
        &mut self,
        fragment: &FileTransfer,
    ) -> Result<Option<ReceivedFile>, FileTransferCode> {
        let total = usize::try_from(fragment.total_size).unwrap_or(usize::MAX);
        if total > self.max_len {
            return Err(FileTransferCode::ABORT);
        }
        if fragment.offset == 0 {
            self.transfer = Some(Transfer {
                file_type: fragment.file_type,
                total,
                contents: Vec::with_capacity(total),
            });
        }
        let transfer = self.transfer.as_mut().ok_or(FileTransferCode::MALFORMED)?;
        if transfer.file_type != fragment.file_type || transfer.total != total {
            return Err(FileTransferCode::MALFORMED);
        }
        if fragment.data.is_empty() && total != 0 {
            return Ok(None); // a keep-alive: nothing moves
        }
        let at = usize::try_from(fragment.offset).unwrap_or(usize::MAX);
        let end = at.saturating_add(fragment.data.len());
        if at != transfer.contents.len() || end > total {
            return Err(FileTransferCode::MALFORMED);
        }
        transfer.contents.extend_from_slice(&fragment.data);
        if end < total {
            return Ok(None);
        }
        Ok(self
            .transfer
            .take()
            .map(|done| (done.file_type, done.contents)))
    }
}

/// The `osdp_FTSTAT` saying `code`: other commands may be interleaved, no delay, the
/// fragment size unchanged.
fn status(code: FileTransferCode) -> FileTransferStatus {
    FileTransferStatus {
        action: FileTransferAction(FileTransferAction::INTERLEAVE),
        delay: 0,
        status: code,
        update_max: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fragment(total: u32, offset: u32, data: &[u8]) -> FileTransfer {
        FileTransfer {
            file_type: FileType::OPAQUE,
            total_size: total,
            offset,
            data: data.to_vec(),
        }
    }

    #[test]
    fn fragments_in_order_make_the_file() {
        let mut receiver = FileReceiver::new(8);
        let (status, file) = receiver.receive(&fragment(5, 0, b"abc"));
        assert_eq!((status.status, file), (FileTransferCode::OK, None));
        let (status, _) = receiver.receive(&fragment(5, 3, b""));
        assert_eq!(status.status, FileTransferCode::OK);
        let (status, file) = receiver.receive(&fragment(5, 3, b"de"));
        assert_eq!(status.status, FileTransferCode::PROCESSED);
        assert_eq!(file, Some((FileType::OPAQUE, b"abcde".to_vec())));
        assert!(!receiver.in_progress());
    }

    #[test]
    fn a_judged_file_is_finishing_until_its_verdict() {
        let mut receiver = FileReceiver::new(8);
        receiver.set_judged(true);
        assert!(!receiver.judge(true), "no file to judge yet");
        receiver.receive(&fragment(5, 0, b"abc"));
        let (status, file) = receiver.receive(&fragment(5, 3, b"de"));
        assert_eq!(status.status, FileTransferCode::FINISHING);
        assert_eq!(file, Some((FileType::OPAQUE, b"abcde".to_vec())));
        let (status, file) = receiver.receive(&fragment(5, 5, b""));
        assert_eq!((status.status, file), (FileTransferCode::FINISHING, None));
        assert!(receiver.judge(true));
        assert!(!receiver.judge(false), "judged once");
        let (status, _) = receiver.receive(&fragment(5, 5, b""));
        assert_eq!(status.status, FileTransferCode::PROCESSED);
        // Forgotten once answered: a further empty fragment belongs to no transfer.
        let (status, _) = receiver.receive(&fragment(5, 5, b""));
        assert_eq!(status.status, FileTransferCode::MALFORMED);
    }

    #[test]
    fn a_refused_file_is_unrecognized_and_an_empty_one_is_judged_too() {
        let mut receiver = FileReceiver::new(8);
        receiver.set_judged(true);
        let (status, file) = receiver.receive(&fragment(0, 0, b""));
        assert_eq!(status.status, FileTransferCode::FINISHING);
        assert_eq!(file, Some((FileType::OPAQUE, Vec::new())));
        assert!(receiver.judge(false));
        let (status, _) = receiver.receive(&fragment(0, 0, b""));
        assert_eq!(status.status, FileTransferCode::UNRECOGNIZED);
    }

    #[test]
    fn a_new_transfer_or_an_abort_forgets_the_file_awaiting_its_verdict() {
        let mut receiver = FileReceiver::new(8);
        receiver.set_judged(true);
        receiver.receive(&fragment(2, 0, b"ab"));
        let (status, _) = receiver.receive(&fragment(3, 0, b"xyz"));
        assert_eq!(status.status, FileTransferCode::FINISHING);
        receiver.abort();
        assert!(!receiver.judge(true));
        let (status, _) = receiver.receive(&fragment(3, 3, b""));
        assert_eq!(status.status, FileTransferCode::MALFORMED);
    }

    #[test]
    fn refuses_oversize_gaps_overruns_and_orphans() {
        let mut receiver = FileReceiver::new(4);
        assert_eq!(
            receiver.receive(&fragment(5, 0, b"ab")).0.status,
            FileTransferCode::ABORT
        );
        assert_eq!(
            receiver.receive(&fragment(4, 2, b"ab")).0.status,
            FileTransferCode::MALFORMED
        );
        receiver.receive(&fragment(4, 0, b"ab"));
        assert_eq!(
            receiver.receive(&fragment(4, 3, b"c")).0.status,
            FileTransferCode::MALFORMED
        );
        assert!(!receiver.in_progress());
        receiver.receive(&fragment(4, 0, b"ab"));
        assert_eq!(
            receiver.receive(&fragment(4, 2, b"cde")).0.status,
            FileTransferCode::MALFORMED
        );
    }
}
