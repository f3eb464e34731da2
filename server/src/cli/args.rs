//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Finds security mistakes in XanoScript (`.xs`) files.
#[derive(Debug, Parser)]
#[command(name = "xsguard", version, after_long_help = AFTER_HELP, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// What `--help` says after the options.
const AFTER_HELP: &str = "\
Workspaces:
  A finding can depend on the whole app (an endpoint's tables, functions and api group live in
  other files), so for every path given xsguard finds the app's root: the nearest folder above
  it with an xsguard.toml, else one laid out as a Xano export (apis/, tables/, functions/...,
  or workspace.xs) or a `xano workspace pull` (api/, table/, function/...), else the git
  repository's top folder, else the folder given. Every .xs file of that workspace is read for
  context; findings are reported for the paths given only. `--isolated` reads only the paths
  given, without xsguard.toml.

Fixable findings:
  [*] marks a finding `xsguard fix` repairs; [~] one only `xsguard fix --unsafe-fixes` repairs
  (those fixes change behaviour or leave a value for you to fill in, which XS003 reports until
  you do).

Exit status:
  0  nothing reported (at or above --fail-on)
  1  findings reported
  2  usage, configuration or I/O error: a path that does not exist or holds no .xs file, a
     settings file that cannot be used, a file that cannot be read or written";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files and report findings.
    Check(CheckArgs),
    /// Apply the fixes of findings to the files.
    Fix(FixArgs),
    /// Write the pre-launch audit report: endpoint inventory, api groups, tables, findings.
    Audit(AuditArgs),
    /// List every rule.
    Rules(RulesArgs),
    /// Show a rule's documentation.
    Explain(ExplainArgs),
    /// Run the language server on standard input and output.
    Lsp(LspArgs),
    /// Run the MCP server for AI coding agents on standard input and output.
    ///
    /// A Model Context Protocol server whose tools check files or unsaved text, propose fixes as
    /// edits, and explain and list the rules (docs/mcp.md).
    Mcp(McpArgs),
}

/// Arguments of `xsguard mcp`.
#[derive(Debug, Args)]
pub struct McpArgs {
    /// The folder relative paths in tool calls are read from (default: the folder the client
    /// starts the server in), such as `${workspaceFolder}` in an editor's MCP settings.
    #[arg(long, value_name = "DIR")]
    pub directory: Option<PathBuf>,
}

/// Arguments of `xsguard lsp`.
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Talk over standard input and output (the only transport; accepted because editor
    /// clients pass it).
    #[arg(long)]
    pub stdio: bool,
}

/// Arguments of `xsguard fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// Files and directories to fix, found as `check` finds them.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Print the changes as a unified diff instead of writing the files.
    #[arg(long)]
    pub diff: bool,

    /// Also apply fixes that change behaviour or insert placeholders to fill in.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Rules whose fixes to apply, as for `check`.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Rules whose fixes not to apply.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Fix only the paths given, without the rest of their workspace and without
    /// `xsguard.toml` (findings that need other files of the app are then missed).
    #[arg(long)]
    pub isolated: bool,
}

/// Arguments of `xsguard audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The folder of the Xano app (or single files).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Markdown)]
    pub format: AuditFormat,

    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Audit only the paths given, without the rest of their workspace and without
    /// `xsguard.toml` (findings that need other files of the app are then missed).
    #[arg(long)]
    pub isolated: bool,
}

/// How `xsguard audit` writes its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Markdown,
    /// A single self-contained page.
    Html,
    Json,
}

/// Arguments of `xsguard rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
}

/// How `xsguard rules` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// An aligned table.
    Table,
    /// The rule reference (docs/rules.md).
    Markdown,
    /// A JSON array.
    Json,
}

/// Arguments of `xsguard explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code such as `XS102`, or a rule name such as `idor-request-id`.
    pub code: String,
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

    /// Exit with status 1 only for findings at least this severe.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Info)]
    pub fail_on: FailOn,

    /// Print how many findings each rule has instead of the findings.
    #[arg(long)]
    pub statistics: bool,

    /// Settings file to use instead of the `xsguard.toml` found next to the paths.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print only the findings, no summary line.
    #[arg(long, short)]
    pub quiet: bool,

    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings in this baseline file (and report nothing).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,

    /// The path to report for text read from standard input (`-`); its workspace gives the
    /// context, as for a file on disk.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Check only the paths given, without the rest of their workspace and without
    /// `xsguard.toml` (findings that need other files of the app are then missed).
    #[arg(long)]
    pub isolated: bool,
}

/// The least severe finding that fails a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Error,
}

/// How findings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One header line per finding with a source excerpt, then a summary.
    Human,
    /// A single JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}
