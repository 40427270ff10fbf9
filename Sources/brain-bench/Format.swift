/// Human-readable numbers for the text reports.
enum Format {
    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func rate(_ value: Double) -> String {
        grouped(Int(value.rounded()))
    }

    static func bytes(_ value: Double) -> String {
        if value >= 1_048_576 { return JSONOut.format(value / 1_048_576, decimals: 1) + " MiB" }
        if value >= 1024 { return JSONOut.format(value / 1024, decimals: 1) + " KiB" }
        return grouped(Int(value)) + " B"
    }

    static func micros(_ value: UInt64) -> String {
        if value >= 10_000 { return JSONOut.format(Double(value) / 1000, decimals: 1) + " ms" }
        return "\(value) µs"
    }

    static func seconds(_ value: Double) -> String {
        JSONOut.format(value, decimals: 3) + " s"
    }
}
