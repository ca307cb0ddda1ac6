//! The OpenAPI document at /api/openapi.json lists every API route, and every route it lists
//! is served.

use crate::common;

use serde_json::Value;

/// Every API route of the issue, as (method, path template).
const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/api/v1/isrc/{code}"),
    ("post", "/api/v1/validate"),
    ("post", "/api/v1/check"),
    ("get", "/api/v1/lookup/{isrc}"),
    ("post", "/api/v1/session"),
    ("get", "/api/v1/session"),
    ("delete", "/api/v1/session"),
    ("put", "/api/v1/session/password"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/{id}"),
    ("get", "/api/v1/outbox"),
    ("get", "/api/v1/registrants"),
    ("post", "/api/v1/registrants"),
    ("get", "/api/v1/registrants/{prefix}"),
    ("get", "/api/v1/recordings"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/recordings/{isrc}"),
    ("patch", "/api/v1/recordings/{isrc}"),
    ("get", "/api/v1/search"),
    ("get", "/api/v1/registrants/{prefix}/usage"),
    ("put", "/api/v1/recordings/{isrc}/public"),
    ("post", "/api/v1/recordings/{isrc}/void"),
    ("post", "/api/v1/recordings/{isrc}/derive"),
    ("post", "/api/v1/imports"),
    ("post", "/api/v1/allocations"),
    ("get", "/api/v1/export"),
    ("get", "/api/v1/releases"),
    ("post", "/api/v1/releases"),
    ("get", "/api/v1/releases/{upc}"),
    ("put", "/api/v1/releases/{upc}"),
    ("get", "/api/v1/releases/{upc}/export"),
    ("post", "/api/v1/applications"),
    ("get", "/api/v1/applications"),
    ("get", "/api/v1/agency/dashboard"),
    ("post", "/api/v1/applications/{id}/approve"),
    ("post", "/api/v1/applications/{id}/reject"),
    ("get", "/api/v1/applications/{id}/proposal"),
    ("post", "/api/v1/password-reset"),
    ("post", "/api/v1/password-reset/confirm"),
    ("post", "/api/v1/users/{id}/password-reset"),
    ("post", "/api/v1/users/{id}/disable"),
    ("post", "/api/v1/users/{id}/enable"),
    ("post", "/api/v1/users/{id}/prefixes"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_documented_and_every_documented_route_is_served() {
    let server = common::start_with(common::sqlite(), |_| {}).await;
    let doc: Value = server
        .get_anon("/api/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in ROUTES {
        assert!(
            paths.get(*path).and_then(|p| p.get(*method)).is_some(),
            "{method} {path} is not in the OpenAPI document"
        );
    }
    let mut documented = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            if !["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            documented += 1;
            assert!(
                ROUTES.contains(&(method.as_str(), path.as_str())),
                "{method} {path} is documented but not in this test's list"
            );
            // Probe it: whatever the answer (401, 400...), it is not the router's fallback.
            let url = server.url(
                &path
                    .replace("{code}", "USRC17607839")
                    .replace("{isrc}", "USRC17607839")
                    .replace("{prefix}", "CBXYZ")
                    .replace("{id}", "1"),
            );
            let request = match method.as_str() {
                "get" => server.http.get(url),
                "post" => server.http.post(url),
                "put" => server.http.put(url),
                "delete" => server.http.delete(url),
                _ => server.http.patch(url),
            };
            let response = request.send().await.unwrap();
            let status = response.status();
            let text = response.text().await.unwrap();
            assert!(
                status != 405 && !text.contains("no page or API route"),
                "{method} {path}: {status} {text}"
            );
            assert!(status.as_u16() < 500, "{method} {path}: {status} {text}");
        }
    }
    assert_eq!(documented, ROUTES.len());
    // The document names its error shape and security schemes.
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
}
