//! Kubernetes resource quantities ("10Gi", "500M", "1.5Ti", "1e9"), parsed exactly for comparison.
//!
//! Written here rather than taken from a crate because the one available (kube_quantity 0.9)
//! compares asymmetrically across formats ("1073741824" < "1Gi" but "1Gi" == "1073741824") and
//! truncates fractions when converting; a size-drift check must not be wrong either way.

use std::cmp::Ordering;

/// A quantity in thousandths of its unit, exact for every storage size (up to ~1.7e35 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity {
    milli: i128,
}

impl Quantity {
    pub fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let split =
            text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(text.len());
        let (number, suffix) = text.split_at(split);
        let (negative, number) = match number.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, number.strip_prefix('+').unwrap_or(number)),
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
            || fraction.len() > 18
        {
            return None;
        }
        // value = digits / 10^fraction_len * multiplier, kept as numerator/denominator.
        let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
        let mut denominator: i128 = 10i128.pow(fraction.len() as u32);
        let mut numerator = digits.checked_mul(1000)?;
        let (base, exponent): (i128, i32) = match suffix {
            "" => (10, 0),
            "n" => (10, -9),
            "u" => (10, -6),
            "m" => (10, -3),
            "k" => (10, 3),
            "M" => (10, 6),
            "G" => (10, 9),
            "T" => (10, 12),
            "P" => (10, 15),
            "E" => (10, 18),
            "Ki" => (2, 10),
            "Mi" => (2, 20),
            "Gi" => (2, 30),
            "Ti" => (2, 40),
            "Pi" => (2, 50),
            "Ei" => (2, 60),
            s if s.starts_with(['e', 'E']) => (10, s[1..].parse::<i32>().ok().filter(|e| e.abs() <= 30)?),
            _ => return None,
        };
        if exponent >= 0 {
            numerator = numerator.checked_mul(base.checked_pow(exponent as u32)?)?;
        } else {
            denominator = denominator.checked_mul(base.checked_pow((-exponent) as u32)?)?;
        }
        // Round up like the API server does for values below its precision.
        let mut milli = numerator / denominator;
        if numerator % denominator != 0 {
            milli += 1;
        }
        Some(Quantity { milli: if negative { -milli } else { milli } })
    }

    /// Whole units (bytes, for storage), rounded up.
    pub fn units(self) -> i128 {
        (self.milli + 999).div_euclid(1000)
    }
}

/// Compares two quantity strings; None if either does not parse.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Quantity::parse(a)?.cmp(&Quantity::parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(s: &str) -> i128 {
        Quantity::parse(s).unwrap_or_else(|| panic!("{s} did not parse")).units()
    }

    #[test]
    fn parses_every_suffix() {
        assert_eq!(bytes("1Gi"), 1 << 30);
        assert_eq!(bytes("1073741824"), 1 << 30);
        assert_eq!(bytes("1G"), 1_000_000_000);
        assert_eq!(bytes("0.5G"), 500_000_000);
        assert_eq!(bytes("1.5Ti"), 3 << 39);
        assert_eq!(bytes("1e9"), 1_000_000_000);
        assert_eq!(bytes("1E3"), 1000);
        assert_eq!(bytes("100Ki"), 102_400);
        assert_eq!(bytes("8Ei"), 8 << 60);
        assert_eq!(bytes("500m"), 1);
        assert_eq!(Quantity::parse("500m").unwrap().milli, 500);
        assert_eq!(Quantity::parse("-1Ki").unwrap().milli, -1_024_000);
    }

    #[test]
    fn comparison_is_symmetric_across_formats() {
        for (a, b, want) in [
            ("1Gi", "1073741824", Ordering::Equal),
            ("1073741824", "1Gi", Ordering::Equal),
            ("1Gi", "1024Mi", Ordering::Equal),
            ("1Gi", "1G", Ordering::Greater),
            ("1G", "1Gi", Ordering::Less),
            ("500M", "0.5G", Ordering::Equal),
            ("10Gi", "9.99Gi", Ordering::Greater),
        ] {
            assert_eq!(compare(a, b), Some(want), "{a} vs {b}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "Gi", "1.2.3", "1Xi", "ten", "1e", "1e99", "1 Gi"] {
            assert_eq!(Quantity::parse(bad), None, "{bad}");
        }
    }
}
