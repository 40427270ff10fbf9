/// The five fields of a cron expression, in order, with the values and names each takes.
enum CronField: Int, CaseIterable, Sendable {
    case minute = 1
    case hour
    case dayOfMonth
    case month
    case dayOfWeek

    /// The name people use in messages.
    var title: String {
        switch self {
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day of month"
        case .month: "month"
        case .dayOfWeek: "day of week"
        }
    }

    /// The values the field takes; day of week has both 0 and 7 for Sunday, as Debian cron does.
    var bounds: ClosedRange<Int> {
        switch self {
        case .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// Names the field takes, upper case; a name's value is its index plus `firstNameValue`.
    var names: [String] {
        switch self {
        case .month: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        case .dayOfWeek: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
        default: []
        }
    }

    /// The value of the first name: JAN is month 1, SUN is weekday 0.
    var firstNameValue: Int { self == .month ? 1 : 0 }

    /// The range as a message shows it.
    var rangeText: String {
        switch self {
        case .month: "1-12 or JAN-DEC"
        case .dayOfWeek: "0-7 or SUN-SAT, where 0 and 7 are Sunday"
        default: "\(bounds.lowerBound)-\(bounds.upperBound)"
        }
    }

    /// Every value of the field as a bit set (bit n is value n).
    var allValues: UInt64 {
        bounds.reduce(0) { $0 | (1 << UInt64($1)) }
    }

    /// The start of a message about this field's text: `field 5 (day of week) "MON#2"`.
    func subject(_ text: Substring) -> String {
        "field \(rawValue) (\(title)) \"\(text)\""
    }
}
