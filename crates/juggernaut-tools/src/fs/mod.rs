//! File tools: `fs_read`, `fs_write` and `fs_list`, confined to the task's workspace through
//! [`Workspace::resolve`], plus [`sha256_file`], the one way a file's hash is computed (tools
//! and verifiers agree on it). Only regular files are read or written: directories, FIFOs,
//! sockets and devices are refused from their metadata before anything is opened, and files are
//! opened non-blocking so that one swapped in meanwhile cannot hang the call either.
//! `fs_write` never writes inside a `.git` (the git tool's business); reading one is fine.

mod list;
mod read;
mod write;

pub use list::{FsList, LIST_DEFAULT, LIST_MAX};
pub use read::{FsRead, READ_MAX};
pub use write::{FsWrite, WRITE_MAX};

use crate::tool::ToolError;
use crate::workspace::WorkspaceError;
use sha2::{Digest, Sha256};
use std::fs::{File, FileType, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Component, Path};

/// Size of the buffer files are streamed through.
const CHUNK: usize = 64 * 1024;

/// The lowercase hex SHA-256 of the regular file at `path`, streamed. Anything but a regular
/// file (a directory, a FIFO, a device) is an error, so hashing never blocks on a pipe.
pub fn sha256_file(path: impl AsRef<Path>) -> io::Result<String> {
    let mut file = open_regular(path.as_ref())?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Opens the regular file at `path` for reading, refusing anything else before opening it and
/// again (from the open handle) after: the open is non-blocking, so a FIFO swapped in between
/// cannot hang it.
pub(crate) fn open_regular(path: &Path) -> io::Result<File> {
    regular(&std::fs::metadata(path)?, path)?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    regular(&file.metadata()?, path)?;
    Ok(file)
}

fn regular(meta: &Metadata, path: &Path) -> io::Result<()> {
    if meta.is_file() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is a {}, not a regular file",
                path.display(),
                kind_name(meta.file_type())
            ),
        ))
    }
}

/// What a file type is called in messages.
pub(crate) fn kind_name(t: FileType) -> &'static str {
    if t.is_file() {
        "regular file"
    } else if t.is_dir() {
        "directory"
    } else if t.is_symlink() {
        "symlink"
    } else if t.is_fifo() {
        "FIFO (named pipe)"
    } else if t.is_socket() {
        "socket"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_block_device() {
        "block device"
    } else {
        "special file"
    }
}

/// A relative path as evidence and results show it: its normal parts joined by `/` (`.` and
/// empty parts dropped; the workspace itself is the empty string).
pub(crate) fn normalized(rel: &str) -> String {
    Path::new(rel)
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A refused path, shown to the model.
pub(crate) fn refused(e: WorkspaceError) -> ToolError {
    ToolError::model(e.to_string())
}

/// An I/O error on `rel`, shown to the model.
pub(crate) fn io_error(rel: &str, e: &io::Error) -> ToolError {
    match e.kind() {
        io::ErrorKind::NotFound => ToolError::model(format!("`{rel}` does not exist")),
        _ => ToolError::model(format!("`{rel}`: {e}")),
    }
}

/// Runs blocking file work off the async threads.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, ToolError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ToolError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ToolError::transient(format!("a file tool's worker thread failed: {e}")))?
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn normalized_drops_dots_and_empty_parts() {
        assert_eq!(normalized("./a//b/./c.txt"), "a/b/c.txt");
        assert_eq!(normalized("."), "");
    }

    #[test]
    fn hash_is_lowercase_hex_and_dirs_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("f");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(
            sha256_file(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let e = sha256_file(tmp.path()).unwrap_err();
        assert!(e.to_string().contains("is a directory"), "{e}");
    }
}
