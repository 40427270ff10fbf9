/// A parsed JSON value, small and exact: what the redactor walks to reach keys and strings
/// at any depth, then writes back.
///
/// Strings are their decoded UTF-8 bytes (what the matchers scan); numbers keep their text,
/// so nothing is rounded; members keep their order and duplicates (Python's kwargs order is
/// the call's order, worth showing as it was).
enum JSONValue: Hashable, Sendable {
    case object([Member])
    case array([JSONValue])
    case string([UInt8])
    case number([UInt8])
    case bool(Bool)
    case null

    struct Member: Hashable, Sendable {
        var key: [UInt8]
        var value: JSONValue
    }

    /// Nesting a parse accepts, as ``JSONValidator`` does: deeper input is not walked.
    static let maxParseDepth = 512

    /// The value `text` holds, or `nil` when it is not exactly one JSON value.
    static func parse(_ text: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        var parser = JSONValueParser(bytes: text)
        return parser.document()
    }

    /// The canonical text: no whitespace, members in their order, strings with the shortest
    /// escapes (`\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, else `\u00XX` below 0x20), numbers as written.
    var serialized: [UInt8] {
        var out: [UInt8] = []
        append(to: &out)
        return out
    }

    func append(to out: inout [UInt8]) {
        switch self {
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.append(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.append(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let bytes): Self.appendString(bytes, to: &out)
        case .number(let text): out.append(contentsOf: text)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        }
    }

    /// A JSON string literal of UTF-8 `bytes`: runs that need no escape are copied whole.
    static func appendString(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.reserveCapacity(out.count + bytes.count + 2)
        out.append(UInt8(ascii: "\""))
        bytes.withUnsafeBufferPointer { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                start = index + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    out.append(UInt8(ascii: "u"))
                    out.append(UInt8(ascii: "0"))
                    out.append(UInt8(ascii: "0"))
                    out.append(Self.hexDigit(byte >> 4))
                    out.append(Self.hexDigit(byte & 0xF))
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x61 + value - 10 }
}
