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

    /// Indented over several lines, for a person reading a single answer.
    var text: String {
        var out = ""
        write(into: &out, indent: 0)
        return out
    }

    /// On one line with no spaces, for streams of objects (`watch --json`, one per line).
    var compactText: String {
        var out = ""
        write(into: &out, indent: nil)
        return out
    }

    /// Writes the value; `indent` nil writes it compactly.
    private func write(into out: inout String, indent: Int?) {
        guard let indent else {
            writeCompact(into: &out)
            return
        }
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

    private func writeCompact(into out: inout String) {
        switch self {
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.writeCompact(into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { out += "," }
                out += JSONText.quote(key) + ":"
                value.writeCompact(into: &out)
            }
            out += "}"
        case .raw(let value):
            // The brain's JSON may be indented; a stream of lines needs it on one line.
            out += JSONValue.singleLine(value)
        default:
            write(into: &out, indent: 0)
        }
    }

    /// JSON text with the line breaks and indentation outside strings removed.
    static func singleLine(_ json: String) -> String {
        guard json.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else { return json }
        var out = [UInt8]()
        out.reserveCapacity(json.utf8.count)
        var inString = false
        var escaped = false
        for byte in json.utf8 {
            if inString {
                out.append(byte)
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22:
                inString = true
                out.append(byte)
            case 0x0A, 0x0D, 0x09, 0x20: continue
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
