//! `isrc.Isrc`, `isrc.check` and its `Report` of `Finding`s.

use isrc::Isrc;
use isrc::rule::Finding;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::policy::{PyPolicy, with_policy};

/// An ISRC, parsed leniently (any case, hyphens or spaces between the elements, the `ISRC`
/// label); `str()` is the compact form.
#[pyclass(name = "Isrc", module = "isrc", frozen, eq, ord, hash, from_py_object)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PyIsrc(pub Isrc);

#[pymethods]
impl PyIsrc {
    #[new]
    fn new(text: &str) -> PyResult<Self> {
        text.parse()
            .map(PyIsrc)
            .map_err(|e| PyValueError::new_err(format!("{text:?} is not an ISRC: {e}")))
    }

    /// The code of a `key` (`Isrc.key`).
    #[staticmethod]
    fn from_key(key: u64) -> PyResult<Self> {
        Isrc::from_u64(key)
            .map(PyIsrc)
            .ok_or_else(|| PyValueError::new_err(format!("{key} is not the key of an ISRC")))
    }

    /// The two-letter country code, `CB`.
    #[getter]
    fn country(&self) -> String {
        self.0.country().as_str().to_owned()
    }

    /// The three-character registrant code, `YZ9`.
    #[getter]
    fn registrant(&self) -> String {
        self.0.registrant().as_str().to_owned()
    }

    /// Country and registrant code, `CBYZ9`.
    #[getter]
    fn prefix(&self) -> String {
        self.0.prefix().as_str().to_owned()
    }

    /// The two-digit year of reference, 0-99.
    #[getter]
    fn year(&self) -> u8 {
        self.0.year()
    }

    /// The designation code, 0-99999.
    #[getter]
    fn designation(&self) -> u32 {
        self.0.designation()
    }

    /// The stable integer encoding, ordered like the compact form (`isrc check`'s key).
    #[getter]
    fn key(&self) -> u64 {
        self.0.to_u64()
    }

    /// The compact form, `CBYZ92200001`.
    #[getter]
    fn compact(&self) -> String {
        self.0.to_string()
    }

    /// The display form, `CB-YZ9-22-00001`.
    fn hyphenated(&self) -> String {
        self.0.hyphenated().to_string()
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!("isrc.Isrc('{}')", self.0)
    }
}

/// One thing a check found.
#[pyclass(name = "Finding", module = "isrc", frozen, get_all)]
pub struct PyFinding {
    /// The rule id (docs/rules.md), `letter_in_digits`.
    rule: &'static str,
    /// `error`, `warning` or `info`.
    severity: &'static str,
    /// What is wrong, for a person.
    message: String,
    /// The part of the input concerned, as `(start, end)` indices of the Python string.
    span: (usize, usize),
    /// The same part in UTF-8 bytes, as in `isrc validate --json`.
    byte_span: (usize, usize),
    /// The corrected code, where one is offered.
    fix: Option<PyIsrc>,
}

#[pymethods]
impl PyFinding {
    fn __repr__(&self) -> String {
        format!(
            "isrc.Finding(rule={:?}, severity={:?}, span={:?})",
            self.rule, self.severity, self.span
        )
    }
}

/// What `check` says about one input.
#[pyclass(name = "Report", module = "isrc", frozen)]
pub struct PyReport {
    /// The text checked.
    #[pyo3(get)]
    input: String,
    /// The code, when the input is a well-formed ISRC (it may still have errors).
    #[pyo3(get)]
    isrc: Option<PyIsrc>,
    /// No finding is an error.
    #[pyo3(get)]
    valid: bool,
    /// The most severe finding's severity, `None` without findings.
    #[pyo3(get)]
    severity: Option<&'static str>,
    /// Every finding: character-level ones first.
    #[pyo3(get)]
    findings: Vec<Py<PyFinding>>,
    /// The first fix offered.
    #[pyo3(get)]
    fix: Option<PyIsrc>,
    /// Look-alike readings that each pass every check, when more than one does.
    #[pyo3(get)]
    alternatives: Vec<PyIsrc>,
    /// `to_json`'s text (not an attribute: the method gives it).
    json: String,
}

#[pymethods]
impl PyReport {
    /// The report as `isrc validate --json` prints it (one JSON object).
    fn to_json(&self) -> &str {
        &self.json
    }

    fn __bool__(&self) -> bool {
        self.valid
    }

    fn __repr__(&self) -> String {
        let rules: Vec<&str> = self.findings.iter().map(|f| f.get().rule).collect();
        format!(
            "isrc.Report(input={:?}, valid={}, rules={rules:?})",
            self.input,
            if self.valid { "True" } else { "False" }
        )
    }
}

/// A byte offset of `text` as an index of the Python string (code points).
fn char_index(text: &str, byte: usize) -> usize {
    text.get(..byte)
        .map_or_else(|| text.chars().count(), |s| s.chars().count())
}

fn finding(py: Python<'_>, input: &str, f: &Finding) -> PyResult<Py<PyFinding>> {
    Py::new(
        py,
        PyFinding {
            rule: f.rule.id(),
            severity: f.severity.as_str(),
            message: f.message.clone(),
            span: (
                char_index(input, f.span.start),
                char_index(input, f.span.end),
            ),
            byte_span: (f.span.start, f.span.end),
            fix: f.fix.map(PyIsrc),
        },
    )
}

/// Checks one input: every finding with its rule id, severity, span, message and fix.
#[pyfunction]
#[pyo3(signature = (text, policy=None))]
pub fn check(
    py: Python<'_>,
    text: &str,
    policy: Option<&Bound<'_, PyPolicy>>,
) -> PyResult<PyReport> {
    with_policy(policy, |policy| {
        let report = isrc::check(text, policy);
        let findings = report
            .findings
            .iter()
            .map(|f| finding(py, text, f))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyReport {
            input: text.to_owned(),
            isrc: report.isrc.map(PyIsrc),
            valid: report.is_valid(),
            severity: report.severity().map(|s| s.as_str()),
            findings,
            fix: report.fix().map(PyIsrc),
            alternatives: report.alternatives.iter().copied().map(PyIsrc).collect(),
            json: report.to_json(),
        })
    })
}
