//! The `Date` header: IMF-fixdate (RFC 9110 §5.6.7), `Sun, 06 Nov 1994
//! 08:49:37 GMT`: the day of the week, the date, and the time of day in
//! GMT, always 29 bytes. The `httpdate` crate (the one hyper uses) turns
//! the Unix clock into that text.
//!
//! The text only changes once a second, so each thread keeps the last one it
//! rendered and reuses it: a busy server formats the date once a second, not
//! once per response.

use std::cell::RefCell;
use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use httpdate::HttpDate;

/// `Sun, 06 Nov 1994 08:49:37 GMT` is always 29 bytes.
pub const LEN: usize = 29;

/// `Fri, 31 Dec 9999 23:59:59 GMT`: IMF-fixdate has four digits for the
/// year, and `httpdate` panics past them, so a clock set beyond stays here.
const LAST_SECOND: u64 = 253_402_300_799;

thread_local! {
    static CACHE: RefCell<(u64, [u8; LEN])> = const { RefCell::new((u64::MAX, [0; LEN])) };
}

/// Appends the current date in IMF-fixdate form to `out`.
pub fn write_now(out: &mut Vec<u8>) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.0 != secs {
            *cache = (secs, imf_fixdate(secs));
        }
        out.extend_from_slice(&cache.1);
    });
}

/// Formats seconds since 1970-01-01T00:00:00Z.
pub fn imf_fixdate(unix_secs: u64) -> [u8; LEN] {
    let time = UNIX_EPOCH + Duration::from_secs(unix_secs.min(LAST_SECOND));
    let mut out = [0u8; LEN];
    // Written straight into the array: no String, even once a second.
    write!(&mut out[..], "{}", HttpDate::from(time)).expect("IMF-fixdate is 29 bytes");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_dates() {
        assert_eq!(&imf_fixdate(0), b"Thu, 01 Jan 1970 00:00:00 GMT");
        // RFC 9110's own example.
        assert_eq!(&imf_fixdate(784_111_777), b"Sun, 06 Nov 1994 08:49:37 GMT");
        // A leap day, and the last second of a century year.
        assert_eq!(&imf_fixdate(951_782_400), b"Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(
            &imf_fixdate(4_102_444_799),
            b"Thu, 31 Dec 2099 23:59:59 GMT"
        );
    }

    #[test]
    fn a_clock_past_year_9999_stays_on_its_last_second() {
        assert_eq!(&imf_fixdate(u64::MAX), b"Fri, 31 Dec 9999 23:59:59 GMT");
    }

    #[test]
    fn now_is_29_bytes_of_ascii_ending_in_gmt() {
        let mut out = Vec::new();
        write_now(&mut out);
        assert_eq!(out.len(), LEN);
        assert!(out.ends_with(b" GMT") && out.is_ascii());
    }
}
