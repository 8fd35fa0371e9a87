//! TLS terminated by the server itself (P19), when `CPTN_TLS_CERT` and `CPTN_TLS_KEY` are
//! set: rustls with TLS 1.2 and 1.3 only, the certificate re-read from its files on
//! SIGHUP (a renewed certificate takes effect without a restart; a broken file keeps the
//! old one and says why in the log), and the plain-HTTP redirect listener
//! (`CPTN_HTTP_REDIRECT_ADDR`).

use crate::config::TlsSettings;
use actix_web::{HttpRequest, HttpResponse};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::sync::{Arc, RwLock};

/// `Strict-Transport-Security` on every answer over TLS: two years, subdomains included.
pub const HSTS: &str = "max-age=63072000; includeSubDomains";

/// The certificate in use, swapped in place on reload.
#[derive(Debug)]
pub struct CertificateStore {
    files: TlsSettings,
    current: RwLock<Arc<CertifiedKey>>,
}

impl CertificateStore {
    /// Reads the certificate chain and key; an error names the file and what is wrong.
    pub fn load(files: &TlsSettings) -> anyhow::Result<Arc<Self>> {
        Ok(Arc::new(Self {
            current: RwLock::new(read(files)?),
            files: files.clone(),
        }))
    }

    /// Reads the files again and uses them from the next handshake on. On error the
    /// certificate in use stays.
    pub fn reload(&self) -> anyhow::Result<()> {
        let fresh = read(&self.files)?;
        let mut current = self
            .current
            .write()
            .map_err(|_| anyhow::anyhow!("the certificate lock was poisoned"))?;
        *current = fresh;
        Ok(())
    }

    /// The rustls configuration: TLS 1.2 and 1.3, no client certificates, this store's
    /// certificate, HTTP/1.1.
    pub fn server_config(self: &Arc<Self>) -> anyhow::Result<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

impl ResolvesServerCert for CertificateStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|key| key.clone())
    }
}

fn read(files: &TlsSettings) -> anyhow::Result<Arc<CertifiedKey>> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .and_then(Iterator::collect)
        .map_err(|e| anyhow::anyhow!("CPTN_TLS_CERT {}: {e}", files.cert.display()))?;
    if chain.is_empty() {
        anyhow::bail!("CPTN_TLS_CERT {} holds no certificate", files.cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| anyhow::anyhow!("CPTN_TLS_KEY {}: {e}", files.key.display()))?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&key)
        .map_err(|e| anyhow::anyhow!("CPTN_TLS_KEY {}: {e}", files.key.display()))?;
    let certified = CertifiedKey::new(chain, signing);
    certified
        .keys_match()
        .map_err(|e| anyhow::anyhow!("CPTN_TLS_KEY does not belong to CPTN_TLS_CERT: {e}"))?;
    Ok(Arc::new(certified))
}

/// Starts reloading the certificate on every SIGHUP, until the task is aborted. The
/// signal handler is installed before this returns, so a SIGHUP sent once the server is
/// built never falls to the default action (ending the process).
pub fn reload_on_hangup(store: Arc<CertificateStore>) -> Option<tokio::task::JoinHandle<()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP: the certificate is read at start only");
            return None;
        };
        Some(tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                match store.reload() {
                    Ok(()) => tracing::info!("TLS certificate reloaded"),
                    Err(e) => tracing::error!(error = %e, "TLS certificate not reloaded; the previous one stays"),
                }
            }
        }))
    }
    #[cfg(not(unix))]
    {
        drop(store);
        None
    }
}

/// The plain-HTTP listener's only answer: 308 to the same path over HTTPS, at
/// `CPTN_PUBLIC_URL` when it is an `https://` URL, else at the request's host on the TLS
/// port.
pub fn redirect(req: &HttpRequest, public_url: &str, tls_port: u16) -> HttpResponse {
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let base = if public_url.starts_with("https://") {
        public_url.trim_end_matches('/').to_owned()
    } else {
        let host = req.connection_info().host().to_owned();
        let name = host.rsplit_once(':').map_or(host.as_str(), |(name, _)| name).to_owned();
        if tls_port == 443 {
            format!("https://{name}")
        } else {
            format!("https://{name}:{tls_port}")
        }
    };
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", format!("{base}{path}")))
        .insert_header(("Cache-Control", "no-store"))
        .finish()
}
