//! Request tracing: every answer carries its request id (`x-request-id`), and the access log
//! line of that request carries the same id, the route, the status and the duration; auth
//! failures are events inside the request's span.

use crate::common;

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

/// What the test's subscriber saw: access log lines, and auth events with their span's fields.
#[derive(Default)]
struct Seen {
    lines: Vec<String>,
    auth_failures: Vec<String>,
}

/// Records the auth events with the fields of the spans around them.
struct AuthEvents(Arc<Mutex<Seen>>);

struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={value:?} ", field.name()));
    }
}

/// A span's fields as text, kept in the span's extensions when it is made.
struct SpanText(String);

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for AuthEvents {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        context: Context<'_, S>,
    ) {
        let mut text = Text(String::new());
        attrs.record(&mut text);
        if let Some(span) = context.span(id) {
            span.extensions_mut().insert(SpanText(text.0));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, context: Context<'_, S>) {
        if event.metadata().target() != isrc_server::error::AUTH_TARGET {
            return;
        }
        let mut text = Text(String::new());
        event.record(&mut text);
        for span in context.event_scope(event).into_iter().flatten() {
            if let Some(fields) = span.extensions().get::<SpanText>() {
                text.0.push_str(&fields.0);
            }
        }
        self.0.lock().unwrap().auth_failures.push(text.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requests_log_line_carries_its_id_route_status_and_duration() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let lines = seen.clone();
    let subscriber = tracing_subscriber::registry()
        .with(isrc_server::access_log::JsonLines::to(move |line| {
            lines.lock().unwrap().lines.push(line.to_string())
        }))
        .with(AuthEvents(seen.clone()));
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let server = common::start(common::sqlite()).await;
    let answer = server
        .get_anon("/api/v1/isrc/CB-XYZ-26-00001?secret=SECRET-IN-QUERY")
        .await;
    let status = answer.status().as_u16();
    let id = answer.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(!id.is_empty());
    // A caller's own id is kept; a second request gets another id.
    let mine = server
        .http
        .get(server.url("/healthz"))
        .header("x-request-id", "caller-id-7")
        .send()
        .await
        .unwrap();
    assert_eq!(mine.headers()["x-request-id"], "caller-id-7");
    let other = server.get_anon("/healthz").await;
    assert_ne!(other.headers()["x-request-id"].to_str().unwrap(), id);
    // An auth failure: an event inside the request's span, so it names the request id.
    let refused = server
        .http
        .get(server.url("/api/v1/registrants"))
        .header("x-request-id", "refused-1")
        .header("authorization", "Bearer isrc_not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);

    let seen = seen.lock().unwrap();
    let line: serde_json::Value = seen
        .lines
        .iter()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|line| line["id"] == id.as_str())
        .unwrap_or_else(|| panic!("no log line with id {id}: {:?}", seen.lines));
    assert_eq!(line["route"], "/api/v1/isrc/{code}", "{line}");
    assert_eq!(line["path"], "/api/v1/isrc/CB-XYZ-26-00001", "{line}");
    assert_eq!(line["method"], "GET", "{line}");
    assert_eq!(line["status"], status, "{line}");
    assert!(line["ms"].is_u64(), "{line}");
    assert!(line["at"].as_str().unwrap().ends_with('Z'), "{line}");
    assert!(
        seen.lines.iter().any(|l| l.contains("\"caller-id-7\"")),
        "{:?}",
        seen.lines
    );
    assert!(
        !seen.lines.iter().any(|l| l.contains("SECRET")),
        "no query string in the log: {:?}",
        seen.lines
    );
    assert!(
        seen.auth_failures
            .iter()
            .any(|event| event.contains("status=401") && event.contains("id=refused-1")),
        "{:?}",
        seen.auth_failures
    );
}
