//! Outgoing e-mail: every message is kept in the ledger's outbox (admins can read it), and sent
//! through the configured SMTP server when there is one.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;
use crate::error::ApiError;

/// Sends mail (or only keeps it in the outbox).
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    store: isrc_registry::Store,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("smtp", &self.transport.is_some())
            .field("from", &self.from.to_string())
            .finish()
    }
}

/// What stands in the outbox copy for a secret the message carried.
pub const REDACTED: &str = "[sent by e-mail; not kept]";

pub use isrc_registry::ops::Delivery;

impl Mailer {
    /// A mailer for the configuration (plain SMTP to the configured host, or outbox only).
    pub fn new(
        config: &Config,
        store: isrc_registry::Store,
    ) -> Result<Mailer, crate::config::ConfigError> {
        let from: Mailbox =
            config
                .mail_from
                .parse()
                .map_err(|_| crate::config::ConfigError::MailFrom {
                    from: config.mail_from.clone(),
                })?;
        let transport = config.smtp.as_ref().map(|smtp| {
            // No TLS: Config::validate allows only a relay on this machine.
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
                .port(smtp.port)
                .timeout(Some(std::time::Duration::from_secs(20)))
                .build()
        });
        Ok(Mailer {
            transport,
            from,
            store,
        })
    }

    /// Keeps the message in the outbox, then sends it when SMTP is configured. A delivery
    /// failure is recorded, not returned: the caller's action (an approval) has happened.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<Delivery, ApiError> {
        self.send_with_secret(to, subject, body, None).await
    }

    /// [`Mailer::send`] for a message that carries a secret (a generated password, a reset
    /// link): the outbox copy admins read has the secret replaced by `[sent by e-mail; not
    /// kept]` whether or not SMTP is configured, so only the recipient's mailbox ever holds
    /// it. Without SMTP the caller hands the secret over another way (the approval answer).
    pub async fn send_with_secret(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        secret: Option<&str>,
    ) -> Result<Delivery, ApiError> {
        Ok(self.deliver(to, subject, body, secret).await?)
    }

    async fn deliver(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        secret: Option<&str>,
    ) -> isrc_registry::Result<Delivery> {
        let kept = match secret.filter(|s| !s.is_empty()) {
            Some(secret) => body.replace(secret, REDACTED),
            None => body.to_string(),
        };
        let queued = self.store.queue_mail(to, subject, &kept).await?;
        let Some(transport) = &self.transport else {
            return Ok(Delivery::Kept);
        };
        let outcome = match self.message(to, subject, body) {
            Ok(message) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("SMTP: {e}")),
            Err(e) => Err(e),
        };
        self.store
            .mark_mail(queued.id, outcome.clone(), None)
            .await?;
        Ok(match outcome {
            Ok(()) => Delivery::Sent,
            Err(e) => {
                eprintln!("isrc serve: mail #{} to {to} not sent: {e}", queued.id);
                Delivery::Failed(e)
            }
        })
    }

    fn message(&self, to: &str, subject: &str, body: &str) -> Result<Message, String> {
        let to: Mailbox = to.parse().map_err(|e| format!("recipient {to:?}: {e}"))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| e.to_string())
    }
}

/// The registry's decisions (approval, rejection) send their notices through this mailer.
impl isrc_registry::ops::Mailer for Mailer {
    fn send(
        &self,
        mail: isrc_registry::ops::Mail<'_>,
    ) -> impl std::future::Future<Output = isrc_registry::Result<Delivery>> + Send {
        self.deliver(mail.to, mail.subject, mail.body, mail.secret)
    }
}
