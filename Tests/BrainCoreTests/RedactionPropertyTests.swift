import Foundation
import Testing

@testable import BrainCore

/// Helpers over the test target's seeded generator (``SplitMix64``, CronDialectTests.swift):
/// the same seed plants the same secrets, so a failure names the seed that reproduces it.
extension SplitMix64 {
    /// A number in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + next(below: range.count) }

    mutating func pick<T>(_ items: [T]) -> T { items[next(below: items.count)] }

    mutating func chance(_ percent: Int) -> Bool { next(below: 100) < percent }

    /// `count` characters from `alphabet`.
    mutating func text(_ alphabet: String, _ count: Int) -> String {
        let characters = Array(alphabet)
        return String((0..<count).map { _ in pick(characters) })
    }
}

/// A generated secret: the text to plant and the parts of it that must not survive.
struct PlantedSecret {
    var text: String
    var secrets: [String]
    var kind: String
}

/// Plants generated secrets of every shape at random depths and cut points, and checks that
/// no 8-byte stretch of any of them survives redaction and truncation.
@Suite("Redaction properties")
struct RedactionPropertyTests {
    static let lower = "abcdefghijklmnopqrstuvwxyz"
    static let alnum = lower + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    static let base64URL = alnum + "_-"
    static let secretKeys = RedactionPatternTests.secretKeys

    static func secret(_ rng: inout SplitMix64, keyed: Bool, inText: Bool) -> PlantedSecret {
        if keyed {
            let key = rng.pick(secretKeys)
            let value = rng.text(alnum, rng.int(12...40))
            let text = inText ? key + rng.pick(["=", ": ", " = ", "='", "=\"", ":\t"]) + value + rng.pick(["", "'", "\""]) : value
            return PlantedSecret(text: text, secrets: [value], kind: "key \(key)")
        }
        switch rng.int(0...14) {
        case 0:
            let parts = [rng.text(base64URL, rng.int(16...40)), rng.text(base64URL, rng.int(16...80)), rng.text(base64URL, rng.int(20...43))]
            return PlantedSecret(text: "eyJ\(parts[0]).eyJ\(parts[1]).\(parts[2])", secrets: parts, kind: "jwt")
        case 1:
            let token = rng.text(alnum + "-._~+/", rng.int(16...64))
            return PlantedSecret(text: rng.pick(["Bearer ", "bearer ", "BEARER  "]) + token, secrets: [token], kind: "bearer")
        case 2:
            let encoded = Data((rng.text(alnum, rng.int(3...12)) + ":" + rng.text(alnum, rng.int(8...24))).utf8).base64EncodedString()
            return PlantedSecret(text: "Basic " + encoded, secrets: [encoded], kind: "basic")
        case 3:
            let body = rng.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
            return PlantedSecret(text: rng.pick(["AKIA", "ASIA", "AROA"]) + body, secrets: [body], kind: "aws")
        case 4:
            let body = rng.text(base64URL, 35)
            return PlantedSecret(text: "AIza" + body, secrets: [body], kind: "gcp")
        case 5:
            let body = rng.text(alnum, 36)
            return PlantedSecret(text: rng.pick(["ghp_", "gho_", "ghs_"]) + body, secrets: [body], kind: "github")
        case 6:
            let parts = [rng.text("0123456789", 12), rng.text("0123456789", 13), rng.text(alnum, 24)]
            return PlantedSecret(text: "xoxb-\(parts[0])-\(parts[1])-\(parts[2])", secrets: parts, kind: "slack")
        case 7:
            let body = rng.text(alnum, rng.int(24...40))
            return PlantedSecret(text: rng.pick(["sk_live_", "rk_test_", "whsec_"]) + body, secrets: [body], kind: "stripe")
        case 8:
            let body = rng.text(base64URL, rng.int(40...60))
            return PlantedSecret(text: "sk-proj-" + body, secrets: [body], kind: "openai")
        case 9, 10:
            let password = rng.text(alnum + "-_.~!$*+,;=%:", rng.int(10...30))
            let scheme = rng.pick(["postgres", "redis", "amqp", "mongodb+srv", "mysql", "https", "rediss"])
            let text = "\(scheme)://\(rng.text(lower, rng.int(0...8))):\(password)@db\(rng.int(1...9)).internal:5432/app"
            return PlantedSecret(text: text, secrets: [password], kind: "uri")
        case 11:
            let lines = (0..<rng.int(2...5)).map { _ in rng.text(alnum + "+/", 64) }
            let label = rng.pick(["RSA ", "EC ", "OPENSSH ", ""])
            let text = "-----BEGIN \(label)PRIVATE KEY-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)PRIVATE KEY-----"
            return PlantedSecret(text: text, secrets: lines, kind: "pem")
        case 12:
            let body = rng.text("0123456789abcdef", 32)
            return PlantedSecret(text: "SK" + body, secrets: [body], kind: "twilio")
        case 13:
            let body = rng.text(alnum, 36)
            return PlantedSecret(text: "npm_" + body, secrets: [body], kind: "npm")
        default:
            let parts = [rng.text(base64URL, 22), rng.text(base64URL, 43)]
            return PlantedSecret(text: "SG.\(parts[0]).\(parts[1])", secrets: parts, kind: "sendgrid")
        }
    }

    /// Harmless words, punctuation and line breaks: nothing a matcher wakes up for.
    static func filler(_ rng: inout SplitMix64, bytes: Int) -> String {
        var text = ""
        while text.utf8.count < bytes {
            text += rng.text(lower, rng.int(2...9)) + rng.pick([" ", " ", " ", ". ", ", ", "(", ") ", "\n", " - ", " é "])
        }
        return text
    }

    /// A JSON value `depth` levels deep with filler strings and numbers.
    static func json(_ rng: inout SplitMix64, depth: Int) -> Any {
        if depth == 0 { return rng.chance(80) ? filler(&rng, bytes: rng.int(0...40)) : rng.int(0...1_000_000) }
        if rng.chance(50) {
            return (0..<rng.int(1...3)).map { _ in json(&rng, depth: depth - 1) }
        }
        var object: [String: Any] = [:]
        for index in 0..<rng.int(1...3) { object["f\(index)_\(rng.text(lower, 4))"] = json(&rng, depth: depth - 1) }
        return object
    }

    /// Puts `value` at a random place `depth` levels down (as a member named `key`, or as an element).
    static func plant(_ value: Any, key: String?, in root: Any, _ rng: inout SplitMix64, depth: Int) -> Any {
        if depth == 0 || !(root is [Any] || root is [String: Any]) {
            if let key { return [key: value, "around": root] }
            return [root, value]
        }
        if var array = root as? [Any] {
            let index = rng.int(0...(array.count - 1))
            array[index] = plant(value, key: key, in: array[index], &rng, depth: depth - 1)
            return array
        }
        var object = root as? [String: Any] ?? [:]
        let name = rng.pick(object.keys.sorted())
        object[name] = plant(value, key: key, in: object[name] ?? NSNull(), &rng, depth: depth - 1)
        return object
    }

    /// A string of filler with the secret in it, placed so that it straddles `cut` (or anywhere).
    static func straddling(_ secret: String, cut: Int, _ rng: inout SplitMix64) -> String {
        let before = rng.chance(70) ? max(0, cut - rng.int(0...secret.utf8.count)) : rng.int(0...cut)
        return filler(&rng, bytes: before) + " " + secret + " " + filler(&rng, bytes: rng.int(0...200))
    }

    /// Every 8-byte stretch of `text`, as integers (the leak check is a set lookup per window).
    static func windows(_ text: String) -> Set<UInt64> {
        let bytes = Array(text.utf8)
        guard bytes.count >= 8 else { return [] }
        var result = Set<UInt64>()
        for start in 0...(bytes.count - 8) {
            var word: UInt64 = 0
            for offset in 0..<8 { word = word << 8 | UInt64(bytes[start + offset]) }
            result.insert(word)
        }
        return result
    }

    static func expectNoLeak(_ planted: [PlantedSecret], in outputs: [String], seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
        let seen = outputs.reduce(into: Set<UInt64>()) { $0.formUnion(windows($1)) }
        for secret in planted {
            for part in secret.secrets where !windows(part).isDisjoint(with: seen) {
                Issue.record("seed \(seed): a \(secret.kind) secret survived: \(part) in \(outputs)", sourceLocation: sourceLocation)
                return
            }
        }
    }

    static func policy(_ rng: inout SplitMix64) -> RedactionPolicy {
        var policy = RedactionPolicy()
        policy.maxValueBytes = rng.int(64...600)
        policy.maxTracebackBytes = rng.int(128...4_096)
        policy.maxEventBytes = rng.int(256...8_192)
        policy.maxDepth = rng.int(3...64)
        return policy
    }

    @Test("no secret survives in JSON, at any depth and cut", arguments: 0..<8)
    func json(batch: Int) throws {
        for iteration in 0..<60 {
            let seed = UInt64(batch * 1_000 + iteration)
            var rng = SplitMix64(seed: seed)
            let policy = Self.policy(&rng)
            let redactor = Redactor(policy: policy)
            var root = Self.json(&rng, depth: rng.int(0...min(10, policy.maxDepth + 2)))
            var planted: [PlantedSecret] = []
            for _ in 0..<rng.int(1...3) {
                let keyed = rng.chance(30)
                let secret = Self.secret(&rng, keyed: keyed, inText: false)
                let value: Any = keyed ? (rng.chance(20) ? ["inner": secret.text] : secret.text) : Self.straddling(secret.text, cut: policy.maxValueBytes, &rng)
                root = Self.plant(value, key: keyed ? rng.pick(Self.secretKeys) : nil, in: root, &rng, depth: rng.int(0...12))
                planted.append(secret)
            }
            let text = String(decoding: try JSONSerialization.data(withJSONObject: root, options: [.fragmentsAllowed]), as: UTF8.self)
            let limit = rng.chance(50) ? Int.max : rng.int(200...5_000)
            let redacted = redactor.redactJSON(text, limit: limit)
            Self.expectNoLeak(planted, in: [redacted], seed: seed)
            #expect(JSONValidator.isValid(redacted), "seed \(seed)")
            #expect(limit == Int.max || redacted.utf8.count <= limit, "seed \(seed)")
            if limit == Int.max { #expect(redactor.redactJSON(redacted, limit: limit) == redacted, "seed \(seed): not idempotent") }
        }
    }

    @Test("no secret survives in a traceback, wherever the cut falls", arguments: 0..<8)
    func traceback(batch: Int) {
        for iteration in 0..<60 {
            let seed = UInt64(100_000 + batch * 1_000 + iteration)
            var rng = SplitMix64(seed: seed)
            let policy = Self.policy(&rng)
            let redactor = Redactor(policy: policy)
            var text = "Traceback (most recent call last):\n"
            var planted: [PlantedSecret] = []
            for index in 0..<rng.int(1...3) {
                let secret = Self.secret(&rng, keyed: rng.chance(30), inText: true)
                // The first one straddles the traceback's limit.
                text +=
                    index == 0
                    ? Self.straddling(secret.text, cut: policy.maxTracebackBytes - text.utf8.count, &rng)
                    : Self.filler(&rng, bytes: rng.int(0...300)) + " " + secret.text + " "
                planted.append(secret)
            }
            let redacted = redactor.redactText(text, limit: policy.maxTracebackBytes)
            Self.expectNoLeak(planted, in: [redacted], seed: seed)
            #expect(redacted.utf8.count <= policy.maxTracebackBytes, "seed \(seed)")
            #expect(redactor.redactText(redacted, limit: policy.maxTracebackBytes) == redacted, "seed \(seed): not idempotent")
        }
    }

    @Test("no secret survives in a whole event under its ceiling", arguments: 0..<4)
    func event(batch: Int) throws {
        for iteration in 0..<50 {
            let seed = UInt64(200_000 + batch * 1_000 + iteration)
            var rng = SplitMix64(seed: seed)
            let policy = Self.policy(&rng)
            var planted: [PlantedSecret] = []
            func jsonField() throws -> String {
                let secret = Self.secret(&rng, keyed: false, inText: false)
                planted.append(secret)
                let root = Self.plant(
                    Self.straddling(secret.text, cut: policy.maxValueBytes, &rng), key: nil, in: Self.json(&rng, depth: rng.int(0...4)), &rng, depth: 3)
                return String(decoding: try JSONSerialization.data(withJSONObject: root, options: [.fragmentsAllowed]), as: UTF8.self)
            }
            func textField(_ cut: Int) -> String {
                let secret = Self.secret(&rng, keyed: rng.chance(30), inText: true)
                planted.append(secret)
                return Self.straddling(secret.text, cut: cut, &rng)
            }
            let report = TaskEventReport(
                seq: 1, taskID: "t", engine: "celery", kind: .failed, ts: 0, argsJSON: try jsonField(), kwargsJSON: try jsonField(),
                excType: "E", excMessage: textField(policy.maxValueBytes), traceback: textField(policy.maxTracebackBytes), payloadJSON: try jsonField()
            ).redacted(by: Redactor(policy: policy))
            let fields = [report.argsJSON, report.kwargsJSON, report.excMessage, report.traceback, report.payloadJSON]
            Self.expectNoLeak(planted, in: fields, seed: seed)
            #expect(fields.map(\.utf8.count).reduce(0, +) <= policy.maxEventBytes, "seed \(seed)")
            for json in [report.argsJSON, report.kwargsJSON, report.payloadJSON] { #expect(JSONValidator.isValid(json), "seed \(seed)") }
        }
    }
}
