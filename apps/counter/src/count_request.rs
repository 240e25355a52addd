//! The body of `POST /count`: its content type, its shape, and its one number, which must be
//! an integer within ±(2^53 − 1) in any JSON spelling. Every fault is a specific 4xx.

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::error::Category;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::api::ApiError;
use crate::message::MAX_ABS_COUNT;

/// Body of `POST /count`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountRequest {
    /// An integer within ±(2^53 − 1), e.g. the current unix time.
    #[schema(value_type = i64, minimum = -9007199254740991_i64, maximum = 9007199254740991_i64, example = 1700000000)]
    // The number's own text: parsed exactly here, not through an `f64`, which would turn
    // `9007199254740991.0` into 9007199254740990.
    pub count: Box<RawValue>,
}

/// Checks the content type and body of `POST /count`; every fault is a 4xx.
pub fn parse_count(content_type: Option<&str>, body: &[u8]) -> Result<i64, ApiError> {
    let media_type = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    let is_json = media_type.as_deref().is_some_and(|m| {
        m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
    });
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as Content-Type: application/json",
        ));
    }
    // Derived struct deserialisers also accept arrays (`[1]`): insist on an object first.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "body must be a JSON object like {\"count\": 1}",
            ),
            Err(e) => json_error(&e),
        });
    }
    let request: CountRequest = serde_json::from_slice(body).map_err(|e| json_error(&e))?;
    match integer_value(request.count.get()) {
        Ok(count) => Ok(count),
        Err(Fault::NotAnInteger) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            "count must be an integer",
        )),
        Err(Fault::OutOfRange) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "out_of_range",
            format!("count must be within ±{MAX_ABS_COUNT}"),
        )),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Fault {
    NotAnInteger,
    OutOfRange,
}

/// The integer a JSON value denotes, exactly. A number with a zero fractional part (`0.0`,
/// `1e3`) is an integer to JSON Schema, and so to the OpenAPI document: accepted like its
/// integer spelling. `text` is valid JSON (serde checked it), so a number follows the grammar
/// `-? int (. frac)? ([eE] [+-]? exp)?`.
fn integer_value(text: &str) -> Result<i64, Fault> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !unsigned.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(Fault::NotAnInteger); // a string, boolean, null, array or object
    }
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent),
        None => (unsigned, "0"),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // Saturating: an absurd exponent is simply far out of range (or far below 1).
    let exponent = exponent
        .trim_start_matches('+')
        .strip_prefix('-')
        .map_or_else(
            || magnitude(exponent.trim_start_matches('+')),
            |e| -magnitude(e),
        );
    // value = digits × 10^scale
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    let significant = digits.trim_end_matches('0');
    let scale = exponent - fraction.len() as i64 + (digits.len() - significant.len()) as i64;
    if significant.is_empty() {
        return Ok(0);
    }
    if scale < 0 {
        return Err(Fault::NotAnInteger);
    }
    // 2^53 − 1 has 16 digits; anything longer cannot be within range.
    if significant.len() as i64 + scale > 16 {
        return Err(Fault::OutOfRange);
    }
    let value: i64 =
        significant.parse::<i64>().map_err(|_| Fault::OutOfRange)? * 10_i64.pow(scale as u32);
    if value > MAX_ABS_COUNT {
        return Err(Fault::OutOfRange);
    }
    Ok(if negative { -value } else { value })
}

/// The value of a run of decimal digits, saturating at a million.
fn magnitude(digits: &str) -> i64 {
    digits
        .bytes()
        .fold(0_i64, |n, d| (n * 10 + i64::from(d - b'0')).min(1_000_000))
}

/// Maps a JSON error to 400 (not JSON) or 422 (JSON of the wrong shape or range).
fn json_error(error: &serde_json::Error) -> ApiError {
    let unprocessable =
        |code, message: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
    match error.classify() {
        Category::Data => unprocessable("invalid_field", error.to_string()),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("body is not valid JSON: {error}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_of(content_type: Option<&str>, body: &str) -> u16 {
        match parse_count(content_type, body.as_bytes()) {
            Ok(_) => 202,
            Err(e) => e.status().as_u16(),
        }
    }

    #[test]
    fn accepts_integers_with_json_media_types() {
        assert_eq!(
            parse_count(Some("application/json"), b"{\"count\": 17}").unwrap(),
            17
        );
        assert_eq!(
            parse_count(Some("Application/JSON; charset=utf-8"), b"{\"count\":-5}").unwrap(),
            -5
        );
        assert_eq!(
            parse_count(
                Some("application/vnd.counter+json"),
                b"{\"count\":9007199254740991}"
            )
            .unwrap(),
            MAX_ABS_COUNT
        );
    }

    #[test]
    fn integral_numbers_in_any_spelling_are_integers() {
        let json = Some("application/json");
        for (body, count) in [
            ("{\"count\": 0.0}", 0),
            ("{\"count\": -0.0}", 0),
            ("{\"count\": 1e3}", 1000),
            ("{\"count\": -2.50E1}", -25),
            ("{\"count\": 9007199254740991.0}", MAX_ABS_COUNT),
            ("{\"count\": -9.007199254740991e15}", -MAX_ABS_COUNT),
        ] {
            assert_eq!(parse_count(json, body.as_bytes()).unwrap(), count, "{body}");
        }
        assert_eq!(status_of(json, "{\"count\": 9007199254740992.0}"), 422);
        assert_eq!(status_of(json, "{\"count\": 1e300}"), 422);
        assert_eq!(status_of(json, "{\"count\": 1e99999999999999999999}"), 422);
        assert_eq!(status_of(json, "{\"count\": 1e-99999999999999999999}"), 422);
        assert_eq!(status_of(json, "{\"count\": 1.0000000000000001}"), 422);
        assert_eq!(parse_count(json, b"{\"count\": 0e-5}").unwrap(), 0);
        assert_eq!(parse_count(json, b"{\"count\": 120e-1}").unwrap(), 12);
        assert_eq!(status_of(json, "{\"count\": 0.5}"), 422);
    }

    #[test]
    fn every_fault_is_a_specific_4xx() {
        let json = Some("application/json");
        assert_eq!(status_of(None, "{\"count\":1}"), 415);
        assert_eq!(status_of(Some("text/plain"), "{\"count\":1}"), 415);
        assert_eq!(status_of(json, "{\"count\":"), 400);
        assert_eq!(status_of(json, ""), 400);
        assert_eq!(status_of(json, "{}"), 422);
        assert_eq!(status_of(json, "[1]"), 422);
        assert_eq!(status_of(json, "{\"count\":\"1\"}"), 422);
        assert_eq!(status_of(json, "{\"count\":1.5}"), 422);
        assert_eq!(status_of(json, "{\"count\":null}"), 422);
        assert_eq!(status_of(json, "{\"count\":1,\"extra\":2}"), 422);
        assert_eq!(status_of(json, "{\"count\":1,\"count\":2}"), 422);
        assert_eq!(status_of(json, "{\"count\":9007199254740992}"), 422);
        assert_eq!(status_of(json, "{\"count\":18446744073709551616}"), 422);
        assert_eq!(status_of(json, "{\"count\":1e400}"), 422);
    }
}
