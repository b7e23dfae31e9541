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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    struct Table(Vec<IpAddr>);

    impl Lookup for Table {
        fn lookup(&self, _host: String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>> {
            let found = self.0.clone();
            Box::pin(async move { Ok(found) })
        }
    }

    async fn resolve(ips: &[&str], allow_loopback: bool) -> Result<Vec<SocketAddr>, String> {
        let table = Table(ips.iter().map(|s| s.parse().unwrap()).collect());
        let resolver = GuardedResolver::new(Arc::new(table), allow_loopback);
        match resolver.resolve(Name::from_str("target.example").unwrap()).await {
            Ok(addrs) => Ok(addrs.collect()),
            Err(e) => Err(refusal_in(&*e).map_or_else(|| e.to_string(), ToString::to_string)),
        }
    }

    #[tokio::test]
    async fn only_permitted_addresses_are_handed_to_the_connector() {
        let kept = resolve(&["10.0.0.1", "127.0.0.1", "169.254.169.254", "::1"], true).await.unwrap();
        assert_eq!(kept, vec!["127.0.0.1:0".parse().unwrap(), "[::1]:0".parse().unwrap()]);
        let public = resolve(&["fd00::1", "93.184.216.34"], false).await.unwrap();
        assert_eq!(public, vec!["93.184.216.34:0".parse().unwrap()]);
    }

    #[tokio::test]
    async fn a_name_with_no_permitted_address_is_refused_with_the_first_reason() {
        let err = resolve(&["10.0.0.1", "127.0.0.1"], false).await.unwrap_err();
        assert_eq!(err, "refused: target.example is 10.0.0.1, a private address; webhooks go to public addresses");
        assert!(resolve(&[], false).await.unwrap_err().contains("no address"));
    }
}
