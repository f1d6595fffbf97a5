//! The command line of the simulated devices and the demo: `sim lock`, `sim reader`,
//! `demo`.
//!
//! Owns their options and help texts, like the rest of [`super`]. It must never open a
//! bus, read an image, a key store or a key file, nor look at the environment:
//! commands do. A secure channel key may be given to the simulated devices, test
//! devices, on the command line (`--scbk`), in a private file (`--scbk-file`) or in
//! the environment (`ACCESSCTL_SCBK`); the help says why the first is the worst.

use std::path::PathBuf;

use accessctl_core::time::WrittenTimestamp;
use accessctl_devices::card_io::CardType;
use accessctl_devices::osdp::secure::{Scbk, KEY_LEN};
use accessctl_devices::osdp::Address;
use accessctl_devices::transport::Connection;
use accessctl_devices::wiegand::Format as CardFormat;
use clap::{ArgGroup, Args, Subcommand};

use super::{parse_instant, ArgHelp, Format, FormatArgs, EVENT_LINES_HELP};
use crate::controller::door::parse_address;

/// `accessctl sim …`: simulated OSDP devices.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Which device.
    #[command(subcommand)]
    pub command: SimCommand,
}

/// A `sim` subcommand.
#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// An offline lock: reports to its control panel while it is online, decides
    /// alone from its memory image once it is gone. Presentations come from standard
    /// input, one a line: `card NUMBER [FORMAT]`, `bits 0101…`, `pin DIGITS`.
    Lock(SimLockArgs),
    /// A reader that presents one card or PIN once its control panel has it online,
    /// and prints what the control panel made it do (exit 0 when it opened).
    Reader(SimReaderArgs),
    /// A card encoder: a PN532 with a simulated card in its field, on a
    /// pseudo-terminal (its path printed, to use as `--port serial:PATH`). Standard
    /// input takes `remove` and `present` (the card leaves or enters the field).
    Encoder(SimEncoderArgs),
}

impl SimArgs {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        match &self.command {
            SimCommand::Lock(args) => args.format.value,
            SimCommand::Reader(args) => args.format.value,
            SimCommand::Encoder(args) => args.format.value,
        }
    }
}

/// `accessctl sim lock --bus CONNECTION --address A --image FILE --keystore K`
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("channel").args(["scbk", "scbk_file", "install", "clear"])))]
#[command(arg_help("format", EVENT_LINES_HELP))]
pub struct SimLockArgs {
    /// The OSDP bus: `serial:PATH[:BAUD]`, `tcp:HOST:PORT` or `tcp-listen:HOST:PORT`.
    #[arg(long, value_name = "CONNECTION")]
    pub bus: Connection,
    /// The lock's PD address on the bus (0 to 126).
    #[arg(long, value_name = "ADDRESS", value_parser = parse_address)]
    pub address: Address,
    /// The lock's memory image (`accessctl lock image`).
    #[arg(long, value_name = "FILE")]
    pub image: PathBuf,
    /// The key store holding the key of the lock's site (or of the lock itself): it
    /// authenticates the image and gives the secure channel key.
    #[arg(long, value_name = "FILE")]
    pub keystore: PathBuf,
    /// The lock's door. Default: the door the image names.
    #[arg(long, value_name = "DOOR")]
    pub door: Option<String>,
    /// The door's site, when the key store holds several sites' keys.
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
    /// The secure channel base key, 32 hexadecimal digits, instead of the one derived
    /// from the key store (as `controller run` derives it).
    ///
    /// A command line is visible to every user of the machine (`ps`, `/proc`): prefer
    /// --scbk-file, or the environment variable ACCESSCTL_SCBK, which stands for
    /// --scbk when no channel option is given.
    #[arg(long, value_name = "HEX", value_parser = parse_scbk)]
    pub scbk: Option<Scbk>,
    /// Read the secure channel base key (32 hexadecimal digits) from this file, which
    /// only its owner may read (`chmod 600`), as a key store.
    #[arg(long, value_name = "FILE")]
    pub scbk_file: Option<PathBuf>,
    /// Accept one secure channel handshake with the install key SCBK-D, then take a
    /// key from osdp_KEYSET (provisioning).
    #[arg(long)]
    pub install: bool,
    /// Talk to the control panel in clear, without a secure channel.
    #[arg(long)]
    pub clear: bool,
    /// A Wiegand format the lock's reader accepts; one or more. Default: h10301,
    /// h10304, corp1000-35 and h10306.
    #[arg(long = "card-format", value_name = "NAME")]
    pub card_formats: Vec<CardFormat>,
    /// Seconds of silence from the control panel after which the lock decides alone.
    #[arg(long, value_name = "SECONDS", default_value_t = 8)]
    pub offline_after: u64,
    /// Start the lock's clock at this instant (local time of the image's site without
    /// an offset) instead of now; it then runs on.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenTimestamp>,
    /// The lock's persistent memory: its keypad's wrong entries and lockout, and the
    /// one-time offline codes it accepted, kept across restarts (created when missing,
    /// only its owner may read it). Default: the image's path with `.state` added.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl sim reader --bus CONNECTION --address A (--card N | --bits B | --pin P)`
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("presentation").required(true).args(["card", "bits", "pin"])))]
pub struct SimReaderArgs {
    /// The OSDP bus: `serial:PATH[:BAUD]`, `tcp:HOST:PORT` or `tcp-listen:HOST:PORT`.
    #[arg(long, value_name = "CONNECTION")]
    pub bus: Connection,
    /// The reader's PD address on the bus (0 to 126).
    #[arg(long, value_name = "ADDRESS", value_parser = parse_address)]
    pub address: Address,
    /// The secure channel base key, 32 hexadecimal digits (`controller run` derives
    /// each door's from the key store). Without a key, in clear.
    ///
    /// A command line is visible to every user of the machine (`ps`, `/proc`): prefer
    /// --scbk-file, or the environment variable ACCESSCTL_SCBK, which stands for
    /// --scbk when neither it, --scbk-file nor --install is given.
    #[arg(long, value_name = "HEX", value_parser = parse_scbk, conflicts_with = "install")]
    pub scbk: Option<Scbk>,
    /// Read the secure channel base key (32 hexadecimal digits) from this file, which
    /// only its owner may read (`chmod 600`), as a key store.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["scbk", "install"])]
    pub scbk_file: Option<PathBuf>,
    /// Accept one secure channel handshake with the install key SCBK-D, then take a
    /// key from osdp_KEYSET (provisioning).
    #[arg(long)]
    pub install: bool,
    /// Present this card number, as a policy holds it (or FACILITY:NUMBER).
    #[arg(long, value_name = "NUMBER")]
    pub card: Option<String>,
    /// The Wiegand format of --card. Default: the shortest of h10301, h10306,
    /// corp1000-35 and h10304 whose fields hold the number.
    #[arg(long, value_name = "NAME", requires = "card")]
    pub card_format: Option<CardFormat>,
    /// Present these raw Wiegand bits (`0` and `1`, parity included).
    #[arg(long, value_name = "BITS")]
    pub bits: Option<String>,
    /// Type this PIN on the keypad.
    #[arg(long, value_name = "DIGITS")]
    pub pin: Option<String>,
    /// Give up after this many seconds without an answer from the control panel.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl sim encoder [--card TYPE] [--uid HEX] [--state FILE]`
#[derive(Debug, Args)]
#[command(arg_help(
    "format",
    "Output format: one line per event (`json`: one JSON object per line)"
))]
pub struct SimEncoderArgs {
    /// The card in the field: `classic1k` (the default), `classic4k`, `ntag215` or
    /// `ntag216`.
    #[arg(long, value_name = "TYPE")]
    pub card: Option<CardType>,
    /// The card's UID, in hexadecimal: 4 bytes for a Classic, 7 for an NTAG. Default:
    /// `DEADBEEF`, `04513A126B9080`.
    #[arg(long, value_name = "HEX", value_parser = parse_uid)]
    pub uid: Option<CardUid>,
    /// Keep the card's memory in this file: read at start when it exists (then
    /// --card and --uid must agree with it or be left out), written after each change.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Start with no card in the field (`present` on standard input brings it).
    #[arg(long)]
    pub absent: bool,
    /// Fault injection: the card leaves the field after this many card operations.
    #[arg(long, value_name = "N")]
    pub remove_after: Option<u32>,
    /// Stop after this many seconds (default: run until interrupted or standard input
    /// ends).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// A card UID given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardUid(pub Vec<u8>);

/// A card UID in hexadecimal (4 or 7 bytes; spaces and colons allowed).
pub fn parse_uid(text: &str) -> Result<CardUid, String> {
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | ':')).collect();
    if !digits.len().is_multiple_of(2) || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("`{text}` is not hexadecimal bytes"));
    }
    let bytes: Vec<u8> = (0..digits.len() / 2)
        .filter_map(|i| digits.get(2 * i..2 * i + 2))
        .filter_map(|pair| u8::from_str_radix(pair, 16).ok())
        .collect();
    if !matches!(bytes.len(), 4 | 7) {
        return Err(format!("a UID has 4 or 7 bytes, not {}", bytes.len()));
    }
    Ok(CardUid(bytes))
}

/// `accessctl demo [SITE]`
#[derive(Debug, Args)]
#[command(arg_help(
    "format",
    "Output format: one line per decision, then the journal (`json`: one JSON object per line)"
))]
pub struct DemoArgs {
    /// The shipped example to run: `sports-centre` (the default), or the path of its
    /// directory.
    #[arg(value_name = "SITE", default_value = "sports-centre")]
    pub site: String,
    /// Keep the day's journal in this SQLite file (created, or added to), for
    /// `journal show`, `journal export` and `journal unknown` afterwards.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<std::path::PathBuf>,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// Reads a secure channel base key written as 32 hexadecimal digits. The error never
/// shows the text.
pub fn parse_scbk(text: &str) -> Result<Scbk, String> {
    let refuse = || "a secure channel key is 32 hexadecimal digits".to_owned();
    if text.len() != KEY_LEN * 2 || !text.is_ascii() {
        return Err(refuse());
    }
    let mut bytes = [0u8; KEY_LEN];
    for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks(2)) {
        let pair = std::str::from_utf8(pair).map_err(|_| refuse())?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| refuse())?;
    }
    Ok(Scbk::new(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_32_hexadecimal_digits() {
        let key = parse_scbk("303132333435363738393A3B3C3D3E3F").unwrap();
        assert!(key.is_default());
        assert!(parse_scbk("3031").is_err());
        assert!(parse_scbk("zz3132333435363738393A3B3C3D3E3F").is_err());
        assert!(parse_scbk("é03132333435363738393A3B3C3D3E3").is_err());
    }
}
