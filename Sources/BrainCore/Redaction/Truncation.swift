/// Cuts text to a byte limit, on a UTF-8 boundary, with a marker saying how much was cut:
/// `…text[truncated: 1234 more bytes]`. The result, marker included, is never longer than
/// the limit (for limits of at least ``RedactionPolicy/minimumLimit``), so cutting again
/// changes nothing.
package enum Truncation {
    /// The marker ending a cut text.
    package static func marker(cut: Int) -> String { "[truncated: \(cut) more bytes]" }

    /// `text` cut to at most `limit` UTF-8 bytes.
    package static func truncate(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        return String(decoding: truncate(bytes: Array(text.utf8), limit: limit), as: UTF8.self)
    }

    /// UTF-8 `bytes` cut to at most `limit` bytes.
    static func truncate(bytes: [UInt8], limit: Int) -> [UInt8] {
        guard bytes.count > limit else { return bytes }
        // The marker for the whole length is at least as long as the real one (no fewer digits).
        let keep = outsideMarkers(bytes, alignedLength(bytes, max(0, limit - marker(cut: bytes.count).utf8.count)))
        return Array(bytes[0..<keep]) + Array(marker(cut: bytes.count - keep).utf8)
    }

    /// `length`, moved back to the start of a `[REDACTED…]` marker it would cut through: half a
    /// marker reads as text, and the next redaction would mask it again.
    static func outsideMarkers(_ bytes: [UInt8], _ length: Int) -> Int {
        let prefix = Array("[REDACTED".utf8)
        var start = length - 1
        while start >= 0, length - start <= 48 {
            if bytes[start] == UInt8(ascii: "]") { return length }
            if bytes[start] == UInt8(ascii: "[") {
                let partial = bytes[start..<length]
                let isMarker = partial.count <= prefix.count ? prefix.starts(with: partial) : partial.starts(with: prefix)
                return isMarker ? start : length
            }
            start -= 1
        }
        return length
    }

    /// A JSON text cut to at most `limit` bytes: still JSON, as a string that holds the start
    /// of the text and the marker (a cut object is no longer an object, but its start can
    /// still be read and searched). A JSON string is cut inside, not wrapped again.
    static func truncateJSON(_ json: [UInt8], limit: Int) -> [UInt8] {
        guard json.count > limit else { return json }
        var text = json
        if json.first == UInt8(ascii: "\""), case .string(let inner) = json.withUnsafeBufferPointer(JSONValue.parse) { text = inner }
        var keep = alignedLength(text, max(0, limit - 2 - marker(cut: text.count).utf8.count))
        while true {
            var out: [UInt8] = []
            JSONValue.appendString(Array(text[0..<keep]) + Array(marker(cut: text.count - keep).utf8), to: &out)
            // Escapes only add bytes, so dropping the overflow from the kept part always fits next time.
            if out.count <= limit || keep == 0 { return out }
            keep = alignedLength(text, max(0, keep - (out.count - limit)))
        }
    }

    /// The largest length ≤ `length` that ends on a UTF-8 boundary of `bytes`.
    static func alignedLength(_ bytes: [UInt8], _ length: Int) -> Int {
        var end = min(length, bytes.count)
        // A continuation byte (10xxxxxx) cannot start a character.
        while end > 0, end < bytes.count, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return end
    }
}
