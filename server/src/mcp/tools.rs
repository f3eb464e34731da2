//! The tools the server offers, their arguments and descriptions (which tell an agent when to
//! call each), and the conversion of an [`Answer`] into a tool result. Each tool's work runs on
//! a blocking thread, so that a long check does not hold up the protocol, and a panic in it
//! becomes a tool error instead of ending the server.

use std::path::PathBuf;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use super::answers::{self, Answer, Rules};

/// What the server tells a client about itself when the session starts.
const INSTRUCTIONS: &str = "xsguard finds security mistakes in XanoScript (.xs files of a Xano \
backend): endpoints without authentication, records of other users reachable by id, secrets in \
code, injection, exposed fields, permissive CORS and more. Call `check_source` (text you hold) or \
`check` (files on disk) after each edit of a .xs file and before you finish a task, and fix what \
it reports; `fixes` gives ready edits for many findings, and `explain` tells what a rule means \
and how to fix its findings by hand. Findings depend on the whole app, so a file is always \
checked in its workspace (the folder of the Xano app it belongs to).";

// Field descriptions are `schemars` attributes, not doc comments, which would keep their line
// breaks in the schema a client shows the model.

/// Arguments of `check`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CheckParams {
    #[schemars(
        description = "The .xs files and folders to check, absolute or relative to the \
        folder the server runs in. A folder is searched for .xs files (honouring .gitignore). \
        Findings are reported for these paths only; the rest of each path's workspace is read for \
        context."
    )]
    pub paths: Vec<String>,
    #[schemars(
        description = "Rules to run: codes or code prefixes (`XS1` is every XS1xx rule), or \
        `ALL`. All rules when left out."
    )]
    #[serde(default)]
    pub select: Vec<String>,
    #[schemars(description = "Rules not to run, as in `select`.")]
    #[serde(default)]
    pub ignore: Vec<String>,
    #[schemars(
        description = "Read only the paths given, without the rest of their workspace and \
        without xsguard.toml (findings that need other files of the app are then missed)."
    )]
    #[serde(default)]
    pub isolated: bool,
}

/// Arguments of `check_source`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CheckSourceParams {
    #[schemars(
        description = "The path of the file the text is for (it need not exist yet). Its \
        workspace gives the context, and the text stands in for the file on disk."
    )]
    pub path: String,
    #[schemars(description = "The whole contents of the file.")]
    pub text: String,
    #[schemars(description = "Rules to run, as in `check`.")]
    #[serde(default)]
    pub select: Vec<String>,
    #[schemars(description = "Rules not to run, as in `check`.")]
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// Arguments of `fixes`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct FixesParams {
    #[schemars(description = "The .xs file (or a folder of them) to propose fixes for.")]
    pub path: String,
    #[schemars(
        description = "The file's contents, when they differ from the file on disk (unsaved \
        text); the edits then apply to this text."
    )]
    #[serde(default)]
    pub text: Option<String>,
    #[schemars(description = "Rules whose fixes to propose, as in `check`.")]
    #[serde(default)]
    pub select: Vec<String>,
    #[schemars(description = "Rules whose fixes not to propose, as in `check`.")]
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// Arguments of `explain`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ExplainParams {
    #[schemars(
        description = "A rule code such as `XS102` (the `code` of a finding), or a rule \
        name such as `idor-request-id`."
    )]
    pub code: String,
}

/// The MCP server: one tool per question, each answered by [`answers`].
#[derive(Clone)]
pub struct Server {
    tool_router: ToolRouter<Self>,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }
}

#[tool_router]
impl Server {
    #[tool(
        description = "Check XanoScript (.xs) files or folders on disk for security mistakes. Call it after each edit of a .xs file you saved, and on the app's folder before finishing a task. Returns the JSON document `xsguard check --format json` prints: `findings`, each with `path`, `range` (1-based line and column, in characters), `code`, `severity`, `message`, optional `help` and `fixes`. For text not saved yet, call `check_source` instead.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn check(&self, Parameters(params): Parameters<CheckParams>) -> CallToolResult {
        run(move || {
            let paths: Vec<PathBuf> = params.paths.iter().map(PathBuf::from).collect();
            let rules = Rules {
                select: &params.select,
                ignore: &params.ignore,
            };
            answers::check(&paths, params.isolated, rules)
        })
        .await
    }

    #[tool(
        description = "Check the text of one XanoScript (.xs) file that you hold (unsaved, or about to be written) as the file at `path` within its workspace. Call it after each edit of a .xs file whose text you have, before saving it. Returns the same JSON as `check`.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn check_source(
        &self,
        Parameters(params): Parameters<CheckSourceParams>,
    ) -> CallToolResult {
        run(move || {
            let rules = Rules {
                select: &params.select,
                ignore: &params.ignore,
            };
            answers::check_source(&PathBuf::from(&params.path), &params.text, rules)
        })
        .await
    }

    #[tool(
        description = "Propose fixes for the findings of one .xs file, as text edits; writes nothing. Call it when `check` reported findings with fixes and you want the edits. Returns the JSON of `check` with only the findings that have fixes, each fix with `title`, `applicability` (`safe`: keeps behaviour; `unsafe`: changes behaviour or leaves a placeholder to fill in) and `edits` (`range` with 1-based line and column in characters, `new_text`). The edits of one fix apply together to the text checked; after applying one fix, check again before applying another.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn fixes(&self, Parameters(params): Parameters<FixesParams>) -> CallToolResult {
        run(move || {
            let rules = Rules {
                select: &params.select,
                ignore: &params.ignore,
            };
            answers::fixes(&PathBuf::from(&params.path), params.text.as_deref(), rules)
        })
        .await
    }

    #[tool(
        description = "Explain an xsguard rule: what it finds, why it matters, and how to fix its findings, with examples. Call it with a finding's `code` (such as XS102) when the message and help do not tell you enough to fix it.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn explain(&self, Parameters(params): Parameters<ExplainParams>) -> CallToolResult {
        run(move || answers::explain(&params.code)).await
    }

    #[tool(
        description = "List the xsguard rules (code, name, severity, CWE, summary, whether findings are fixable). Call it to choose codes for `select`/`ignore`, or to see what xsguard looks for.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn rules(&self) -> CallToolResult {
        run(answers::rules).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("xsguard", env!("CARGO_PKG_VERSION"))
                    .with_title("xsguard: security checks for XanoScript"),
            )
            .with_instructions(INSTRUCTIONS)
    }
}

/// Computes an answer on a blocking thread.
async fn run(answer: impl FnOnce() -> Answer + Send + 'static) -> CallToolResult {
    match tokio::task::spawn_blocking(answer).await {
        Ok(answer) => result(answer),
        Err(_) => CallToolResult::error(vec![ContentBlock::text(
            "xsguard: internal error while answering; the server goes on",
        )]),
    }
}

/// The tool result of an answer: its text first (for a check, exactly the JSON of `check
/// --format json`), then what the command line would have written to standard error, if
/// anything.
fn result(answer: Answer) -> CallToolResult {
    let mut content = vec![ContentBlock::text(answer.text)];
    if !answer.problems.is_empty() {
        content.push(ContentBlock::text(answer.problems));
    }
    let mut result = if answer.failed {
        CallToolResult::error(content)
    } else {
        CallToolResult::success(content)
    };
    result.structured_content = answer.structured;
    result
}
