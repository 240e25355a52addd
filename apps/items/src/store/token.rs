//! The next-page token: the last id of a page, hex-encoded behind a version prefix, so clients
//! treat it as opaque and a changed format can be told apart.

use super::StoreError;

const PREFIX: &str = "v1.";

pub fn encode_token(last_id: &str) -> String {
    let hex: String = last_id.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}{hex}")
}

pub fn decode_token(token: &str) -> Result<String, StoreError> {
    let hex = token.strip_prefix(PREFIX).ok_or(StoreError::BadToken)?;
    if hex.len() % 2 != 0 || hex.is_empty() {
        return Err(StoreError::BadToken);
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| StoreError::BadToken))
        .collect::<Result<Vec<u8>, _>>()?;
    let id = String::from_utf8(bytes).map_err(|_| StoreError::BadToken)?;
    crate::item::check_id(&id).map_err(|_| StoreError::BadToken)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_gives_back_its_id_and_garbage_is_refused() {
        let token = encode_token("item-7.b_c");
        assert_eq!(decode_token(&token).unwrap(), "item-7.b_c");
        for bad in ["", "v1.", "v1.zz", "v1.6", "item-7", "v2.61", "v1.2f2f"] {
            assert!(
                matches!(decode_token(bad), Err(StoreError::BadToken)),
                "{bad}"
            );
        }
    }
}
