import BrainProtocol

/// A JSON value for `--json` output, with object keys kept in the order written.
indirect enum JSONValue {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    /// JSON text held by the brain (already validated), embedded as is.
    case raw(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// JSON text from the brain, or null when unset.
    static func embedded(_ text: String) -> JSONValue { text.isEmpty ? .null : .raw(text) }

    /// A Unix-nanosecond time as RFC 3339 UTC, or null when unset.
    static func time(_ nanos: Int64) -> JSONValue { nanos == 0 ? .null : .string(Timestamps.rfc3339(nanos)) }

    /// A string, or null when empty.
    static func optional(_ text: String) -> JSONValue { text.isEmpty ? .null : .string(text) }

    var text: String {
        var out = ""
        write(into: &out, indent: 0)
        return out
    }

    private func write(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): out += value.isFinite ? String(value) : "null"
        case .string(let value): out += JSONText.quote(value)
        case .raw(let value): out += value
        case .array(let values):
            if values.isEmpty {
                out += "[]"
                return
            }
            out += "[\n"
            for (index, value) in values.enumerated() {
                out += pad
                value.write(into: &out, indent: indent + 1)
                out += index == values.count - 1 ? "\n" : ",\n"
            }
            out += closePad + "]"
        case .object(let fields):
            if fields.isEmpty {
                out += "{}"
                return
            }
            out += "{\n"
            for (index, (key, value)) in fields.enumerated() {
                out += pad + JSONText.quote(key) + ": "
                value.write(into: &out, indent: indent + 1)
                out += index == fields.count - 1 ? "\n" : ",\n"
            }
            out += closePad + "}"
        }
    }
}
