//! The address check of outbound webhooks, made where it cannot be dodged: in the DNS
//! resolver reqwest connects through. Only the addresses that pass are handed back, so
//! the address checked is the address connected to; a name that resolves to a public
//! address when the endpoint is saved and to 10.0.0.1 when it is called (DNS rebinding)
//! is refused at the call. Hosts written as IP addresses never reach a resolver; the
//! sender checks those itself before sending.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::domain::webhook::address;

/// Name resolution, replaceable in tests (a name that "resolves" to 10.0.0.1).
pub trait Lookup: Send + Sync {
    fn lookup(&self, host: String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;
}

/// The system resolver.
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(&self, host: String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>> {
        Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), 0)).await?.map(|a| a.ip()).collect()) })
    }
}

/// A target refused because of where it points.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused: {host} is {ip}, {reason}; webhooks go to public addresses")]
pub struct AddressRefused {
    pub host: String,
    pub ip: IpAddr,
    pub reason: &'static str,
}

/// Checks an address; `host` is how the URL named it.
pub fn check(host: &str, ip: IpAddr, allow_loopback: bool) -> Result<(), AddressRefused> {
    address::permitted(ip, allow_loopback).map_err(|r| AddressRefused {
        host: host.to_owned(),
        ip,
        reason: r.describe(),
    })
}

/// A reqwest resolver that hands back only permitted addresses.
pub struct GuardedResolver {
    lookup: Arc<dyn Lookup>,
    allow_loopback: bool,
}

impl GuardedResolver {
    pub fn new(lookup: Arc<dyn Lookup>, allow_loopback: bool) -> Self {
        Self { lookup, allow_loopback }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let lookup = self.lookup.lookup(host.clone());
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let found = lookup.await?;
            let mut first_refusal = None;
            let mut allowed: Vec<SocketAddr> = Vec::with_capacity(found.len());
            for ip in found {
                match check(&host, ip, allow_loopback) {
                    Ok(()) => allowed.push(SocketAddr::new(ip, 0)),
                    Err(refused) => {
                        first_refusal.get_or_insert(refused);
                    }
                }
            }
            match (allowed.is_empty(), first_refusal) {
                (true, Some(refused)) => Err(Box::new(refused) as Box<dyn std::error::Error + Send + Sync>),
                (true, None) => Err(format!("{host} has no address").into()),
                (false, _) => Ok(Box::new(allowed.into_iter()) as Addrs),
            }
        })
    }
}

/// The refusal somewhere in an error's chain, if that is what it is.
pub fn refusal_in<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a AddressRefused> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<AddressRefused>() {
            return Some(r);
        }
        cur = err.source();
    }
    None
}
