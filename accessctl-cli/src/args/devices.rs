//! The command line of the device commands: `controller run` and `lock push`.
//!
//! Owns their options and help texts, like the rest of [`super`]. It must never open a
//! bus, read a policy or a key store, and never take a key on the command line: the
//! secure channel keys are derived from the key store.

use std::path::PathBuf;

use accessctl_core::time::WrittenTimestamp;
use accessctl_devices::osdp::Address;
use accessctl_devices::transport::Connection;
use clap::{Args, Subcommand};

use super::offline::StoreOption;
use super::{parse_instant, ArgHelp, Format, FormatArgs, PolicyArgs, EVENT_LINES_HELP};
use crate::controller::door::{parse_address, DoorBinding};

/// `accessctl controller …`: the door controller.
#[derive(Debug, Args)]
pub struct ControllerArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ControllerCommand,
}

/// A `controller` subcommand.
#[derive(Debug, Subcommand)]
pub enum ControllerCommand {
    /// Poll the doors' readers over OSDP, decide every card read and PIN with the
    /// policy, drive strike, LED and buzzer, and log every event to the journal.
    Run(ControllerRunArgs),
}

impl ControllerArgs {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        match &self.command {
            ControllerCommand::Run(args) => args.format.value,
        }
    }
}

/// `--install` and `--clear`: how the OSDP secure channel is opened.
#[derive(Debug, Clone, Copy, Args)]
pub struct ChannelOptions {
    /// Open each PD's secure channel with the public install key SCBK-D, then give it
    /// its own key (derived from the key store) with osdp_KEYSET. Only for
    /// provisioning new PDs.
    #[arg(long, conflicts_with = "clear")]
    pub install: bool,
    /// Talk to the PDs in clear, without a secure channel (a bench, a demo).
    #[arg(long)]
    pub clear: bool,
}

/// `accessctl controller run --policy P --bus CONNECTION --door DOOR=ADDRESS... --journal DB|URL
/// [--spool FILE] [--controller-id ID]`
#[derive(Debug, Args)]
#[command(arg_help(
    "policy",
    "The policy: an `.acl` file or a directory of them. Watched: an edit that validates \
     replaces the policy in force (and pushes the offline locks' images)"
))]
#[command(arg_help("format", EVENT_LINES_HELP))]
pub struct ControllerRunArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The OSDP bus: `serial:PATH[:BAUD]`, `tcp:HOST:PORT` or `tcp-listen:HOST:PORT`.
    #[arg(long, value_name = "CONNECTION")]
    pub bus: Connection,
    /// A door of the policy and the address of its PD on the bus (0 to 126); one or
    /// more.
    #[arg(long = "door", value_name = "DOOR=ADDRESS", required = true, num_args = 1..)]
    pub doors: Vec<DoorBinding>,
    /// `--keystore`.
    #[command(flatten)]
    pub store: StoreOption,
    /// The event journal: an SQLite file, created if needed; or a PostgreSQL URL
    /// (`postgres://USER@HOST/DB`, `postgres://USER@/DB?host=SOCKET_DIR`) shared by a
    /// fleet, reached through the local `--spool`.
    #[arg(long, value_name = "DB|URL")]
    pub journal: String,
    /// With a PostgreSQL `--journal`: this controller's local SQLite database,
    /// created if needed. Every event is recorded there first and flushed to
    /// PostgreSQL in order; it also keeps the keypads' memory, the lock images sent
    /// and the controller's id.
    #[arg(long, value_name = "FILE")]
    pub spool: Option<PathBuf>,
    /// This controller's id in the journal (default: one drawn at random when its
    /// local database is created, then kept). Accepted before the first event only.
    #[arg(long, value_name = "ID")]
    pub controller_id: Option<String>,
    /// `--install`, `--clear`.
    #[command(flatten)]
    pub channel: ChannelOptions,
    /// Start the controller's clock at this instant (local time of the first door's
    /// site without an offset) instead of now; it then runs on. For demos and tests.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenTimestamp>,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl lock push --policy P --door D --bus CONNECTION --address A`
#[derive(Debug, Args)]
pub struct LockPushArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The door whose lock image to send, by name.
    #[arg(long, value_name = "DOOR")]
    pub door: String,
    /// The OSDP bus: `serial:PATH[:BAUD]`, `tcp:HOST:PORT` or `tcp-listen:HOST:PORT`.
    #[arg(long, value_name = "CONNECTION")]
    pub bus: Connection,
    /// The lock's PD address on the bus (0 to 126).
    #[arg(long, value_name = "ADDRESS", value_parser = parse_address)]
    pub address: Address,
    /// `--keystore`.
    #[command(flatten)]
    pub store: StoreOption,
    /// `--install`, `--clear`.
    #[command(flatten)]
    pub channel: ChannelOptions,
    /// The image's issue instant (local time of the door's site without an offset).
    /// Default: now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenTimestamp>,
    /// Give up after this many seconds without the PD confirming the whole image.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}
