//! The properties checked by the device fuzz targets (`osdp_frame`, `osdp_secure`,
//! `wiegand`, `osdp_peers`, `device_text`, `pn532_frame`, `card_memory`), shared by their cargo-fuzz entry points (`fuzz/fuzz_targets/*.rs`) and
//! the stable corpus test (`accessctl-devices/tests/fuzz_corpus.rs`), which include
//! this file with `#[path]`.
//!
//! Owns the properties only: each function takes raw bytes and panics when a property
//! fails. It uses nothing but the public API of `accessctl-devices`. It lives apart
//! from `checks.rs` because `accessctl-core`'s corpus test includes that file and core
//! does not depend on the device crate.

// Each fuzz target uses one of the checks.
#![allow(dead_code)]

use accessctl_devices::card_io::CardType;
use accessctl_devices::osdp::control_panel::{ControlPanel, PdSetup, PdStatus, Security, Timing};
use accessctl_devices::osdp::peripheral::{PeripheralDevice, PeripheralSetup, Report};
use accessctl_devices::osdp::secure::{ControlPanelChannel, PeripheralChannel, Scbk};
use accessctl_devices::osdp::{
    Address, Capability, CapabilityFunction, Check, Command, DeviceId, Direction, Frame,
    FrameReader, Header, Reply, Sequence, INTER_CHARACTER_GAP, MAX_FRAME_LEN,
};
use accessctl_devices::pn532;
use accessctl_devices::pn532::sim::card::SimCard;
use accessctl_devices::sim::Presentation;
use accessctl_devices::transport::Connection;
use accessctl_devices::wiegand::{self, formats, WiegandBits};

/// Arbitrary bytes read as one OSDP frame never panic: they are refused with an error
/// whose offset lies inside the input, or decode to a frame that encodes back to
/// exactly the same bytes, whose data decode as a command or reply (or fail with an
/// offset inside the frame) and re-encode to the same data. The same bytes cut in two
/// and fed to a stream reader yield only frames that round-trip, and so they do with
/// an inter-character gap of silence between the pieces and after them, which leaves
/// nothing buffered.
pub fn osdp_frame(data: &[u8]) {
    match Frame::decode(data) {
        Ok(frame) => {
            let again = frame.encode().expect("a decoded frame encodes");
            assert!(again == data, "decode then encode changed the bytes");
            assert_eq!(frame.wire_len(), data.len());
            check_messages(&frame, data.len());
        }
        Err(error) => {
            assert!(
                error.offset() <= data.len(),
                "{error:?} beyond {} bytes",
                data.len()
            );
            assert!(!error.to_string().is_empty());
        }
    }
    let cut = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let mut reader = FrameReader::with_max_len(MAX_FRAME_LEN);
    for chunk in [&data[..cut], &data[cut..]] {
        reader.push(chunk);
        drain_frames(&mut reader);
    }
    let t0 = std::time::Instant::now();
    let mut reader = FrameReader::with_max_len(MAX_FRAME_LEN);
    let pieces = [&data[..cut], &data[cut..], &[][..]];
    for (step, chunk) in (0u32..).zip(pieces) {
        reader.push_at(chunk, t0 + INTER_CHARACTER_GAP * step);
        drain_frames(&mut reader);
    }
    assert!(
        reader.buffered() == 0,
        "a partial frame outlived the silence"
    );
    assert!(reader.deadline().is_none());
}

/// Takes every frame `reader` holds; each one round-trips.
fn drain_frames(reader: &mut FrameReader) {
    while let Some(next) = reader.next_frame() {
        if let Ok(frame) = next {
            let bytes = frame.encode().expect("a found frame encodes");
            assert!(
                Frame::decode(&bytes).as_ref() == Ok(&frame),
                "found frame round trip"
            );
        }
    }
}

/// The data of a decoded frame, read as a command and as a reply, decode or fail
/// within the frame, and what decodes encodes back to the same data.
fn check_messages(frame: &Frame, len: usize) {
    match frame.to_command() {
        Ok(command) => {
            let data = command.encode_data().expect("a decoded command encodes");
            assert!(data == frame.data, "command round trip: {command:?}");
        }
        Err(error) => assert!(error.offset() <= len, "{error:?}"),
    }
    match frame.to_reply() {
        Ok(reply) => {
            let data = reply.encode_data().expect("a decoded reply encodes");
            assert!(data == frame.data, "reply round trip: {reply:?}");
        }
        Err(error) => assert!(error.offset() <= len, "{error:?}"),
    }
}

/// A CP and a PD with a session established under a fixed key.
fn established() -> (ControlPanelChannel, PeripheralChannel) {
    let key = Scbk::new([0x5C; 16]);
    let mut cp = ControlPanelChannel::new(key.clone()).expect("not the default key");
    let mut pd = PeripheralChannel::new(Some(key), *b"fuzz-pd!");
    let chlng = cp.challenge(header(1), [1; 8]).expect("challenge");
    let ccrypt = pd.accept_chlng(&chlng, [2; 8]).expect("ccrypt");
    let scrypt = cp.accept_ccrypt(&ccrypt, header(2)).expect("scrypt");
    let rmac_i = pd.accept_scrypt(&scrypt).expect("rmac_i");
    cp.accept_rmac_i(&rmac_i).expect("established");
    (cp, pd)
}

fn header(sequence: u8) -> Header {
    Header::command(
        Address::new(0x11).expect("an address"),
        Sequence::new(sequence).expect("a sequence number"),
        Check::Crc16,
    )
}

/// The secure channel's receiving path never panics. Arbitrary bytes that decode as a
/// frame go through every receiving step of both sides, before and after a session is
/// established, and are refused unless they are what the step expects. Bytes that read
/// as a command are sealed and opened back to the same command; the sealed frame with
/// one byte altered (which byte and how chosen by the input) is refused.
pub fn osdp_secure(data: &[u8]) {
    if let Ok(frame) = Frame::decode(data) {
        receive_everywhere(&frame);
    }
    let Some((&code, rest)) = data.split_first() else {
        return;
    };
    let Ok(command) = Command::decode(code, rest) else {
        return;
    };
    let (mut cp, mut pd) = established();
    let Ok(sealed) = cp.seal(header(3), &command) else {
        return; // Too long to encode.
    };
    let bytes = sealed.encode().expect("a sealed frame encodes");
    let opened = pd.open(&Frame::decode(&bytes).expect("a sealed frame decodes"));
    assert!(
        opened.as_ref() == Ok(&command),
        "open(seal(c)) != c: {opened:?}"
    );
    tamper(&bytes, data, &command);
}

/// Every receiving step, on fresh and on established channels.
fn receive_everywhere(frame: &Frame) {
    let mut pd = PeripheralChannel::new(Some(Scbk::new([0x5C; 16])), *b"fuzz-pd!");
    pd.allow_install_mode();
    let _ = pd.accept_chlng(frame, [3; 8]);
    let _ = pd.accept_scrypt(frame);
    let _ = pd.open(frame);
    let mut cp = ControlPanelChannel::install_mode();
    let _ = cp.accept_ccrypt(frame, header(2));
    let _ = cp.challenge(header(1), [4; 8]);
    let _ = cp.accept_ccrypt(frame, header(2));
    let _ = cp.accept_rmac_i(frame);
    let (mut cp, mut pd) = established();
    // Nothing but a frame sealed with this session's keys opens.
    assert!(pd.open(frame).is_err(), "an arbitrary frame opened");
    let _ = cp.seal(header(3), &Command::Poll);
    let _ = cp.open(frame);
}

/// `bytes` (a sealed command) with one byte altered, the check characters recomputed,
/// is refused by the PD.
fn tamper(bytes: &[u8], data: &[u8], command: &Command) {
    let body = bytes.len() - 2;
    let position = 1 + data.iter().map(|&b| usize::from(b)).sum::<usize>() % (body - 1);
    let flip = data.last().copied().filter(|&b| b != 0).unwrap_or(1);
    let mut altered = bytes.to_vec();
    altered[position] ^= flip;
    let crc = accessctl_devices::osdp::crc16(&altered[..body]).to_le_bytes();
    altered[body..].copy_from_slice(&crc);
    if let Ok(frame) = Frame::decode(&altered) {
        let (_, mut pd) = established();
        let opened = pd.open(&frame);
        assert!(
            opened.is_err(),
            "a tampered frame opened: {command:?} at {position}"
        );
    }
}

/// Arbitrary bytes read as a Wiegand frame — as text, and as an OSDP `RAW` bit array
/// whose first byte is the bit count — never panic; every frame that decodes with a
/// fixed-length format encodes back to itself, and detection agrees with decoding.
pub fn wiegand(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(bits) = text.parse::<WiegandBits>() {
        check_bits(&bits);
    }
    let Some((&count, rest)) = data.split_first() else {
        return;
    };
    if let Ok(bits) = WiegandBits::from_bytes(rest, usize::from(count)) {
        assert!(bits.to_bytes().len() == rest.len());
        check_bits(&bits);
    }
    let raw = Reply::decode(0x50, data);
    if let Ok(Reply::Raw(card)) = raw {
        if let Ok(bits) = card.to_wiegand() {
            check_bits(&bits);
        }
    }
}

fn check_bits(bits: &WiegandBits) {
    for format in formats::ALL {
        let Ok(card) = wiegand::decode(bits, format) else {
            continue;
        };
        if format.is_raw() {
            assert!(u128::from(card.number()) == bits.value());
            continue;
        }
        let again = wiegand::encode(&card, format).expect("a decoded card encodes");
        assert!(
            again == *bits,
            "{format}: decode then encode changed the bits"
        );
    }
    if let Ok(card) = wiegand::detect(bits, formats::ALL) {
        assert!(wiegand::decode(bits, &card.format()) == Ok(card));
    }
}

/// The key of the keyed PDs and secure CPs of `osdp_peers`.
const PEER_KEY: [u8; 16] = [0x3C; 16];
/// The address of the PD of `osdp_peers`.
const PEER: u8 = 0x21;

/// Both loops of an OSDP bus never panic on what the other end sends. The bytes go,
/// cut in two at the place their first byte says, to a PD without a key, a PD with
/// one and a PD with a secure channel up, the second piece at once and after an
/// inter-character gap of silence: every reply a PD gives is whole frames that decode
/// as replies. Bytes that read as a command (code, data) are sent in
/// clear to the clear PD (sent twice, the same reply comes back) and sealed to the
/// secure one (a sealed reply opens). A control panel awaiting the reply of a PD in
/// clear, and one awaiting a secure PD, are fed the bytes and, when they read as a
/// reply (code, data), that reply to the outstanding command.
pub fn osdp_peers(data: &[u8]) {
    let now = std::time::Instant::now();
    for pause in [std::time::Duration::ZERO, INTER_CHARACTER_GAP] {
        for key in [None, Some(Scbk::new(PEER_KEY))] {
            let mut pd = peer_device(key);
            feed_peer(&mut pd, data, now, pause);
        }
        let (mut pd, _) = secure_peer(now);
        feed_peer(&mut pd, data, now, pause);
    }
    if let Some((&code, rest)) = data.split_first() {
        if let Ok(command) = Command::decode(code, rest) {
            command_in_clear(&command, now);
            command_sealed(&command, now);
        }
    }
    for security in [Security::Clear, Security::Secure(Scbk::new(PEER_KEY))] {
        panel_receives(data, security, now);
    }
}

/// A PD at [`PEER`] with three inputs, two outputs, a reader and room for a file.
fn peer_device(key: Option<Scbk>) -> PeripheralDevice {
    let capability = |function, count| Capability {
        function,
        compliance: 1,
        count,
    };
    let setup = PeripheralSetup {
        address: peer_address(),
        scbk: key,
        allow_install_mode: false,
        id: DeviceId::default(),
        capabilities: vec![
            capability(CapabilityFunction::CONTACT_STATUS, 3),
            capability(CapabilityFunction::OUTPUT_CONTROL, 2),
            capability(CapabilityFunction::READERS, 1),
            capability(CapabilityFunction::COMMUNICATION_SECURITY, 1),
        ],
        max_file_len: 64,
    };
    PeripheralDevice::new(setup, Box::new(|bytes: &mut [u8]| bytes.fill(0x77)))
}

fn peer_address() -> Address {
    Address::new(PEER).expect("an address")
}

fn peer_header(sequence: u8) -> Header {
    Header::command(
        peer_address(),
        Sequence::new(sequence).expect("a sequence number"),
        Check::Crc16,
    )
}

/// A keyed PD and the CP side of the secure channel it established with it
/// (commands 1 and 2 were the handshake).
fn secure_peer(now: std::time::Instant) -> (PeripheralDevice, ControlPanelChannel) {
    let mut pd = peer_device(Some(Scbk::new(PEER_KEY)));
    let mut cp = ControlPanelChannel::new(Scbk::new(PEER_KEY)).expect("not the default key");
    let chlng = cp.challenge(peer_header(1), [9; 8]).expect("challenge");
    let ccrypt = ask_peer(&mut pd, &chlng, now);
    let scrypt = cp.accept_ccrypt(&ccrypt, peer_header(2)).expect("scrypt");
    let rmac_i = ask_peer(&mut pd, &scrypt, now);
    cp.accept_rmac_i(&rmac_i).expect("established");
    assert!(pd.is_secure());
    (pd, cp)
}

/// The one reply frame of `pd` to `frame`.
fn ask_peer(pd: &mut PeripheralDevice, frame: &Frame, now: std::time::Instant) -> Frame {
    let bytes = frame.encode().expect("a command encodes");
    let answer = pd.handle_input(&bytes, now).expect("the PD answers");
    let frames = reply_frames(&answer);
    assert!(frames.len() == 1, "one command, {} replies", frames.len());
    frames.into_iter().next().expect("one reply")
}

/// `data` cut in two, each piece fed to `pd`, the second `pause` after the first, then
/// silence for an inter-character gap; its replies are whole reply frames.
fn feed_peer(
    pd: &mut PeripheralDevice,
    data: &[u8],
    now: std::time::Instant,
    pause: std::time::Duration,
) {
    let cut = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let silence = now + pause + INTER_CHARACTER_GAP;
    for (chunk, at) in [
        (&data[..cut], now),
        (&data[cut..], now + pause),
        (&[][..], silence),
    ] {
        if let Some(answer) = pd.handle_input(chunk, at) {
            reply_frames(&answer);
        }
    }
    while pd.next_event().is_some() {}
    pd.handle_timeout(now + std::time::Duration::from_secs(60));
    assert!(!pd.is_online(now + std::time::Duration::from_secs(60)));
}

/// The frames `bytes` are made of, each one a reply that decodes on its own; panics
/// on anything else (a stray byte, a cut frame).
fn reply_frames(bytes: &[u8]) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        assert!(rest.len() >= 4, "a reply cut short: {rest:02x?}");
        let len = usize::from(u16::from_le_bytes([rest[2], rest[3]]));
        assert!(len <= rest.len(), "a reply longer than the bytes given");
        let (one, more) = rest.split_at(len);
        let frame = Frame::decode(one).unwrap_or_else(|e| panic!("a reply: {e}: {one:02x?}"));
        assert!(frame.header.direction == Direction::Reply);
        // A broadcast command is answered from the broadcast address.
        let from = frame.header.address;
        assert!(
            from == peer_address() || from.is_broadcast(),
            "from {from:?}"
        );
        frames.push(frame);
        rest = more;
    }
    frames
}

/// `command` in clear to a PD without a key, twice with the same sequence number:
/// the repeat gets the very same bytes back (unless the PD moved to another address).
fn command_in_clear(command: &Command, now: std::time::Instant) {
    let mut pd = peer_device(None);
    let Ok(frame) = Frame::command(peer_header(1), command) else {
        return; // Too long to encode.
    };
    let bytes = frame.encode().expect("a command encodes");
    let first = pd.handle_input(&bytes, now);
    if let Some(answer) = &first {
        let frames = reply_frames(answer);
        assert!(frames.len() == 1, "{command:?}: {} replies", frames.len());
    }
    let again = pd.handle_input(&bytes, now);
    // `osdp_COMSET` moves the PD to its new address: the repeat is for another PD.
    if !matches!(command, Command::ComSet(_)) {
        assert!(
            again == first,
            "{command:?}: the repeat was answered otherwise"
        );
    }
    while pd.next_event().is_some() {}
}

/// `command` sealed to a PD with a secure channel up: its reply, when sealed, opens.
fn command_sealed(command: &Command, now: std::time::Instant) {
    let (mut pd, mut cp) = secure_peer(now);
    let Ok(frame) = cp.seal(peer_header(3), command) else {
        return; // Too long to encode, or a handshake command.
    };
    let Ok(bytes) = frame.encode() else {
        return;
    };
    let Some(answer) = pd.handle_input(&bytes, now) else {
        return;
    };
    let frames = reply_frames(&answer);
    assert!(frames.len() == 1, "{command:?}: {} replies", frames.len());
    let reply = &frames[0];
    if reply.security.is_some_and(|block| block.mac().is_some()) {
        let opened = cp.open(reply);
        assert!(opened.is_ok(), "{command:?}: the sealed reply {opened:?}");
    }
    while pd.next_event().is_some() {}
}

/// A control panel whose PD (in clear, or secure) is online through a real PD,
/// awaiting the reply to a command, is fed `data` and, if it reads as a reply (code,
/// data), that reply with the outstanding command's header; then it goes on, the
/// real PD answering again, and every command it sends is a frame for the PD.
fn panel_receives(data: &[u8], security: Security, now: std::time::Instant) {
    let key = match &security {
        Security::Secure(_) => Some(Scbk::new(PEER_KEY)),
        _ => None,
    };
    let mut pd = peer_device(key);
    let pds = vec![PdSetup {
        address: peer_address(),
        security,
    }];
    let entropy = Box::new(|bytes: &mut [u8]| bytes.fill(0x55));
    let mut panel = ControlPanel::new(pds, Timing::default(), entropy).expect("a panel");
    let step = std::time::Duration::from_millis(60);
    let mut at = now;
    for _ in 0..12 {
        converse(&mut panel, &mut pd, at);
        at += step;
    }
    assert!(matches!(
        panel.status(peer_address()),
        Some(PdStatus::Online { .. })
    ));
    let outstanding = loop {
        if let Some(bytes) = panel.poll_transmit(at) {
            break bytes;
        }
        at += step;
    };
    let command = Frame::decode(&outstanding).expect("a command frame");
    let cut = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    panel.handle_input(&data[..cut], at);
    panel.handle_input(&data[cut..], at);
    if let Some((&code, rest)) = data.split_first() {
        if let Ok(reply) = Reply::decode(code, rest) {
            if let Ok(frame) = Frame::reply(command.header.reply(), &reply) {
                if let Ok(bytes) = frame.encode() {
                    panel.handle_input(&bytes, at);
                }
            }
        }
    }
    for _ in 0..12 {
        at += step * 4;
        converse(&mut panel, &mut pd, at);
    }
    while panel.next_event().is_some() {}
}

/// One exchange: what the panel sends at `at`, the PD's answer back.
fn converse(panel: &mut ControlPanel, pd: &mut PeripheralDevice, at: std::time::Instant) {
    let Some(bytes) = panel.poll_transmit(at) else {
        return;
    };
    let frame = Frame::decode(&bytes).expect("the panel sends frames");
    assert!(frame.header.direction == Direction::Command);
    if let Some(answer) = pd.handle_input(&bytes, at) {
        panel.handle_input(&answer, at);
    }
}

/// The device crate's text parsers never panic on any line: a connection
/// (`serial:PATH[:BAUD]`, `tcp:HOST:PORT`, `tcp-listen:HOST:PORT`) that parses displays
/// as text that parses back to it; a presentation (`card NUMBER [FORMAT]`, `bits …`,
/// `pin …`) that parses writes back, as `bits …` or `pin …`, to text that parses to it,
/// reports itself to a CP as bits that are its own, and never shows a PIN.
pub fn device_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in std::iter::once(text.as_ref()).chain(text.lines()) {
        connection_line(line);
        presentation_line(line);
    }
}

fn connection_line(line: &str) {
    let Ok(connection) = line.parse::<Connection>() else {
        return;
    };
    let shown = connection.to_string();
    let again = shown.parse::<Connection>();
    assert!(
        again.as_ref() == Ok(&connection),
        "{line:?} shows as {shown:?}, read back as {again:?}"
    );
}

fn presentation_line(line: &str) {
    let Ok(presentation) = line.parse::<Presentation>() else {
        return;
    };
    let written = match &presentation {
        Presentation::Card(bits) => {
            let report = presentation.report(0);
            let Report::Card(card) = report else {
                panic!("a card reported otherwise")
            };
            assert!(
                card.to_wiegand().as_ref() == Ok(bits),
                "{line:?} reported otherwise"
            );
            format!("bits {bits}")
        }
        Presentation::Pin(pin) => {
            let shown = format!("{presentation} {presentation:?}");
            if pin.len() >= 3 {
                assert!(!shown.contains(pin.expose()), "a PIN shown: {shown}");
            }
            format!("pin {}", pin.expose())
        }
    };
    let again = written.parse::<Presentation>();
    assert!(
        again.as_ref() == Ok(&presentation),
        "{line:?} written as {written:?} reads back as {again:?}"
    );
}

/// The card key of `card_memory`.
const CARD_KEY: [u8; 32] = [0x5A; 32];

/// A signed key image of `doors` door records under [`CARD_KEY`], issued at `issued`.
pub fn card_memory_image(doors: usize, issued: i64) -> Vec<u8> {
    use accessctl_core::card_key::{Capacity, DoorEntry, KeyImage, Timetable, ALWAYS, TAG_LEN};
    let mut image = KeyImage {
        holder: [7; 8],
        offline: true,
        card: None,
        key_options: Default::default(),
        issued: accessctl_core::Timestamp(issued),
        expiry: accessctl_core::Timestamp(issued + 86_400),
        valid_from: i32::MIN,
        valid_to: i32::MAX,
        capacity: Capacity {
            door_slots: u16::try_from(doors.div_ceil(4) * 4).unwrap_or(0),
            timetable_bytes: 16,
            revocation_slots: 0,
        },
        doors: (0..doors)
            .map(|i| DoorEntry {
                door: (i as u64 + 1).to_be_bytes(),
                schedules: ALWAYS,
            })
            .collect(),
        timetable: Timetable::default(),
        revocations: Vec::new(),
        tag: [0; TAG_LEN],
    };
    image
        .sign(&accessctl_core::secret::Key::from_entropy(CARD_KEY))
        .expect("a small image signs");
    image.to_bytes().expect("a small image encodes")
}

/// The layout of a card in `card_memory`'s input: byte 0 the card type (its value
/// modulo 4), byte 1 the number of a write's units applied before the field is cut,
/// byte 2 the new key's door count, bytes 3–9 the UID, then the key area.
pub fn card_memory_input(card_type: u8, cut: u8, doors: u8, uid: [u8; 7], area: &[u8]) -> Vec<u8> {
    let mut out = vec![card_type, cut, doors];
    out.extend_from_slice(&uid);
    out.extend_from_slice(area);
    out
}

/// Arbitrary bytes read as a card's key area (MIFARE Classic 1K/4K, NTAG215/216)
/// never panic: an area of the wrong length is refused; a key found is authentic and
/// its slot valid. Then a new key is planned over that state and its first writes
/// applied, as a card pulled from the field mid-write: the area then reads as the old
/// key or the new one (or nothing, only when there was no old key or the new slot
/// overlaps it), never anything else; the whole plan applied reads as the new key.
pub fn card_memory(data: &[u8]) {
    use accessctl_devices::card_io::CardType;
    use accessctl_devices::card_memory::area::{plan_write, read_area};
    use accessctl_devices::card_memory::{CardSecrets, Geometry};
    let Some((head, rest)) = data.split_first_chunk::<10>() else {
        return;
    };
    let card_type = CardType::ALL[usize::from(head[0] % 4)];
    let geometry = Geometry::of(card_type);
    let key = accessctl_core::secret::Key::from_entropy(CARD_KEY);
    let secrets = CardSecrets::new(&key, &head[3..10]);
    assert!(read_area(geometry, &secrets, rest).is_ok() == (rest.len() == geometry.area_len()));
    let mut area = rest.to_vec();
    area.resize(geometry.area_len(), 0);
    let before = read_area(geometry, &secrets, &area).expect("the area's length");
    if let Some(stored) = &before.key {
        assert!(accessctl_core::card_key::is_authentic(&stored.image, &key));
    }
    let new = card_memory_image(usize::from(head[2] % 64), 1_000);
    let Ok(plan) = plan_write(geometry, &secrets, &before, &new) else {
        return;
    };
    let unit = geometry.unit_len();
    let cut = usize::from(head[1]).min(plan.writes.len());
    for (applied, write) in plan.writes.iter().enumerate() {
        if applied == cut {
            let now = read_area(geometry, &secrets, &area).expect("the area's length");
            let old = before.key.as_ref().map(|k| &k.image);
            let holds = now.key.as_ref().map(|k| &k.image);
            let ok = holds == old
                || holds == Some(&new)
                || (holds.is_none() && (old.is_none() || !plan.keeps_current));
            assert!(ok, "a write cut after {cut} units left another key");
        }
        let at = write.unit * unit;
        area[at..at + unit].copy_from_slice(&write.data);
    }
    let after = read_area(geometry, &secrets, &area).expect("the area's length");
    assert!(after.key.map(|k| k.image) == Some(new));
}

/// Arbitrary bytes read as one PN532 frame never panic: they are refused with an
/// error whose offset lies inside the input (or just past it, for a truncated frame),
/// or decode to a frame that encodes and decodes back to itself, whose data, decoded
/// as a command or a response, encode back to the same data. The same bytes fed to the
/// stream reader in two pieces yield only frames that round-trip, and a simulated
/// PN532 (with an NTAG and with a Classic) answers them without panicking, with
/// frames that decode.
pub fn pn532_frame(data: &[u8]) {
    use pn532::command::{Command, Response};
    use pn532::frame::{Frame, FrameReader};
    let check_frame = |frame: &Frame| {
        assert_eq!(Frame::decode(&frame.encode()).as_ref(), Ok(frame));
        if let Frame::Information { data, .. } = frame {
            if let Ok(command) = Command::decode(data) {
                assert_eq!(&command.encode(), data, "command round trip");
            }
            if let Ok(response) = Response::decode(data) {
                assert_eq!(&response.encode(), data, "response round trip");
                if let Some(Err(error)) = response.targets_a() {
                    assert!(error.offset() <= data.len() + 1);
                }
            }
        }
    };
    match Frame::decode(data) {
        Ok(frame) => check_frame(&frame),
        Err(error) => assert!(error.offset() <= data.len(), "{error}"),
    }
    let cut = data.len() / 2;
    let mut reader = FrameReader::new();
    for piece in [&data[..cut], &data[cut..]] {
        reader.push(piece);
        while let Some(frame) = reader.next_frame() {
            if let Ok(frame) = frame {
                check_frame(&frame);
            }
        }
    }
    for card_type in [CardType::Ntag216, CardType::Classic4k] {
        let mut device = pn532::sim::SimPn532::new(SimCard::new(card_type));
        let now = std::time::Instant::now();
        let mut out = device.handle_input(data, now).unwrap_or_default();
        out.extend(
            device
                .poll(now + std::time::Duration::from_secs(60))
                .unwrap_or_default(),
        );
        let mut reader = FrameReader::new();
        reader.push(&out);
        while let Some(frame) = reader.next_frame() {
            let frame = frame.expect("the simulator sends well-formed frames");
            check_frame(&frame);
        }
    }
    let _ = SimCard::from_state(data);
}
