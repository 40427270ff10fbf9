/// The per-event ceiling (``RedactionPolicy/maxEventBytes``): when an event's texts are
/// longer together, the longest are cut to fair shares.
///
/// Max-min fair: texts shorter than an equal share keep every byte, and what they leave is
/// shared by the others, each cut to the same cap. So one huge kwargs cannot push a short
/// error message out, and the result does not depend on the order the texts come in. A cut
/// JSON text stays JSON (`Truncation.truncateJSON`): one JSON string holding its start, cut
/// to the value limit as well, since a second redaction would cut any longer string to it
/// (redacting a redacted event changes nothing).
package enum EventBudget {
    /// One text of an event.
    package struct Field: Hashable, Sendable {
        /// The text, redacted.
        package var text: String
        /// Whether the text is JSON (it stays JSON when cut).
        package var isJSON: Bool

        package init(_ text: String, isJSON: Bool) {
            self.text = text
            self.isJSON = isJSON
        }
    }

    /// The texts, cut to `policy`'s per-event limit (``RedactionPolicy/maxEventBytes``), a cut
    /// JSON text to its value limit as well: what every redaction of an event's texts applies.
    package static func fit(_ fields: [Field], policy: RedactionPolicy) -> [String] {
        fit(fields, limit: policy.maxEventBytes, valueLimit: policy.maxValueBytes)
    }

    /// The texts, cut so that together they take at most `limit` UTF-8 bytes; a JSON text
    /// that is cut takes at most `valueLimit`.
    package static func fit(_ fields: [Field], limit: Int, valueLimit: Int) -> [String] {
        let sizes = fields.map(\.text.utf8.count)
        guard sizes.reduce(0, +) > limit else { return fields.map(\.text) }
        var remaining = limit
        var cap = 0
        for (position, size) in sizes.sorted().enumerated() {
            let share = remaining / (sizes.count - position)
            if size > share {
                cap = share
                break
            }
            remaining -= size
        }
        return fields.map { field in
            guard field.text.utf8.count > cap else { return field.text }
            if field.isJSON {
                return String(decoding: Truncation.truncateJSON(Array(field.text.utf8), limit: min(cap, valueLimit)), as: UTF8.self)
            }
            return Truncation.truncate(field.text, limit: cap)
        }
    }
}
