//! Tests of the configuration: defaults, overrides, checks and their messages.

use super::*;

fn parse(text: &str) -> anyhow::Result<Config> {
    Config::validate(
        toml::from_str(text).map_err(|e| BadInput(e.to_string()))?,
        &LlmEnv::default(),
        Path::new("/etc/j"),
        "test.toml",
    )
}

#[test]
fn defaults_and_overrides() {
    let c = parse("").unwrap();
    assert_eq!(c.listen_addr(None).unwrap().to_string(), DEFAULT_LISTEN);
    assert_eq!(c.concurrency, 16);
    assert!(c.kinds_of(&[Role::Executor]).contains(&"noop".to_owned()));
    let c = parse(
        "listen = \"127.0.0.1:9000\"\n[engine]\nconcurrency = 4\n[roles]\nexecutor = [\"noop\"]\n",
    )
    .unwrap();
    assert_eq!(
        (c.listen_addr(None).unwrap().port(), c.concurrency),
        (9000, 4)
    );
    assert_eq!(c.listen_addr(Some("127.0.0.1:9001")).unwrap().port(), 9001);
    assert_eq!(c.clone().with_concurrency(Some(2)).concurrency, 2);
    assert_eq!(c.kinds_of(&[Role::Executor]), vec!["noop"]);
}

#[test]
fn planner_settings_are_checked_and_folders_resolved() {
    let c = parse("").unwrap();
    assert_eq!(c.planner.playbooks_dir, Path::new("/etc/j/playbooks"));
    assert_eq!(c.planner.pacing.batch, 500);
    let c =
        parse("[planner]\nplaybooks_dir = \"/srv/books\"\nbatch = 10\nbackoff_secs = 0\n").unwrap();
    assert_eq!(c.planner.playbooks_dir, Path::new("/srv/books"));
    assert_eq!(
        (c.planner.pacing.batch, c.planner.pacing.backoff.as_secs()),
        (10, 0)
    );
    assert!(
        parse("[planner]\nbatch = 0\n")
            .unwrap_err()
            .to_string()
            .contains("planner.batch")
    );
    assert!(
        parse("[planner]\nbooks = 1\n")
            .unwrap_err()
            .to_string()
            .contains("books")
    );
}

#[test]
fn bad_config_is_named() {
    let err = |text: &str| parse(text).unwrap_err().to_string();
    assert!(err("[engine]\nconcurency = 4\n").contains("concurency"));
    assert!(err("[roles]\nwizard = []\n").contains("unknown role `wizard`"));
    assert!(err("[engine]\nlease_secs = 0\n").contains("engine.lease_secs"));
    assert!(err("[retention]\nterminal_days = 18446744073709551615\n").contains("use 1 to 36500"));
    assert!(err("[engine]\nconcurrency = 5000\n").contains("engine.concurrency"));
    let c = parse("listen = \"nowhere\"\n").unwrap();
    assert!(
        c.listen_addr(None)
            .unwrap_err()
            .to_string()
            .contains("invalid listen address `nowhere`")
    );
    assert!(
        parse_roles("executor, bogus")
            .unwrap_err()
            .to_string()
            .contains("unknown role `bogus`")
    );
}

#[test]
fn any_address_parses_and_exposure_is_decided_with_the_store() {
    let c = parse("").unwrap();
    assert_eq!(c.listen_addr(Some("0.0.0.0:7777")).unwrap().port(), 7777);
    assert!(c.listen_addr(Some("[::1]:7777")).is_ok());
}
