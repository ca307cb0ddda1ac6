//! The Polars expression plugin: `isrc/polars.py` registers these functions with
//! `polars.plugins.register_plugin_function`, and Polars calls them in its own threads with
//! its own chunks, without the GIL and without Python per batch.
//!
//! Each chunk crosses from Polars' Arrow arrays (`polars-arrow`) to the arrow crate's through
//! the Arrow C data interface, so the `isrc-arrow` kernel that `isrc.arrow` uses runs on
//! Polars' buffers where they are (no copy), and its output crosses back the same way.
#![allow(unsafe_code)]

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi, to_ffi};
use arrow_array::{Array, ArrayRef, make_array};
use arrow_schema::{ArrowError, DataType as ArrowRsType, Field as ArrowRsField};
use isrc::Policy;
use isrc::policy::Date;
use isrc::prefix::PrefixTable;
use pyo3_polars::derive::polars_expr;
use pyo3_polars::export::polars_arrow;
use pyo3_polars::export::polars_arrow::ffi::{ArrowArray, ArrowSchema};
use pyo3_polars::export::polars_core::prelude::*;
use serde::Deserialize;

/// The plugin's keyword arguments: an `isrc.Policy` as plain values (Polars pickles them).
#[derive(Deserialize)]
struct PolicyKwargs {
    /// `YYYY-MM-DD`, or None for the date of each call.
    today: Option<String>,
    /// The prefix table's CSV text and where it came from, or None for the built-in table.
    prefixes: Option<(String, String)>,
}

fn compute_error(message: String) -> PolarsError {
    PolarsError::ComputeError(message.into())
}

fn arrow_error(e: ArrowError) -> PolarsError {
    compute_error(e.to_string())
}

/// Runs `f` under the policy the keyword arguments describe.
fn with_policy<T>(kwargs: &PolicyKwargs, f: impl FnOnce(&Policy<'_>) -> T) -> PolarsResult<T> {
    let today = match &kwargs.today {
        Some(text) => text
            .parse::<Date>()
            .map_err(|_| compute_error(format!("today: {text:?} is not a date (YYYY-MM-DD)")))?,
        None => Date::today(),
    };
    match &kwargs.prefixes {
        // The table is parsed again for each chunk: a few hundred rows against a chunk's
        // tens of thousands of codes, and no state shared across Polars' threads.
        Some((text, source)) => {
            let table = PrefixTable::from_csv(text, source).map_err(|e| {
                compute_error(format!(
                    "{source}:{}:{}: {}",
                    e.line(),
                    e.column(),
                    e.message()
                ))
            })?;
            Ok(f(&Policy::new(today).with_prefixes(&table)))
        }
        None => Ok(f(&Policy::new(today))),
    }
}

/// A Polars chunk as an arrow crate array, sharing its buffers.
fn to_arrow_rs(chunk: &polars_arrow::array::ArrayRef) -> PolarsResult<ArrayRef> {
    let field = polars_arrow::datatypes::Field::new("".into(), chunk.dtype().clone(), true);
    let schema = polars_arrow::ffi::export_field_to_c(&field);
    let array = polars_arrow::ffi::export_array_to_c(chunk.clone());
    // SAFETY: both crates' structs are the C data interface's `ArrowSchema` and `ArrowArray`
    // (`repr(C)`, the same fields; `transmute` checks the sizes). `from_ffi` takes the array
    // and calls its release callback (Polars') when the last buffer is dropped.
    let data = unsafe {
        let schema: FFI_ArrowSchema = std::mem::transmute::<ArrowSchema, FFI_ArrowSchema>(schema);
        let array: FFI_ArrowArray = std::mem::transmute::<ArrowArray, FFI_ArrowArray>(array);
        from_ffi(array, &schema)
    }
    .map_err(arrow_error)?;
    Ok(make_array(data))
}

/// An arrow crate array as a Polars chunk, sharing its buffers.
fn from_arrow_rs(array: &dyn Array) -> PolarsResult<polars_arrow::array::ArrayRef> {
    let (array, schema) = to_ffi(&array.to_data()).map_err(arrow_error)?;
    // SAFETY: as in `to_arrow_rs`, the other way; Polars takes the array and calls the arrow
    // crate's release callback when it is done with it.
    unsafe {
        let schema: ArrowSchema = std::mem::transmute::<FFI_ArrowSchema, ArrowSchema>(schema);
        let array: ArrowArray = std::mem::transmute::<FFI_ArrowArray, ArrowArray>(array);
        let field = polars_arrow::ffi::import_field_from_c(&schema)?;
        polars_arrow::ffi::import_array_from_c(array, field.dtype)
    }
}

/// The Polars type of an arrow crate type (the kernel's output types, said once there).
fn polars_dtype(dtype: ArrowRsType) -> PolarsResult<DataType> {
    let schema =
        FFI_ArrowSchema::try_from(&ArrowRsField::new("", dtype, true)).map_err(arrow_error)?;
    // SAFETY: as in `to_arrow_rs`; the schema is only read, and released when dropped.
    let field = unsafe {
        let schema: ArrowSchema = std::mem::transmute::<FFI_ArrowSchema, ArrowSchema>(schema);
        polars_arrow::ffi::import_field_from_c(&schema)?
    };
    Ok(DataType::from_arrow_field(&field))
}

/// Applies a kernel to each chunk of the one input series; the output has its name.
fn each_chunk<A: Array>(
    inputs: &[Series],
    kwargs: &PolicyKwargs,
    kernel: impl Fn(&dyn Array, &Policy<'_>) -> Result<A, ArrowError>,
) -> PolarsResult<Series> {
    let [input] = inputs else {
        polars_bail!(ComputeError: "the isrc functions take one column, not {}", inputs.len());
    };
    let input = match input.dtype() {
        // An all-null column (as `pl.Series([None])`) is a column of null strings.
        DataType::Null => input.cast(&DataType::String)?,
        DataType::String => input.clone(),
        other => polars_bail!(
            InvalidOperation: "the isrc functions take a String column, not {other} (column {:?})",
            input.name()
        ),
    };
    let chunks = input
        .chunks()
        .iter()
        .map(|chunk| {
            let array = to_arrow_rs(chunk)?;
            let out = with_policy(kwargs, |policy| kernel(array.as_ref(), policy))?
                .map_err(arrow_error)?;
            from_arrow_rs(&out)
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    Series::try_from((input.name().clone(), chunks))
}

fn output_field(inputs: &[Field], dtype: ArrowRsType) -> PolarsResult<Field> {
    let name = inputs.first().map(|f| f.name().clone()).unwrap_or_default();
    Ok(Field::new(name, polars_dtype(dtype)?))
}

fn check_field(inputs: &[Field]) -> PolarsResult<Field> {
    output_field(inputs, ArrowRsType::Struct(isrc_arrow::output_fields()))
}

fn compact_field(inputs: &[Field]) -> PolarsResult<Field> {
    output_field(inputs, ArrowRsType::Utf8)
}

fn is_valid_field(inputs: &[Field]) -> PolarsResult<Field> {
    output_field(inputs, ArrowRsType::Boolean)
}

fn key_field(inputs: &[Field]) -> PolarsResult<Field> {
    output_field(inputs, ArrowRsType::UInt64)
}

/// `isrc_arrow::check`: the struct a row of `isrc.arrow.check`.
#[polars_expr(output_type_func=check_field)]
fn check(inputs: &[Series], kwargs: PolicyKwargs) -> PolarsResult<Series> {
    each_chunk(inputs, &kwargs, isrc_arrow::check)
}

/// The `compact` column of `isrc_arrow::check` (null when the value is not valid).
#[polars_expr(output_type_func=compact_field)]
fn compact(inputs: &[Series], kwargs: PolicyKwargs) -> PolarsResult<Series> {
    each_chunk(inputs, &kwargs, |array, policy| {
        let out = isrc_arrow::check(array, policy)?;
        out.column_by_name("compact")
            .cloned()
            .ok_or_else(|| ArrowError::SchemaError("the kernel has no compact column".into()))
    })
}

/// `isrc_arrow::is_valid`: the validity column alone.
#[polars_expr(output_type_func=is_valid_field)]
fn is_valid(inputs: &[Series], kwargs: PolicyKwargs) -> PolarsResult<Series> {
    each_chunk(inputs, &kwargs, isrc_arrow::is_valid)
}

/// `isrc_arrow::keys`: the key column alone.
#[polars_expr(output_type_func=key_field)]
fn key(inputs: &[Series], kwargs: PolicyKwargs) -> PolarsResult<Series> {
    each_chunk(inputs, &kwargs, isrc_arrow::keys)
}
