/// Durations for people: `30d`, `1h30m`, `250ms`, `1.5s`.
enum DurationFormat {
    /// The wire's "keep for ever" (`Int64.max`) reads `forever`; 0 reads `default`.
    static func retention(_ nanos: Int64) -> String {
        switch nanos {
        case 0: "default"
        case Int64.max: "forever"
        default: text(nanos)
        }
    }

    /// The largest whole units that add up to `nanos` (at most two), else seconds with decimals.
    static func text(_ nanos: Int64) -> String {
        if nanos < 0 { return "-" + text(0 &- nanos) }
        if nanos < 1_000_000_000 {
            return format3(Double(nanos) / 1e6) + "ms"
        }
        let units: [(String, Int64)] = [("d", 86_400_000_000_000), ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000)]
        if nanos % 1_000_000_000 != 0, nanos < 60_000_000_000 { return format3(Double(nanos) / 1e9) + "s" }
        var rest = nanos
        var parts: [String] = []
        for (unit, size) in units where rest >= size && parts.count < 2 {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        return parts.joined()
    }

    /// Up to three decimals, trailing zeros dropped.
    private static func format3(_ value: Double) -> String {
        var text = String(Double((value * 1_000).rounded()) / 1_000)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
