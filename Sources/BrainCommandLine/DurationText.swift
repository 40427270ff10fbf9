/// Parses durations as the command-line tools take them: `500ms`, `2s`, `5m`, `12h`, `30d`;
/// a bare number means seconds.
package enum DurationText {
    /// The duration in seconds, or nil when `text` is not a finite, non-negative duration.
    package static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value.isFinite, value >= 0 else { return nil }
            return value * factor
        }
        guard let value = Double(text), value.isFinite, value >= 0 else { return nil }
        return value
    }
}
