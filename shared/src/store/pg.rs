//! The Postgres pool: built once per execution environment, TLS through rustls.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio_postgres::config::{Host, SslMode};

use super::StoreError;

#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Connections kept at most: 1-2 in a Lambda (one request at a time), more locally.
    pub pool_size: usize,
    pub connect_timeout: Duration,
    /// Extra CA certificates (PEM) trusted for TLS, e.g. the Amazon RDS bundle.
    pub ca_file: Option<PathBuf>,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self { pool_size: 8, connect_timeout: Duration::from_secs(5), ca_file: None }
    }
}

/// A pool of Postgres connections. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

/// A pooled connection; derefs to the tokio-postgres client.
pub struct Conn(deadpool_postgres::Object);

impl Deref for Conn {
    type Target = tokio_postgres::Client;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Db {
    /// Builds the pool from a `postgres://` URL. No connection is made until first use.
    pub fn connect(url: &str, opts: &DbOptions) -> Result<Self, StoreError> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("DATABASE_URL is not a valid Postgres URL: {e}")))?;
        Self::from_config(config, opts)
    }

    pub fn from_config(mut config: tokio_postgres::Config, opts: &DbOptions) -> Result<Self, StoreError> {
        config.connect_timeout(opts.connect_timeout);
        if config.get_application_name().is_none() {
            config.application_name("leadflow");
        }
        let manager_config = ManagerConfig { recycling_method: RecyclingMethod::Fast };
        let manager = if wants_tls(&config) {
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(opts)?);
            Manager::from_config(config, tls, manager_config)
        } else {
            Manager::from_config(config, tokio_postgres::NoTls, manager_config)
        };
        let pool = Pool::builder(manager)
            .max_size(opts.pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(opts.connect_timeout))
            .create_timeout(Some(opts.connect_timeout))
            .recycle_timeout(Some(opts.connect_timeout))
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Self { pool })
    }

    pub async fn conn(&self) -> Result<Conn, StoreError> {
        Ok(Conn(self.pool.get().await?))
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let conn = self.conn().await?;
        conn.query_typed("SELECT 1", &[]).await?;
        Ok(())
    }
}

/// TLS unless turned off (`sslmode=disable`) or, with the default `prefer`, when every
/// host is this machine (the local Postgres often has a self-signed certificate).
fn wants_tls(config: &tokio_postgres::Config) -> bool {
    match config.get_ssl_mode() {
        SslMode::Disable => false,
        SslMode::Require => true,
        _ => !config.get_hosts().iter().all(|h| match h {
            Host::Tcp(name) => matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1"),
            Host::Unix(_) => true,
        }),
    }
}

/// Amazon RDS's certificate authorities (every region's, and RDS Proxy's), as AWS
/// publishes them: RDS and Aurora certificates do not chain to the public roots, and with
/// these a `sslmode=verify-full` URL works against them with no CA file to ship.
/// (`shared/certs/README.md` says where the bundle comes from and how to renew it.)
const RDS_CA_BUNDLE: &[u8] = include_bytes!("../../certs/rds-ca-bundle.pem");

fn rds_roots() -> impl Iterator<Item = CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(RDS_CA_BUNDLE).filter_map(Result::ok)
}

fn tls_config(opts: &DbOptions) -> Result<rustls::ClientConfig, StoreError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    roots.add_parsable_certificates(rds_roots());
    if let Some(path) = &opts.ca_file {
        let bad = |e: String| StoreError::Unavailable(format!("DATABASE_CA_FILE {}: {e}", path.display()));
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(e.to_string()))? {
            roots.add(cert.map_err(|e| bad(e.to_string()))?).map_err(|e| bad(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(url: &str) -> tokio_postgres::Config {
        url.parse().unwrap()
    }

    #[test]
    fn tls_follows_sslmode_and_host() {
        assert!(!wants_tls(&cfg("postgres://u@127.0.0.1/db")));
        assert!(!wants_tls(&cfg("postgres://u@localhost/db")));
        assert!(wants_tls(&cfg("postgres://u@db.example.com/db")));
        assert!(wants_tls(&cfg("postgres://u@127.0.0.1/db?sslmode=require")));
        assert!(!wants_tls(&cfg("postgres://u@db.example.com/db?sslmode=disable")));
    }

    #[test]
    fn the_rds_authorities_are_trusted_without_a_ca_file() {
        let certs: Vec<_> = rds_roots().collect();
        assert_eq!(certs.len(), 120, "every certificate of the bundle reads");
        let mut roots = rustls::RootCertStore::empty();
        let (added, ignored) = roots.add_parsable_certificates(certs);
        assert_eq!((added, ignored), (120, 0));
        let subjects: Vec<String> =
            roots.roots.iter().map(|a| String::from_utf8_lossy(a.subject.as_ref()).into_owned()).collect();
        for name in ["Amazon RDS us-east-1 Root CA RSA2048 G1", "Amazon RDS eu-west-1 Root CA ECC384 G1"] {
            assert!(subjects.iter().any(|s| s.contains(name)), "{name} is trusted");
        }
    }

    #[test]
    fn tls_config_builds_with_public_roots() {
        assert!(tls_config(&DbOptions::default()).is_ok());
        let missing = DbOptions { ca_file: Some("/nonexistent/ca.pem".into()), ..DbOptions::default() };
        assert!(tls_config(&missing).is_err());
    }
}
