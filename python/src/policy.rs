//! `isrc.Policy`: the reference date and prefix table, as `--today` and `--prefixes`.

use isrc::Policy;
use isrc::policy::Date;
use isrc::prefix::PrefixTable;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The policy a check runs under: the reference date (default: today, read at each check)
/// and the prefix table (default: the built-in one).
#[pyclass(name = "Policy", module = "isrc", frozen)]
pub struct PyPolicy {
    today: Option<Date>,
    prefixes: Option<PrefixTable>,
    /// The prefix table's CSV text and source, kept for the Polars plugin, which gets the
    /// policy as plain keyword arguments (Polars pickles them) and parses the table itself.
    prefixes_csv: Option<(String, String)>,
}

impl PyPolicy {
    /// The core's policy for one check.
    pub fn policy(&self) -> Policy<'_> {
        let today = self.today.unwrap_or_else(Date::today);
        match &self.prefixes {
            Some(table) => Policy::new(today).with_prefixes(table),
            None => Policy::new(today),
        }
    }
}

/// Runs `f` under `policy`, or today's default policy.
pub fn with_policy<T>(policy: Option<&Bound<'_, PyPolicy>>, f: impl FnOnce(&Policy<'_>) -> T) -> T {
    match policy {
        Some(p) => f(&p.get().policy()),
        None => f(&Policy::current()),
    }
}

#[pymethods]
impl PyPolicy {
    #[new]
    #[pyo3(signature = (today=None, prefixes=None))]
    fn new(
        today: Option<&Bound<'_, PyAny>>,
        prefixes: Option<std::path::PathBuf>,
    ) -> PyResult<Self> {
        let today = match today {
            None => None,
            Some(value) => {
                // A `datetime.date` or a `YYYY-MM-DD` string.
                let text: String = match value.extract::<String>() {
                    Ok(text) => text,
                    Err(_) => value.call_method0("isoformat")?.extract()?,
                };
                let date: Date = text.parse().map_err(|_| {
                    PyValueError::new_err(format!("today: {text:?} is not a date (YYYY-MM-DD)"))
                })?;
                Some(date)
            }
        };
        let (prefixes, prefixes_csv) = match prefixes {
            None => (None, None),
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| PyOSError::new_err(format!("{}: {e}", path.display())))?;
                let source = path.display().to_string();
                let table = PrefixTable::from_csv(&text, &source).map_err(|e| {
                    PyValueError::new_err(format!(
                        "{source}:{}:{}: {}",
                        e.line(),
                        e.column(),
                        e.message()
                    ))
                })?;
                (Some(table), Some((text, source)))
            }
        };
        Ok(PyPolicy {
            today,
            prefixes,
            prefixes_csv,
        })
    }

    /// The reference date, `YYYY-MM-DD` (today when none was given).
    #[getter]
    fn today(&self) -> String {
        self.policy().today().to_string()
    }

    /// The date of the prefix table, when it has one.
    #[getter]
    fn prefix_table(&self) -> Option<String> {
        self.policy().prefixes().date().map(str::to_owned)
    }

    /// The policy as the Polars plugin's keyword arguments: `today` (`YYYY-MM-DD`, or None
    /// for the date of each call) and `prefixes` (the table's CSV text and source, or None).
    fn _plugin_kwargs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("today", self.today.map(|d| d.to_string()))?;
        kwargs.set_item("prefixes", self.prefixes_csv.clone())?;
        Ok(kwargs)
    }

    fn __repr__(&self) -> String {
        format!("isrc.Policy(today={:?})", self.today())
    }
}
