//! Opening `json_file` policies: only regular files, read with a cap, then held to the size AWS
//! allows for that kind of policy, so a FIFO cannot hang the build or the runner, `/dev/zero`
//! cannot exhaust memory, and a policy AWS would refuse for its size is refused here too.
//!
//! One small entry point, [`read_policy_file`], for every place that reads a policy file, and
//! [`read_json_file`] for the other AWS JSON documents (same guards, no policy size limit).

use std::fmt;
use std::io::Read as _;
use std::path::Path;

/// What a policy file is attached to, which decides the size AWS allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// A role's inline permissions policy.
    RoleInline,
    /// A role's trust policy.
    Trust,
    /// A bucket policy.
    Bucket,
    /// A KMS key policy.
    Key,
}

/// How AWS measures a policy against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Characters other than whitespace (IAM).
    NonWhitespaceChars,
    /// Bytes of the document as sent.
    Bytes,
}

/// The size AWS allows a kind of policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimit {
    /// The largest size allowed.
    pub max: usize,
    /// What is counted.
    pub measure: Measure,
    /// The limit in AWS's words, for messages.
    pub name: &'static str,
}

/// No policy file is read beyond this many bytes, whatever its kind: far above every AWS policy
/// limit even with generous indentation (*inferred*: AWS sets no limit on the file, only on the
/// policy).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

impl PolicyKind {
    /// The size AWS allows this kind of policy, when AWS documents one.
    ///
    /// IAM quotas: a role's inline policies together at most 10,240 characters, whitespace not
    /// counted (each file is checked on its own, so this catches a file that alone is too large;
    /// managed policies, 6,144 characters, do not occur in scenarios). S3 user guide, "Bucket
    /// policies and user policies": bucket policies at most 20 KB (*inferred*: 20 × 1,024 bytes,
    /// whitespace counted). KMS `PutKeyPolicy`: key policies at most 32 KiB (32,768 bytes). The
    /// trust policy quota is not in the project's sources, so a trust policy only meets
    /// [`MAX_FILE_BYTES`].
    pub fn size_limit(self) -> Option<SizeLimit> {
        match self {
            PolicyKind::RoleInline => Some(SizeLimit {
                max: 10_240,
                measure: Measure::NonWhitespaceChars,
                name: "IAM's quota for a role's inline policies",
            }),
            PolicyKind::Bucket => Some(SizeLimit {
                max: 20 * 1024,
                measure: Measure::Bytes,
                name: "S3's bucket policy limit of 20 KB",
            }),
            PolicyKind::Key => Some(SizeLimit {
                max: 32 * 1024,
                measure: Measure::Bytes,
                name: "KMS's key policy limit of 32 KiB",
            }),
            PolicyKind::Trust => None,
        }
    }
}

/// Why a policy file was not read.
#[derive(Debug)]
pub enum PolicyFileError {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// The path names something other than a regular file (a FIFO, a device, a folder).
    NotRegularFile,
    /// The file is larger than [`MAX_FILE_BYTES`].
    FileTooLarge,
    /// The policy is larger than AWS allows for its kind.
    PolicyTooLarge {
        /// Its size, as the limit counts it.
        size: usize,
        /// The limit.
        limit: SizeLimit,
    },
}

impl fmt::Display for PolicyFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyFileError::Io(e) => f.write_str(&io_reason(e)),
            PolicyFileError::NotRegularFile => f.write_str(
                "not a regular file (a FIFO, device or folder); point `json_file` at a JSON file",
            ),
            PolicyFileError::FileTooLarge => write!(
                f,
                "larger than {} KiB, far beyond any policy AWS accepts",
                MAX_FILE_BYTES / 1024
            ),
            PolicyFileError::PolicyTooLarge { size, limit } => {
                let unit = match limit.measure {
                    Measure::NonWhitespaceChars => "characters other than whitespace",
                    Measure::Bytes => "bytes",
                };
                write!(
                    f,
                    "{size} {unit}, over {} ({} {unit}); split the policy",
                    limit.name, limit.max
                )
            }
        }
    }
}

/// Reads a policy file of `kind`: only a regular file, at most [`MAX_FILE_BYTES`], UTF-8, and
/// within the size AWS allows that kind of policy.
pub fn read_policy_file(path: &Path, kind: PolicyKind) -> Result<String, PolicyFileError> {
    let text = read_json_file(path)?;
    if let Some(limit) = kind.size_limit() {
        let size = match limit.measure {
            Measure::NonWhitespaceChars => text.chars().filter(|c| !c.is_whitespace()).count(),
            Measure::Bytes => text.len(),
        };
        if size > limit.max {
            return Err(PolicyFileError::PolicyTooLarge { size, limit });
        }
    }
    Ok(text)
}

/// Reads any AWS JSON document file (a replication configuration, `describe-key` output, ...):
/// only a regular file, at most [`MAX_FILE_BYTES`], UTF-8.
pub fn read_json_file(path: &Path) -> Result<String, PolicyFileError> {
    // Checked before opening: opening a FIFO blocks until a writer appears.
    let meta = std::fs::metadata(path).map_err(PolicyFileError::Io)?;
    if !meta.is_file() {
        return Err(PolicyFileError::NotRegularFile);
    }
    let file = std::fs::File::open(path).map_err(PolicyFileError::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(PolicyFileError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(PolicyFileError::FileTooLarge);
    }
    String::from_utf8(bytes)
        .map_err(|e| PolicyFileError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// An I/O error in words that do not depend on the platform's locale.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::InvalidData => "not UTF-8 text".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("dsl-policy-file-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn only_regular_files_are_opened() {
        let dir = scratch("dir");
        let err = read_policy_file(&dir, PolicyKind::Bucket).unwrap_err();
        assert!(matches!(err, PolicyFileError::NotRegularFile), "{err}");
        #[cfg(unix)]
        {
            // A FIFO with no writer: opening it would block forever.
            let fifo = dir.join("pipe.json");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                let err = read_policy_file(&fifo, PolicyKind::Key).unwrap_err();
                assert!(matches!(err, PolicyFileError::NotRegularFile), "{err}");
            }
            let err = read_policy_file(Path::new("/dev/zero"), PolicyKind::Key).unwrap_err();
            assert!(matches!(err, PolicyFileError::NotRegularFile), "{err}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn each_kind_meets_its_aws_limit() {
        let dir = scratch("limits");
        let path = dir.join("p.json");
        // 10,240 characters besides whitespace pass for a role; one more does not; indentation
        // does not count.
        let body = |n: usize| format!("\"{}\"", "a".repeat(n - 2));
        std::fs::write(&path, format!("   {}\n\n", body(10_240))).unwrap();
        assert!(read_policy_file(&path, PolicyKind::RoleInline).is_ok());
        std::fs::write(&path, body(10_241)).unwrap();
        let err = read_policy_file(&path, PolicyKind::RoleInline).unwrap_err();
        assert_eq!(
            err.to_string(),
            "10241 characters other than whitespace, over IAM's quota for a role's inline policies (10240 characters other than whitespace); split the policy"
        );
        // The same file is a fine bucket policy; 20 KB is not.
        assert!(read_policy_file(&path, PolicyKind::Bucket).is_ok());
        std::fs::write(&path, body(20 * 1024 + 1)).unwrap();
        let err = read_policy_file(&path, PolicyKind::Bucket).unwrap_err();
        assert!(
            err.to_string()
                .contains("S3's bucket policy limit of 20 KB"),
            "{err}"
        );
        assert!(read_policy_file(&path, PolicyKind::Key).is_ok());
        std::fs::write(&path, body(32 * 1024 + 1)).unwrap();
        let err = read_policy_file(&path, PolicyKind::Key).unwrap_err();
        assert!(
            err.to_string().contains("KMS's key policy limit of 32 KiB"),
            "{err}"
        );
        std::fs::write(&path, vec![b' '; MAX_FILE_BYTES as usize + 1]).unwrap();
        let err = read_policy_file(&path, PolicyKind::Trust).unwrap_err();
        assert!(matches!(err, PolicyFileError::FileTooLarge), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
