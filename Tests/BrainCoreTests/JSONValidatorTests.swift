import BrainProtocol
import Testing

@testable import BrainCore

/// `JSONValidator` accepts exactly one RFC 8259 JSON value.
@Suite("JSONValidator")
struct JSONValidatorTests {
    static let valid: [String] = [
        "0", "-0", "1", "-12", "3.25", "1e10", "1E+2", "-1.5e-3", "0.0", "10",
        "true", "false", "null", "\"\"", "\"text\"",
        "\"escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83E\\uDDE0\"",
        "\"unicode é 🧠 日本\"",
        "[]", "{}", "[1, \"a\", true, null, {\"k\": [2.5]}]",
        "{\"a\":1,\"b\":{\"c\":[{},[]]}}",
        " \t\r\n{ \"spaced\" : [ 1 , 2 ] }\n ",
        "{\"dup\":1,\"dup\":2}",
    ]

    static let invalid: [String] = [
        "", " ", "01", "-01", "00", "+1", ".5", "1.", "1.e5", "1e", "1e+", "-", "0x10", "NaN", "Infinity",
        "tru", "trux", "nul", "True", "undefined",
        "\"unterminated", "\"bad escape \\x\"", "\"short unicode \\u12\"", "\"bad hex \\u12g4\"",
        "\"raw\u{01}control\"", "\"raw\nnewline\"", "'single'",
        "[1,]", "[,1]", "[1 2]", "[", "]", "[1", "{\"a\":1,}", "{,}", "{\"a\"}", "{\"a\" 1}", "{a:1}", "{1:1}",
        "{\"a\":1", "{\"a\":}", "1 2", "{} {}", "[]]", "\"a\" x", "// comment",
    ]

    @Test("valid JSON is accepted", arguments: valid)
    func acceptsValid(_ text: String) {
        #expect(JSONValidator.problem(in: text) == nil)
        #expect(JSONValidator.isValid(text))
    }

    @Test("invalid JSON is refused with a located problem", arguments: invalid)
    func refusesInvalid(_ text: String) {
        let problem = JSONValidator.problem(in: text)
        #expect(problem != nil)
        #expect(problem?.contains("at byte") == true)
        #expect(!JSONValidator.isValid(text))
    }

    @Test("leading zeros: \"0\" is a number, \"01\" has text after the value")
    func leadingZeros() {
        #expect(JSONValidator.isValid("0"))
        #expect(JSONValidator.problem(in: "01")?.contains("unexpected text after the JSON value") == true)
        #expect(JSONValidator.isValid("[0, 10, 0.01]"))
        #expect(!JSONValidator.isValid("[01]"))
    }

    @Test("nesting up to 512 levels is accepted, 513 refused", arguments: ["[]", "{}"])
    func nestingLimit(_ pair: String) {
        func nested(_ depth: Int) -> String {
            let open = pair == "[]" ? "[" : "{\"k\":"
            let close = pair == "[]" ? "]" : "}"
            let innermost = pair == "[]" ? "" : "1"
            return String(repeating: open, count: depth) + innermost + String(repeating: close, count: depth)
        }
        #expect(JSONValidator.isValid(nested(512)))
        let problem = JSONValidator.problem(in: nested(513))
        #expect(problem?.contains("nesting deeper than 512") == true)
        #expect(!JSONValidator.isValid(nested(100_000)), "very deep input is refused, not a stack overflow")
    }

    @Test("depth is per nesting, not per container: many siblings are fine")
    func manySiblings() {
        let text = "[" + Array(repeating: "[[]]", count: 2_000).joined(separator: ",") + "]"
        #expect(JSONValidator.isValid(text))
    }

    @Test("JSONText builds valid JSON with escaped strings")
    func jsonText() {
        let text = JSONText.object(["b": "quote \" backslash \\ newline \n tab \t bell \u{07}", "a": "é🧠"])
        #expect(JSONValidator.isValid(text))
        #expect(text.hasPrefix("{\"a\":"), "keys are sorted")
        #expect(JSONText.quote("\u{07}") == "\"\\u0007\"")
        #expect(JSONText.quote("a\"b") == "\"a\\\"b\"")
    }
}
