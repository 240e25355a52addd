//! Logical ids from construct paths.
//!
//! The id depends on the construct's own path and nothing else, so adding or removing another
//! construct never renames a resource (a rename would replace a database). Path components are
//! concatenated, readable (`NetworkPublicSubnet1RouteTable`); `Resource` and `Default` — the
//! conventional id of a construct's main resource — are left out, so the bucket of the
//! construct `Objects` is `Objects`, not `ObjectsResource`.

/// CloudFormation's limit on a logical id's length.
pub const MAX_LEN: usize = 255;

/// The logical id of a construct path such as `Network/PublicSubnet1/RouteTable`.
pub fn from_path(path: &str) -> String {
    let mut id = String::with_capacity(path.len());
    for component in path.split('/') {
        if component == "Resource" || component == "Default" {
            continue;
        }
        let mut chars = component.chars().filter(char::is_ascii_alphanumeric);
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id
}

/// Why a pinned or renamed logical id is not acceptable, if it is not.
pub fn invalid_reason(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("a logical id cannot be empty")
    } else if !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Some("a logical id has only letters and digits")
    } else if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        Some("a logical id starts with a letter")
    } else if id.len() > MAX_LEN {
        Some("a logical id has at most 255 characters")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_ids_from_paths() {
        assert_eq!(
            from_path("Network/PublicSubnet1/RouteTable"),
            "NetworkPublicSubnet1RouteTable"
        );
        assert_eq!(from_path("Objects/Resource"), "Objects");
        assert_eq!(from_path("api/Default/get-count"), "ApiGetcount");
        assert_eq!(invalid_reason("Ok1"), None);
        assert!(invalid_reason("1a").is_some());
        assert!(invalid_reason("a-b").is_some());
    }
}
