//! Which address a request comes from, behind reverse proxies.
//!
//! Each proxy appends the address it received the request from to
//! `X-Forwarded-For`, so the list reads client, proxy 1, proxy 2, … and only
//! the entries our own proxies appended can be believed: anything to their
//! left may have been written by the client. So the client is the rightmost
//! entry that is not one of our proxies, and the header counts at all only
//! when the connection itself comes from one of them.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

/// The proxies whose `X-Forwarded-For` entries are believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Proxies on this machine: 127.0.0.0/8 and ::1 (what `--trust-proxy`
    /// means).
    pub fn loopback() -> Self {
        Self(vec![
            IpNet::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 0)), 8).expect("a valid prefix"),
            IpNet::from(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ])
    }

    /// Parses addresses or CIDR ranges (`10.0.0.0/8`, `192.0.2.7`, `fd00::/8`),
    /// each entry possibly holding several separated by commas.
    pub fn parse_all<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut nets = Vec::new();
        for entry in entries.into_iter().flat_map(|e| e.split(',')) {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let net = IpNet::from_str(entry)
                .or_else(|_| IpAddr::from_str(entry).map(IpNet::from))
                .map_err(|_| {
                    format!(
                        "trusted proxy `{entry}` is not an IP address or CIDR range; write it like 10.0.0.0/8, 192.0.2.7 or fd00::/8"
                    )
                })?;
            nets.push(net.trunc());
        }
        Ok(Self(nets))
    }

    /// These proxies and `other`'s.
    pub fn with(mut self, other: Self) -> Self {
        for net in other.0 {
            if !self.0.contains(&net) {
                self.0.push(net);
            }
        }
        self
    }

    /// Whether no proxy is trusted (`X-Forwarded-For` is ignored).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` is one of the proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: `peer` (the connection's address) unless it is a
    /// trusted proxy, in which case the rightmost `forwarded_for` entry that
    /// is not a trusted proxy. If every entry is a trusted proxy the leftmost
    /// is the client (it sits on the proxies' own network). An entry that is
    /// not an address ends the walk: what lies left of it cannot be trusted,
    /// so the last good hop is the answer.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let mut client = peer;
        let entries = forwarded_for.iter().flat_map(|h| h.split(',')).rev();
        for entry in entries {
            let Some(hop) = parse_hop(entry.trim()) else {
                break;
            };
            client = hop;
            if !self.contains(hop) {
                break;
            }
        }
        client
    }
}

impl FromStr for TrustedProxies {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_all([s])
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_hop(entry: &str) -> Option<IpAddr> {
    IpAddr::from_str(entry)
        .or_else(|_| SocketAddr::from_str(entry).map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_rightmost_untrusted_entry_is_the_client() {
        let proxies = TrustedProxies::parse_all(["10.0.0.0/8, 192.0.2.7"]).unwrap();
        // The client forged "1.1.1.1"; our proxies appended the rest.
        let xff = ["1.1.1.1, 203.0.113.9", "10.1.2.3"];
        assert_eq!(proxies.client(ip("192.0.2.7"), &xff), ip("203.0.113.9"));
        // Without a trusted peer the header is the client's own words.
        assert_eq!(proxies.client(ip("198.51.100.4"), &xff), ip("198.51.100.4"));
        // Only trusted hops: the leftmost is the client.
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &["10.9.9.9, 10.0.0.2"]),
            ip("10.9.9.9")
        );
        // No header: the proxy itself.
        assert_eq!(proxies.client(ip("10.0.0.1"), &[]), ip("10.0.0.1"));
        // Garbage ends the walk at the last good hop.
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &["1.1.1.1, nonsense, 10.0.0.5"]),
            ip("10.0.0.5")
        );
        // Ports and brackets are tolerated.
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &["[2001:db8::1]:4711"]),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn loopback_covers_both_families_and_mapped_addresses() {
        let lo = TrustedProxies::loopback();
        assert!(lo.contains(ip("127.0.0.1")));
        assert!(lo.contains(ip("127.8.0.1")));
        assert!(lo.contains(ip("::1")));
        assert!(lo.contains(ip("::ffff:127.0.0.1")));
        assert!(!lo.contains(ip("10.0.0.1")));
    }

    #[test]
    fn bad_entries_are_named() {
        let e = TrustedProxies::parse_all(["10.0.0.0/8,proxy.local"]).unwrap_err();
        assert!(e.contains("proxy.local"), "{e}");
        assert!(TrustedProxies::parse_all(["10.0.0.0/33"]).is_err());
        assert!("".parse::<TrustedProxies>().unwrap().is_empty());
    }
}
