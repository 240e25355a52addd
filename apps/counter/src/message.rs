//! The unit of work: one posted count, with the id the API gave it. The id makes every step
//! after the API idempotent: a message delivered twice is stored once.

use uuid::Uuid;

/// Largest magnitude accepted for a count: JavaScript's safe-integer limit, so the web page
/// and other JSON clients read back exactly what was stored.
pub const MAX_ABS_COUNT: i64 = (1 << 53) - 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountMessage {
    pub id: Uuid,
    pub count: i64,
}

impl CountMessage {
    /// A new message with a time-ordered id (UUIDv7), so ids sort by acceptance time and
    /// database inserts append to the primary-key index instead of splitting pages.
    pub fn new(count: i64) -> Self {
        Self {
            id: Uuid::now_v7(),
            count,
        }
    }
}

/// Field names of the queue's wire format (Redis stream entry fields).
pub const FIELD_ID: &str = "id";
pub const FIELD_COUNT: &str = "count";

/// Decodes the wire fields; the error says what is wrong, for the dead-letter record.
pub fn decode(id: Option<&str>, count: Option<&str>) -> Result<CountMessage, String> {
    let id = id.ok_or("missing field `id`")?;
    let count = count.ok_or("missing field `count`")?;
    let id = Uuid::try_parse(id).map_err(|e| format!("bad id {id:?}: {e}"))?;
    let count: i64 = count
        .parse()
        .map_err(|e| format!("bad count {count:?}: {e}"))?;
    Ok(CountMessage { id, count })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_round_trips_and_names_the_fault() {
        let m = CountMessage::new(42);
        let id = m.id.simple().to_string();
        assert_eq!(decode(Some(&id), Some("42")), Ok(m));
        assert!(decode(None, Some("1")).unwrap_err().contains("id"));
        assert!(decode(Some(&id), Some("x")).unwrap_err().contains("count"));
        assert!(decode(Some("nope"), Some("1"))
            .unwrap_err()
            .contains("bad id"));
    }

    #[test]
    fn ids_are_time_ordered() {
        let a = CountMessage::new(1);
        let b = CountMessage::new(2);
        assert!(a.id < b.id);
    }
}
