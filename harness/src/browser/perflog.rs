//! Chrome's performance log, read back into the hops a journey made: every top-level document
//! request (redirects included, which Chrome reports under one request id), with its method,
//! form body and answer. Pure: a list of log entries in, hops out.

use serde_json::Value;
use std::collections::HashMap;

/// One document request and its answer, as Chrome saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub method: String,
    pub url: String,
    /// The posted form body, `application/x-www-form-urlencoded`, when Chrome kept it.
    pub post_data: Option<String>,
    pub status: u16,
    /// Response headers as sent (names as the server wrote them), Set-Cookie included when
    /// Chrome reported the raw headers.
    pub headers: Vec<(String, String)>,
}

fn headers_of(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|m| {
            m.iter()
                .flat_map(|(k, v)| {
                    // Chrome joins repeated headers (Set-Cookie) with newlines.
                    v.as_str()
                        .unwrap_or_default()
                        .split('\n')
                        .map(|one| (k.clone(), one.to_string()))
                        .collect::<Vec<_>>()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `Network.*` event inside one performance log entry (`{"message": "<json>"}`).
fn event(entry: &Value) -> Option<(String, Value)> {
    let inner: Value = serde_json::from_str(entry["message"].as_str()?).ok()?;
    let method = inner["message"]["method"].as_str()?.to_string();
    Some((method, inner["message"]["params"].clone()))
}

/// The document hops in `entries`, in the order Chrome made them. A request still waiting for
/// its answer when the log was read is left out.
pub fn hops(entries: &[Value]) -> Vec<Hop> {
    struct Open {
        hop: Hop,
        answered: bool,
    }
    let events: Vec<(String, Value)> = entries.iter().filter_map(event).collect();
    // Chrome logs the raw headers of each answer (one per answer, in order, under the request
    // id) but not always before or after the answer itself: gather them first.
    let mut raw: HashMap<String, Vec<Vec<(String, String)>>> = HashMap::new();
    for (method, p) in &events {
        if method == "Network.responseReceivedExtraInfo" {
            let id = p["requestId"].as_str().unwrap_or_default().to_string();
            raw.entry(id).or_default().push(headers_of(&p["headers"]));
        }
    }
    let mut order: Vec<Open> = Vec::new();
    // Request id -> index of its open hop in `order`, and how many answers it has had.
    let mut open: HashMap<String, usize> = HashMap::new();
    let mut answers: HashMap<String, usize> = HashMap::new();
    let mut answer = |o: &mut Open, id: &str, response: &Value| {
        let n = answers.entry(id.to_string()).or_default();
        let raw_headers = raw.get(id).and_then(|r| r.get(*n)).cloned();
        *n += 1;
        o.hop.status = response["status"].as_u64().unwrap_or(0) as u16;
        o.hop.headers = raw_headers.unwrap_or_else(|| headers_of(&response["headers"]));
        o.answered = true;
    };
    for (method, p) in &events {
        let id = p["requestId"].as_str().unwrap_or_default().to_string();
        match method.as_str() {
            "Network.requestWillBeSent" if p["type"] == "Document" => {
                if let (Some(&i), false) = (open.get(&id), p["redirectResponse"].is_null()) {
                    answer(&mut order[i], &id, &p["redirectResponse"]);
                }
                let req = &p["request"];
                order.push(Open {
                    hop: Hop {
                        method: req["method"].as_str().unwrap_or("GET").to_string(),
                        url: req["url"].as_str().unwrap_or_default().to_string(),
                        post_data: req["postData"].as_str().map(str::to_string),
                        status: 0,
                        headers: Vec::new(),
                    },
                    answered: false,
                });
                open.insert(id, order.len() - 1);
            }
            "Network.responseReceived" if p["type"] == "Document" => {
                if let Some(&i) = open.get(&id) {
                    answer(&mut order[i], &id, &p["response"]);
                }
            }
            _ => {}
        }
    }
    order
        .into_iter()
        .filter(|o| o.answered)
        .map(|o| o.hop)
        .collect()
}

/// The first document request that got no answer at all (refused, reset, timed out), as
/// (URL, Chrome's error text): where the HTTP agent would say "no answer".
pub fn failed_document(entries: &[Value]) -> Option<(String, String)> {
    let mut urls: HashMap<String, String> = HashMap::new();
    for (method, p) in entries.iter().filter_map(event) {
        let id = p["requestId"].as_str().unwrap_or_default().to_string();
        match method.as_str() {
            "Network.requestWillBeSent" if p["type"] == "Document" => {
                urls.insert(id, p["request"]["url"].as_str().unwrap_or_default().into());
            }
            "Network.loadingFailed" if p["type"] == "Document" => {
                let error = p["errorText"].as_str().unwrap_or_default().to_string();
                // A navigation the next one replaced is no failure of the SP's.
                if error != "net::ERR_ABORTED" && !p["canceled"].as_bool().unwrap_or(false) {
                    return Some((urls.get(&id).cloned().unwrap_or_default(), error));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(method: &str, params: Value) -> Value {
        json!({"message": json!({"message": {"method": method, "params": params}}).to_string()})
    }

    /// The shape Chrome 156 logs for GET /start -> 302 /form (auto-submitting) -> POST /done
    /// -> 303 /final (403), with a favicon request in between.
    fn chain() -> Vec<Value> {
        vec![
            entry(
                "Network.requestWillBeSent",
                json!({"requestId": "A", "type": "Document",
                       "request": {"url": "http://sp/start", "method": "GET"}}),
            ),
            entry(
                "Network.responseReceivedExtraInfo",
                json!({"requestId": "A", "headers": {"Location": "/form", "Set-Cookie": "a=1; Path=/\nb=2"}}),
            ),
            entry(
                "Network.requestWillBeSent",
                json!({"requestId": "A", "type": "Document",
                       "request": {"url": "http://sp/form", "method": "GET"},
                       "redirectResponse": {"status": 302, "headers": {"Location": "/form"}}}),
            ),
            entry(
                "Network.responseReceivedExtraInfo",
                json!({"requestId": "A", "headers": {"Content-Type": "text/html"}}),
            ),
            entry(
                "Network.responseReceived",
                json!({"requestId": "A", "type": "Document",
                       "response": {"status": 200, "headers": {"Content-Type": "text/html"}}}),
            ),
            entry(
                "Network.requestWillBeSent",
                json!({"requestId": "F", "type": "Other",
                       "request": {"url": "http://sp/favicon.ico", "method": "GET"}}),
            ),
            entry(
                "Network.requestWillBeSent",
                json!({"requestId": "B", "type": "Document",
                       "request": {"url": "http://sp/done", "method": "POST",
                                   "postData": "SAMLResponse=PHg%2B&RelayState=r"}}),
            ),
            entry(
                "Network.requestWillBeSent",
                json!({"requestId": "B", "type": "Document",
                       "request": {"url": "http://sp/final", "method": "GET"},
                       "redirectResponse": {"status": 303, "headers": {"Location": "/final"}}}),
            ),
            entry(
                "Network.responseReceived",
                json!({"requestId": "B", "type": "Document",
                       "response": {"status": 403, "headers": {"Content-Type": "application/json"}}}),
            ),
            // The 303's raw headers, logged after the hop that followed it.
            entry(
                "Network.responseReceivedExtraInfo",
                json!({"requestId": "B", "headers": {"Location": "/final", "Set-Cookie": "s=3"}}),
            ),
        ]
    }

    #[test]
    fn a_redirect_and_auto_post_chain_reads_back_hop_by_hop() {
        let h = hops(&chain());
        let summary: Vec<(&str, &str, u16)> = h
            .iter()
            .map(|h| (h.method.as_str(), h.url.as_str(), h.status))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("GET", "http://sp/start", 302),
                ("GET", "http://sp/form", 200),
                ("POST", "http://sp/done", 303),
                ("GET", "http://sp/final", 403),
            ]
        );
        // The raw headers win (Set-Cookie is only there), each cookie on its own line.
        assert!(h[0]
            .headers
            .contains(&("Set-Cookie".to_string(), "b=2".to_string())));
        assert_eq!(
            h[2].post_data.as_deref(),
            Some("SAMLResponse=PHg%2B&RelayState=r")
        );
        assert!(h[2]
            .headers
            .contains(&("Set-Cookie".to_string(), "s=3".to_string())));
        // Without raw headers, the answer's own.
        assert_eq!(
            h[3].headers,
            vec![("Content-Type".to_string(), "application/json".to_string())]
        );
    }

    #[test]
    fn a_refused_connection_is_a_failed_document() {
        let mut log = chain();
        assert_eq!(failed_document(&log), None);
        log.push(entry(
            "Network.requestWillBeSent",
            json!({"requestId": "C", "type": "Document",
                   "request": {"url": "http://sp/gone", "method": "GET"}}),
        ));
        log.push(entry(
            "Network.loadingFailed",
            json!({"requestId": "C", "type": "Document", "errorText": "net::ERR_CONNECTION_REFUSED"}),
        ));
        assert_eq!(
            failed_document(&log),
            Some((
                "http://sp/gone".to_string(),
                "net::ERR_CONNECTION_REFUSED".to_string()
            ))
        );
    }

    #[test]
    fn a_request_without_an_answer_and_junk_entries_are_left_out() {
        let mut log = chain();
        log.truncate(7);
        log.push(json!({"message": "not json"}));
        log.push(json!({"level": "INFO"}));
        let h = hops(&log);
        assert_eq!(h.len(), 2, "{h:?}");
        assert_eq!(h[1].url, "http://sp/form");
    }
}
