//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Finds security mistakes in XanoScript (`.xs`) files.
#[derive(Debug, Parser)]
#[command(name = "xsguard", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files and report findings.
    Check(CheckArgs),
}

/// Arguments of `xsguard check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and directories to check. Directories are searched for `.xs` files, honouring
    /// `.gitignore`; files named here are always checked.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Rules to run: comma-separated codes or code prefixes (`XS1` means every XS1xx rule), or
    /// `ALL`. Defaults to all rules.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Rules not to run, in the same form as `--select`.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub ignore: Vec<String>,
}

/// How findings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One header line per finding with a source excerpt, then a summary.
    Human,
    /// A single JSON document.
    Json,
}
