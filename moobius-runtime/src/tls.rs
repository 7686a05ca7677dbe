//! TLS for `https://` and `wss://`: one set of trusted roots and one rustls
//! client configuration, shared by every connection a driver opens
//! (websocket and HTTP), with the crypto provider named explicitly.
//!
//! Why explicit: `rustls::ClientConfig::builder()` picks the process-wide
//! default provider and panics when the build graph enables two (a service
//! that also depends on a crate pulling aws-lc-rs is enough). Here the
//! provider is always `ring`, passed by value, whatever else is linked.
//!
//! Which certificate authorities are trusted:
//! * Mozilla's roots (feature `webpki-roots`, on by default), compiled in;
//! * the operating system's store (feature `native-roots`, then
//!   `TlsConfig::with_native_roots`), which also honours `SSL_CERT_FILE`
//!   and `SSL_CERT_DIR`;
//! * extra PEM certificates: a private or corporate CA, a devserver's
//!   self-signed CA ([`TlsConfig::with_ca_file`],
//!   [`Options::ca_file`](crate::Options::ca_file),
//!   [`Config::with_ca_file`](crate::Config::with_ca_file), or the
//!   `MOOBIUS_CA_FILE` environment variable, read when a driver starts).
//!
//! ```
//! use moobius_runtime::tls::TlsConfig;
//! let tls = TlsConfig::new().with_ca_file("/etc/my-company/ca.pem");
//! assert_eq!(tls.ca_files().len(), 1);
//! ```

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
pub use rustls::pki_types::CertificateDer;
use rustls::pki_types::{ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The environment variable naming a PEM file of extra trusted roots.
pub const ENV_CA_FILE: &str = "MOOBIUS_CA_FILE";

/// Why a TLS configuration cannot be built.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A PEM file of extra roots cannot be read or holds no certificate.
    #[error("cannot use {path} as trusted certificates: {message}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// No root at all would be trusted, so no server could be.
    #[error("no trusted root certificates: enable the `webpki-roots` or `native-roots` feature, or add a CA file")]
    NoRoots,
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Which roots a driver trusts. Cheap to clone; files are read when a
/// driver starts ([`root_certificates`](Self::root_certificates)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct TlsConfig {
    webpki: bool,
    native: bool,
    env: bool,
    ca_files: Vec<PathBuf>,
    extra: Vec<CertificateDer<'static>>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        Self {
            webpki: cfg!(feature = "webpki-roots"),
            native: false,
            env: true,
            ca_files: Vec::new(),
            extra: Vec::new(),
        }
    }
}

impl TlsConfig {
    /// Mozilla's roots (with the default feature `webpki-roots`),
    /// plus the file named by `MOOBIUS_CA_FILE` when it is set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also trust the operating system's store (feature `native-roots`).
    #[cfg(feature = "native-roots")]
    #[cfg_attr(docsrs, doc(cfg(feature = "native-roots")))]
    pub fn with_native_roots(mut self, on: bool) -> Self {
        self.native = on;
        self
    }

    /// Whether Mozilla's compiled-in roots are trusted (on by default with
    /// the `webpki-roots` feature). Turn them off to trust only your own CA.
    pub fn with_webpki_roots(mut self, on: bool) -> Self {
        self.webpki = on && cfg!(feature = "webpki-roots");
        self
    }

    /// Whether the file named by `MOOBIUS_CA_FILE` is trusted too (`true`
    /// by default).
    pub fn with_env(mut self, on: bool) -> Self {
        self.env = on;
        self
    }

    /// Also trust every certificate in this PEM file (read when the driver
    /// starts; a missing file or one without a certificate stops the start
    /// with an error naming it).
    pub fn with_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_files.push(path.into());
        self
    }

    /// The PEM files given with [`with_ca_file`](Self::with_ca_file).
    #[must_use]
    pub fn ca_files(&self) -> &[PathBuf] {
        &self.ca_files
    }

    /// Also trust every certificate in these PEM bytes.
    pub fn add_pem_bytes(mut self, pem: &[u8]) -> Result<Self, TlsError> {
        let certs = parse_pem(pem).map_err(|message| TlsError::Pem {
            path: PathBuf::from("<memory>"),
            message,
        })?;
        self.extra.extend(certs);
        Ok(self)
    }

    /// Every trusted root as a certificate, for clients that take a list
    /// (ureq): Mozilla's, the system's, the CA files, `MOOBIUS_CA_FILE`'s,
    /// then the ones given as bytes.
    pub fn root_certificates(&self) -> Result<Vec<CertificateDer<'static>>, TlsError> {
        self.root_certificates_with_env(|k| std::env::var_os(k))
    }

    /// [`root_certificates`](Self::root_certificates) with the environment
    /// given as a function.
    pub fn root_certificates_with_env(
        &self,
        env: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Result<Vec<CertificateDer<'static>>, TlsError> {
        let mut out = Vec::new();
        #[cfg(feature = "webpki-roots")]
        if self.webpki {
            out.extend(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
        }
        #[cfg(feature = "native-roots")]
        if self.native {
            let found = rustls_native_certs::load_native_certs();
            for e in &found.errors {
                tracing::warn!(error = %e, "a system root certificate could not be loaded");
            }
            out.extend(found.certs);
        }
        let from_env = if self.env {
            env(ENV_CA_FILE)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
        } else {
            None
        };
        for path in self.ca_files.iter().chain(from_env.as_ref()) {
            out.extend(read_pem_file(path)?);
            tracing::debug!(file = %path.display(), "trusting the certificates of a CA file");
        }
        out.extend(self.extra.iter().cloned());
        if out.is_empty() {
            return Err(TlsError::NoRoots);
        }
        Ok(out)
    }

    /// The rustls client configuration every connection of a driver uses
    /// (websocket and HTTP), with the `ring` provider named explicitly.
    pub fn rustls_client_config(&self) -> Result<Arc<rustls::ClientConfig>, TlsError> {
        client_config(self.root_certificates()?)
    }
}

/// A driver's TLS client configuration, built at its first use: the roots
/// are read when the driver starts (a missing CA file stops the start), the
/// rustls configuration when the first `https://` request or `wss://`
/// connection needs it, then shared by every later one.
///
/// A service that only speaks `http://` and `ws://` (a devserver, a
/// platform behind a TLS-terminating proxy) never builds it. Measured on the
/// default tokio echo service against an `http://` devserver (issue 18):
/// building it at start-up paged in ~330 KiB more, mostly rustls' code
/// (6.02 -> 5.69 MiB idle RSS, mean of 4 runs, HTTP without reqwest).
#[derive(Debug)]
pub struct ClientTls {
    /// The roots, taken when the configuration is built.
    roots: Mutex<Vec<CertificateDer<'static>>>,
    config: OnceLock<Result<Arc<rustls::ClientConfig>, TlsError>>,
}

impl ClientTls {
    /// Reads the roots `tls` names (files and `MOOBIUS_CA_FILE` now);
    /// the rustls configuration waits for [`config`](Self::config).
    pub fn new(tls: &TlsConfig) -> Result<Self, TlsError> {
        Self::from_roots(tls.root_certificates()?)
    }

    /// The configuration that will trust `roots` (from
    /// [`TlsConfig::root_certificates`]); none is an error now.
    pub fn from_roots(roots: Vec<CertificateDer<'static>>) -> Result<Self, TlsError> {
        if roots.is_empty() {
            return Err(TlsError::NoRoots);
        }
        Ok(Self {
            roots: Mutex::new(roots),
            config: OnceLock::new(),
        })
    }

    /// The rustls client configuration (built at the first call).
    pub fn config(&self) -> Result<Arc<rustls::ClientConfig>, TlsError> {
        self.config
            .get_or_init(|| {
                let roots = match self.roots.lock() {
                    Ok(mut roots) => std::mem::take(&mut *roots),
                    Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
                };
                client_config(roots)
            })
            .clone()
    }
}

/// The rustls client configuration trusting `roots` (from
/// [`TlsConfig::root_certificates`]), with the `ring` provider named
/// explicitly.
///
/// The roots are parsed into rustls' store at the first certificate check,
/// not here: a service that only speaks `http://` and `ws://` (a devserver,
/// a platform behind a TLS-terminating proxy) never pays for Mozilla's ~150
/// roots, and one that speaks TLS pays at its first handshake. Measured on
/// the default tokio echo service against an `http://` devserver (issue 18,
/// `scripts/bench/e2e-vs-reference.sh`): parsing them at start-up kept
/// 77 KiB of heap (heaptrack) and paged in their DER bytes and webpki's
/// parser, 7.41 -> 7.23 MiB idle RSS (mean of 4 runs).
pub fn client_config(
    roots: Vec<CertificateDer<'static>>,
) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    if roots.is_empty() {
        return Err(TlsError::NoRoots);
    }
    let provider = crypto_provider();
    let verifier = Arc::new(LazyRoots {
        roots: Mutex::new(roots),
        provider: provider.clone(),
        verifier: OnceLock::new(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The server certificate verifier of [`client_config`]: rustls' own
/// (`WebPkiServerVerifier`, the one `with_root_certificates` installs),
/// built from the roots at the first TLS handshake that needs it, then
/// kept. Every check is that verifier's, so trust is exactly what
/// `with_root_certificates(roots)` gives; only the moment the roots are
/// parsed differs. ("dangerous" is rustls' name for any custom verifier.)
#[derive(Debug)]
struct LazyRoots {
    /// The roots, taken (left empty) when the verifier is built.
    roots: Mutex<Vec<CertificateDer<'static>>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
    /// The verifier, or why none could be built (no usable root).
    verifier: OnceLock<Result<Arc<WebPkiServerVerifier>, String>>,
}

impl LazyRoots {
    fn verifier(&self) -> Result<&Arc<WebPkiServerVerifier>, rustls::Error> {
        self.verifier
            .get_or_init(|| {
                let roots = match self.roots.lock() {
                    Ok(mut roots) => std::mem::take(&mut *roots),
                    Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
                };
                let mut store = rustls::RootCertStore::empty();
                let (added, ignored) = store.add_parsable_certificates(roots);
                if ignored > 0 {
                    tracing::debug!(added, ignored, "some root certificates were not usable");
                }
                if added == 0 {
                    return Err(TlsError::NoRoots.to_string());
                }
                WebPkiServerVerifier::builder_with_provider(Arc::new(store), self.provider.clone())
                    .build()
                    .map_err(|e| format!("TLS configuration: {e}"))
            })
            .as_ref()
            .map_err(|e| rustls::Error::General(e.clone()))
    }
}

impl ServerCertVerifier for LazyRoots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier()?.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        // What the verifier would answer, without building it.
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The crypto provider of every TLS connection: `ring`, named explicitly.
#[must_use]
pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// What a person can do about a TLS failure described by `text` (an
/// error's cause chain), when it is a certificate problem.
///
/// ```
/// let hint = moobius_runtime::tls::hint("invalid peer certificate: UnknownIssuer");
/// assert!(hint.unwrap().contains("MOOBIUS_CA_FILE"));
/// assert!(moobius_runtime::tls::hint("connection refused").is_none());
/// ```
#[must_use]
pub fn hint(text: &str) -> Option<&'static str> {
    if text.contains("UnknownIssuer") || text.contains("unknown issuer") {
        return Some(
            "the server's certificate is not signed by a trusted authority: trust its CA with \
             `Options::ca_file` / `Config::with_ca_file` or the MOOBIUS_CA_FILE environment \
             variable (or the system's store with the `native-roots` feature)",
        );
    }
    if text.contains("not valid for name") || text.contains("NotValidForName") {
        return Some(
            "the server's certificate is for another host name: connect with a name it is valid for",
        );
    }
    if text.contains("certificate expired") || text.contains("not valid yet") {
        return Some(
            "the server's certificate is outside its validity period (or the clock is wrong)",
        );
    }
    None
}

/// The text of a failed TLS (or other transport) operation on `uri`: its
/// host, then `text`, then a [`hint`] when one applies.
#[must_use]
pub fn describe(uri: &str, text: &str) -> String {
    let (scheme, rest) = uri.split_once("://").unwrap_or(("", uri));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let mut out = if scheme.is_empty() {
        format!("{authority}: {text}")
    } else {
        format!("{scheme}://{authority}: {text}")
    };
    if let Some(h) = hint(text) {
        out.push_str(" (");
        out.push_str(h);
        out.push(')');
    }
    out
}

fn read_pem_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = std::fs::read(path).map_err(|e| TlsError::Pem {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    parse_pem(&bytes).map_err(|message| TlsError::Pem {
        path: path.to_owned(),
        message,
    })
}

fn parse_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    if certs.is_empty() {
        return Err("no `BEGIN CERTIFICATE` section".into());
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca_pem() -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.self_signed(&key).unwrap().pem()
    }

    fn no_env(_: &str) -> Option<std::ffi::OsString> {
        None
    }

    #[test]
    fn the_default_trusts_mozillas_roots() {
        let roots = TlsConfig::new().root_certificates_with_env(no_env).unwrap();
        assert!(roots.len() > 100, "{}", roots.len());
        TlsConfig::new()
            .with_env(false)
            .rustls_client_config()
            .unwrap();
    }

    #[test]
    fn an_extra_ca_is_added_and_can_stand_alone() {
        let only = TlsConfig::new()
            .with_webpki_roots(false)
            .add_pem_bytes(ca_pem().as_bytes())
            .unwrap();
        assert_eq!(only.root_certificates_with_env(no_env).unwrap().len(), 1);
        only.clone().with_env(false).rustls_client_config().unwrap();
        let both = TlsConfig::new().add_pem_bytes(ca_pem().as_bytes()).unwrap();
        assert_eq!(
            both.root_certificates_with_env(no_env).unwrap().len(),
            TlsConfig::new()
                .root_certificates_with_env(no_env)
                .unwrap()
                .len()
                + 1
        );
    }

    #[test]
    fn ca_files_and_the_env_variable_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.pem"), dir.path().join("b.pem"));
        std::fs::write(&a, ca_pem()).unwrap();
        std::fs::write(&b, format!("{}{}", ca_pem(), ca_pem())).unwrap();
        let tls = TlsConfig::new().with_webpki_roots(false).with_ca_file(&a);
        assert_eq!(tls.root_certificates_with_env(no_env).unwrap().len(), 1);
        let env = |k: &str| (k == ENV_CA_FILE).then(|| b.clone().into_os_string());
        assert_eq!(tls.root_certificates_with_env(env).unwrap().len(), 3);
        let off = tls.with_env(false);
        assert_eq!(off.root_certificates_with_env(env).unwrap().len(), 1);
    }

    #[test]
    fn a_file_without_certificates_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate").unwrap();
        let e = TlsConfig::new()
            .with_ca_file(&path)
            .root_certificates_with_env(no_env)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ca.pem") && e.contains("BEGIN CERTIFICATE"),
            "{e}"
        );
        let e = TlsConfig::new()
            .with_ca_file(dir.path().join("missing.pem"))
            .root_certificates_with_env(no_env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.pem"), "{e}");
    }

    #[test]
    fn no_roots_at_all_is_an_error() {
        let e = TlsConfig::new()
            .with_webpki_roots(false)
            .with_env(false)
            .rustls_client_config();
        assert!(matches!(e, Err(TlsError::NoRoots)));
    }

    /// A CA (as DER) and a certificate for `localhost` signed by it.
    fn ca_and_leaf() -> (CertificateDer<'static>, CertificateDer<'static>) {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        (ca_cert.der().clone(), leaf.der().clone())
    }

    fn lazy(roots: Vec<CertificateDer<'static>>) -> LazyRoots {
        LazyRoots {
            roots: Mutex::new(roots),
            provider: crypto_provider(),
            verifier: OnceLock::new(),
        }
    }

    fn check(v: &LazyRoots, leaf: &CertificateDer<'_>, name: &str) -> Result<(), rustls::Error> {
        let name = ServerName::try_from(name.to_owned()).unwrap();
        v.verify_server_cert(leaf, &[], &name, &[], UnixTime::now())
            .map(|_| ())
    }

    #[test]
    fn the_roots_are_parsed_at_the_first_check_and_trusted_as_rustls_does() {
        let (ca, leaf) = ca_and_leaf();
        let v = lazy(vec![ca]);
        assert!(v.verifier.get().is_none(), "nothing parsed before a check");
        check(&v, &leaf, "localhost").unwrap();
        assert!(v.verifier.get().is_some());
        let e = check(&v, &leaf, "example.com").unwrap_err().to_string();
        assert!(e.contains("not valid for name"), "{e}");
        // Another CA's certificate is refused, as with_root_certificates
        // would (same default subject as ours: a bad signature).
        let (_, stranger) = ca_and_leaf();
        let e = check(&v, &stranger, "localhost").unwrap_err().to_string();
        assert!(e.contains("invalid peer certificate"), "{e}");
        assert!(!v.supported_verify_schemes().is_empty());
    }

    #[test]
    fn unusable_roots_fail_the_check_not_the_start() {
        let (_, leaf) = ca_and_leaf();
        client_config(vec![CertificateDer::from(b"not DER".to_vec())]).unwrap();
        let v = lazy(vec![CertificateDer::from(b"not DER".to_vec())]);
        let e = check(&v, &leaf, "localhost").unwrap_err().to_string();
        assert!(e.contains("no trusted root certificates"), "{e}");
    }

    #[test]
    fn client_tls_reads_files_at_once_and_builds_the_config_once() {
        let dir = tempfile::tempdir().unwrap();
        let missing = TlsConfig::new()
            .with_env(false)
            .with_ca_file(dir.path().join("missing.pem"));
        let e = ClientTls::new(&missing).unwrap_err().to_string();
        assert!(e.contains("missing.pem"), "{e}");
        let tls = ClientTls::new(&TlsConfig::new().with_env(false)).unwrap();
        assert!(
            tls.config.get().is_none(),
            "nothing built before the first use"
        );
        let (a, b) = (tls.config().unwrap(), tls.config().unwrap());
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn failures_name_the_host_and_what_to_do() {
        let t = describe(
            "https://u:p@127.0.0.1:8443/auth/sign_in?x=1",
            "invalid peer certificate: UnknownIssuer",
        );
        assert!(t.starts_with("https://127.0.0.1:8443: invalid peer"), "{t}");
        assert!(t.contains("MOOBIUS_CA_FILE") && !t.contains("u:p"), "{t}");
        assert_eq!(describe("ws://h:1/ws", "refused"), "ws://h:1: refused");
    }
}
