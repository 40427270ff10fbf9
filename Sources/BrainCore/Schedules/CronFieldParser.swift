/// Reads one cron field into a bit set of the values it matches (bit n is value n).
///
/// The grammar and its corner cases are cronsim's (`Field.parse`), because cronsim is the oracle Brain's golden
/// vectors come from: a list is split on `,` first; `*`; a step `x/n` where `x` is `*`, a range, or a single start
/// (`5/15` is 5, 20, 35, 50); a range `a-b`; a number or a name. Two quirks follow from that and are kept:
/// a step over a one-value range (`5-5/2`) reads like a step from that value (`5/2`), and a step over the day of
/// week runs to 7, so `1/2` is Monday, Wednesday, Friday and Sunday (7). What cronsim reads as extensions
/// (`L`, `LW`, `#`) and what other parsers have (`W`, `?`) is refused with a message saying so.
enum CronFieldParser {
    /// The values `text` matches in `field`; `text` is the field as written (names in any case).
    static func parse(_ text: Substring, as field: CronField) throws(ScheduleExpressionError) -> UInt64 {
        try refuseExtensions(Substring(asciiUppercased(text)), written: text, field: field)
        var values: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else {
                throw ScheduleExpressionError(.emptyItem, "\(field.subject(text)): empty item in a list")
            }
            values |= try term(item, written: text, field: field)
        }
        return values
    }

    /// One list item: `*`, a step, a range or a single value.
    private static func term(_ item: Substring, written: Substring, field: CronField) throws(ScheduleExpressionError) -> UInt64 {
        if item == "*" { return field.allValues }
        if let slash = item.firstIndex(of: "/") {
            let base = item[..<slash]
            let step = try stepValue(item[item.index(after: slash)...], written: written, field: field)
            let baseValues = base == "*" ? field.allValues : try term(base, written: written, field: field)
            var picked: UInt64 = 0
            if baseValues.nonzeroBitCount == 1 {
                // cronsim: a single start runs to the end of the field, so `5/15` is 5, 20, 35, 50.
                var value = baseValues.trailingZeroBitCount
                while value <= field.bounds.upperBound {
                    picked |= 1 << UInt64(value)
                    let (next, overflow) = value.addingReportingOverflow(step)
                    if overflow { break }
                    value = next
                }
            } else {
                // Every step-th value of the sorted set, starting with the first.
                var index = 0
                for value in field.bounds where baseValues & (1 << UInt64(value)) != 0 {
                    if index % step == 0 { picked |= 1 << UInt64(value) }
                    index += 1
                }
            }
            return picked
        }
        if let dash = item.firstIndex(of: "-") {
            let lowText = item[..<dash]
            let highText = item[item.index(after: dash)...]
            if lowText.isEmpty || highText.isEmpty {
                throw ScheduleExpressionError(.badRange, "\(field.subject(written)): range \"\(item)\" needs a value at both ends")
            }
            let low = try value(lowText, written: written, field: field)
            let high = try value(highText, written: written, field: field)
            guard low <= high else {
                throw ScheduleExpressionError(
                    .badRange,
                    "\(field.subject(written)): range \(item) runs backwards; ranges do not wrap around, so write it as a list of two ranges"
                )
            }
            return (low...high).reduce(0) { $0 | (1 << UInt64($1)) }
        }
        return 1 << UInt64(try value(item, written: written, field: field))
    }

    /// A number in the field's range, or one of its names.
    private static func value(_ text: Substring, written: Substring, field: CronField) throws(ScheduleExpressionError) -> Int {
        let upper = asciiUppercased(text)
        if let index = field.names.firstIndex(where: { $0 == upper }) {
            return index + field.firstNameValue
        }
        guard let number = digits(text) else {
            let names = field.names.isEmpty ? "" : " or a \(field == .month ? "month" : "weekday") name"
            throw ScheduleExpressionError(.badValue, "\(field.subject(written)): \"\(text)\" is not a number\(names)")
        }
        guard field.bounds.contains(number) else {
            throw ScheduleExpressionError(.outOfRange, "\(field.subject(written)): \(text) is out of range (\(field.rangeText))")
        }
        return number
    }

    /// The step after `/`: a positive number. A step larger than the field keeps only the first value, as in
    /// cronsim, so a huge one is read as `Int.max` rather than refused.
    private static func stepValue(_ text: Substring, written: Substring, field: CronField) throws(ScheduleExpressionError) -> Int {
        guard !text.isEmpty else {
            throw ScheduleExpressionError(.badStep, "\(field.subject(written)): a step is missing after '/'")
        }
        guard let step = digits(text) else {
            throw ScheduleExpressionError(.badStep, "\(field.subject(written)): step \"\(text)\" is not a number")
        }
        guard step > 0 else {
            throw ScheduleExpressionError(.badStep, "\(field.subject(written)): step 0; a step must be 1 or more")
        }
        return step
    }

    /// The value of a run of ASCII digits (saturating at `Int.max`), or nil for anything else, signs included.
    private static func digits(_ text: Substring) -> Int? {
        guard !text.isEmpty else { return nil }
        var result = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (scaled, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = scaled.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            result = overflow1 || overflow2 ? Int.max : sum
        }
        return result
    }

    /// Names the extension when the field uses one, so the message says what is not supported rather than
    /// "not a number".
    private static func refuseExtensions(_ upper: Substring, written: Substring, field: CronField) throws(ScheduleExpressionError) {
        func refuse(_ what: String) -> ScheduleExpressionError {
            ScheduleExpressionError(.unsupported, "\(field.subject(written)): \(what) is not supported")
        }
        if upper.contains("#") {
            throw refuse(field == .dayOfWeek ? "'#' (nth weekday of the month)" : "'#'")
        }
        if upper.contains("?") {
            throw refuse("'?' (Quartz's \"no specific value\"; write *)")
        }
        switch field {
        case .dayOfMonth:
            if upper.contains("LW") { throw refuse("'LW' (last weekday of the month)") }
            if upper.contains("L") { throw refuse("'L' (last day of the month)") }
            if upper.contains("W") { throw refuse("'W' (nearest weekday)") }
        case .dayOfWeek:
            // Weekday names have no L, so an L here is the "last Friday of the month" form, as in 5L.
            if upper.contains("L") { throw refuse("'L' (last weekday of its kind in the month, as in 5L)") }
        default:
            break
        }
    }

    /// ASCII letters in upper case, everything else as it is: names are case-insensitive, and only ASCII letters
    /// make a name.
    static func asciiUppercased(_ text: Substring) -> String {
        String(decoding: text.utf8.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }, as: UTF8.self)
    }
}
