//! The one atomic file writer of genlab-train: checkpoints, the run manifest and the summary
//! all go through it, so a crash at any moment leaves the old file or the new one, never a
//! torn one.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `parts` one after the other to `path`: a temporary file beside it, fsynced, renamed
/// over `path`, then the folder fsynced so the rename is durable too. The folder is created if
/// missing. On failure the error carries the file that failed (the temporary one or the
/// target) and the temporary file is removed.
pub(crate) fn write_atomic(path: &Path, parts: &[&[u8]]) -> Result<(), (PathBuf, std::io::Error)> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| (dir.to_path_buf(), e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let written = (|| {
        let mut file = File::create(&tmp)?;
        for part in parts {
            file.write_all(part)?;
        }
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err((tmp, e));
    }
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err((path.to_path_buf(), e));
    }
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
