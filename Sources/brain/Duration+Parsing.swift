/// Parses durations such as `500ms`, `2s`, `5m`, `12h`, `30d`; a bare number means seconds.
enum DurationText {
    static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0 else { return nil }
            return value * factor
        }
        guard let value = Double(text), value >= 0 else { return nil }
        return value
    }
}
