//! The dashboard through a real listener: `/` is the page, every embedded asset is served at
//! `/assets/NAME` with its content type, `no-cache` and an `ETag` that answers `304`, and a
//! Content-Security-Policy that allows this origin only; an unknown asset is a JSON 404; no asset
//! names a URL outside the origin (only the SVG namespace, which is a name, not a fetch),
//! every module the page imports is one the binary embeds, and the policy lets the Reports
//! view's frame use a real report's style block by its hash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_server::{AppState, DASHBOARD_ASSETS, bind, spawn};
use reqwest::StatusCode;
use reqwest::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    X_CONTENT_TYPE_OPTIONS,
};
use tokio_util::sync::CancellationToken;

async fn serve() -> (String, CancellationToken, tokio::task::JoinHandle<()>) {
    let store = juggernaut_testkit::fresh_sqlite().await;
    let app = juggernaut_app::App::new(
        store.clone(),
        juggernaut_handler::Registry::new(vec![]).unwrap(),
    );
    let state = AppState {
        store,
        app,
        worker: "w".into(),
        idle: Default::default(),
        events: Default::default(),
    };
    let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stop = CancellationToken::new();
    let h = spawn(listener, state, stop.clone());
    (base, stop, h)
}

fn text(name: &str) -> &'static str {
    let a = DASHBOARD_ASSETS.iter().find(|a| a.name == name).unwrap();
    std::str::from_utf8(a.bytes).unwrap()
}

#[tokio::test]
async fn the_page_and_every_asset_are_served_with_their_types_and_cache_headers() {
    let (base, stop, h) = serve().await;
    let http = reqwest::Client::new();
    let page = http.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    assert_eq!(headers[CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(headers[CACHE_CONTROL], "no-cache");
    assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff");
    let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    for rule in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(rule), "{csp}");
    }
    let body = page.text().await.unwrap();
    assert!(body.contains(r#"<script type="module" src="/assets/app.js">"#));
    assert!(body.contains(r#"href="/assets/app.css""#));
    for a in DASHBOARD_ASSETS {
        let url = format!("{base}/assets/{}", a.name);
        let r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        assert_eq!(r.headers()[CONTENT_TYPE], a.content_type, "{url}");
        assert_eq!(r.headers()[CACHE_CONTROL], "no-cache", "{url}");
        let etag = r.headers()[ETAG].clone();
        assert_eq!(r.bytes().await.unwrap(), a.bytes, "{url}");
        let again = http
            .get(&url)
            .header(IF_NONE_MATCH, etag.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{url}");
        assert_eq!(again.headers()[ETAG], etag);
        assert!(again.bytes().await.unwrap().is_empty());
        let stale = http
            .get(&url)
            .header(IF_NONE_MATCH, "\"0000000000000000\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), StatusCode::OK, "{url}");
    }
    let types: Vec<_> = ["app.js", "app.css", "favicon.svg", "views/goal.js"]
        .iter()
        .map(|n| {
            DASHBOARD_ASSETS
                .iter()
                .find(|a| a.name == *n)
                .unwrap()
                .content_type
        })
        .collect();
    assert_eq!(
        types,
        [
            "text/javascript; charset=utf-8",
            "text/css; charset=utf-8",
            "image/svg+xml",
            "text/javascript; charset=utf-8"
        ]
    );
    for missing in ["/assets/nope.js", "/assets/../Cargo.toml", "/assets/"] {
        let r = http.get(format!("{base}{missing}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{missing}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "not_found", "{missing}");
    }
    // The API keeps its own answers: the page does not shadow it.
    let api = http.get(format!("{base}/api/status")).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    stop.cancel();
    h.await.unwrap();
}

/// Comments (`//` to the end of a line, `/* */`, `<!-- -->`) taken out, so that a URL in a
/// comment does not count; strings stay.
fn without_comments(src: &str) -> String {
    let mut out = String::new();
    let mut rest = src;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->").map_or("", |(_, after)| after);
        } else if rest.starts_with("//") && !out.ends_with(':') {
            rest = rest.split_once('\n').map_or("", |(_, after)| after);
            out.push('\n');
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[test]
fn no_asset_reaches_outside_the_origin() {
    const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";
    for a in DASHBOARD_ASSETS {
        let code = without_comments(text(a.name)).replace(SVG_NAMESPACE, "");
        for scheme in [
            "http://", "https://", "ws://", "wss://", "//cdn", "url(http",
        ] {
            assert!(
                !code.to_ascii_lowercase().contains(scheme),
                "{} names an outside URL ({scheme})",
                a.name
            );
        }
        for call in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(
                !code.contains(call),
                "{} uses {call}: server text must never be parsed as HTML",
                a.name
            );
        }
        assert!(
            !code.contains("EventSource") && !code.contains("?token="),
            "{}: the token goes in a header, never in a URL",
            a.name
        );
    }
}

#[test]
fn every_module_the_page_imports_is_embedded() {
    let names: Vec<&str> = DASHBOARD_ASSETS.iter().map(|a| a.name).collect();
    for a in DASHBOARD_ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
        let dir = a.name.rsplit_once('/').map_or("", |(d, _)| d);
        for line in text(a.name).lines().filter(|l| l.starts_with("import ")) {
            let spec = line
                .rsplit_once(" from '")
                .map(|(_, s)| s.trim_end_matches("';"))
                .unwrap_or_else(|| panic!("{}: cannot read `{line}`", a.name));
            let mut parts: Vec<&str> = if dir.is_empty() {
                vec![]
            } else {
                dir.split('/').collect()
            };
            for seg in spec.split('/') {
                match seg {
                    "." => {}
                    ".." => {
                        parts.pop();
                    }
                    s => parts.push(s),
                }
            }
            let target = parts.join("/");
            assert!(
                names.contains(&target.as_str()),
                "{} imports {spec} ({target}), which is not embedded",
                a.name
            );
        }
    }
}

/// The Reports view shows a stored report's HTML in a sandboxed `srcdoc` frame, which keeps the
/// dashboard's policy: the policy names the hash of the report's one `<style>` block (so its
/// styles apply, and nothing else inline does), and the report has no other inline style.
#[tokio::test]
async fn the_policy_lets_a_report_frame_use_the_reports_own_style_block() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let store = juggernaut_testkit::fresh_sqlite().await;
    let app = juggernaut_app::App::new(store, juggernaut_handler::Registry::new(vec![]).unwrap());
    let made = app.make_report(None, None).await.unwrap();
    assert_eq!(made.html.matches("<style").count(), 1, "one style block");
    assert!(!made.html.contains(" style="), "no style attributes");
    let style = made
        .html
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(style, _)| style)
        .unwrap();
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style));
    let (base, stop, h) = serve().await;
    let page = reqwest::get(format!("{base}/")).await.unwrap();
    let csp = page.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains(&format!("style-src 'self' 'sha256-{hash}';")),
        "the dashboard's policy must name the report style's hash {hash}: {csp}"
    );
    stop.cancel();
    h.await.unwrap();
}
