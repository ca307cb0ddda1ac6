//! Arrays across the Arrow C data interface (the PyCapsule protocol, `__arrow_c_array__`):
//! pyarrow's and Polars' buffers are read where they are, and the kernel's output is handed
//! back the same way, without a copy either way.
#![allow(unsafe_code)]

use std::ffi::CStr;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi, to_ffi};
use arrow_array::{Array, ArrayRef, make_array};
use arrow_data::ArrayData;
use isrc::recording::DurationUnit;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::policy::PyPolicy;

const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";

/// A pair of capsules as `__arrow_c_array__` gives them.
type Capsules<'py> = (Bound<'py, PyCapsule>, Bound<'py, PyCapsule>);

/// Takes the array out of a `(schema, array)` capsule pair: the capsule's array is marked
/// released, and its buffers are now owned by the returned array (no copy).
fn import(capsules: &Capsules<'_>) -> PyResult<ArrayRef> {
    let (schema, array) = capsules;
    let schema_ptr = schema
        .pointer_checked(Some(SCHEMA))
        .map_err(|_| PyTypeError::new_err("expected an \"arrow_schema\" capsule"))?;
    let array_ptr = array
        .pointer_checked(Some(ARRAY))
        .map_err(|_| PyTypeError::new_err("expected an \"arrow_array\" capsule"))?;
    // SAFETY: the capsules are named as the PyCapsule protocol names them, so they point to
    // an ArrowSchema and an ArrowArray; `from_raw` moves the array out and leaves a released
    // one behind, so the capsule's destructor does not free what we now own.
    let data: ArrayData = unsafe {
        let schema = &*(schema_ptr.as_ptr() as *const FFI_ArrowSchema);
        let array = FFI_ArrowArray::from_raw(array_ptr.as_ptr() as *mut FFI_ArrowArray);
        from_ffi(array, schema)
    }
    .map_err(|e| PyValueError::new_err(format!("cannot import the Arrow array: {e}")))?;
    Ok(make_array(data))
}

/// Exports an array as a `(schema, array)` capsule pair; whoever imports it takes its buffers.
fn export<'py>(py: Python<'py>, array: &dyn Array) -> PyResult<Capsules<'py>> {
    let (array, schema) = to_ffi(&array.to_data())
        .map_err(|e| PyValueError::new_err(format!("cannot export the Arrow array: {e}")))?;
    let schema = PyCapsule::new_with_value(py, schema, SCHEMA)?;
    let array = PyCapsule::new_with_value(py, array, ARRAY)?;
    Ok((schema, array))
}

fn arrow_error(e: arrow_schema::ArrowError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// `isrc_arrow::check` of an array given as capsules; the struct array back as capsules.
#[pyfunction]
#[pyo3(signature = (capsules, policy=None))]
pub fn arrow_check<'py>(
    py: Python<'py>,
    capsules: Capsules<'py>,
    policy: Option<&Bound<'py, PyPolicy>>,
) -> PyResult<Capsules<'py>> {
    let input = import(&capsules)?;
    let policy = policy.map(|p| p.get());
    let out = py.detach(|| {
        with_policy_detached(policy, |policy| isrc_arrow::check(input.as_ref(), policy))
    });
    export(py, &out.map_err(arrow_error)?)
}

/// [`with_policy`] for code that runs without the GIL (the policy is frozen and `Sync`).
fn with_policy_detached<T>(policy: Option<&PyPolicy>, f: impl FnOnce(&isrc::Policy<'_>) -> T) -> T {
    match policy {
        Some(p) => f(&p.policy()),
        None => f(&isrc::Policy::current()),
    }
}

/// `isrc_arrow::recording::fingerprints` of the columns given (each as capsules, or None).
#[pyfunction]
#[pyo3(signature = (title=None, artist=None, version=None))]
pub fn arrow_fingerprints<'py>(
    py: Python<'py>,
    title: Option<Capsules<'py>>,
    artist: Option<Capsules<'py>>,
    version: Option<Capsules<'py>>,
) -> PyResult<Capsules<'py>> {
    let title = title.as_ref().map(import).transpose()?;
    let artist = artist.as_ref().map(import).transpose()?;
    let version = version.as_ref().map(import).transpose()?;
    let out = isrc_arrow::recording::fingerprints(
        title.as_deref(),
        artist.as_deref(),
        version.as_deref(),
    )
    .map_err(arrow_error)?;
    export(py, &out)
}

/// `isrc_arrow::recording::durations` in seconds (`milliseconds`: plain numbers are ms).
#[pyfunction]
#[pyo3(signature = (capsules, milliseconds=false))]
pub fn arrow_durations<'py>(
    py: Python<'py>,
    capsules: Capsules<'py>,
    milliseconds: bool,
) -> PyResult<Capsules<'py>> {
    let input = import(&capsules)?;
    let unit = if milliseconds {
        DurationUnit::Milliseconds
    } else {
        DurationUnit::Seconds
    };
    let out = isrc_arrow::recording::durations(input.as_ref(), unit).map_err(arrow_error)?;
    export(py, &out)
}

/// `isrc_arrow::is_valid`: the validity column alone, on every core.
#[pyfunction]
#[pyo3(signature = (capsules, policy=None))]
pub fn arrow_is_valid<'py>(
    py: Python<'py>,
    capsules: Capsules<'py>,
    policy: Option<&Bound<'py, PyPolicy>>,
) -> PyResult<Capsules<'py>> {
    let input = import(&capsules)?;
    let policy = policy.map(|p| p.get());
    let out = py.detach(|| {
        with_policy_detached(policy, |policy| {
            isrc_arrow::is_valid(input.as_ref(), policy)
        })
    });
    export(py, &out.map_err(arrow_error)?)
}

/// `isrc_arrow::keys`: the key column alone, on every core.
#[pyfunction]
#[pyo3(signature = (capsules, policy=None))]
pub fn arrow_keys<'py>(
    py: Python<'py>,
    capsules: Capsules<'py>,
    policy: Option<&Bound<'py, PyPolicy>>,
) -> PyResult<Capsules<'py>> {
    let input = import(&capsules)?;
    let policy = policy.map(|p| p.get());
    let out = py
        .detach(|| with_policy_detached(policy, |policy| isrc_arrow::keys(input.as_ref(), policy)));
    export(py, &out.map_err(arrow_error)?)
}
