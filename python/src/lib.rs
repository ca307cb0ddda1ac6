//! `isrc._native`: the Rust side of the `isrc` Python package. The Python modules in
//! `python/isrc/` hold the documented API; this module gives them the core's check
//! (`isrc-code`) and the Arrow kernel (`isrc-arrow`).

use pyo3::prelude::*;

mod arrow;
mod objects;
mod plugin;
mod policy;
mod stdnum;

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<policy::PyPolicy>()?;
    m.add_class::<objects::PyIsrc>()?;
    m.add_class::<objects::PyReport>()?;
    m.add_class::<objects::PyFinding>()?;
    m.add_function(wrap_pyfunction!(stdnum::compact, m)?)?;
    m.add_function(wrap_pyfunction!(stdnum::validate, m)?)?;
    m.add_function(wrap_pyfunction!(stdnum::is_valid, m)?)?;
    m.add_function(wrap_pyfunction!(stdnum::format, m)?)?;
    m.add_function(wrap_pyfunction!(objects::check, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::arrow_check, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::arrow_is_valid, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::arrow_keys, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::arrow_fingerprints, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::arrow_durations, m)?)?;
    m.add(
        "PREFIX_TABLE_DATE",
        isrc::prefix::PrefixTable::builtin().date(),
    )?;
    Ok(())
}
