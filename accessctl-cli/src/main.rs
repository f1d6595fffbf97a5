//! The `accessctl` binary: everything happens in [`accessctl_cli::run`].

fn main() -> std::process::ExitCode {
    accessctl_cli::run()
}
