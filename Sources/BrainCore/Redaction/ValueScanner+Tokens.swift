/// The matchers for secrets with a fixed shape: a known prefix, then enough characters of one
/// class. Minimum lengths are a little below the real ones, so a slightly different
/// generation of a key is still caught; a longer run is masked whole.
extension ValueScanner {
    /// `eyJ…` (10 or more) `.` (4 or more) then the signature and any further segments.
    func jwt(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SecretSpan? {
        guard has(text, index, "eyJ") else { return nil }
        let header = run(text, from: index, ByteClass.isBase64URL)
        guard header - index >= 10, header < text.count, text[header] == UInt8(ascii: ".") else { return nil }
        let payload = run(text, from: header + 1, ByteClass.isBase64URL)
        guard payload - header - 1 >= 4 else { return nil }
        var end = payload
        while end < text.count, text[end] == UInt8(ascii: ".") { end = run(text, from: end + 1, ByteClass.isBase64URL) }
        return SecretSpan(range: index..<end, kind: .jwt)
    }

    private static let awsPrefixes: [StaticString] = ["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ABIA", "ACCA"]

    /// AWS access key ids (`AKIA` and kin, then 16 of `[A-Z0-9]`) and Google API keys (`AIza` then 35).
    func amazonOrGoogleKey(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SecretSpan? {
        if has(text, index, "AIza") {
            return token(text, origin: index, body: index + 4, minimum: 35, .gcpKey, ByteClass.isBase64URL)
        }
        guard Self.awsPrefixes.contains(where: { has(text, index, $0) }) else { return nil }
        return token(text, origin: index, body: index + 4, minimum: 16, .awsKey) { ByteClass.isUpper($0) || ByteClass.isDigit($0) }
    }

    /// GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` then 30 or more; `github_pat_` then 22)
    /// and GitLab (`glpat-` then 20) tokens.
    func gitToken(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SecretSpan? {
        if has(text, index, "github_pat_") {
            return token(text, origin: index, body: index + 11, minimum: 22, .githubToken) { ByteClass.isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
        }
        if has(text, index, "glpat-") {
            return token(text, origin: index, body: index + 6, minimum: 20, .githubToken, ByteClass.isBase64URL)
        }
        guard has(text, index, "gh"), index + 3 < text.count, "pousr".utf8.contains(text[index + 2]), text[index + 3] == UInt8(ascii: "_") else {
            return nil
        }
        return token(text, origin: index, body: index + 4, minimum: 30, .githubToken, ByteClass.isAlphanumeric)
    }

    /// Slack tokens: `xox` + one of `abposre` + `-`, or `xapp-`, then 10 or more of `[A-Za-z0-9-]`.
    func slackToken(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SecretSpan? {
        let body: Int
        if has(text, index, "xox"), index + 4 < text.count, "abposre".utf8.contains(text[index + 3]), text[index + 4] == UInt8(ascii: "-") {
            body = index + 5
        } else if has(text, index, "xapp-") {
            body = index + 5
        } else {
            return nil
        }
        return token(text, origin: index, body: body, minimum: 10, .slackToken) { ByteClass.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// Stripe (`sk_`, `pk_`, `rk_` + `live_` or `test_`, then 10 or more; `whsec_` then 10) and
    /// OpenAI-style `sk-` keys (a word of its own, then 32 or more of `[A-Za-z0-9_-]`).
    func stripeOrOpenAIKey(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SecretSpan? {
        if has(text, index, "whsec_") {
            return token(text, origin: index, body: index + 6, minimum: 10, .stripeKey, ByteClass.isAlphanumeric)
        }
        guard text[index] != UInt8(ascii: "w"), has(text, index + 1, "k") else { return nil }
        if has(text, index + 2, "_live_") || has(text, index + 2, "_test_") {
            return token(text, origin: index, body: index + 8, minimum: 10, .stripeKey, ByteClass.isAlphanumeric)
        }
        guard text[index] == UInt8(ascii: "s"), has(text, index + 2, "-"), atWordStart(text, index) else { return nil }
        return token(text, origin: index, body: index + 3, minimum: 32, .saasKey, ByteClass.isBase64URL)
    }

    /// Twilio (`SK` then exactly 32 hex digits, a word of its own) and SendGrid (`SG.` 16+ `.` 16+).
    func twilioOrSendGridKey(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SecretSpan? {
        if has(text, index, "SG.") {
            let first = run(text, from: index + 3, ByteClass.isBase64URL)
            guard first - index - 3 >= 16, first < text.count, text[first] == UInt8(ascii: ".") else { return nil }
            return token(text, origin: index, body: first + 1, minimum: 16, .saasKey, ByteClass.isBase64URL)
        }
        guard has(text, index, "SK"), atWordStart(text, index) else { return nil }
        let end = run(text, from: index + 2, ByteClass.isHex)
        guard end - index - 2 == 32, end == text.count || !ByteClass.isAlphanumeric(text[end]) else { return nil }
        return SecretSpan(range: index..<end, kind: .saasKey)
    }

    /// Google OAuth tokens (`ya29.` then 20), npm (`npm_` then 36), Hugging Face (`hf_` then
    /// 30) tokens, and the secret path of a Slack webhook (`hooks.slack.com/services/…`).
    func otherToken(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SecretSpan? {
        if has(text, index, "ya29.") {
            return token(text, origin: index, body: index + 5, minimum: 20, .gcpToken) { ByteClass.isBase64URL($0) || $0 == UInt8(ascii: ".") }
        }
        if has(text, index, "npm_") {
            return token(text, origin: index, body: index + 4, minimum: 36, .saasKey, ByteClass.isAlphanumeric)
        }
        if has(text, index, "hf_") {
            return token(text, origin: index, body: index + 3, minimum: 30, .saasKey, ByteClass.isAlphanumeric)
        }
        guard has(text, index, "hooks.slack.com/services/") else { return nil }
        let body = index + 25
        let end = run(text, from: body) { ByteClass.isBase64URL($0) || $0 == UInt8(ascii: "/") }
        return end - body >= 10 ? SecretSpan(range: body..<end, kind: .slackWebhook) : nil
    }
}
