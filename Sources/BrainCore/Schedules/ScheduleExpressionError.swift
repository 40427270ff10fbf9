/// Why a schedule expression was refused: a stable code for programs and a message a person can act on.
///
/// The message names the part that was not understood, e.g.
/// `field 5 (day of week) "MON#2": '#' (nth weekday) is not supported`.
package struct ScheduleExpressionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of mistake it is; stable across releases, unlike the message.
    package enum Code: String, Hashable, Sendable {
        /// The expression is empty or only whitespace.
        case empty
        /// Not five fields (and not six or seven, which get `secondsField`).
        case fieldCount
        /// Six or seven fields: a seconds field (and a year), which Vixie cron does not have.
        case secondsField
        /// An `@nickname` other than the six Brain knows.
        case nickname
        /// `@reboot`: it runs when a daemon starts, so it has no time to compute.
        case reboot
        /// An extension of other parsers: `L`, `W`, `#` or `?`.
        case unsupported
        /// An empty item in a list, as in `1,,2` or `1,`.
        case emptyItem
        /// Neither a number nor a name the field takes.
        case badValue
        /// A number outside the field's range, such as minute 60 or weekday 8.
        case outOfRange
        /// A range that runs backwards or lacks an end.
        case badRange
        /// A step that is missing, not a number, or 0.
        case badStep
        /// Day of month and month that never meet while both day fields must match, as in `0 0 30 2 *`.
        case neverRuns
        /// An interval that is not a positive duration.
        case badInterval
    }

    /// What kind of mistake it is.
    package let code: Code
    /// What was not understood and, where it helps, what to write instead.
    package let message: String

    /// An error with its code and message.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    package var description: String { message }
}
