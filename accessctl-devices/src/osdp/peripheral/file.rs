//! The receiving end of `osdp_FILETRANSFER`: fragments gathered into a file.
//!
//! Owns `FileReceiver`: one transfer at a time, fragments in order (each at the offset
//! where the previous ended), the whole file at most `max_file_len` bytes. Each fragment
//! is answered with an `osdp_FTSTAT`: ok, processed once complete, or an error that
//! discards the transfer. It never interprets a file's contents (the application gets
//! them in a `FileReceived` event) and never holds more than `max_file_len` bytes.

use crate::osdp::command::{FileTransfer, FileType};
use crate::osdp::reply::{FileTransferAction, FileTransferCode, FileTransferStatus};

/// A file whose last fragment arrived.
pub(crate) type ReceivedFile = (FileType, Vec<u8>);

/// The transfer under way, if any.
#[derive(Debug)]
pub(crate) struct FileReceiver {
    max_len: usize,
    transfer: Option<Transfer>,
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
            transfer: None,
        }
    }

    /// Whether a transfer is under way.
    #[cfg(test)]
    pub(crate) fn in_progress(&self) -> bool {
        self.transfer.is_some()
    }

    /// Discards the transfer under way (`osdp_ABORT`, a link reset).
    pub(crate) fn abort(&mut self) {
        self.transfer = None;
    }

    /// Takes one fragment: the `osdp_FTSTAT` answer, and the file when it is complete.
    pub(crate) fn receive(
        &mut self,
        fragment: &FileTransfer,
    ) -> (FileTransferStatus, Option<ReceivedFile>) {
        match self.accept(fragment) {
            Ok(Some(file)) => (status(FileTransferCode::PROCESSED), Some(file)),
            Ok(None) => (status(FileTransferCode::OK), None),
            Err(code) => {
                self.transfer = None;
                (status(code), None)
            }
        }
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
