//! Which IP addresses a webhook may be sent to. Only globally routed unicast is; the
//! rest would let whoever registers an endpoint make Leadflow call into its own network
//! (the cloud metadata service at 169.254.169.254 above all). IPv6 forms that embed an
//! IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the address they carry.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Loopback,
    /// Any other address that is not globally routed; the text says which range.
    NotPublic(&'static str),
}

impl Refusal {
    pub fn describe(self) -> &'static str {
        match self {
            Refusal::Loopback => "a loopback address",
            Refusal::NotPublic(what) => what,
        }
    }
}

/// `None` when the address is public; otherwise why not.
pub fn refusal(ip: IpAddr) -> Option<Refusal> {
    match ip {
        IpAddr::V4(v4) => refusal_v4(v4),
        IpAddr::V6(v6) => refusal_v6(v6),
    }
}

/// Whether a connection to `ip` is allowed; loopback only when `allow_loopback`.
pub fn permitted(ip: IpAddr, allow_loopback: bool) -> Result<(), Refusal> {
    match refusal(ip) {
        None => Ok(()),
        Some(Refusal::Loopback) if allow_loopback => Ok(()),
        Some(r) => Err(r),
    }
}

fn refusal_v4(ip: Ipv4Addr) -> Option<Refusal> {
    let [a, b, c, _] = ip.octets();
    let not_public = |what| Some(Refusal::NotPublic(what));
    match (a, b, c) {
        (127, _, _) => Some(Refusal::Loopback),
        (0, _, _) => not_public("an unspecified (0.0.0.0/8) address"),
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) => not_public("a private address"),
        (169, 254, _) => not_public("a link-local address (169.254.0.0/16, the cloud metadata service)"),
        (100, 64..=127, _) => not_public("a shared carrier-grade NAT address (100.64.0.0/10)"),
        (192, 0, 0) => not_public("an IETF protocol address (192.0.0.0/24)"),
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => not_public("a documentation address"),
        (198, 18..=19, _) => not_public("a benchmarking address (198.18.0.0/15)"),
        (224..=239, _, _) => not_public("a multicast address"),
        (240..=255, _, _) => not_public("a reserved or broadcast address"),
        _ => None,
    }
}

fn refusal_v6(ip: Ipv6Addr) -> Option<Refusal> {
    if let Some(v4) = embedded_v4(ip) {
        return refusal_v4(v4);
    }
    let s = ip.segments();
    let not_public = |what| Some(Refusal::NotPublic(what));
    if ip.is_loopback() {
        return Some(Refusal::Loopback);
    }
    if ip.is_unspecified() {
        return not_public("the unspecified address (::)");
    }
    match s[0] {
        0xfc00..=0xfdff => not_public("a unique local IPv6 address (fc00::/7)"),
        0xfe80..=0xfebf => not_public("a link-local IPv6 address (fe80::/10)"),
        0xfec0..=0xfeff => not_public("a site-local IPv6 address (fec0::/10)"),
        0xff00..=0xffff => not_public("a multicast IPv6 address"),
        0x2001 if s[1] == 0x0db8 => not_public("a documentation IPv6 address (2001:db8::/32)"),
        0x2001 if s[1] == 0 => not_public("a Teredo tunnel address (2001::/32)"),
        0x0100 if s[1..4] == [0, 0, 0] => not_public("a discard-only IPv6 address (100::/64)"),
        // Outside 2000::/3 nothing is globally routed today.
        x if !(0x2000..=0x3fff).contains(&x) => not_public("an IPv6 address outside global unicast (2000::/3)"),
        _ => None,
    }
}

/// The IPv4 address an IPv6 one stands for: mapped (::ffff:a.b.c.d), compatible
/// (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002:aabb:ccdd::/48).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] | [0x0064, 0xff9b, 0, 0, 0, 0, _, _] => Some(tail()),
        // ::1 and :: are IPv6's own loopback and unspecified, judged as such.
        [0, 0, 0, 0, 0, 0, hi, _] if hi != 0 => Some(tail()),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(s: &str) -> Option<Refusal> {
        refusal(s.parse().unwrap())
    }

    #[test]
    fn public_addresses_pass() {
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001:81b::200e", "172.32.0.1"] {
            assert_eq!(judge(ip), None, "{ip}");
        }
    }

    #[test]
    fn internal_addresses_are_refused_with_their_range() {
        let cases = [
            ("169.254.169.254", "metadata"),
            ("10.0.0.1", "private"),
            ("172.16.5.4", "private"),
            ("192.168.1.1", "private"),
            ("100.100.100.200", "carrier-grade"),
            ("0.0.0.0", "unspecified"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "broadcast"),
            ("fd00::1", "unique local"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("::", "unspecified"),
            ("::ffff:169.254.169.254", "metadata"),
            ("::ffff:10.0.0.1", "private"),
            ("64:ff9b::a9fe:a9fe", "metadata"),
            ("2002:a9fe:a9fe::1", "metadata"),
            ("2001:db8::1", "documentation"),
        ];
        for (ip, range) in cases {
            let r = judge(ip).unwrap_or_else(|| panic!("{ip} passed"));
            assert!(r.describe().contains(range), "{ip}: {}", r.describe());
        }
    }

    #[test]
    fn loopback_in_every_form_is_loopback() {
        for ip in ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1"] {
            assert_eq!(judge(ip), Some(Refusal::Loopback), "{ip}");
            assert!(permitted(ip.parse().unwrap(), true).is_ok());
            assert!(permitted(ip.parse().unwrap(), false).is_err());
        }
        assert!(permitted("10.0.0.1".parse().unwrap(), true).is_err(), "only loopback is let through locally");
    }
}
