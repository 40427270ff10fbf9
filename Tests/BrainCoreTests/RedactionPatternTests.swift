import Foundation
import Testing

@testable import BrainCore

/// Every key pattern and every value pattern, by table: what is caught, what is left alone,
/// and that only the matching span is masked.
@Suite("Redaction patterns")
struct RedactionPatternTests {
    static let secretKeys = [
        "password", "db_password", "DB_PASSWORD", "dbPassword", "dbpassword", "password_confirmation", "password_hash", "passwd",
        "pwd", "smtp_pass", "passphrase", "ssh_passphrase", "secret", "client_secret", "AWS_SECRET_ACCESS_KEY", "webhookSecret",
        "token", "user_token", "access_token", "X-Auth-Token", "csrftoken", "accessToken", "refresh.token", "api_key", "apiKey",
        "x-api-key", "stripe_api_key", "STRIPE_APIKEY", "apikey", "private_key", "privateKey", "ssh_private_key", "authorization",
        "Authorization", "auth", "basic_auth", "bearer", "jwt", "credential", "credentials", "cookie", "set-cookie", "Set-Cookie",
        "session_id", "sessionid", "ssn", "social_security_number", "credit_card_number", "card_number", "cvv", "cvc",
    ]

    static let ordinaryKeys = [
        "author", "max_tokens", "tokens_used", "username", "email", "timeout", "retries", "keyboard", "primary_key", "cache_key",
        "passenger", "bypass", "description", "id", "name", "authority", "monkey", "url", "host", "",
    ]

    @Test("secret keys are caught by word or by substring, in any case and spelling", arguments: secretKeys)
    func secretKey(_ key: String) {
        #expect(SecretKeyMatcher().isSecret(key))
        #expect(Redactor().redactJSON("{\"\(key)\": \"v4lue-x\"}", limit: 1_000) == "{\"\(key)\":\"[REDACTED]\"}")
    }

    @Test("ordinary keys are left alone", arguments: ordinaryKeys)
    func ordinaryKey(_ key: String) {
        #expect(!SecretKeyMatcher().isSecret(key))
    }

    @Test func aProjectsAllowListExemptsWholeKeysAndItsExtraPatternsAdd() {
        let matcher = SecretKeyMatcher(extraPatterns: ["pin", "*_iban"], allowedKeys: ["token_count", "*_public_key*"])
        #expect(!matcher.isSecret("tokenCount"))
        #expect(!matcher.isSecret("TOKEN-COUNT"))
        #expect(matcher.isSecret("token"), "an allow-list entry exempts the whole key, not the word")
        #expect(!matcher.isSecret("ssh_public_key_id"))
        #expect(matcher.isSecret("card_pin"))
        #expect(matcher.isSecret("PIN"))
        #expect(!matcher.isSecret("pinned"))
        #expect(matcher.isSecret("user_iban"))
        #expect(!matcher.isSecret("iban_country"))
    }

    @Test(arguments: ["", "*", "a b!", "key=value", String(repeating: "a", count: 101), "passwörd"])
    func malformedPatternsAreRefused(_ pattern: String) {
        #expect(SecretKeyPattern(pattern) == nil)
        #expect(RedactionOverrides(extraKeyPatterns: [pattern]).problem != nil)
        #expect(RedactionOverrides(allowedKeys: [pattern]).problem != nil)
    }

    @Test func everyValueOfASecretKeyGoesAndSoDoesANamedPairsValue() {
        let redactor = Redactor()
        #expect(
            redactor.redactJSON("{\"password\": 1234, \"token\": {\"a\": [1]}, \"cookie\": null, \"api_key\": true}", limit: 1_000)
                == "{\"password\":\"[REDACTED]\",\"token\":\"[REDACTED]\",\"cookie\":\"[REDACTED]\",\"api_key\":\"[REDACTED]\"}")
        #expect(
            redactor.redactJSON("[{\"name\": \"DB_PASSWORD\", \"value\": \"hunter2\"}, {\"Key\": \"region\", \"Value\": \"eu\"}]", limit: 1_000)
                == "[{\"name\":\"DB_PASSWORD\",\"value\":\"[REDACTED]\"},{\"Key\":\"region\",\"Value\":\"eu\"}]")
    }

    static let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

    /// (input, expected): every value pattern, with text around it that must survive.
    static let values: [(String, String)] = [
        ("auth failed for \(jwt) today", "auth failed for [REDACTED:jwt] today"),
        ("alg none eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0. end", "alg none [REDACTED:jwt] end"),
        ("sent Bearer abcdef0123456789.xyz~+/= upstream", "sent Bearer [REDACTED:bearer] upstream"),
        ("header Basic dXNlcjpwYXNzd29yZA== sent", "header Basic [REDACTED:basic_auth] sent"),
        ("key AKIAIOSFODNN7EXAMPLE in config", "key [REDACTED:aws_key] in config"),
        ("temporary ASIAY34FZKBOKMUTVV7A key", "temporary [REDACTED:aws_key] key"),
        ("maps AIzaSyD-1234567890abcdefghijklmnopqrstu!", "maps [REDACTED:gcp_key]!"),
        ("oauth ya29.a0AfH6SMBx-abcdefghijklmnop_123 expired", "oauth [REDACTED:gcp_token] expired"),
        ("push ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 denied", "push [REDACTED:github_token] denied"),
        ("pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz here", "pat [REDACTED:github_token] here"),
        ("gitlab glpat-AbCdEfGhIjKlMnOpQrSt here", "gitlab [REDACTED:github_token] here"),
        ("slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx ok", "slack [REDACTED:slack_token] ok"),
        ("app xapp-1-A0123456789-0123456789-abcdef ok", "app [REDACTED:slack_token] ok"),
        (
            "hook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX sent",
            "hook https://hooks.slack.com/services/[REDACTED:slack_webhook] sent"
        ),
        ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc charge", "stripe [REDACTED:stripe_key] charge"),
        ("publishable pk_test_TYooMQauvdEDq54NiTphI7jx ok", "publishable [REDACTED:stripe_key] ok"),
        ("restricted rk_live_abcdefghij0123456789 ok", "restricted [REDACTED:stripe_key] ok"),
        ("signing whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw ok", "signing [REDACTED:stripe_key] ok"),
        ("openai sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCDEF ok", "openai [REDACTED:saas_key] ok"),
        ("twilio SK0123456789abcdef0123456789abcdef ok", "twilio [REDACTED:saas_key] ok"),
        ("sendgrid SG.abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg ok", "sendgrid [REDACTED:saas_key] ok"),
        ("npm npm_abcdefghijklmnopqrstuvwxyz0123456789 ok", "npm [REDACTED:saas_key] ok"),
        ("hf hf_abcdefghijklmnopqrstuvwxyzABCDEFGH ok", "hf [REDACTED:saas_key] ok"),
        ("connect postgres://app:s3cret@db.internal:5432/prod failed", "connect postgres://app:[REDACTED:password]@db.internal:5432/prod failed"),
        ("cache redis://:hunter2@cache:6379/0", "cache redis://:[REDACTED:password]@cache:6379/0"),
        ("broker amqp://guest:gu:est@rabbit//", "broker amqp://guest:[REDACTED:password]@rabbit//"),
        ("mysql://root:p@ss@db/x", "mysql://root:[REDACTED:password]@db/x"),
        ("postgresql+psycopg://u:pa/ss@h/db", "postgresql+psycopg://u:[REDACTED:password]@h/db"),
        (
            "mongodb+srv://admin:Zx9%40q@cluster0.example.net/?retryWrites=true",
            "mongodb+srv://admin:[REDACTED:password]@cluster0.example.net/?retryWrites=true"
        ),
        ("key -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- loaded", "key [REDACTED:private_key] loaded"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA", "[REDACTED:private_key]"),
        ("-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkq\\n-----END PRIVATE KEY-----\\n", "[REDACTED:private_key]\\n"),
        ("GET /login?user=bob&password=hunter2&next=/", "GET /login?user=bob&password=[REDACTED:secret_value]&next=/"),
        ("    db_password = 'hunter2'", "    db_password = '[REDACTED:secret_value]'"),
        ("{\"api_key\": \"abc123\", \"n\": 1}", "{\"api_key\": \"[REDACTED:secret_value]\", \"n\": 1}"),
        ("{\\\"token\\\": \\\"abc123\\\"}", "{\\\"token\\\": \\\"[REDACTED:secret_value]\\\"}"),
        ("Authorization: Token abc123def", "Authorization: [REDACTED:secret_value]"),
        ("{'Authorization': 'Bearer xyz'}", "{'Authorization': '[REDACTED:secret_value]'}"),
        ("pass := \"hunter2\"", "pass := \"[REDACTED:secret_value]\""),
        ("SECRET_KEY=django-insecure-abc\nDEBUG=1", "SECRET_KEY=[REDACTED:secret_value]\nDEBUG=1"),
        ("mail ops@example.com about it", "mail [REDACTED:email] about it"),
        ("From: Jane <jane.doe+ci@mail.example.co.uk>", "From: Jane <[REDACTED:email]>"),
    ]

    static let untouched = [
        "a basic configuration error", "Bearer short", "https://example.com:8443/path?q=1", "http://user@host/x",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "-----BEGIN PUBLIC KEY-----", "timeout=30 retries=3",
        "if a == b and c != d", "KeyError: 'password'", "task-succeeded-handler-sk-0123456789", "user@localhost", "eyJhbGciOiJ",
        "AKIA12345", "ghp_short", "sk_live_", "SK0123", "std::string", "x = {'ok': True}",
    ]

    @Test("each value pattern masks only its span", arguments: values)
    func valuePattern(_ input: String, _ expected: String) {
        #expect(Redactor().redactText(input, limit: 10_000) == expected)
    }

    @Test("text without secrets is left as it is", arguments: untouched)
    func noSecret(_ input: String) {
        #expect(Redactor().redactText(input, limit: 10_000) == input)
    }

    @Test func emailsAreKeptWhenThePolicySaysSo() {
        var policy = RedactionPolicy()
        policy.maskEmails = false
        #expect(Redactor(policy: policy).redactText("mail ops@example.com", limit: 100) == "mail ops@example.com")
    }

    @Test func oneEmailInALongTracebackMasksOnlyTheAddress() {
        let frames = (0..<60).map { "  File \"/app/tasks/step_\($0).py\", line \($0 + 10), in run\n    result = work(item)\n" }.joined()
        let traceback = "Traceback (most recent call last):\n" + frames + "ValueError: no account for bob@example.com\n"
        let redacted = Redactor().redactText(traceback, limit: 16_384)
        #expect(redacted == traceback.replacingOccurrences(of: "bob@example.com", with: "[REDACTED:email]"))
    }

    @Test func stringsAnywhereInJSONAreScannedKeysIncluded() {
        let json = "{\"a\": [[{\"b\": \"see \(Self.jwt)\"}]], \"\(Self.jwt)\": 1}"
        #expect(Redactor().redactJSON(json, limit: 10_000) == "{\"a\":[[{\"b\":\"see [REDACTED:jwt]\"}]],\"[REDACTED:jwt]\":1}")
    }

    @Test func aStringThatHoldsJSONIsCaughtByItsKeys() {
        let json = "{\"body\": \"{\\\"password\\\": \\\"hunter2\\\"}\"}"
        #expect(Redactor().redactJSON(json, limit: 1_000) == "{\"body\":\"{\\\"password\\\": \\\"[REDACTED:secret_value]\\\"}\"}")
    }

    @Test func unicodeEscapesAreDecodedBeforeMatching() {
        // "AKIA…" spelled with \u escapes is still an AWS key.
        let json = "[\"\\u0041\\u004BIAIOSFODNN7EXAMPLE\"]"
        #expect(Redactor().redactJSON(json, limit: 1_000) == "[\"[REDACTED:aws_key]\"]")
    }
}
