//! Flags of `radcheck verify` and `radcheck certify` (issue 14).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

pub const VERIFY_HELP: &str = "Evidence files: radcheck reruns the analysis each one records (verb, \
arguments, seeds, extractor, data root) from the recorded inputs, in DIR (--data) or the current \
folder, and compares the result with the file. An input whose SHA-256 differs from the recorded one \
is named and the file is not rerun.\n\nCertificates (a folder made by `radcheck certify`, or its \
attestation.dsse.json): checks the ed25519 signature with --key, then the extractor's digests \
against the installed extractor; --rerun runs the suites again.\n\nExit codes:\n  0  every evidence \
file reproduced (byte for byte, or within --tolerance); the certificate verified\n  1  a value \
differs, an input changed, a signature or digest does not match\n  2  radcheck could not verify \
(no analysis recorded, an input missing, the rerun failed, bad arguments)";

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// An evidence file (JSON), a study manifest (study.toml: every evidence file it lists), a
    /// folder of evidence files, or a certificate (folder or attestation).
    pub target: PathBuf,
    /// Folder the recorded relative paths are resolved in (the working folder of the original
    /// run; default: the current folder).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Relative tolerance for numbers (|a - b| <= t * max(|a|, |b|)), for reruns on another
    /// platform or version; 0 asks for the same bytes.
    #[arg(long, default_value_t = 0.0)]
    pub tolerance: f64,
    /// Output format (json: the verification record `radcheck report --verification` reads).
    #[arg(long, value_enum, default_value = "text")]
    pub format: VerifyFormat,
    /// Write to this file instead of stdout (written whole or not at all).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Certificates: the ed25519 public key (PEM, SubjectPublicKeyInfo) that must have signed the
    /// attestation.
    #[arg(long, value_name = "PUB.pem")]
    pub key: Option<PathBuf>,
    /// Certificates: also run the certified suites again and compare the values.
    #[arg(long)]
    pub rerun: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
}

pub const CERTIFY_HELP: &str = "Runs the suites with the extractor and writes DIR/certificate.json, \
DIR/certificate.html (self-contained) and DIR/attestation.dsse.json: an in-toto Statement v1 whose \
subject is the extractor's files (SHA-256) and whose predicate is the certificate, in a DSSE \
envelope signed with the ed25519 key (PKCS#8 PEM). `radcheck certify --new-key KEY.pem` makes a \
key pair (KEY.pem, and KEY.pub.pem to hand to whoever verifies).\n\nExit codes:\n  0  certificate \
written (whatever the values matched: the certificate says)\n  2  radcheck could not do its job (bad \
arguments, unreadable key, missing data, bad adapter)";

#[derive(Debug, Args)]
pub struct CertifyArgs {
    /// Extractor: `builtin`, an adapter name or an adapter file.
    #[arg(long, default_value = "builtin", value_name = "NAME_OR_PATH")]
    pub extractor: String,
    /// Suites, comma-separated (`radcheck suites` lists them).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "ibsi1-digital-phantom",
        value_name = "SUITE,..."
    )]
    pub suites: Vec<String>,
    /// Input source of the suites' cases: embedded, nifti or dicom (default: each suite's first).
    #[arg(long, value_enum)]
    pub source: Option<crate::flags::Source>,
    /// Output folder.
    #[arg(long, required_unless_present = "new_key")]
    pub out: Option<PathBuf>,
    /// The ed25519 private key (PKCS#8 PEM) that signs the attestation.
    #[arg(long, value_name = "KEY.pem", required_unless_present = "new_key")]
    pub key: Option<PathBuf>,
    /// Make a new ed25519 key pair: the private key (PKCS#8 PEM) here and the public key
    /// (SubjectPublicKeyInfo PEM) beside it as .pub.pem; then exit.
    #[arg(long, value_name = "KEY.pem", conflicts_with_all = ["out", "key"])]
    pub new_key: Option<PathBuf>,
}
