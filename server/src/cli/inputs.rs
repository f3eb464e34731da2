//! What a run reads: the files asked for, the Xano workspace each belongs to, and the other
//! files of that workspace, read for context only.
//!
//! A file's findings depend on its whole app, so `check apis/x.xs` finds the workspace root of
//! the file (see [`crate::workspace::root`]), reads every `.xs` file of that workspace, and
//! reports on `apis/x.xs` alone. `--isolated` reads only what was named, with default settings.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::host::check::Source;
use crate::rules;
use crate::workspace::Config;
use crate::workspace::config::CONFIG_FILE;
use crate::workspace::files::{FoundFile, cannot_read, discover, display_path};
use crate::workspace::root::{Root, RootFinder, RootMarker, resolve, workspace_files};

/// What the caller asked to read.
pub struct Request<'a> {
    pub paths: &'a [PathBuf],
    /// Read only the named paths, without their workspace and without `xsguard.toml`.
    pub isolated: bool,
    /// A settings file to use instead of each workspace's own.
    pub config_file: Option<&'a Path>,
    /// The path standard input (`-`) stands for.
    pub stdin_name: Option<&'a Path>,
    /// The text to read as standard input, when the caller already holds it (the MCP server,
    /// whose standard input is the protocol).
    pub stdin_text: Option<&'a [u8]>,
}

/// One file a run reads.
#[derive(Clone, Debug)]
pub struct InputFile {
    /// Where it is on disk, for writing fixes back; `None` for standard input.
    pub disk: Option<PathBuf>,
    /// Findings are reported for it (else it is read for context).
    pub reported: bool,
}

/// The files of one workspace, as read.
pub struct WorkspaceInput {
    /// `None` in isolated mode and for standard input outside any workspace.
    pub root: Option<Root>,
    pub config: Config,
    /// The files, in the order of `sources`.
    pub files: Vec<InputFile>,
    pub sources: Vec<Source>,
}

impl WorkspaceInput {
    pub fn reported(&self) -> Vec<bool> {
        self.files.iter().map(|f| f.reported).collect()
    }
}

/// Problems with reading: errors fail the run (exit 2), warnings are only shown.
#[derive(Debug, Default)]
pub struct Problems {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

/// Everything a run reads.
pub struct Inputs {
    pub workspaces: Vec<WorkspaceInput>,
    pub problems: Problems,
    pub isolated: bool,
}

impl Inputs {
    /// How many files findings are reported for.
    pub fn reported_count(&self) -> usize {
        self.workspaces
            .iter()
            .map(|w| w.files.iter().filter(|f| f.reported).count())
            .sum()
    }
}

/// Reads what `request` names. `Err` holds a problem that leaves nothing to check (a settings
/// file that cannot be used, standard input that cannot be read).
pub fn read(request: &Request) -> Result<Inputs, Problems> {
    let override_config = match request.config_file {
        Some(file) => Some(Config::load(file, rules::is_known).map_err(|e| Problems {
            errors: vec![e.to_string()],
            warnings: Vec::new(),
        })?),
        None => None,
    };
    let is_stdin = request.paths.len() == 1 && request.paths[0].as_os_str() == "-";
    let mut problems = Problems::default();
    let mut finder = RootFinder::new();
    let mut walked = Walked::new();
    let groups = if is_stdin {
        stdin_group(request, &mut finder, &mut problems)?
    } else {
        named_groups(request, &mut finder, &mut walked, &mut problems)
    };
    let mut workspaces = Vec::new();
    for group in groups {
        let config = match &override_config {
            Some(config) => config.clone(),
            None => match workspace_config(group.root.as_ref()) {
                Ok(config) => config,
                Err(error) => {
                    problems.errors.push(error);
                    continue;
                }
            },
        };
        workspaces.push(load(
            group,
            config,
            request,
            &mut finder,
            &walked,
            &mut problems,
        ));
    }
    Ok(Inputs {
        workspaces,
        problems,
        isolated: request.isolated,
    })
}

/// Files asked for in one workspace, before reading.
struct Group {
    root: Option<Root>,
    /// The named paths the files came from (for "nothing left to check" messages).
    named: Vec<PathBuf>,
    reported: Vec<Reported>,
}

enum Reported {
    Disk(FoundFile),
    Stdin { path: String, bytes: Vec<u8> },
}

impl Reported {
    fn canonical(&self) -> Option<&Path> {
        match self {
            Reported::Disk(found) => Some(&found.canonical),
            Reported::Stdin { .. } => None,
        }
    }
}

/// Folders already walked, resolved. A workspace inside one has no context to add: the walk
/// found every file of it, and each file is reported in the group of its own workspace.
type Walked = Vec<PathBuf>;

fn named_groups(
    request: &Request,
    finder: &mut RootFinder,
    walked: &mut Walked,
    problems: &mut Problems,
) -> Vec<Group> {
    // Consecutive files mostly share a workspace: the last one used is tried first.
    let mut groups: Vec<Group> = Vec::new();
    let mut last = 0;
    let mut seen = HashSet::new();
    for path in request.paths {
        let found = discover(std::slice::from_ref(path));
        if path.is_dir() {
            walked.push(resolve(path));
        }
        problems.errors.extend(found.errors);
        problems.warnings.extend(found.skipped);
        for empty in &found.empty {
            problems
                .errors
                .push(format!("no .xs files in `{}`", display_path(empty)));
        }
        let fallback = resolve(&if path.is_dir() {
            path.clone()
        } else {
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        });
        for file in found.files {
            if !seen.insert(file.canonical.clone()) {
                continue;
            }
            let root = (!request.isolated).then(|| finder.root_of_file(&file.canonical, &fallback));
            if !groups.get(last).is_some_and(|g| same_root(g, &root)) {
                last = match groups.iter().position(|g| same_root(g, &root)) {
                    Some(at) => at,
                    None => {
                        groups.push(Group {
                            root,
                            named: Vec::new(),
                            reported: Vec::new(),
                        });
                        groups.len() - 1
                    }
                };
            }
            let group = &mut groups[last];
            if !group.named.contains(path) {
                group.named.push(path.clone());
            }
            group.reported.push(Reported::Disk(file));
        }
    }
    groups.sort_by(|a, b| root_dir(a).cmp(&root_dir(b)));
    groups
}

fn root_dir(group: &Group) -> Option<&Path> {
    group.root.as_ref().map(|r| r.dir.as_path())
}

fn same_root(group: &Group, root: &Option<Root>) -> bool {
    root_dir(group) == root.as_ref().map(|r| r.dir.as_path())
}

fn stdin_group(
    request: &Request,
    finder: &mut RootFinder,
    problems: &mut Problems,
) -> Result<Vec<Group>, Problems> {
    let mut bytes = request.stdin_text.map(<[u8]>::to_vec).unwrap_or_default();
    let read = match request.stdin_text {
        Some(_) => Ok(0),
        None => std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes),
    };
    if let Err(error) = read {
        return Err(Problems {
            errors: vec![format!("cannot read standard input: {error}")],
            warnings: std::mem::take(&mut problems.warnings),
        });
    }
    let path = request
        .stdin_name
        .map_or_else(|| "-".to_string(), display_path);
    let root = match request.stdin_name {
        Some(name) if !request.isolated => {
            let fallback = name
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            Some(finder.root_of(name, fallback))
        }
        _ => None,
    };
    Ok(vec![Group {
        root,
        named: Vec::new(),
        reported: vec![Reported::Stdin { path, bytes }],
    }])
}

/// The settings of a workspace: its `xsguard.toml`, else the defaults.
fn workspace_config(root: Option<&Root>) -> Result<Config, String> {
    match root {
        Some(root) if root.marker == RootMarker::Config => {
            Config::load(&root.dir.join(CONFIG_FILE), rules::is_known).map_err(|e| e.to_string())
        }
        _ => Ok(Config::default()),
    }
}

/// Reads the reported files of a group and the rest of its workspace.
fn load(
    group: Group,
    config: Config,
    request: &Request,
    finder: &mut RootFinder,
    walked: &Walked,
    problems: &mut Problems,
) -> WorkspaceInput {
    let excluded = config.exclude_matcher();
    let config_dir = config
        .source
        .as_ref()
        .and_then(|p| p.parent())
        .map(resolve)
        .or_else(|| group.root.as_ref().map(|r| r.dir.clone()));
    let is_excluded = |canonical: &Path| {
        config_dir.as_ref().is_some_and(|dir| {
            canonical
                .strip_prefix(dir)
                .is_ok_and(|relative| excluded.is_match(relative))
        })
    };
    let reported: Vec<Reported> = group
        .reported
        .into_iter()
        .filter(|r| r.canonical().is_none_or(|c| !is_excluded(c)))
        .collect();
    for named in &group.named {
        let resolved = resolve(named);
        let left = reported.iter().any(|r| {
            r.canonical()
                .is_some_and(|c| c == resolved || c.starts_with(&resolved))
        });
        if !left {
            problems.errors.push(format!(
                "every .xs file in `{}` is excluded by `exclude` in `{}`",
                display_path(named),
                config
                    .source
                    .as_deref()
                    .map_or_else(String::new, display_path)
            ));
        }
    }
    let reported_set: HashSet<&Path> = reported.iter().filter_map(Reported::canonical).collect();
    let context: Vec<FoundFile> = match &group.root {
        Some(root) if !request.isolated => {
            let none = globset::GlobSet::empty();
            let files = if walked.iter().any(|dir| root.dir.starts_with(dir)) {
                Vec::new()
            } else {
                let found = workspace_files(root, &none, finder);
                problems.warnings.extend(found.skipped);
                problems.warnings.extend(found.errors);
                found.files
            };
            files
                .into_iter()
                .filter(|f| {
                    !reported_set.contains(f.canonical.as_path()) && !is_excluded(&f.canonical)
                })
                .filter(|f| match request.stdin_name {
                    Some(name) => resolve(name) != f.canonical,
                    None => true,
                })
                .collect()
        }
        _ => Vec::new(),
    };
    drop(reported_set);

    // Context files are named in the style of the paths asked for: absolute beside absolute
    // paths, else as seen from the working folder.
    let absolute = !group.named.is_empty() && group.named.iter().all(|p| p.is_absolute());
    let cwd = std::env::current_dir()
        .ok()
        .filter(|_| !absolute)
        .map(|d| resolve(&d));
    let mut files = Vec::with_capacity(reported.len() + context.len());
    let mut sources = Vec::with_capacity(reported.len() + context.len());
    let mut to_read: Vec<(PathBuf, String, bool)> = Vec::new();
    for r in reported {
        match r {
            Reported::Disk(found) => {
                let shown = display_path(&found.path);
                to_read.push((found.path, shown, true));
            }
            Reported::Stdin { path, bytes } => {
                files.push(InputFile {
                    disk: None,
                    reported: true,
                });
                sources.push(Source { path, bytes });
            }
        }
    }
    for found in context {
        let shown = match &cwd {
            Some(cwd) => display_path(&relative_to(cwd, &found.canonical)),
            None => display_path(&found.canonical),
        };
        to_read.push((found.canonical, shown, false));
    }
    // Read on every core; problems are reported in path order.
    let read: Vec<(PathBuf, String, bool, std::io::Result<Vec<u8>>)> = to_read
        .into_par_iter()
        .map(|(disk, shown, reported)| {
            let bytes = std::fs::read(&disk);
            (disk, shown, reported, bytes)
        })
        .collect();
    for (disk, shown, reported, bytes) in read {
        match bytes {
            Ok(bytes) => {
                files.push(InputFile {
                    disk: Some(disk),
                    reported,
                });
                sources.push(Source { path: shown, bytes });
            }
            Err(error) if reported => problems.errors.push(cannot_read(&disk, &error)),
            Err(error) => problems.warnings.push(format!(
                "{}; the findings of the other files are computed without it",
                cannot_read(&disk, &error)
            )),
        }
    }
    WorkspaceInput {
        root: group.root,
        config,
        files,
        sources,
    }
}

/// `path` as seen from the folder `from` (both absolute and resolved): `../tables/user.xs`
/// beside a named `../apis/x.xs`, so context files read as the named ones do. Paths that share
/// nothing but the file system's root stay absolute.
fn relative_to(from: &Path, path: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = path.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_paths_read_from_the_working_folder() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            relative_to(&p("/w/app"), &p("/w/app/tables/u.xs")),
            p("tables/u.xs")
        );
        assert_eq!(
            relative_to(&p("/w/app/server"), &p("/w/app/examples/t.xs")),
            p("../examples/t.xs")
        );
        assert_eq!(relative_to(&p("/home/a"), &p("/srv/t.xs")), p("/srv/t.xs"));
    }
}
