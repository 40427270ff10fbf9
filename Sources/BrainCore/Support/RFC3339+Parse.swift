extension RFC3339 {
    /// An RFC 3339 instant (`2026-11-30T09:00:00Z`, `2026-11-30t11:00:00.5+02:00`, a space for
    /// the `T`) in Unix nanoseconds; `nil` for anything else. Parsed by hand: BrainCore reads
    /// no clock and keeps Foundation's formatters out of a pure function.
    package static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard byte &- 48 < 10 else { return nil }
                value = value * 10 + Int(byte &- 48)
            }
            index += digits
            return value
        }
        func expect(_ allowed: [UInt8]) -> Bool {
            guard index < bytes.count, allowed.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect([45]), let month = number(2), expect([45]), let day = number(2), expect([84, 116, 32]),
            let hour = number(2), expect([58]), let minute = number(2), expect([58]), let second = number(2)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var nanos = 0
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] &- 48 < 10 {
                if digits < 9 { nanos = nanos * 10 + Int(bytes[index] &- 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 9)..<9 { nanos *= 10 }
        }
        var offset = 0
        if expect([90, 122]) {
            offset = 0
        } else if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 {
            let sign = bytes[index] == 45 ? -1 : 1
            index += 1
            guard let hours = number(2), expect([58]), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = CivilTime.days(year: year, month: month, day: day)
        guard CivilTime.date(days: days) == (year, month, day) else { return nil }
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offset)
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, past) = scaled.addingReportingOverflow(Int64(nanos))
        return past ? nil : total
    }
}
