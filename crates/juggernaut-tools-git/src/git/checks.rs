//! What the git tools refuse before running anything: remotes outside the allowed list or
//! carrying credentials, branch names git (or a force-push) could misread, revisions that look
//! like options, and paths that leave the workspace.

use juggernaut_tools::{ToolError, Workspace};
use std::path::PathBuf;

/// Whether `url` is one of the allowed remotes: it starts with an allowed prefix at a boundary
/// (the prefix ends with `/` or `:`, or the rest starts with `/`, or the rest is empty or
/// `.git`). Refuses URLs with credentials, `..` segments, escapes, whitespace, the `ext::`
/// transport and a leading `-`.
pub fn remote_allowed(url: &str, allowed: &[String]) -> Result<(), ToolError> {
    let refuse = |why: &str| {
        Err(ToolError::model(format!(
            "remote `{url}` is refused: {why}"
        )))
    };
    if url.is_empty() {
        return refuse("it is empty");
    }
    if url.starts_with('-') {
        return refuse("it starts with `-`");
    }
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\' || c == '%')
    {
        return refuse("it holds whitespace, control characters, `\\` or `%` escapes");
    }
    if url.contains("::") {
        return refuse("transport helpers (`ext::`, `fd::`) are not allowed");
    }
    if let Some((_, rest)) = url.split_once("://") {
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.contains('@') && !url.starts_with("ssh://") {
            return refuse("credentials must not be in the URL; the token is configured apart");
        }
    }
    if url.split(['/', ':']).any(|seg| seg == ".." || seg == ".") {
        return refuse("`.` and `..` segments are not allowed");
    }
    let fits = allowed.iter().any(|prefix| {
        let prefix = prefix.trim_end_matches('/');
        if prefix.is_empty() {
            return false;
        }
        let Some(rest) = url.strip_prefix(prefix) else {
            return false;
        };
        rest.is_empty()
            || rest == "/"
            || rest == ".git"
            || rest.starts_with('/')
            || prefix.ends_with(':')
    });
    if fits {
        Ok(())
    } else if allowed.is_empty() {
        refuse("no remotes are allowed (GitConfig.allowed_remotes is empty)")
    } else {
        refuse(&format!(
            "it is not under an allowed remote ({})",
            allowed.join(", ")
        ))
    }
}

/// A branch name git takes as a plain branch: `[A-Za-z0-9._/-]`, no leading `-`, `/` or `.`,
/// no `..`, `//`, `@{`, trailing `/`, `.` or `.lock`; so never a refspec (`+`, `:`) either.
pub fn branch_name(name: &str, field: &str) -> Result<(), ToolError> {
    let refuse = |why: &str| {
        Err(ToolError::model(format!(
            "`{field}` `{name}` is refused: {why}"
        )))
    };
    if name.is_empty() || name.len() > 200 {
        return refuse("it must be 1-200 characters");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-')))
    {
        return refuse(&format!(
            "`{c}` is not allowed (use letters, digits, `.`, `_`, `/`, `-`; a leading `+` \
             would force-push, `:` would name another ref)"
        ));
    }
    if name.starts_with(['-', '/', '.']) || name.ends_with(['/', '.']) || name.ends_with(".lock") {
        return refuse("it must not start with `-`, `/` or `.`, nor end with `/`, `.` or `.lock`");
    }
    if name.contains("..") || name.contains("//") || name.contains("/.") || name == "HEAD" {
        return refuse("`..`, `//`, `/.` and `HEAD` are not allowed");
    }
    Ok(())
}

/// A revision (branch, tag, sha, `HEAD~2`, `main..topic`): no leading `-`, no whitespace,
/// control characters or `:`.
pub fn revision(rev: &str, field: &str) -> Result<(), ToolError> {
    if rev.is_empty()
        || rev.len() > 200
        || rev.starts_with('-')
        || rev
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ':')
    {
        return Err(ToolError::model(format!(
            "`{field}` `{rev}` is refused: a revision is 1-200 characters without a leading `-`, \
             whitespace or `:`"
        )));
    }
    Ok(())
}

/// A directory of the workspace that exists, made absolute.
pub fn existing_dir(ws: &Workspace, dir: &str) -> Result<PathBuf, ToolError> {
    let path = ws
        .resolve(dir)
        .map_err(|e| ToolError::model(e.to_string()))?;
    if !path.is_dir() {
        return Err(ToolError::model(format!(
            "`{dir}` is not a directory of the task's workspace"
        )));
    }
    path.canonicalize()
        .map_err(|e| ToolError::model(format!("`{dir}`: {e}")))
}

/// Pathspecs inside `dir` of the workspace, as given (relative to `dir`); refuses paths that
/// leave the workspace and pathspec magic (`:`).
pub fn pathspecs(ws: &Workspace, dir: &str, paths: &[String]) -> Result<Vec<String>, ToolError> {
    paths
        .iter()
        .map(|p| {
            if p.starts_with(':') || p.starts_with('-') {
                return Err(ToolError::model(format!(
                    "path `{p}` is refused: pathspec magic (`:`) and a leading `-` are not allowed"
                )));
            }
            ws.resolve(&format!("{}/{p}", dir.trim_end_matches('/')))
                .map_err(|e| ToolError::model(e.to_string()))?;
            Ok(p.clone())
        })
        .collect()
}

/// Repository settings the git tools refuse to run under: each can make git run a program
/// (filters, diff and merge drivers, editors, pagers, ssh, fsmonitor, hooks, transport
/// programs), hand credentials elsewhere, pull in other files, or send a push to another URL
/// than the one checked. Keys are lowercase; a `*` stands for one subsection.
const DANGEROUS: [&str; 24] = [
    "filter.",
    "diff.",
    "merge.",
    "include.",
    "includeif.",
    "url.",
    "credential.",
    "gpg.",
    "pager.",
    "uploadpack.",
    "receive.",
    "protocol.",
    "core.sshcommand",
    "core.fsmonitor",
    "core.editor",
    "core.pager",
    "core.hookspath",
    "core.gitproxy",
    "core.askpass",
    "sequence.editor",
    "remote.*.uploadpack",
    "remote.*.receivepack",
    "remote.*.proxy",
    "http.",
];

/// The first setting of `names` (lowercase `section.sub.key` names from the repository's own
/// configuration) the git tools refuse, if any.
pub fn dangerous_setting<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    names.into_iter().find(|name| {
        let name = name.to_ascii_lowercase();
        DANGEROUS.iter().any(|d| match d.split_once(".*.") {
            Some((section, key)) => {
                name.starts_with(&format!("{section}.")) && name.ends_with(&format!(".{key}"))
            }
            None if d.ends_with('.') => name.starts_with(d),
            None => name == *d,
        })
    })
}

/// Text git takes as one argument: no NUL.
pub fn text(value: &str, field: &str) -> Result<(), ToolError> {
    if value.contains('\0') {
        return Err(ToolError::model(format!("`{field}` holds NUL")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_must_fit_a_prefix_at_a_boundary() {
        let allowed = vec!["https://github.com/acme".to_owned(), "/srv/git/".to_owned()];
        for ok in [
            "https://github.com/acme/app.git",
            "https://github.com/acme/app",
            "/srv/git/app.git",
        ] {
            assert!(remote_allowed(ok, &allowed).is_ok(), "{ok}");
        }
        for bad in [
            "https://github.com/acme-evil/app.git",
            "https://x-access-token:tok@github.com/acme/app.git",
            "https://github.com/acme/../evil/app.git",
            "https://github.com/acme/%2e%2e/evil",
            "ext::sh -c touch% /tmp/x",
            "-uhack",
            "/srv/gitx/app.git",
            "",
        ] {
            assert!(remote_allowed(bad, &allowed).is_err(), "{bad}");
        }
        assert!(remote_allowed("/srv/git/a", &[]).is_err());
    }

    #[test]
    fn branch_names_are_plain() {
        for ok in ["main", "juggernaut/task-12", "fix_1.2"] {
            assert!(branch_name(ok, "branch").is_ok(), "{ok}");
        }
        for bad in [
            "+main", "a:b", "-f", "a..b", "a b", "x.lock", "", "a/", "@{-1}", "HEAD",
        ] {
            assert!(branch_name(bad, "branch").is_err(), "{bad}");
        }
        assert!(revision("HEAD~2", "rev").is_ok());
        assert_eq!(
            dangerous_setting(["core.bare", "filter.x.clean"]),
            Some("filter.x.clean")
        );
        assert_eq!(
            dangerous_setting(["remote.origin.receivepack"]),
            Some("remote.origin.receivepack")
        );
        assert_eq!(
            dangerous_setting(["remote.origin.url", "branch.main.merge"]),
            None
        );
        assert!(revision("--all", "rev").is_err());
    }
}
