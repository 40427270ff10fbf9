/// A problem found while reading a snapshot, with the byte offset it is at.
struct SnapshotParseError: Error {
    var offset: Int
    var message: String
}

/// Reads JSON in place, value by value, for ``SnapshotJSONReader``: no tree is built, strings
/// are made only for the fields that are strings, and payloads are taken as their bytes.
struct JSONCursor {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func fail(_ message: String) -> SnapshotParseError { SnapshotParseError(offset: index, message: message) }

    @inline(__always) mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }

    @inline(__always) mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    mutating func expect(_ byte: UInt8) throws(SnapshotParseError) {
        guard peek() == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    /// Iterates an object's members; `body` gets the key's bytes and must consume the value.
    mutating func object(_ body: (inout JSONCursor, UnsafeRawBufferPointer) throws(SnapshotParseError) -> Void) throws(SnapshotParseError) {
        try expect(0x7B)
        if peek() == 0x7D {
            index += 1
            return
        }
        while true {
            guard peek() == 0x22 else { throw fail("expected a key") }
            let key = try plainStringBytes()
            try expect(0x3A)
            try body(&self, key)
            switch peek() {
            case 0x2C: index += 1
            case 0x7D:
                index += 1
                return
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    /// Iterates an array's elements; `body` must consume each.
    mutating func array(_ body: (inout JSONCursor) throws(SnapshotParseError) -> Void) throws(SnapshotParseError) {
        try expect(0x5B)
        if peek() == 0x5D {
            index += 1
            return
        }
        while true {
            try body(&self)
            switch peek() {
            case 0x2C: index += 1
            case 0x5D:
                index += 1
                return
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    /// A string without escapes, as its bytes in place (keys, enum names).
    mutating func plainStringBytes() throws(SnapshotParseError) -> UnsafeRawBufferPointer {
        try expect(0x22)
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 {
                index += 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<(index - 1)])
            }
            if byte == 0x5C { throw fail("unexpected escape in a key") }
            index += 1
        }
        throw fail("unterminated string")
    }

    /// A string's bytes, unescaped into `out` (cleared first).
    mutating func stringBytes(into out: inout [UInt8]) throws(SnapshotParseError) {
        out.removeAll(keepingCapacity: true)
        try expect(0x22)
        var start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                index += 1
                return
            }
            if byte == 0x5C {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                index += 1
                guard index < bytes.count else { break }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case 0x22, 0x5C, 0x2F: out.append(escaped)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75: try unicodeEscape(into: &out)
                default: throw fail("invalid escape")
                }
                start = index
                continue
            }
            index += 1
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws(SnapshotParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case 48...57: digit = UInt32(byte - 48)
            case 97...102: digit = UInt32(byte - 87)
            case 65...70: digit = UInt32(byte - 55)
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func unicodeEscape(into out: inout [UInt8]) throws(SnapshotParseError) {
        var scalar = try hex4()
        if scalar >= 0xD800, scalar < 0xDC00, index + 6 <= bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75 {
            index += 2
            let low = try hex4()
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
        }
        let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        out.append(contentsOf: String(character).utf8)
    }

    mutating func string(scratch: inout [UInt8]) throws(SnapshotParseError) -> String {
        try stringBytes(into: &scratch)
        return String(decoding: scratch, as: UTF8.self)
    }

    /// A whole number, possibly negative.
    mutating func integer() throws(SnapshotParseError) -> Int64 {
        skipWhitespace()
        let negative = index < bytes.count && bytes[index] == 0x2D
        if negative { index += 1 }
        let magnitude = try unsigned()
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw fail("number too small") }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw fail("number too large") }
        return Int64(magnitude)
    }

    /// A whole number that is not negative.
    mutating func unsigned() throws(SnapshotParseError) -> UInt64 {
        skipWhitespace()
        var value: UInt64 = 0
        let start = index
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(bytes[index] - 48))
            guard !overflow1, !overflow2 else { throw fail("number too large") }
            value = sum
            index += 1
        }
        guard index > start else { throw fail("expected a number") }
        return value
    }

    /// The exact bytes of the value that starts here, up to the next ',' '}' or ']' at this
    /// level (so a payload's own whitespace is kept byte for byte).
    mutating func rawValue() throws(SnapshotParseError) -> UnsafeRawBufferPointer {
        let start = index
        try skipValue()
        skipWhitespace()
        return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
    }

    /// Skips one value of any kind.
    /// A JSON payload (args, metadata, results): its exact text, as it was embedded (an unset
    /// payload is absent from the snapshot, so a `null` here is the agent's own).
    mutating func payloadText() throws(SnapshotParseError) -> String {
        String(decoding: try rawValue(), as: UTF8.self)
    }

    /// An array of strings.
    mutating func strings(scratch: inout [UInt8]) throws(SnapshotParseError) -> [String] {
        var values: [String] = []
        try array { (cursor) throws(SnapshotParseError) in values.append(try cursor.string(scratch: &scratch)) }
        return values
    }

    mutating func skipValue() throws(SnapshotParseError) {
        var depth = 0
        repeat {
            guard let byte = peek() else { throw fail("unexpected end of file") }
            switch byte {
            case 0x7B, 0x5B:
                depth += 1
                index += 1
            case 0x7D, 0x5D:
                guard depth > 0 else { throw fail("unexpected '\(Character(Unicode.Scalar(byte)))'") }
                depth -= 1
                index += 1
            case 0x22:
                try skipString()
            case 0x2C, 0x3A:
                guard depth > 0 else { throw fail("unexpected '\(Character(Unicode.Scalar(byte)))'") }
                index += 1
            default:
                // A number or a literal: runs to the next delimiter.
                let start = index
                while index < bytes.count {
                    let next = bytes[index]
                    if next == 0x2C || next == 0x7D || next == 0x5D || next == 0x20 || next == 0x0A || next == 0x0D
                        || next == 0x09 || next == 0x3A
                    {
                        break
                    }
                    index += 1
                }
                guard index > start else { throw fail("unexpected character") }
            }
        } while depth > 0
    }

    private mutating func skipString() throws(SnapshotParseError) {
        index += 1
        if let base = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            while index + 8 <= bytes.count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                if (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)) & 0x8080_8080_8080_8080 != 0 { break }
                index += 8
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == 0x22 { return }
            if byte == 0x5C { index += 1 }
        }
        throw fail("unterminated string")
    }
}

extension UnsafeRawBufferPointer {
    /// Whether these bytes spell `text`.
    @inline(__always)
    func equals(_ text: StaticString) -> Bool {
        guard count == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { expected in
            for index in 0..<count where self[index] != expected[index] { return false }
            return true
        }
    }
}
