//! Digits in the country code and letters in the year or designation: the findings, and the
//! look-alike readings offered as fixes.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::{Sink, verdict};
use crate::code::Isrc;
use crate::policy::Policy;
use crate::rule::Rule;
use crate::scan::{self, CodeChar};

/// The letters a digit in the country code may stand for, most likely first: `0` for `O`,
/// `Q` or `D`, `1` for `I` or `L`. Only the prefix table tells them apart (`1T`: Italy or
/// Lithuania), so every reading is tried.
const fn letters_for_digit(digit: u8) -> &'static [u8] {
    match digit {
        b'0' => b"OQD",
        b'1' => b"IL",
        b'2' => b"Z",
        b'5' => b"S",
        b'6' => b"G",
        b'8' => b"B",
        _ => b"",
    }
}

/// At most this many readings of a code are tried (two country characters with three
/// readings each).
const MAX_READINGS: usize = 9;

/// The readings of a code whose wrong characters are replaced by look-alikes that pass every
/// check under `policy` (prefix table, year of reference, example codes): a suggested fix is
/// only offered when it is itself right.
struct Readings {
    valid: [Option<Isrc>; MAX_READINGS],
    count: usize,
}

impl Readings {
    fn of(code: [u8; 12], wrong: &[(usize, &'static [u8])], policy: &Policy<'_>) -> Readings {
        let mut readings = Readings {
            valid: [None; MAX_READINGS],
            count: 0,
        };
        let mut choice = [0usize; 12];
        'combinations: loop {
            let mut candidate = code;
            for (slot, (i, options)) in wrong.iter().enumerate() {
                candidate[*i] = options[choice[slot]];
            }
            if let Some(fix) = Isrc::from_compact_bytes(&candidate)
                && let Ok(text) = core::str::from_utf8(&candidate)
                && verdict(text, policy).is_valid()
                && readings.count < MAX_READINGS
                && !readings.valid[..readings.count].contains(&Some(fix))
            {
                readings.valid[readings.count] = Some(fix);
                readings.count += 1;
            }
            // The next combination, like an odometer.
            for (slot, (_, options)) in wrong.iter().enumerate() {
                choice[slot] += 1;
                if choice[slot] < options.len() {
                    continue 'combinations;
                }
                choice[slot] = 0;
            }
            break;
        }
        readings
    }

    fn found(&self) -> &[Option<Isrc>] {
        &self.valid[..self.count]
    }
}

const ELEMENT_NAMES: [&str; 12] = [
    "country code",
    "country code",
    "registrant code",
    "registrant code",
    "registrant code",
    "year of reference",
    "year of reference",
    "designation code",
    "designation code",
    "designation code",
    "designation code",
    "designation code",
];

/// Digits in the country code and letters in the year or designation. Returns whether
/// any was found. Offers the look-alike reading as a fix only when every mistake has one and
/// exactly one reading passes every check under `policy` (prefix table, year of reference);
/// when several do, none is offered and all are named ([`Sink::alternatives`]).
pub(super) fn report_structure<S: Sink>(
    out: &mut S,
    chars: &[CodeChar],
    policy: &Policy<'_>,
) -> bool {
    let first = out.mark();
    let code = scan::code_bytes(chars);
    let mut wrong: [(usize, &'static [u8]); 12] = [(0, b""); 12];
    let mut wrong_count = 0;
    let mut fixable = true;
    for (i, ch) in chars.iter().enumerate() {
        let options: &'static [u8] = match i {
            0 | 1 if !ch.byte.is_ascii_uppercase() => letters_for_digit(ch.byte),
            5.. if !ch.byte.is_ascii_digit() => match ch.byte {
                b'O' | b'Q' => b"0",
                b'I' | b'L' => b"1",
                b'Z' => b"2",
                b'S' => b"5",
                b'G' => b"6",
                b'B' => b"8",
                _ => b"",
            },
            _ => continue,
        };
        fixable &= !options.is_empty();
        wrong[wrong_count] = (i, options);
        wrong_count += 1;
    }
    if wrong_count == 0 {
        return false;
    }
    let wrong = &wrong[..wrong_count];
    let readings = if fixable {
        Readings::of(code, wrong, policy)
    } else {
        Readings {
            valid: [None; MAX_READINGS],
            count: 0,
        }
    };
    let found = readings.found();
    for &(i, options) in wrong {
        let ch = &chars[i];
        let (rule, needs) = if i < 2 {
            (Rule::CountryNotLetters, "two letters")
        } else {
            (Rule::LetterInDigits, "digits")
        };
        let character = char::from(ch.byte);
        out.push(rule, ch.span(), || {
            let mut message = format!(
                "{character:?} in the {}, which holds {needs} only",
                ELEMENT_NAMES[i]
            );
            match found {
                [Some(fix)] => {
                    message.push_str(&format!("; read as {:?}", char::from(fix.to_bytes()[i])));
                }
                [] if !options.is_empty() => {
                    let read: Vec<String> = options
                        .iter()
                        .map(|b| format!("{:?}", char::from(*b)))
                        .collect();
                    message.push_str(&format!(
                        "; read as {}, the code would still be wrong (its prefix is not allocated or its year is not plausible), so no fix is offered",
                        read.join(" or ")
                    ));
                }
                [] => {}
                several => {
                    let read: Vec<String> = several
                        .iter()
                        .flatten()
                        .map(|f| format!("{:?} ({f})", char::from(f.to_bytes()[i])))
                        .collect();
                    message.push_str(&format!(
                        "; it may be read as {}, each a valid code, so no fix is offered",
                        read.join(" or ")
                    ));
                }
            }
            message
        });
    }
    match found {
        [Some(fix)] => out.set_fix_since(first, *fix),
        [] => {}
        several => out.alternatives(several),
    }
    true
}
