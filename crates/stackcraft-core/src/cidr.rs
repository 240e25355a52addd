//! IPv4 CIDR blocks (`10.0.0.0/16`) as configurations and constructs write them: the address
//! parsed by the standard library (four decimal octets, no sign, no leading zero), the prefix
//! a plain decimal from 0 to 32.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Cidr {
    pub address: Ipv4Addr,
    pub prefix: u8,
}

impl Ipv4Cidr {
    /// The address with the host bits cleared.
    pub fn network(self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.address) & self.mask())
    }

    /// Whether the address is the network address (no host bits set).
    pub fn is_network(self) -> bool {
        self.network() == self.address
    }

    fn mask(self) -> u32 {
        u32::MAX
            .checked_shl(32 - u32::from(self.prefix))
            .unwrap_or(0)
    }
}

impl FromStr for Ipv4Cidr {
    type Err = String;

    fn from_str(cidr: &str) -> Result<Self, String> {
        let (address, prefix) = cidr.split_once('/').ok_or("expected a.b.c.d/prefix")?;
        let address = Ipv4Addr::from_str(address)
            .map_err(|_| format!("{address:?} is not an IPv4 address"))?;
        // u8::from_str would take `+16` and `016`.
        let plain = !prefix.is_empty()
            && prefix.bytes().all(|b| b.is_ascii_digit())
            && (prefix == "0" || !prefix.starts_with('0'));
        let prefix = plain
            .then(|| prefix.parse::<u8>().ok())
            .flatten()
            .filter(|p| *p <= 32)
            .ok_or_else(|| format!("{prefix:?} is not a prefix length (0 to 32)"))?;
        Ok(Ipv4Cidr { address, prefix })
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_decimal_blocks_parse() {
        let ok: Ipv4Cidr = "10.20.0.0/16".parse().unwrap();
        assert_eq!((ok.address, ok.prefix), (Ipv4Addr::new(10, 20, 0, 0), 16));
        assert!(ok.is_network());
        assert_eq!("0.0.0.0/0".parse::<Ipv4Cidr>().unwrap().prefix, 0);
        assert!(!"10.0.1.0/16".parse::<Ipv4Cidr>().unwrap().is_network());
        for bad in [
            "+10.0.0.0/16",
            "010.0.0.0/16",
            "10.0.0.00/16",
            "10.0.0.0/+16",
            "10.0.0.0/016",
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0/16",
            "10.0.0.0",
            " 10.0.0.0/16",
        ] {
            assert!(bad.parse::<Ipv4Cidr>().is_err(), "{bad} was accepted");
        }
    }
}
