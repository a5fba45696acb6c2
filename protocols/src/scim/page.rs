//! Pagination (RFC 7644 §3.4.2.4) and the ListResponse message (§3.4.2).
//!
//! `startIndex` is 1-based and a value below 1 means 1; a negative `count` means 0 and a count
//! above the server's maximum is capped to it; a missing count takes the server's default page
//! size. A `count` of 0 asks only for `totalResults`. Values that are not integers are
//! `invalidValue`; integers too large for the machine saturate instead of failing.

use serde::{Deserialize, Serialize};

use super::error::ScimError;
use super::schema::LIST_RESPONSE;

/// A page of a result set: 1-based `start_index`, at most `count` resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub start_index: usize,
    pub count: usize,
}

fn parse_int(name: &str, raw: &str) -> Result<i128, ScimError> {
    let t = raw.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ScimError::invalid_value(format!(
            "{name} must be an integer, not {:?}",
            raw.chars().take(40).collect::<String>()
        )));
    }
    let negative = t.starts_with('-');
    // Saturate rather than overflow: any count past usize::MAX is capped anyway.
    let magnitude = digits.parse::<i128>().unwrap_or(i128::MAX);
    Ok(if negative { -magnitude } else { magnitude })
}

fn clamp(v: i128, lo: usize, hi: usize) -> usize {
    let lo_i = lo as i128;
    let hi_i = hi as i128;
    // The clamped value lies in [lo, hi], both usize, so the conversion cannot fail.
    usize::try_from(v.clamp(lo_i, hi_i.max(lo_i))).unwrap_or(hi)
}

impl PageRequest {
    /// From the raw `startIndex` and `count` query parameters.
    pub fn parse(
        start_index: Option<&str>,
        count: Option<&str>,
        default_count: usize,
        max_results: usize,
    ) -> Result<PageRequest, ScimError> {
        let start_index = match start_index {
            None => 1,
            Some(raw) => clamp(parse_int("startIndex", raw)?, 1, usize::MAX),
        };
        let count = match count {
            None => default_count.min(max_results),
            Some(raw) => clamp(parse_int("count", raw)?, 0, max_results),
        };
        Ok(PageRequest { start_index, count })
    }

    /// The slice of `items` (already filtered and ordered) this page covers.
    pub fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let from = (self.start_index - 1).min(items.len());
        let to = from.saturating_add(self.count).min(items.len());
        &items[from..to]
    }

    /// The ListResponse for this page of `items` (the full, filtered and ordered result set).
    pub fn respond<T: Clone>(&self, items: &[T]) -> ListResponse<T> {
        let page = self.slice(items);
        ListResponse {
            schemas: vec![LIST_RESPONSE.to_string()],
            total_results: items.len(),
            start_index: self.start_index,
            items_per_page: page.len(),
            resources: page.to_vec(),
        }
    }
}

/// A ListResponse. `Resources` is always serialised, even empty (Entra expects it). Reading is
/// lenient about what other servers send: `Resources` may be missing or spelt in lower case,
/// and `startIndex`/`itemsPerPage` may be missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListResponse<T> {
    #[serde(default)]
    pub schemas: Vec<String>,
    pub total_results: usize,
    #[serde(default = "one")]
    pub start_index: usize,
    #[serde(default)]
    pub items_per_page: usize,
    #[serde(rename = "Resources", alias = "resources", default = "Vec::new")]
    pub resources: Vec<T>,
}

fn one() -> usize {
    1
}

impl<T> ListResponse<T> {
    /// Every item in one response (the discovery endpoints).
    pub fn complete(resources: Vec<T>) -> ListResponse<T> {
        ListResponse {
            schemas: vec![LIST_RESPONSE.to_string()],
            total_results: resources.len(),
            start_index: 1,
            items_per_page: resources.len(),
            resources,
        }
    }

    /// An empty result ("no such user" for a push client's lookup).
    pub fn empty() -> ListResponse<T> {
        ListResponse::complete(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::error::ScimType;
    use serde_json::json;

    fn page(s: Option<&str>, c: Option<&str>) -> PageRequest {
        PageRequest::parse(s, c, 50, 100).expect("page")
    }

    #[test]
    fn clamping_per_rfc() {
        assert_eq!(
            page(None, None),
            PageRequest {
                start_index: 1,
                count: 50
            }
        );
        assert_eq!(
            page(Some("0"), Some("-5")),
            PageRequest {
                start_index: 1,
                count: 0
            }
        );
        assert_eq!(page(Some("-3"), Some("1000")).count, 100);
        assert_eq!(
            page(Some(" 7 "), Some("100")),
            PageRequest {
                start_index: 7,
                count: 100
            }
        );
        assert_eq!(
            page(
                Some("99999999999999999999999999999999999999999999"),
                Some("+3")
            )
            .count,
            3
        );
        assert_eq!(
            PageRequest::parse(None, None, 500, 100).expect("p").count,
            100
        );
        for bad in ["", "abc", "1.5", "1e3", "--1", "0x10"] {
            let e = PageRequest::parse(Some(bad), None, 50, 100).expect_err(bad);
            assert_eq!(e.scim_type(), Some(ScimType::InvalidValue));
            let e = PageRequest::parse(None, Some(bad), 50, 100).expect_err(bad);
            assert_eq!(e.scim_type(), Some(ScimType::InvalidValue));
        }
    }

    #[test]
    fn pages_and_list_responses() {
        let items: Vec<u32> = (1..=5).collect();
        let r = page(Some("2"), Some("2")).respond(&items);
        assert_eq!(r.resources, vec![2, 3]);
        assert_eq!(
            (r.total_results, r.start_index, r.items_per_page),
            (5, 2, 2)
        );
        let r = page(Some("5"), Some("10")).respond(&items);
        assert_eq!(r.resources, vec![5]);
        let r = page(Some("9"), None).respond(&items);
        assert!(r.resources.is_empty());
        assert_eq!(r.total_results, 5);
        let r = page(None, Some("0")).respond(&items);
        assert_eq!((r.items_per_page, r.total_results), (0, 5));
        let big = PageRequest {
            start_index: usize::MAX,
            count: usize::MAX,
        };
        assert!(big.slice(&items).is_empty());
    }

    #[test]
    fn wire_form() {
        let r: ListResponse<serde_json::Value> = ListResponse::empty();
        assert_eq!(
            serde_json::to_value(&r).expect("json"),
            json!({"schemas": [LIST_RESPONSE], "totalResults": 0, "startIndex": 1,
                   "itemsPerPage": 0, "Resources": []})
        );
        let back: ListResponse<serde_json::Value> =
            serde_json::from_value(json!({"totalResults": 0})).expect("lenient");
        assert!(back.resources.is_empty());
        let back: ListResponse<serde_json::Value> =
            serde_json::from_value(json!({"totalResults": 1, "resources": [{"id": "1"}]}))
                .expect("lenient");
        assert_eq!(back.resources.len(), 1);
    }
}
