//! The pinned cfn-lint wheel: download (with pip), checksum, and reading the schemas from it.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// The cfn-lint release whose schemas are compiled into `stackcraft-resources`.
pub const CFN_LINT_VERSION: &str = "1.58.0";
/// The wheel's file name on PyPI.
pub const WHEEL_FILE: &str = "cfn_lint-1.58.0-py3-none-any.whl";
/// sha256 of [`WHEEL_FILE`] (as listed on PyPI); a wheel with any other digest is refused.
pub const WHEEL_SHA256: &str = "9d9f06043160756a6158f5c3f92a44ce38254b1c578127461608305bc8262987";
/// Where the schemas live inside the wheel.
const SCHEMAS: &str = "cfnlint/data/schemas";

/// Returns the path of the verified wheel, downloading it into `<root>/.cache/cfn-lint/` first
/// when it is not there yet.
pub fn fetch(root: &Path) -> Result<PathBuf, String> {
    let dir = root.join(".cache").join("cfn-lint");
    let wheel = dir.join(WHEEL_FILE);
    if !wheel.exists() {
        fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        eprintln!("xtask: downloading cfn-lint=={CFN_LINT_VERSION} with {python} -m pip");
        let status = Command::new(&python)
            .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
            .arg(format!("cfn-lint=={CFN_LINT_VERSION}"))
            .arg("-d")
            .arg(&dir)
            .status()
            .map_err(|e| format!("running {python} -m pip: {e}"))?;
        if !status.success() {
            return Err(format!(
                "pip download of cfn-lint=={CFN_LINT_VERSION} failed ({status})"
            ));
        }
        if !wheel.exists() {
            return Err(format!("pip did not produce {}", wheel.display()));
        }
    }
    let bytes = fs::read(&wheel).map_err(|e| format!("reading {}: {e}", wheel.display()))?;
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if digest != WHEEL_SHA256 {
        return Err(format!(
            "CHECKSUM MISMATCH for {}: expected sha256 {WHEEL_SHA256}, got {digest}. \
             Delete the file and retry; if it persists, the download is not the pinned wheel.",
            wheel.display()
        ));
    }
    Ok(wheel)
}

/// The schemas of the wheel.
pub struct Schemas {
    archive: zip::ZipArchive<fs::File>,
}

impl Schemas {
    pub fn open(wheel: &Path) -> Result<Self, String> {
        let file =
            fs::File::open(wheel).map_err(|e| format!("opening {}: {e}", wheel.display()))?;
        let archive = zip::ZipArchive::new(file).map_err(|e| format!("reading the wheel: {e}"))?;
        Ok(Schemas { archive })
    }

    fn read_json(&mut self, path: &str) -> Result<serde_json::Value, String> {
        let mut entry = self
            .archive
            .by_name(path)
            .map_err(|e| format!("{path} in the wheel: {e}"))?;
        let mut text = String::new();
        entry
            .read_to_string(&mut text)
            .map_err(|e| format!("reading {path}: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("parsing {path}: {e}"))
    }

    /// `providers/<region>.json`: resource type name → schema file id, sorted by type name.
    pub fn provider(&mut self, region: &str) -> Result<Vec<(String, String)>, String> {
        let path = format!("{SCHEMAS}/providers/{region}.json");
        let json = self.read_json(&path)?;
        let map = json
            .as_object()
            .ok_or_else(|| format!("{path}: not an object"))?;
        let mut types: Vec<(String, String)> = map
            .iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|f| (k.clone(), f.to_owned()))
                    .ok_or_else(|| format!("{path}: {k} does not name a file"))
            })
            .collect::<Result<_, _>>()?;
        types.sort();
        Ok(types)
    }

    /// `resources/<id>.json`: one resource provider schema.
    pub fn resource(&mut self, id: &str) -> Result<serde_json::Value, String> {
        self.read_json(&format!("{SCHEMAS}/resources/{id}.json"))
    }
}
