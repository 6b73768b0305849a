//! The importer on the shipped sample (`examples/import/acme`) and on broken copies of it: the
//! generated scenario as a snapshot, its probe results as typed outcomes, and one test per kind
//! of problem, each reported at its file with nothing written.

mod errors;
mod sample;

use std::path::{Path, PathBuf};

/// The shipped sample directory.
pub fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/import/acme")
}

/// A fresh copy of the sample under the system's temporary folder, removed on drop.
#[derive(Debug)]
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn copy_of_sample(tag: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("replication-import-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&sample_dir(), &dir.join("acme"));
        Scratch { dir }
    }

    /// The copy of the sample.
    pub fn acme(&self) -> PathBuf {
        self.dir.join("acme")
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.acme().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.acme().join(rel)).unwrap()
    }

    pub fn config(&self) -> replication_import::ImportConfig {
        let mut c =
            replication_import::ImportConfig::new(self.acme(), self.dir.join("acme.scenario"));
        c.shown_as = PathBuf::from("acme");
        c
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
