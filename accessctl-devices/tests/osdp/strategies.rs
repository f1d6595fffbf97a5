//! Proptest strategies: any command, any reply, any frame.

use accessctl_devices::osdp::secure::Scbk;
use accessctl_devices::osdp::*;
use proptest::collection::vec;
use proptest::prelude::*;

pub fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..=max)
}

fn output_control() -> impl Strategy<Value = OutputControl> {
    (any::<u8>(), any::<u8>(), any::<u16>()).prop_map(|(output, code, timer)| OutputControl {
        output,
        code: code.into(),
        timer,
    })
}

fn led_control() -> impl Strategy<Value = LedControl> {
    let temporary =
        (any::<[u8; 5]>(), any::<u16>()).prop_map(|([c, on, off, onc, offc], timer)| {
            TemporaryLed {
                code: c.into(),
                on_time: on,
                off_time: off,
                on_color: onc.into(),
                off_color: offc.into(),
                timer,
            }
        });
    let permanent = any::<[u8; 5]>().prop_map(|[c, on, off, onc, offc]| PermanentLed {
        code: c.into(),
        on_time: on,
        off_time: off,
        on_color: onc.into(),
        off_color: offc.into(),
    });
    (any::<u8>(), any::<u8>(), temporary, permanent).prop_map(
        |(reader, led, temporary, permanent)| LedControl {
            reader,
            led,
            temporary,
            permanent,
        },
    )
}

/// Any command of every kind this crate speaks.
pub fn any_command() -> impl Strategy<Value = Command> {
    let report = any::<u8>().prop_map(|kind| ReportRequest { kind });
    prop_oneof![
        Just(Command::Poll),
        report.clone().prop_map(Command::Id),
        report.prop_map(Command::Cap),
        Just(Command::LStat),
        Just(Command::IStat),
        Just(Command::OStat),
        Just(Command::RStat),
        vec(output_control(), 1..4).prop_map(Command::Out),
        vec(led_control(), 1..3).prop_map(Command::Led),
        any::<[u8; 5]>().prop_map(|[reader, tone, on_time, off_time, count]| {
            Command::Buz(BuzzerControl {
                reader,
                tone: tone.into(),
                on_time,
                off_time,
                count,
            })
        }),
        (any::<[u8; 5]>(), bytes(255)).prop_map(
            |([reader, command, temp_time, row, column], text)| {
                Command::Text(TextOutput {
                    reader,
                    command: command.into(),
                    temp_time,
                    row,
                    column,
                    text,
                })
            }
        ),
        (any::<u8>(), any::<u32>())
            .prop_map(|(address, baud_rate)| Command::ComSet(ComSettings { address, baud_rate })),
        (any::<u8>(), any::<[u8; 16]>()).prop_map(|(kind, key)| Command::KeySet(KeySet {
            key_type: kind.into(),
            key: Scbk::new(key),
        })),
        any::<[u8; 8]>().prop_map(|cp_random| Command::Chlng(Challenge { cp_random })),
        any::<[u8; 16]>().prop_map(|cryptogram| Command::Scrypt(ServerCryptogram { cryptogram })),
        any::<u16>().prop_map(|max_len| Command::AcuRxSize(AcuRxSize { max_len })),
        (any::<u8>(), any::<u32>(), any::<u32>(), bytes(300)).prop_map(
            |(kind, total_size, offset, data)| Command::FileTransfer(FileTransfer {
                file_type: kind.into(),
                total_size,
                offset,
                data,
            })
        ),
        (any::<[u8; 3]>(), bytes(64))
            .prop_map(|(vendor, data)| Command::Mfg(Manufacturer { vendor, data })),
        Just(Command::Abort),
        any::<u16>().prop_map(|millis| Command::KeepActive(KeepActive { millis })),
    ]
}

fn raw_card() -> impl Strategy<Value = RawCard> {
    (any::<u8>(), any::<u8>(), 0u16..=1024).prop_flat_map(|(reader, format, bit_count)| {
        let len = usize::from(bit_count).div_ceil(8);
        vec(any::<u8>(), len).prop_map(move |data| RawCard {
            reader,
            format: format.into(),
            bit_count,
            data,
        })
    })
}

/// Any reply of every kind this crate speaks.
pub fn any_reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        Just(Reply::Ack),
        (any::<u8>(), bytes(4)).prop_map(|(code, details)| Reply::Nak(Nak {
            code: code.into(),
            details,
        })),
        (
            any::<[u8; 3]>(),
            any::<[u8; 2]>(),
            any::<u32>(),
            any::<[u8; 3]>()
        )
            .prop_map(|(vendor, [model, version], serial, firmware)| Reply::PdId(
                DeviceId {
                    vendor,
                    model,
                    version,
                    serial,
                    firmware,
                }
            )),
        vec(any::<[u8; 3]>(), 0..20).prop_map(|triples| Reply::PdCap(
            triples
                .into_iter()
                .map(|[function, compliance, count]| Capability {
                    function: function.into(),
                    compliance,
                    count,
                })
                .collect()
        )),
        (any::<bool>(), any::<bool>()).prop_map(|(tamper, power_failure)| Reply::LStatR(
            LocalStatus {
                tamper,
                power_failure
            }
        )),
        bytes(16).prop_map(|states| Reply::IStatR(InputStatus(states))),
        bytes(16).prop_map(|states| Reply::OStatR(OutputStatus(states))),
        bytes(4).prop_map(|states| Reply::RStatR(ReaderStatus(
            states.into_iter().map(ReaderTamper).collect()
        ))),
        raw_card().prop_map(Reply::Raw),
        (any::<u8>(), any::<u8>(), bytes(255)).prop_map(|(reader, direction, characters)| {
            Reply::Fmt(FormattedCard {
                reader,
                direction,
                characters,
            })
        }),
        (any::<u8>(), bytes(255))
            .prop_map(|(reader, digits)| Reply::Keypad(Keypad { reader, digits })),
        (any::<u8>(), any::<u32>())
            .prop_map(|(address, baud_rate)| Reply::Com(ComSettings { address, baud_rate })),
        (any::<[u8; 8]>(), any::<[u8; 8]>(), any::<[u8; 16]>()).prop_map(
            |(client_id, pd_random, cryptogram)| Reply::CCrypt(ClientCryptogram {
                client_id,
                pd_random,
                cryptogram,
            })
        ),
        any::<[u8; 16]>().prop_map(|mac| Reply::RmacI(InitialRmac { mac })),
        Just(Reply::Busy),
        (any::<u8>(), any::<u16>(), any::<i16>(), any::<u16>()).prop_map(
            |(action, delay, status, update_max)| Reply::FtStat(FileTransferStatus {
                action: FileTransferAction(action),
                delay,
                status: status.into(),
                update_max,
            })
        ),
        (any::<[u8; 3]>(), bytes(64))
            .prop_map(|(vendor, data)| Reply::MfgRep(Manufacturer { vendor, data })),
    ]
}

/// Any header of `direction`.
pub fn any_header(direction: Direction) -> impl Strategy<Value = Header> {
    (0u8..=0x7F, 0u8..=3, any::<bool>()).prop_map(move |(address, sequence, crc)| Header {
        address: Address::new(address).unwrap(),
        direction,
        sequence: Sequence::new(sequence).unwrap(),
        check: if crc { Check::Crc16 } else { Check::Checksum },
    })
}

fn selector() -> impl Strategy<Value = KeySelector> {
    prop_oneof![Just(KeySelector::Default), Just(KeySelector::Scbk)]
}

/// Any security block that may travel in `direction`, or none.
pub fn any_block(direction: Direction) -> impl Strategy<Value = Option<SecurityBlock>> {
    let blocks = match direction {
        Direction::Command => prop_oneof![
            selector().prop_map(SecurityBlock::Scs11),
            selector().prop_map(SecurityBlock::Scs13),
            any::<[u8; 4]>().prop_map(SecurityBlock::Scs15),
            any::<[u8; 4]>().prop_map(SecurityBlock::Scs17),
        ]
        .boxed(),
        Direction::Reply => prop_oneof![
            selector().prop_map(SecurityBlock::Scs12),
            any::<bool>().prop_map(SecurityBlock::Scs14),
            any::<[u8; 4]>().prop_map(SecurityBlock::Scs16),
            any::<[u8; 4]>().prop_map(SecurityBlock::Scs18),
        ]
        .boxed(),
    };
    proptest::option::of(blocks)
}

/// Any well-formed frame: random header, block, code and data.
pub fn any_frame() -> impl Strategy<Value = Frame> {
    prop_oneof![Just(Direction::Command), Just(Direction::Reply)].prop_flat_map(|direction| {
        (
            any_header(direction),
            any_block(direction),
            any::<u8>(),
            bytes(200),
        )
            .prop_map(|(header, security, code, data)| Frame {
                header,
                security,
                code,
                data,
            })
    })
}
