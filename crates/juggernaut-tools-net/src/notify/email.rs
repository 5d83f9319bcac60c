//! Email over SMTP with `lettre`: one connection per message (no pool). The id is the server's
//! final answer to the message (`250 OK queued as …`), or the `Message-ID` set here when the
//! server said nothing more. Errors never show the SMTP URL's password.

use super::Note;
use crate::client;
use crate::error::ConfigError;
use juggernaut_store::url::scrub;
use juggernaut_tools::ToolError;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// An SMTP server and the message's envelope.
#[derive(Clone)]
pub(super) struct EmailSink {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    smtp_url: String,
    key: String,
}

impl EmailSink {
    /// The sink of channel `channel`, or what is wrong with its configuration.
    pub(super) fn new(
        channel: &str,
        smtp_url: &str,
        from: &str,
        to: &[String],
        timeout: Duration,
    ) -> Result<Self, ConfigError> {
        let base = format!("tools.notify.channels.{channel}");
        let key = format!("{base}.smtp_url");
        let clean = |m: String| scrub(&m, smtp_url);
        let url = url::Url::parse(smtp_url.trim())
            .map_err(|e| ConfigError::new(&key, format!("not a URL: {e}")))?;
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        match (url.scheme(), tls.as_deref()) {
            ("smtps", _) | ("smtp", Some("required")) => {}
            ("smtp", _) if url.password().is_some() && !is_loopback(&url) => {
                return Err(ConfigError::new(
                    &key,
                    "would send the password in clear: use smtps:// or add ?tls=required",
                ));
            }
            ("smtp", _) => {}
            (other, _) => {
                return Err(ConfigError::new(
                    &key,
                    format!("scheme `{other}`: use smtp:// or smtps://"),
                ));
            }
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url.trim())
            .map_err(|e| ConfigError::new(&key, clean(e.to_string())))?
            .timeout(Some(timeout))
            .build();
        let from: Mailbox = from.parse().map_err(|e| {
            ConfigError::new(format!("{base}.from"), format!("not an address: {e}"))
        })?;
        if to.is_empty() {
            return Err(ConfigError::new(format!("{base}.to"), "no recipient"));
        }
        let to = to
            .iter()
            .enumerate()
            .map(|(i, a)| {
                a.parse::<Mailbox>().map_err(|e| {
                    ConfigError::new(format!("{base}.to[{i}]"), format!("not an address: {e}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            transport,
            from,
            to,
            smtp_url: smtp_url.to_owned(),
            key,
        })
    }

    /// Sends `note`; the id and the `Message-ID`.
    pub(super) async fn send(&self, note: &Note) -> Result<(String, String), ToolError> {
        let body = note.plain_text();
        let domain = self.from.email.domain().to_owned();
        let message_id = format!(
            "<{}.{}@{domain}>",
            client::unix_ms(),
            client::short_hash(body.as_bytes())
        );
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(note.email_subject())
            .message_id(Some(message_id.clone()))
            .header(ContentType::TEXT_PLAIN);
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        let message = builder
            .body(body)
            .map_err(|e| ToolError::model(format!("cannot build the email: {e}")))?;
        let channel = &note.channel;
        let response = self.transport.send(message).await.map_err(|e| {
            let said = scrub(&e.to_string(), &self.smtp_url);
            let key = &self.key;
            if e.is_permanent() {
                ToolError::fatal(format!(
                    "channel `{channel}`: the mail server refused the message ({said}); check \
                     `{key}` and the channel's addresses"
                ))
            } else if e.is_transient() || e.is_timeout() || e.is_response() {
                ToolError::transient(format!("channel `{channel}`: {said}"))
            } else {
                ToolError::transient(format!(
                    "channel `{channel}`: cannot send through the mail server ({said}); check `{key}`"
                ))
            }
        })?;
        let said = response.message().collect::<Vec<_>>().join(" ");
        let said = said.trim();
        let id = if said.is_empty() {
            message_id.clone()
        } else {
            said.to_owned()
        };
        Ok((id, message_id))
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn clear_text_passwords_and_bad_addresses_are_refused() {
        let t = Duration::from_secs(1);
        let to = vec!["a@x.test".to_owned()];
        let e = EmailSink::new("m", "smtp://bob:SECRET9@mail.test", "j@x.test", &to, t)
            .err()
            .unwrap();
        assert_eq!(e.key, "tools.notify.channels.m.smtp_url");
        assert!(!e.to_string().contains("SECRET9"), "{e}");
        assert!(EmailSink::new("m", "smtps://bob:SECRET9@mail.test", "j@x.test", &to, t).is_ok());
        let e = EmailSink::new("m", "smtp://127.0.0.1:2525", "nope", &to, t)
            .err()
            .unwrap();
        assert_eq!(e.key, "tools.notify.channels.m.from");
        let e = EmailSink::new("m", "smtp://127.0.0.1:2525", "j@x.test", &[], t)
            .err()
            .unwrap();
        assert_eq!(e.key, "tools.notify.channels.m.to");
        let e = EmailSink::new("m", "http://x", "j@x.test", &to, t)
            .err()
            .unwrap();
        assert!(e.reason.contains("`http`"), "{e}");
    }
}
