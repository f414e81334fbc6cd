//! The signed form of a certificate: an in-toto Statement v1 (subject = the extractor's files
//! with their SHA-256, predicate = the certificate) in a DSSE envelope with one ed25519
//! signature over the DSSE pre-authentication encoding. Keys are PEM: PKCS#8 for the private key,
//! SubjectPublicKeyInfo for the public one.

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use radcheck_reports::certificate::Certificate;
use serde::{Deserialize, Serialize};

/// The in-toto statement type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The DSSE payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The predicate type of a radcheck conformance certificate.
pub const PREDICATE_TYPE: &str = "https://example.invalid/radcheck/conformance-certificate/v1";

/// One subject: a file name and its digests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    pub name: String,
    pub digest: std::collections::BTreeMap<String, String>,
}

/// An in-toto Statement v1 whose predicate is a certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub statement_type: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: Certificate,
}

impl Statement {
    /// The statement of `certificate`: its extractor's digests are the subject.
    pub fn of(certificate: &Certificate) -> Statement {
        Statement {
            statement_type: STATEMENT_TYPE.into(),
            subject: certificate
                .extractor
                .digests
                .iter()
                .map(|d| Subject {
                    name: d.name.clone(),
                    digest: [("sha256".to_owned(), d.sha256.clone())].into(),
                })
                .collect(),
            predicate_type: PREDICATE_TYPE.into(),
            predicate: certificate.clone(),
        }
    }
}

/// A DSSE envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// The statement's JSON, base64 (standard alphabet, padded).
    pub payload: String,
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// SHA-256 of the public key's DER (SubjectPublicKeyInfo), hex.
    pub keyid: String,
    /// The ed25519 signature of the pre-authentication encoding, base64.
    pub sig: String,
}

/// DSSE's pre-authentication encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

fn key_id(key: &VerifyingKey) -> anyhow::Result<String> {
    let der = key
        .to_public_key_der()
        .context("cannot encode the public key")?;
    Ok(radcheck_io::sha256_bytes(der.as_bytes()))
}

/// Signs `statement` into an envelope.
pub fn sign(statement: &Statement, key: &SigningKey) -> anyhow::Result<Envelope> {
    let payload = serde_json::to_vec(statement)?;
    let signature = key.sign(&pae(PAYLOAD_TYPE, &payload));
    Ok(Envelope {
        payload_type: PAYLOAD_TYPE.into(),
        payload: BASE64.encode(&payload),
        signatures: vec![EnvelopeSignature {
            keyid: key_id(&key.verifying_key())?,
            sig: BASE64.encode(signature.to_bytes()),
        }],
    })
}

/// Why an envelope does not verify (a finding: exit 1).
#[derive(Debug, thiserror::Error)]
pub enum Invalid {
    #[error("the envelope's payload type is `{0}`, not {PAYLOAD_TYPE}")]
    PayloadType(String),
    #[error("the payload is not base64")]
    Payload,
    #[error("no signature of the envelope verifies with the key (keyid {0})")]
    Signature(String),
    #[error("the signed payload is not a radcheck certificate statement: {0}")]
    Statement(String),
}

/// The statement of `envelope` when one of its signatures verifies with `key`.
pub fn open(envelope: &Envelope, key: &VerifyingKey) -> Result<Statement, Invalid> {
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(Invalid::PayloadType(envelope.payload_type.clone()));
    }
    let payload = BASE64
        .decode(&envelope.payload)
        .map_err(|_| Invalid::Payload)?;
    let message = pae(&envelope.payload_type, &payload);
    let verified = envelope.signatures.iter().any(|s| {
        BASE64
            .decode(&s.sig)
            .ok()
            .and_then(|b| Signature::from_slice(&b).ok())
            .is_some_and(|sig| key.verify(&message, &sig).is_ok())
    });
    if !verified {
        return Err(Invalid::Signature(key_id(key).unwrap_or_default()));
    }
    let statement: Statement =
        serde_json::from_slice(&payload).map_err(|e| Invalid::Statement(e.to_string()))?;
    if statement.statement_type != STATEMENT_TYPE || statement.predicate_type != PREDICATE_TYPE {
        return Err(Invalid::Statement(format!(
            "types {} / {}",
            statement.statement_type, statement.predicate_type
        )));
    }
    Ok(statement)
}

/// Reads an ed25519 private key (PKCS#8 PEM).
pub fn read_private_key(path: &Path) -> anyhow::Result<SigningKey> {
    let pem = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key {}", path.display()))?;
    SigningKey::from_pkcs8_pem(&pem).map_err(|e| {
        anyhow::anyhow!(
            "{}: not an ed25519 private key in PKCS#8 PEM ({e}); make one with `radcheck certify --new-key KEY.pem`",
            path.display()
        )
    })
}

/// Reads an ed25519 public key (SubjectPublicKeyInfo PEM).
pub fn read_public_key(path: &Path) -> anyhow::Result<VerifyingKey> {
    let pem = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key {}", path.display()))?;
    VerifyingKey::from_public_key_pem(&pem).map_err(|e| {
        anyhow::anyhow!(
            "{}: not an ed25519 public key in SubjectPublicKeyInfo PEM ({e})",
            path.display()
        )
    })
}

/// Makes a key pair: the private key at `path`, the public key beside it (`.pub.pem`).
pub fn new_key(path: &Path) -> anyhow::Result<std::path::PathBuf> {
    if path.exists() {
        anyhow::bail!(
            "{} exists: radcheck does not overwrite a key",
            path.display()
        );
    }
    let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    // PKCS#8 v1 (RFC 8410: the private key only), as `openssl genpkey -algorithm ed25519` writes.
    let private = ed25519_dalek::pkcs8::KeypairBytes {
        secret_key: key.to_bytes(),
        public_key: None,
    }
    .to_pkcs8_pem(LineEnding::LF)
    .context("cannot encode the private key")?;
    let public = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .context("cannot encode the public key")?;
    let stem = path.to_string_lossy();
    let stem = stem.strip_suffix(".pem").unwrap_or(&stem);
    let public_path = std::path::PathBuf::from(format!("{stem}.pub.pem"));
    crate::output::emit(Some(path), private.as_bytes())?;
    crate::output::emit(Some(&public_path), public.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {}", path.display()))?;
    }
    Ok(public_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_is_the_dsse_example() {
        // The DSSE specification's example: type "http://example.com/HelloWorld", body
        // "hello world".
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }

    #[test]
    fn rfc8032_test_1_signature() {
        // RFC 8032, section 7.1, TEST 1: empty message.
        let secret: [u8; 32] =
            hex32("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let key = SigningKey::from_bytes(&secret);
        assert_eq!(
            key.verifying_key().to_bytes(),
            hex32("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        );
        let sig = key.sign(b"").to_bytes();
        let expected = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
        let hex: String = sig.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    }

    fn hex32(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }
}
