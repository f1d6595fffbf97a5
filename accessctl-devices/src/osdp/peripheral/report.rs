//! What a PD has to tell its CP unasked: card reads, keys pressed, tamper and power
//! changes, waiting for the next `osdp_POLL`.
//!
//! Owns [`Report`], the queue of reports (oldest first, bounded) and the PD's local
//! status (tamper, power) that `osdp_LSTATR` reports. It never decides when a report
//! was delivered: a report leaves the queue when a reply carrying it is built, and the
//! sequence cache resends that reply if the CP asks again.

use std::collections::VecDeque;

use crate::osdp::reply::{FormattedCard, Keypad, LocalStatus, RawCard, Reply};
use crate::osdp::Manufacturer;

/// The most reports a PD keeps while its CP does not poll; the oldest goes first.
pub const MAX_QUEUED_REPORTS: usize = 256;

/// Something to report on the next `osdp_POLL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// A card read, as raw bits (`osdp_RAW`).
    Card(RawCard),
    /// A card read, as characters (`osdp_FMT`).
    FormattedCard(FormattedCard),
    /// Keys pressed (`osdp_KEYPAD`).
    Keypad(Keypad),
    /// The tamper switch tripped (`true`) or was restored (`osdp_LSTATR`).
    Tamper(bool),
    /// Power failed (`true`) or came back (`osdp_LSTATR`).
    Power(bool),
    /// A manufacturer's own report (`osdp_MFGREP`), e.g. a lock's audit record.
    Manufacturer(Manufacturer),
}

/// The reports waiting, and the local status.
#[derive(Debug, Default)]
pub(crate) struct Reports {
    queue: VecDeque<Reply>,
    local: LocalStatus,
}

impl Reports {
    /// Queues `report`; a tamper or power report that changes nothing is dropped.
    pub(crate) fn push(&mut self, report: Report) {
        let reply = match report {
            Report::Card(card) => Reply::Raw(card),
            Report::FormattedCard(card) => Reply::Fmt(card),
            Report::Keypad(keypad) => Reply::Keypad(keypad),
            Report::Manufacturer(data) => Reply::MfgRep(data),
            Report::Tamper(tamper) if tamper != self.local.tamper => {
                self.local.tamper = tamper;
                Reply::LStatR(self.local)
            }
            Report::Power(failure) if failure != self.local.power_failure => {
                self.local.power_failure = failure;
                Reply::LStatR(self.local)
            }
            Report::Tamper(_) | Report::Power(_) => return,
        };
        if self.queue.len() >= MAX_QUEUED_REPORTS {
            self.queue.pop_front();
        }
        self.queue.push_back(reply);
    }

    /// The oldest report, as the reply that carries it, taken off the queue.
    pub(crate) fn pop(&mut self) -> Option<Reply> {
        self.queue.pop_front()
    }

    /// The tamper and power status now.
    pub(crate) fn local_status(&self) -> LocalStatus {
        self.local
    }

    /// How many reports wait.
    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_status_changes_only_are_reported() {
        let mut reports = Reports::default();
        reports.push(Report::Tamper(false));
        assert_eq!(reports.len(), 0);
        reports.push(Report::Tamper(true));
        reports.push(Report::Power(true));
        let first = LocalStatus {
            tamper: true,
            power_failure: false,
        };
        assert_eq!(reports.pop(), Some(Reply::LStatR(first)));
        assert_eq!(
            reports.pop(),
            Some(Reply::LStatR(LocalStatus {
                tamper: true,
                power_failure: true
            }))
        );
        assert_eq!(reports.pop(), None);
    }

    #[test]
    fn a_manufacturer_report_goes_out_as_mfgrep() {
        let mut reports = Reports::default();
        let data = Manufacturer {
            vendor: [0x0A, 0xC1, 0x00],
            data: vec![1, 2, 3],
        };
        reports.push(Report::Manufacturer(data.clone()));
        assert_eq!(reports.pop(), Some(Reply::MfgRep(data)));
        assert_eq!(reports.pop(), None);
    }

    #[test]
    fn queue_is_bounded_oldest_dropped() {
        let mut reports = Reports::default();
        for digit in 0..=MAX_QUEUED_REPORTS {
            reports.push(Report::Keypad(Keypad {
                reader: 0,
                digits: vec![u8::try_from(digit % 10).unwrap()],
            }));
        }
        assert_eq!(reports.len(), MAX_QUEUED_REPORTS);
        assert_eq!(
            reports.pop(),
            Some(Reply::Keypad(Keypad {
                reader: 0,
                digits: vec![1]
            }))
        );
    }
}
