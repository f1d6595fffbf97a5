//! The sequence numbers of the link, from the PD's side, and the last reply sent.
//!
//! Owns `Link`: what the last command's number was, and the bytes of the reply it got,
//! so that a command repeated with the same number and code is answered with those very
//! bytes (not executed again: a sealed reply cannot be sealed twice, a report must not
//! be lost or duplicated). It never builds a reply and never looks at security.

use crate::osdp::header::Sequence;

/// What to do with a command, judged by its sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Sequence 0: reset the link, then carry the command out.
    Reset,
    /// The next number (or the first command seen): carry it out.
    Next,
    /// A repeat of the last command: send these bytes again.
    Repeat(Vec<u8>),
    /// Neither: refuse with a sequence error.
    OutOfOrder,
}

/// The last command's sequence number and code, and the reply it got.
#[derive(Debug, Default)]
pub(crate) struct Link {
    last: Option<Sequence>,
    cached: Option<(u8, Vec<u8>)>,
}

impl Link {
    /// Judges a command numbered `sequence` with code `code`.
    pub(crate) fn judge(&self, sequence: Sequence, code: u8) -> Verdict {
        if sequence == Sequence::ZERO {
            return Verdict::Reset;
        }
        match self.last {
            None => Verdict::Next,
            Some(last) if last == sequence => match &self.cached {
                Some((cached_code, bytes)) if *cached_code == code => {
                    Verdict::Repeat(bytes.clone())
                }
                _ => Verdict::Next,
            },
            Some(last) if last.next() == sequence => Verdict::Next,
            Some(_) => Verdict::OutOfOrder,
        }
    }

    /// Records the reply `bytes` sent to command `code` numbered `sequence`.
    pub(crate) fn answered(&mut self, sequence: Sequence, code: u8, bytes: &[u8]) {
        self.last = Some(sequence);
        self.cached = Some((code, bytes.to_vec()));
    }

    /// Forgets everything: the next command may carry any number.
    pub(crate) fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(value: u8) -> Sequence {
        Sequence::new(value).unwrap()
    }

    #[test]
    fn judges_numbers() {
        let mut link = Link::default();
        assert_eq!(link.judge(seq(2), 0x60), Verdict::Next);
        assert_eq!(link.judge(seq(0), 0x60), Verdict::Reset);
        link.answered(seq(3), 0x60, &[1, 2]);
        assert_eq!(link.judge(seq(1), 0x60), Verdict::Next);
        assert_eq!(link.judge(seq(3), 0x60), Verdict::Repeat(vec![1, 2]));
        assert_eq!(link.judge(seq(3), 0x61), Verdict::Next);
        assert_eq!(link.judge(seq(2), 0x60), Verdict::OutOfOrder);
        link.reset();
        assert_eq!(link.judge(seq(2), 0x60), Verdict::Next);
    }
}
