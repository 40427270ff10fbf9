/// Small JSON texts built by hand (sink payloads), with proper string escaping.
public enum JSONText {
    /// A JSON object of string values, keys in the given order (sorted for determinism).
    public static func object(_ fields: [String: String]) -> String {
        "{" + fields.keys.sorted().map { "\(quote($0)):\(quote(fields[$0] ?? ""))" }.joined(separator: ",") + "}"
    }

    /// `text` as a JSON string literal.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
