import BrainProtocol

/// A minimal JSON value for `--json` output, keys kept in insertion order.
indirect enum JSONOut {
    case int(Int)
    case double(Double, decimals: Int)
    case string(String)
    case null
    case object([(String, JSONOut)])

    var text: String {
        switch self {
        case .int(let value): return String(value)
        case .double(let value, let decimals): return Self.format(value, decimals: decimals)
        case .string(let value): return JSONText.quote(value)
        case .null: return "null"
        case .object(let members):
            return "{" + members.map { "\(JSONText.quote($0.0)):\($0.1.text)" }.joined(separator: ",") + "}"
        }
    }

    /// `value` rounded to `decimals` places, without exponent notation.
    static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "null" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return String(Int(value.rounded())) }
        let units = Int(scaled)
        let whole = units / Int(scale)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(whole) }
        let fraction = String(units % Int(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

}
