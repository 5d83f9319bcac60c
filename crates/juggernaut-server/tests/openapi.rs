//! The OpenAPI document: served publicly at `/api/openapi.json` as OpenAPI 3.1, the same as the
//! one the code makes, and in step with the routes: every route served is documented with its
//! method, every documented operation is served (it answers, and without a token refuses with
//! 401, except the document itself), every operation but the document needs the bearer scheme,
//! and every schema it refers to is defined.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use support::Server;

/// Every `$ref` in `v`.
fn refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => {
                        out.insert(r.clone());
                    }
                    _ => refs(x, out),
                }
            }
        }
        Value::Array(xs) => xs.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_lists_every_route_served() {
    let store = juggernaut_testkit::fresh_sqlite().await;
    let s = Server::start(store.clone()).await;
    let (status, doc) = s.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(status, 200, "public: {doc}");
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc,
        serde_json::to_value(juggernaut_server::openapi()).unwrap()
    );

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            documented.insert((method.to_uppercase(), path.clone()));
            let secured = op["security"][0].get("bearer").is_some();
            assert_eq!(
                secured,
                path != "/api/openapi.json",
                "{method} {path}: {op}"
            );
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{path}"
            );
        }
    }
    let served: BTreeSet<(String, String)> = juggernaut_server::api_routes().into_iter().collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "routes without documentation: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );

    // Each documented operation is routed: without a token it is refused by auth (401), not
    // by the fallback (404/405).
    for (method, path) in &documented {
        let concrete = path.replace("{id}", "1");
        let (status, body) = s.call(method, &concrete, None, None).await;
        let want = if path == "/api/openapi.json" {
            200
        } else {
            401
        };
        assert_eq!(status.as_u16(), want, "{method} {path}: {body}");
    }

    let mut used = BTreeSet::new();
    refs(&doc, &mut used);
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for r in &used {
        let name = r.strip_prefix("#/components/schemas/").unwrap();
        assert!(schemas.contains_key(name), "undefined schema {r}");
    }
    assert!(schemas.contains_key("TaskView") && schemas.contains_key("ErrorBody"));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    s.stop().await;
    store.close().await;
}
