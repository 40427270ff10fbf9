/// Checks that text is one well-formed JSON value (RFC 8259), without building it.
///
/// Steps carry JSON input and output on the hot path; a syntax scan over the UTF-8 bytes
/// costs no allocation, where a parser would build a tree only to throw it away.
package enum JSONValidator {
    /// Returns `nil` when `text` is valid JSON, else a short description of the first problem.
    package static func problem(in text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = Scanner(bytes: bytes)
            return scanner.validateDocument()
        }
    }

    /// Returns `nil` when the UTF-8 `bytes` are valid JSON, else the first problem.
    package static func problem(in bytes: UnsafeRawBufferPointer) -> String? {
        var scanner = Scanner(bytes: bytes.bindMemory(to: UInt8.self))
        return scanner.validateDocument()
    }

    /// Whether `text` is valid JSON.
    package static func isValid(_ text: String) -> Bool { problem(in: text) == nil }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var depth = 0
        static let maxDepth = 512

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func validateDocument() -> String? {
            skipWhitespace()
            if let problem = value() { return problem }
            skipWhitespace()
            return index == bytes.count ? nil : failure("unexpected text after the JSON value")
        }

        func failure(_ what: String) -> String { "\(what) at byte \(index)" }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func value() -> String? {
            guard let byte = current else { return failure("expected a JSON value") }
            switch byte {
            case UInt8(ascii: "{"): return object()
            case UInt8(ascii: "["): return array()
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
            default: return failure("unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) -> String? {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return failure("truncated literal") }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
                return failure("invalid literal")
            }
            index += count
            return nil
        }

        mutating func digits() -> Bool {
            let start = index
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
            return index > start
        }

        mutating func number() -> String? {
            if current == UInt8(ascii: "-") { index += 1 }
            if current == UInt8(ascii: "0") {
                index += 1
            } else if !digits() {
                return failure("invalid number")
            }
            if current == UInt8(ascii: ".") {
                index += 1
                if !digits() { return failure("invalid number fraction") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                if !digits() { return failure("invalid number exponent") }
            }
            return nil
        }

        mutating func string() -> String? {
            index += 1  // opening quote
            while true {
                // Ordinary characters dominate: skip 8 at a time (a word at a time, until one
                // holds a quote, a backslash or a control byte), then one by one.
                if let base = bytes.baseAddress {
                    let raw = UnsafeRawPointer(base)
                    while index + 8 <= bytes.count {
                        let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                        if JSONStringWord.quoteBackslashOrControl(word) != 0 { break }
                        index += 8
                    }
                }
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == 0x22 || byte == 0x5C || byte < 0x20 { break }
                    index += 1
                }
                guard let byte = current else { break }
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return nil
                case UInt8(ascii: "\\"):
                    guard let escaped = current else { return failure("unterminated string") }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        continue
                    case UInt8(ascii: "u"):
                        for _ in 0..<4 {
                            guard let hex = current, isHexDigit(hex) else { return failure("invalid \\u escape") }
                            index += 1
                        }
                    default:
                        return failure("invalid escape")
                    }
                case 0x00..<0x20:
                    return failure("control character in string")
                default:
                    continue
                }
            }
            return failure("unterminated string")
        }

        func isHexDigit(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
        }

        mutating func enter() -> String? {
            depth += 1
            return depth > Self.maxDepth ? failure("nesting deeper than \(Self.maxDepth)") : nil
        }

        mutating func object() -> String? {
            if let problem = enter() { return problem }
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return nil
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { return failure("expected a string key") }
                if let problem = string() { return problem }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { return failure("expected ':'") }
                index += 1
                skipWhitespace()
                if let problem = value() { return problem }
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    depth -= 1
                    return nil
                default: return failure("expected ',' or '}'")
                }
            }
        }

        mutating func array() -> String? {
            if let problem = enter() { return problem }
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return nil
            }
            while true {
                skipWhitespace()
                if let problem = value() { return problem }
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    depth -= 1
                    return nil
                default: return failure("expected ',' or ']'")
                }
            }
        }
    }
}
