import Foundation
import Testing

@testable import BrainCore

/// Every limit, by table: per value, per traceback, per event; cuts on UTF-8 boundaries with a
/// marker, redaction before truncation, canonical JSON, depth, and idempotence.
@Suite("Redaction limits")
struct RedactionLimitTests {
    static func policy(
        value: Int = 8_192, traceback: Int = 16_384, event: Int = 65_536, depth: Int = 64, maskEmails: Bool = true, allowedKeys: [String] = []
    ) -> RedactionPolicy {
        var policy = RedactionPolicy()
        policy.maxValueBytes = value
        policy.maxTracebackBytes = traceback
        policy.maxEventBytes = event
        policy.maxDepth = depth
        policy.maskEmails = maskEmails
        policy.allowedKeys = allowedKeys
        return policy
    }

    @Test func theDefaultsAreTheDocumentedOnes() {
        let policy = RedactionPolicy()
        #expect(policy.maxValueBytes == 8_192)
        #expect(policy.maxTracebackBytes == 16_384)
        #expect(policy.maxEventBytes == 65_536)
        #expect(policy.maxDepth == 64)
        #expect(policy.maskEmails)
    }

    /// (text length, limit, cut?): at, below and above the limit.
    @Test(arguments: [(100, 100, false), (99, 100, false), (101, 100, true), (10_000, 100, true), (8_192, 8_192, false), (8_193, 8_192, true)])
    func aTextIsCutOnlyPastItsLimitAndNeverEndsLonger(_ length: Int, _ limit: Int, _ cut: Bool) {
        let text = String(repeating: "x", count: length)
        let result = Truncation.truncate(text, limit: limit)
        #expect(result.utf8.count <= limit)
        #expect((result != text) == cut)
        if cut {
            let kept = result.prefix { $0 == "x" }.count
            #expect(result.hasSuffix(Truncation.marker(cut: length - kept)))
        }
    }

    @Test(arguments: ["é", "日", "🧠", "a🧠é"])
    func aCutEndsOnACharacterBoundary(_ unit: String) {
        let text = String(repeating: unit, count: 500)
        for limit in 64..<90 {
            let result = Truncation.truncate(text, limit: limit)
            #expect(result.utf8.count <= limit)
            #expect(String(validating: Array(result.utf8), as: UTF8.self) != nil)
            let kept = String(result.prefix { $0 != "[" })
            #expect(text.hasPrefix(kept))
            #expect(result == kept + Truncation.marker(cut: text.utf8.count - kept.utf8.count))
        }
    }

    @Test func cuttingACutTextChangesNothing() {
        let once = Truncation.truncate(String(repeating: "ab", count: 1_000), limit: 100)
        #expect(Truncation.truncate(once, limit: 100) == once)
    }

    @Test func aJSONStringPastTheValueLimitIsCutInsideTheJSON() {
        let redactor = Redactor(policy: Self.policy(value: 100))
        let long = String(repeating: "y", count: 500)
        let result = redactor.redactJSON("{\"a\": \"\(long)\", \"b\": \"short\"}", limit: 10_000)
        let object = try? JSONSerialization.jsonObject(with: Data(result.utf8)) as? [String: String]
        #expect(object?["b"] == "short")
        let cut = object?["a"] ?? ""
        #expect(cut.utf8.count <= 100)
        #expect(cut.hasSuffix(Truncation.marker(cut: 500 - cut.prefix { $0 == "y" }.count)))
    }

    @Test func aLongNumberCountsAsAValue() {
        let redactor = Redactor(policy: Self.policy(value: 64))
        let result = redactor.redactJSON("[\(String(repeating: "9", count: 200))]", limit: 10_000)
        #expect(result.hasPrefix("[\"999"))
        #expect(result.contains("[truncated: "))
    }

    @Test func aTracebackIsCutToItsOwnLimitAndAnErrorMessageToTheValueLimit() {
        let traceback = String(repeating: "  File \"x.py\", line 1, in f\n", count: 2_000)
        let redactor = Redactor(policy: Self.policy(value: 256, traceback: 4_096))
        let report = TaskEventReport(
            seq: 1, taskID: "t", engine: "celery", kind: .failed, ts: 0, excMessage: String(repeating: "m", count: 1_000), traceback: traceback
        ).redacted(by: redactor)
        #expect(report.traceback.utf8.count <= 4_096)
        #expect(report.traceback.utf8.count > 4_000)
        #expect(report.traceback.hasSuffix(" more bytes]"))
        #expect(report.excMessage.utf8.count <= 256)
        #expect(report.excMessage.hasSuffix(Truncation.marker(cut: 1_000 - report.excMessage.prefix { $0 == "m" }.count)))
        #expect(report.isRedacted)
    }

    @Test func theEventLimitCutsTheLargestFieldsToFairSharesAndKeepsJSON() {
        let big = "[\"" + String(repeating: "a", count: 6_000) + "\", \"" + String(repeating: "b", count: 6_000) + "\"]"
        let report = TaskEventReport(
            seq: 1, taskID: "t", engine: "celery", kind: .failed, ts: 0, argsJSON: big, kwargsJSON: "{\"n\": 1}",
            excType: "ValueError", excMessage: "bad input", traceback: String(repeating: "frame\n", count: 2_000)
        ).redacted(by: Redactor(policy: Self.policy(event: 4_096)))
        let total = [report.argsJSON, report.kwargsJSON, report.excMessage, report.traceback, report.payloadJSON].map(\.utf8.count).reduce(0, +)
        #expect(total <= 4_096)
        #expect(report.kwargsJSON == "{\"n\":1}", "small fields keep every byte")
        #expect(report.excMessage == "bad input")
        #expect(JSONValidator.isValid(report.argsJSON))
        #expect(report.argsJSON.hasPrefix("\"[\\\"aaa"), "a cut JSON text becomes a string that holds its start")
        #expect(report.traceback.hasPrefix("frame\n"))
        #expect(abs(report.argsJSON.utf8.count - report.traceback.utf8.count) < 64, "the two large fields get the same share")
    }

    /// A JSON text the event budget cuts becomes one JSON string; it is cut to the value
    /// limit too, so redacting the redacted report again (a recording replayed into another
    /// brain) changes nothing, as for every other text.
    @Test(arguments: [(1_024, 20_000), (8_192, 65_536), (100_000, 4_096)])
    func aReportTheEventBudgetCutIsUnchangedWhenRedactedAgain(value: Int, event: Int) {
        let redactor = Redactor(policy: Self.policy(value: value, event: event))
        let items = (0..<3_000).map { "\"item \($0) \(String(repeating: "x", count: 20))\"" }.joined(separator: ",")
        let report = TaskEventReport(
            seq: 1, taskID: "t", engine: "celery", kind: .failed, ts: 0, argsJSON: "[\(items)]", kwargsJSON: "{\"n\": 1}",
            excType: "ValueError", excMessage: "bad", traceback: String(repeating: "frame\n", count: 3_000)
        )
        let once = report.redacted(by: redactor)
        var again = once
        again.isRedacted = false
        #expect(again.redacted(by: redactor) == once)
        #expect(once.argsJSON.utf8.count <= min(value, event), "a cut document is one value: \(once.argsJSON.utf8.count) bytes")
        #expect(JSONValidator.isValid(once.argsJSON))
    }

    @Test func eventBudgetDoesNotDependOnTheOrderOfFields() {
        let fields = [
            EventBudget.Field(String(repeating: "a", count: 900), isJSON: false), EventBudget.Field("short", isJSON: false),
            EventBudget.Field(String(repeating: "c", count: 300), isJSON: false),
        ]
        let forward = EventBudget.fit(fields, limit: 600, valueLimit: .max)
        let backward = EventBudget.fit(fields.reversed(), limit: 600, valueLimit: .max)
        #expect(forward == backward.reversed())
        #expect(forward[1] == "short")
        #expect(forward.map(\.utf8.count).reduce(0, +) <= 600)
        #expect(EventBudget.fit(fields, limit: 10_000, valueLimit: .max) == fields.map(\.text))
    }

    @Test func redactionComesBeforeTruncationSoAStraddlingSecretIsMaskedWhole() {
        let uri = "postgres://app:Sup3rS3cretPassw0rd@db/prod"
        for offset in 0..<uri.utf8.count {
            // The password's first bytes fall before the cut, the rest after it.
            let padding = String(repeating: "x", count: max(0, 100 - Truncation.marker(cut: 999).utf8.count - offset))
            let text = padding + " " + uri + String(repeating: " y", count: 200)
            let result = Redactor().redactText(text, limit: 100)
            #expect(!result.contains("Sup3rS"), "cut at \(offset)")
            #expect(!result.contains("Passw0"), "cut at \(offset)")
        }
    }

    @Test func deepJSONIsReplacedPastTheDepthLimit() {
        let deep = String(repeating: "[", count: 70) + "\"AKIA\"" + String(repeating: "]", count: 70)
        let result = Redactor(policy: Self.policy(depth: 64)).redactJSON(deep, limit: 10_000)
        #expect(result == String(repeating: "[", count: 64) + "\"[REDACTED:too_deep]\"" + String(repeating: "]", count: 64))
    }

    /// (input, canonical output).
    @Test(arguments: [
        (" { \"b\" : [ 1 , 2.50e3 , -0 ] , \"a\" : { } } ", "{\"b\":[1,2.50e3,-0],\"a\":{}}"),
        ("\"tab\\there \\u00e9 \\ud83e\\udde0 \\/\"", "\"tab\\there é 🧠 /\""),
        ("[true,false,null]", "[true,false,null]"),
        ("{\"dup\":1,\"dup\":2}", "{\"dup\":1,\"dup\":2}"),
        ("\"\\u0001\"", "\"\\u0001\""),
    ])
    func jsonIsWrittenCanonically(_ input: String, _ expected: String) {
        #expect(Redactor().redactJSON(input, limit: 10_000) == expected)
    }

    @Test func textThatIsNotJSONIsKeptAsAJSONStringMasked() {
        let result = Redactor().redactJSON("(1, {'password': 'x'})", limit: 10_000)
        #expect(result == "\"(1, {'password': '[REDACTED:secret_value]'})\"")
        #expect(Redactor().redactJSON("", limit: 10) == "")
    }

    @Test func aWholeJSONTextPastItsLimitBecomesAStringOfItsStart() {
        let json = "[" + (0..<200).map { "\"item \($0) \\\"q\\\"\"" }.joined(separator: ",") + "]"
        let result = Redactor().redactJSON(json, limit: 300)
        #expect(result.utf8.count <= 300)
        #expect(JSONValidator.isValid(result))
        #expect(result.hasPrefix("\"[\\\"item 0"))
    }

    @Test func redactingRedactedTextChangesNothing() {
        let redactor = Redactor()
        let texts = RedactionPatternTests.values.map(\.0) + ["{\"password\": \"x\", \"n\": [\"\(RedactionPatternTests.jwt)\"]}"]
        for text in texts {
            let once = redactor.redactText(text, limit: 10_000)
            #expect(redactor.redactText(once, limit: 10_000) == once)
        }
        let json = "{\"password\": \"x\", \"url\": \"redis://:pw@h\", \"n\": [\"\(RedactionPatternTests.jwt)\"]}"
        let once = redactor.redactJSON(json, limit: 10_000)
        #expect(redactor.redactJSON(once, limit: 10_000) == once)
    }
}
