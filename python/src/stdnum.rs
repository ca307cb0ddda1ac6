//! The python-stdnum API (`stdnum.isrc`): `compact`, `validate`, `is_valid`, `format`, with
//! the rules of the isrc tools (the dated prefix table, the year of reference, illustrative
//! registrant codes) instead of stdnum's country list.

use isrc::Isrc;
use isrc::rule::{Rule, Severity};
use pyo3::prelude::*;

use crate::policy::{PyPolicy, with_policy};

/// The compact form: the code itself when the text reads as one (any case, separators, the
/// `ISRC` label), else the text without spaces and hyphens, upper-cased (stdnum's `compact`).
#[pyfunction]
pub fn compact(text: &str) -> String {
    match text.parse::<Isrc>() {
        Ok(code) => code.to_string(),
        Err(_) => stdnum_compact(text),
    }
}

/// stdnum's `compact`: spaces and hyphens (also Unicode dashes and spaces) removed, then
/// upper-cased.
fn stdnum_compact(text: &str) -> String {
    text.chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')))
        .flat_map(char::to_uppercase)
        .collect()
}

/// Which stdnum exception a rule's error raises.
fn exception_for(rule: Rule) -> &'static str {
    match rule {
        Rule::Empty | Rule::Length | Rule::TrailingText | Rule::OtherIdentifier => "InvalidLength",
        Rule::InvalidCharacter | Rule::CountryNotLetters | Rule::LetterInDigits => "InvalidFormat",
        _ => "InvalidComponent",
    }
}

/// The compact code when `text` is valid; else raises `InvalidLength`, `InvalidFormat` or
/// `InvalidComponent` (all `ValidationError`) with the first error's message.
#[pyfunction]
#[pyo3(signature = (text, policy=None))]
pub fn validate(
    py: Python<'_>,
    text: &str,
    policy: Option<&Bound<'_, PyPolicy>>,
) -> PyResult<String> {
    let outcome = with_policy(policy, |policy| {
        let verdict = isrc::check::verdict(text, policy);
        match verdict.isrc {
            Some(code) if verdict.is_valid() => Ok(code.to_string()),
            _ => {
                let report = isrc::check(text, policy);
                let error = report
                    .findings
                    .iter()
                    .find(|f| f.severity == Severity::Error);
                Err(match error {
                    Some(f) => (exception_for(f.rule), f.rule.id(), f.message.clone()),
                    None => ("InvalidFormat", "", String::from("not an ISRC")),
                })
            }
        }
    });
    outcome.map_err(|(class, rule, message)| raise(py, class, rule, message))
}

/// The exception `class` of `isrc.exceptions`, with the rule id as its `rule` attribute.
fn raise(py: Python<'_>, class: &str, rule: &str, message: String) -> PyErr {
    let made = py
        .import("isrc.exceptions")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.call1((message, rule)));
    match made {
        Ok(value) => PyErr::from_value(value),
        Err(e) => e,
    }
}

/// Whether `text` is a valid ISRC (no finding is an error). Allocates nothing.
#[pyfunction]
#[pyo3(signature = (text, policy=None))]
pub fn is_valid(text: &str, policy: Option<&Bound<'_, PyPolicy>>) -> bool {
    with_policy(policy, |policy| {
        isrc::check::verdict(text, policy).is_valid()
    })
}

/// The display form, `CC-XXX-YY-NNNNN` with `separator` between the elements (stdnum's
/// `format`); text that is no code is cut at the same places after `compact`.
#[pyfunction]
#[pyo3(signature = (text, separator="-"))]
pub fn format(text: &str, separator: &str) -> String {
    let compact = compact(text);
    let chars: Vec<char> = compact.chars().collect();
    let part =
        |a: usize, b: usize| -> String { chars.iter().skip(a).take(b.saturating_sub(a)).collect() };
    let parts = [part(0, 2), part(2, 5), part(5, 7), part(7, usize::MAX)];
    parts.join(separator)
}
