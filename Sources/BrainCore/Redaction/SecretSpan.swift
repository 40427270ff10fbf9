/// A stretch of text found to be a secret: its bytes and what it was.
struct SecretSpan: Hashable, Sendable {
    var range: Range<Int>
    var kind: SecretKind

    /// Sorts `spans` and merges the ones that overlap (the first one's kind names the merge).
    static func merged(_ spans: [SecretSpan]) -> [SecretSpan] {
        guard spans.count > 1 else { return spans }
        let sorted = spans.sorted { $0.range.lowerBound < $1.range.lowerBound }
        var result: [SecretSpan] = [sorted[0]]
        for span in sorted.dropFirst() {
            let last = result.count - 1
            if span.range.lowerBound < result[last].range.upperBound {
                let upper = max(result[last].range.upperBound, span.range.upperBound)
                result[last].range = result[last].range.lowerBound..<upper
            } else {
                result.append(span)
            }
        }
        return result
    }

    /// `text` with every span replaced by its kind's marker (`spans` sorted and disjoint).
    static func mask(_ text: UnsafeBufferPointer<UInt8>, _ spans: [SecretSpan]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 16 * spans.count)
        var position = 0
        for span in spans {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[position..<span.range.lowerBound]))
            out.append(contentsOf: span.kind.marker.utf8)
            position = span.range.upperBound
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: text[position..<text.count]))
        return out
    }
}
