import Testing

@testable import BrainCore

/// The redactor's fast path by table: each case says whether redaction keeps the text, and
/// the fast answer must be the slow path's (`redactJSON(x) == x`, byte for byte).
@Suite("Redaction fast path")
struct RedactionFastPathTests {
    static func policy(value: Int = 8_192, depth: Int = 64, maskEmails: Bool = true, allowedKeys: [String] = []) -> RedactionPolicy {
        RedactionLimitTests.policy(value: value, depth: depth, maskEmails: maskEmails, allowedKeys: allowedKeys)
    }

    /// Whether the slow path gives `text` back byte for byte.
    static func slowKeeps(_ redactor: Redactor, json text: String, limit: Int = .max) -> Bool {
        Array(redactor.redactJSON(text, limit: limit).utf8) == Array(text.utf8)
    }

    static let jwt = RedactionPatternTests.jwt

    /// (JSON text, kept?) under the default policy.
    static let jsonCases: [(String, Bool)] = [
        // Canonical or not: whitespace.
        (#"{"user_id":42,"site":"shop.example.com","count":3}"#, true),
        (#"{"user_id": 42}"#, false),
        (#"{"a" :1}"#, false),
        (" {\"a\":1}", false),
        ("{\"a\":1}\n", false),
        ("[1,2]", true),
        ("[1, 2]", false),
        ("[\n1]", false),
        // String escapes: only `\"`, `\\`, the short ones and lowercase `\u00xx` below 0x20.
        (#""café""#, true),
        (#""caf\u00e9""#, false),
        (#""a/b""#, true),
        (#""a\/b""#, false),
        (#""line\nbreak\ttab\r\b\f""#, true),
        (#""q\"uote\\""#, true),
        (#""\u0001\u001f\u007f""#, false),
        (#""\u0001\u001f""#, true),
        (#""\u001F""#, false),
        (#""\u0009""#, false),
        (#""\u000a""#, false),
        (#""\u0041""#, false),
        ("\"\u{7F}\"", true),
        (#""🧠""#, true),
        (#""\ud83e\udde0""#, false),
        (#""\x""#, false),
        // Numbers are kept as written.
        ("1.0", true),
        ("1e5", true),
        ("-0", true),
        ("2.50E+3", true),
        ("[0,-1.5e-7,123456789012345678901234567890]", true),
        ("01", false),
        ("1.", false),
        (".5", false),
        ("-", false),
        ("+1", false),
        // Literals, duplicates, nesting.
        ("[true,false,null]", true),
        ("[tru]", false),
        ("nul", false),
        (#"{"dup":1,"dup":2}"#, true),
        (#"{"a":{},"b":[],"c":[{}]}"#, true),
        // Secret keys, and pairs that name one.
        (#"{"password":"hunter2"}"#, false),
        (#"{"password":"[REDACTED]"}"#, true),
        (#"{"password":1}"#, false),
        (#"{"api_key":{"a":1}}"#, false),
        (#"{"dbPassword":"[REDACTED]","n":1}"#, true),
        (#"{"pass\u0077ord":"[REDACTED]"}"#, false),
        (#"{"max_tokens":100,"author":"ann","primary_key":7}"#, true),
        (#"{"name":"DB_PASSWORD","value":"hunter2"}"#, false),
        (#"{"value":"hunter2","name":"DB_PASSWORD"}"#, false),
        (#"{"Key":"api_key","Value":"x"}"#, false),
        (#"{"name":"token","value":{"a":1}}"#, false),
        (#"{"name":"DB_PASSWORD","value":"[REDACTED]"}"#, true),
        (#"{"name":"region","value":"eu"}"#, true),
        (#"{"name":"DB_PASSWORD"}"#, true),
        (#"{"name":"password","other":"x"}"#, true),
        (#"{"name":1,"value":"x"}"#, true),
        // Secrets in strings, keys included.
        ("{\"note\":\"see \(jwt)\"}", false),
        ("{\"\(jwt)\":1}", false),
        (#"["postgres://app:pw123456@db/x"]"#, false),
        (#"["see bob@example.com"]"#, false),
        (#"["password=hunter2"]"#, false),
        (#"["Bearer abcdefghijklmnop"]"#, false),
        (#"["timeout=10 host=api"]"#, true),
        (#"["-----BEGIN PRIVATE KEY-----\nMIIE"]"#, false),
        (#"["\u0001password=hunter2"]"#, false),
        (#"{"password":"[REDACTED]","n":["[REDACTED:jwt]","x [truncated: 12 more bytes]"]}"#, true),
        // What Python's json.dumps(v, separators=(",", ":"), ensure_ascii=False) writes (the
        // Python client's form): canonical.
        (
            #"{"a":"\u0001\u001f"# + "\u{7F}" + #"/é"# + "\u{2028}" + #"\"\\\n\t\b\f\r","n":[1.0,1e+16,1e-07,-0.0,10000000000000000000000,true,null],"k":{}}"#,
            true
        ),
        // Not JSON: the slow path keeps it as a JSON string.
        ("", true),
        (#"{"a":1,}"#, false),
        ("{'a':1}", false),
        ("(1, 2)", false),
        (#"{"a"}"#, false),
        ("[1]]", false),
        (#""unterminated"#, false),
        ("\"a\tb\"", false),
        ("\"a\nb\"", false),
    ]

    @Test("the fast path keeps JSON exactly when the slow path does", arguments: jsonCases)
    func json(_ text: String, _ kept: Bool) {
        let redactor = Redactor()
        #expect(Self.slowKeeps(redactor, json: text) == kept, "the case's own answer")
        #expect(redactor.isUnchangedJSON(text, limit: .max) == kept)
    }

    /// (policy, JSON text, kept?): the policy's limits and switches.
    static let policyCases: [(RedactionPolicy, String, Bool)] = [
        (policy(depth: 3), #"[[["x"]]]"#, true),
        (policy(depth: 3), #"[[[["x"]]]]"#, false),
        (policy(depth: 3), "[[[]]]", true),
        (policy(depth: 3), "[[[[]]]]", false),
        (policy(depth: 3), #"{"a":{"b":{"c":1}}}"#, true),
        (policy(depth: 3), #"{"a":{"b":{"c":{}}}}"#, false),
        (policy(depth: 3), #"{"a":{"b":{"password":"[REDACTED]"}}}"#, true),
        (policy(depth: 1), "[1]", true),
        (policy(depth: 1), "[[1]]", false),
        (policy(depth: 600), String(repeating: "[", count: 512) + String(repeating: "]", count: 512), true),
        (policy(depth: 600), String(repeating: "[", count: 513) + String(repeating: "]", count: 513), false),
        (policy(value: 64), "[\"" + String(repeating: "x", count: 64) + "\"]", true),
        (policy(value: 64), "[\"" + String(repeating: "x", count: 65) + "\"]", false),
        (policy(value: 64), "[\"" + String(repeating: "\\n", count: 64) + "\"]", true),
        (policy(value: 64), "[\"" + String(repeating: "\\n", count: 65) + "\"]", false),
        (policy(value: 64), "[\"" + String(repeating: "é", count: 32) + "\"]", true),
        (policy(value: 64), "[\"" + String(repeating: "é", count: 33) + "\"]", false),
        (policy(value: 64), "{\"" + String(repeating: "k", count: 65) + "\":1}", false),
        (policy(value: 64), "[" + String(repeating: "9", count: 64) + "]", true),
        (policy(value: 64), "[" + String(repeating: "9", count: 65) + "]", false),
        (policy(maskEmails: false), #"["bob@example.com"]"#, true),
        (policy(allowedKeys: ["token_count"]), #"{"token_count":5}"#, true),
        (policy(), #"{"token_count":5}"#, false),
    ]

    @Test("limits and switches of the policy", arguments: policyCases)
    func policyCase(_ policy: RedactionPolicy, _ text: String, _ kept: Bool) {
        let redactor = Redactor(policy: policy)
        #expect(Self.slowKeeps(redactor, json: text) == kept, "the case's own answer")
        #expect(redactor.isUnchangedJSON(text, limit: .max) == kept)
    }

    @Test func theWholeTextsLimitCountsItsBytes() {
        let redactor = Redactor()
        let text = #"{"a":"bcd","n":[1,2,3]}"#
        let size = text.utf8.count
        for limit in [size + 1, size, size - 1, 0] {
            #expect(redactor.isUnchangedJSON(text, limit: limit) == (limit >= size), "limit \(limit)")
            #expect(redactor.isUnchangedJSON(text, limit: limit) == Self.slowKeeps(redactor, json: text, limit: limit), "limit \(limit)")
        }
        #expect(redactor.isUnchangedJSON("", limit: 0))
    }

    @Test("the value patterns' own cases, as text and as JSON strings", arguments: RedactionPatternTests.values.map(\.0) + RedactionPatternTests.untouched)
    func patternCase(_ text: String) {
        let redactor = Redactor()
        #expect(redactor.isUnchangedText(text, limit: 10_000) == (redactor.redactText(text, limit: 10_000) == text))
        let json = String(decoding: JSONValue.string(Array(text.utf8)).serialized, as: UTF8.self)
        #expect(redactor.isUnchangedJSON(json, limit: .max) == Self.slowKeeps(redactor, json: json))
        let keyed = "{\"\(RedactionPatternTests.secretKeys[text.utf8.count % RedactionPatternTests.secretKeys.count])\":\(json)}"
        #expect(!redactor.isUnchangedJSON(keyed, limit: .max))
    }

    /// (text, limit, kept?).
    static let textCases: [(String, Int, Bool)] = [
        ("plain words, nothing else", 100, true),
        ("", 0, true),
        ("timeout=10 host=api retries=3", 100, true),
        ("password=hunter2", 100, false),
        ("password=[REDACTED:secret_value]", 100, true),
        ("mail me at bob@example.com", 100, false),
        ("connect postgres://app:s3cret@db/prod", 100, false),
        (String(repeating: "a", count: 64), 64, true),
        (String(repeating: "a", count: 65), 64, false),
        ("é" + String(repeating: "a", count: 63), 64, false),
    ]

    @Test("free text: kept when nothing is masked and it fits", arguments: textCases)
    func text(_ text: String, _ limit: Int, _ kept: Bool) {
        let redactor = Redactor()
        #expect((redactor.redactText(text, limit: limit) == text) == kept, "the case's own answer")
        #expect(redactor.isUnchangedText(text, limit: limit) == kept)
    }

    @Test func bytesThatAreNotUTF8AreNeverKept() {
        let redactor = Redactor()
        let cases: [([UInt8], Bool)] = [
            ([0x22, 0xC3, 0xA9, 0x22], true),  // "é"
            ([0x22, 0xF0, 0x9F, 0xA7, 0xA0, 0x22], true),  // "🧠"
            ([0x22, 0xC3, 0x22], false),  // a lead byte alone
            ([0x22, 0xC0, 0xAF, 0x22], false),  // an overlong "/"
            ([0x22, 0xED, 0xA0, 0x80, 0x22], false),  // a surrogate
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], false),  // past U+10FFFF
            ([0x22, 0x80, 0x22], false),  // a continuation byte alone
        ]
        for (bytes, valid) in cases {
            #expect(bytes.withUnsafeBufferPointer { redactor.isUnchangedJSON($0, limit: .max) } == valid, "\(bytes)")
            #expect(bytes.withUnsafeBufferPointer { redactor.isUnchangedText($0, limit: .max) } == valid, "\(bytes)")
            #expect(bytes.withUnsafeBufferPointer { UTF8Check.isValid($0) } == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }

    @Test func theWakingPairsTableHoldsItsDefinitionAndOnlyWakingBytes() {
        // The first bytes the scanner's switch has a matcher for.
        let matched = Set("eBbAgxsprwSynh-:=@".utf8)
        for first in UInt8.min...UInt8.max {
            for next in UInt8.min...UInt8.max {
                let wakes = WakingPairs.wakes(first, next)
                #expect((WakingPairs.bit(WakingPairs.table, first, next) & 1 != 0) == wakes, "pair \(first) \(next)")
                // A pair never wakes a byte no matcher starts with.
                if wakes { #expect(matched.contains(first), "pair \(first) \(next)") }
            }
        }
    }

    /// The fast path's "any secret?" is the slow path's list of secrets, non-empty, on every
    /// text, at every cut (a secret at the very end, a pair cut by the end of the text).
    @Test func containsSecretAgreesWithTheListOfSecretsOnRandomTexts() {
        let redactor = Redactor()
        var rng = SplitMix64(seed: 0x7A1E_5EED)
        var found = 0
        for _ in 0..<3_000 {
            var text = RedactionPropertyTests.filler(&rng, bytes: rng.int(0...60))
            if rng.chance(50) {
                let secret = RedactionPropertyTests.secret(&rng, keyed: rng.chance(30), inText: true).text
                text += rng.pick([" ", "=", ":", "@", "-", "", "\n"]) + secret
            }
            let bytes = Array(text.utf8)
            for cut in [bytes.count, max(0, bytes.count - 1), bytes.count / 2] {
                let prefix = Array(bytes.prefix(cut))
                let fast = prefix.withUnsafeBufferPointer { redactor.scanner.containsSecret(in: $0) }
                let slow = prefix.withUnsafeBufferPointer { !redactor.scanner.spans(in: $0).isEmpty }
                #expect(fast == slow, "\(String(decoding: prefix, as: UTF8.self))")
                if slow { found += 1 }
            }
        }
        #expect(found > 1_000, "the texts hold secrets the scanner finds: \(found)")
    }

    @Test func aCleanReportIsKeptWithoutChangeAndOneWithASecretIsNot() {
        let redactor = Redactor()
        var report = TaskEventReport(
            seq: 1, taskID: "t", engine: "celery", kind: .failed, ts: 0, argsJSON: #"[42,"shop.example.com"]"#,
            kwargsJSON: #"{"user_id":7,"locale":"en-US"}"#, excType: "ValueError", excMessage: "bad input",
            traceback: "Traceback (most recent call last):\n  File \"x.py\", line 1, in f\nValueError: bad input", payloadJSON: #"{"runtime":1.5}"#)
        #expect(report.isUnchanged(by: redactor))
        let kept = report.redacted(by: redactor)
        #expect(kept.isRedacted == true)
        #expect(kept.kwargsJSON == report.kwargsJSON)
        #expect(kept == report.redactedInFull(by: redactor))
        report.kwargsJSON = #"{"user_id":7,"password":"hunter2"}"#
        #expect(!report.isUnchanged(by: redactor))
        #expect(report.redacted(by: redactor).kwargsJSON == #"{"user_id":7,"password":"[REDACTED]"}"#)
        report.kwargsJSON = #"{"user_id": 7}"#
        #expect(!report.isUnchanged(by: redactor), "not canonical")
        report.kwargsJSON = ""
        report.traceback = "token=abc123"
        #expect(!report.isUnchanged(by: redactor))
        report.traceback = ""
        #expect(report.isUnchanged(by: redactor))
        var small = RedactionPolicy()
        small.maxEventBytes = 64
        #expect(report.isUnchanged(by: Redactor(policy: small)))
        report.excMessage = String(repeating: "m ", count: 40)
        #expect(report.isUnchanged(by: redactor))
        #expect(!report.isUnchanged(by: Redactor(policy: small)), "over the event's ceiling: the budget cuts")
        #expect(report.redacted(by: Redactor(policy: small)) == report.redactedInFull(by: Redactor(policy: small)))
    }

    /// The word tests that skip eight plain bytes of a string at once (the cursor's, and
    /// `JSONStringWord`'s that it and `JSONValidator` share): every byte value at every
    /// position of an otherwise plain word, and two special bytes together.
    @Test func theWordTestFindsEverySpecialByteAtEveryPosition() {
        func isSpecial(_ byte: UInt8) -> Bool { byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x80 }
        for position in 0..<8 {
            for value in UInt8.min...UInt8.max {
                var bytes = Array("plainTXT".utf8)
                bytes[position] = value
                let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                #expect((CanonicalJSONCursor.specialBytes(word) != 0) == isSpecial(value), "byte \(value) at \(position)")
                let marked = JSONStringWord.quoteBackslashOrControl(word) != 0
                #expect(marked == (isSpecial(value) && value < 0x80), "byte \(value) at \(position), JSON string word")
                bytes[7 - position] = 0x22
                let two = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                #expect(CanonicalJSONCursor.specialBytes(two) != 0, "byte \(value) at \(position) with a quote")
                // The lowest mark is the first special byte, exactly (the cursor jumps to it).
                func first(_ word: UInt64) -> Int { CanonicalJSONCursor.specialBytes(UInt64(littleEndian: word)).trailingZeroBitCount >> 3 }
                if isSpecial(value) { #expect(first(word) == position, "byte \(value) at \(position)") }
                #expect(first(two) == (isSpecial(value) ? min(position, 7 - position) : 7 - position), "byte \(value) at \(position) with a quote")
            }
        }
    }

    /// A string's plain bytes are skipped a word at a time: an escape, a control byte, UTF-8
    /// (valid or not) or the closing quote at any offset from the word boundaries is still
    /// found, as the slow path finds it.
    @Test func aSpecialByteAtAnyOffsetOfALongStringIsSeen() {
        let redactor = Redactor()
        let specials: [[UInt8]] = [
            Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\n"#.utf8), Array(#"\u001f"#.utf8), Array(#"\/"#.utf8), [0x0A],
            [0xC3, 0xA9], [0xC3], [0x80], Array("\"".utf8),
        ]
        for special in specials {
            for length in 0..<26 {
                for position in 0...length {
                    var body = Array(repeating: UInt8(ascii: "a"), count: length)
                    body.insert(contentsOf: special, at: position)
                    let json = [UInt8(ascii: "[")] + [0x22] + body + [0x22] + [UInt8(ascii: "]")]
                    let fast = json.withUnsafeBufferPointer { redactor.isUnchangedJSON($0, limit: .max) }
                    let slow = String(validating: json, as: UTF8.self).map { Self.slowKeeps(redactor, json: $0) } ?? false
                    #expect(fast == slow, "\(special) at \(position) of \(length)")
                }
            }
        }
    }

    /// The scan tests eight pairs per step: a secret (or a lone waking pair that is none)
    /// starting at any offset, across a step's end and in the bytes after the last step, is
    /// found exactly as the slow path finds it.
    @Test func aSecretAtAnyOffsetIsFoundAcrossTheScansSteps() {
        let redactor = Redactor()
        let inserts = [
            "ghp_" + String(repeating: "a1B2", count: 9), "Bearer abcdefgh12345678", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
            "be", "sk", "--", ":x", "=y",
        ]
        var found = 0
        for insert in inserts {
            for length in 0..<20 {
                for position in 0...length {
                    var text = Array(String(repeating: "q", count: length).utf8)
                    text.insert(contentsOf: Array((" " + insert + " ").utf8), at: position)
                    let fast = text.withUnsafeBufferPointer { redactor.scanner.containsSecret(in: $0) }
                    let slow = text.withUnsafeBufferPointer { !redactor.scanner.spans(in: $0).isEmpty }
                    #expect(fast == slow, "\(insert) at \(position) of \(length)")
                    if slow { found += 1 }
                }
            }
        }
        #expect(found >= 3 * 210, "the three secrets are found at every offset: \(found)")
    }
}
