import ArgumentParser
import BrainCommandLine
import Foundation

/// `--since` and `--until`: an RFC 3339 time (`2026-11-21T14:00:00Z`) or a duration meaning
/// that long ago (`90m`, `2d`), as Unix nanoseconds.
enum TimeArgument {
    /// The time `text` names, or a validation error naming `option`.
    static func nanos(_ text: String, _ option: String, now: Int64) throws -> Int64 {
        if let seconds = DurationText.seconds(text) { return now - Int64(min(seconds * 1e9, Double(now))) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var date = formatter.date(from: text)
        if date == nil {
            formatter.formatOptions = [.withInternetDateTime]
            date = formatter.date(from: text)
        }
        guard let date else {
            throw ValidationError("\(option) \(text) is neither an RFC 3339 time (2026-11-21T14:00:00Z) nor a duration ago (90m, 2d)")
        }
        return Int64((date.timeIntervalSince1970 * 1e9).rounded())
    }
}
