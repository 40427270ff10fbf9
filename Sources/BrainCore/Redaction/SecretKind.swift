/// What a masked span of text was. The marker names it (`[REDACTED:jwt]`), so a reader of a
/// traceback knows what stood there without seeing it.
package enum SecretKind: String, CaseIterable, Hashable, Sendable {
    /// A JSON Web Token: `eyJ….….…` (two or three base64url segments).
    case jwt
    /// The token after `Bearer ` (the word itself is kept).
    case bearer
    /// The credentials after `Basic ` when they decode to `user:password`.
    case basicAuth = "basic_auth"
    /// An AWS access key id (`AKIA…`, `ASIA…` and the other four-letter prefixes, then 16).
    case awsKey = "aws_key"
    /// A Google API key (`AIza` then 35).
    case gcpKey = "gcp_key"
    /// A Google OAuth access token (`ya29.`).
    case gcpToken = "gcp_token"
    /// GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`) and GitLab (`glpat-`) tokens.
    case githubToken = "github_token"
    /// Slack tokens (`xoxb-`, `xoxp-`, `xapp-`, …).
    case slackToken = "slack_token"
    /// The secret path of a Slack incoming-webhook URL (`hooks.slack.com/services/…`).
    case slackWebhook = "slack_webhook"
    /// Stripe keys (`sk_live_`, `rk_test_`, `pk_live_`, `whsec_`, …).
    case stripeKey = "stripe_key"
    /// Other SaaS keys with a fixed shape: OpenAI-style `sk-…`, Twilio `SK` + 32 hex, SendGrid
    /// `SG.….…`, npm `npm_…`, Hugging Face `hf_…`.
    case saasKey = "saas_key"
    /// The password of a credential URI (`scheme://user:password@host`); scheme, user and host stay.
    case password
    /// A PEM private key block, `-----BEGIN … PRIVATE KEY-----` through its `END` line.
    case privateKey = "private_key"
    /// The value of a `key=value` or `key: value` in free text whose key is a secret key
    /// (`password=hunter2`, `"api_key": "…"`, `Authorization: Token …`).
    case secretValue = "secret_value"
    /// An email address (personal data rather than a secret; ``RedactionPolicy/maskEmails``).
    case email

    /// The text that replaces the span.
    package var marker: String { "[REDACTED:\(rawValue)]" }
}
