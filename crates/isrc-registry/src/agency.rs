//! The agency's choice of a registrant code at approval.

use crate::error::{Error, Result};
use crate::store::REGISTRANT_CODE_ALPHABET;

/// Reads the registrant code an agency chose: the three characters after the country prefix
/// (`XYZ`) or the whole prefix (`CBXYZ`, `CB-XYZ`) under `country`; upper-cased.
pub(crate) fn chosen_code(country: &str, text: &str) -> Result<String> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    let code = match cleaned.len() {
        3 => cleaned,
        5 if cleaned.starts_with(country) => cleaned[2..].to_string(),
        5 => {
            return Err(Error::invalid(
                "registrant code",
                format!("{cleaned} is not under the country prefix {country} of this approval"),
            ));
        }
        _ => {
            return Err(Error::invalid(
                "registrant code",
                format!(
                    "{text:?} is not a registrant code: give three letters or digits (XYZ) or the whole prefix ({country}XYZ)"
                ),
            ));
        }
    };
    if !code.bytes().all(|b| REGISTRANT_CODE_ALPHABET.contains(&b)) {
        return Err(Error::invalid(
            "registrant code",
            format!("{code:?}: a registrant code has three letters A-Z or digits 0-9"),
        ));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::chosen_code;

    #[test]
    fn codes_in_any_spelling() {
        assert_eq!(chosen_code("CB", "xyz").unwrap(), "XYZ");
        assert_eq!(chosen_code("CB", "CB-XYZ").unwrap(), "XYZ");
        assert!(chosen_code("CB", "FRXYZ").is_err());
        assert!(chosen_code("CB", "X_Z").is_err());
        assert!(chosen_code("CB", "ABCD").is_err());
    }
}
