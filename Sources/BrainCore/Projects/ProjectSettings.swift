import Foundation

/// A project's settings (seed 002's `projects.settings`): retention per kind, redaction
/// overrides and a time zone.
package struct ProjectSettings: Hashable, Sendable, Codable {
    /// How long each kind of finished record is kept.
    package var retention: RetentionSettings
    /// Key patterns added to the brain's redaction, and keys exempt from it.
    package var redaction: RedactionOverrides
    /// An IANA time zone name (`Europe/Riga`), the zone the project's schedules and tables
    /// are read in. Default `UTC`.
    package var timeZone: String

    enum CodingKeys: String, CodingKey {
        case retention, redaction
        case timeZone = "time_zone"
    }

    package init(retention: RetentionSettings = RetentionSettings(), redaction: RedactionOverrides = RedactionOverrides(), timeZone: String = "UTC") {
        self.retention = retention
        self.redaction = redaction
        self.timeZone = timeZone
    }

    /// Why the settings cannot be used, or `nil` when they can. The time zone must be one
    /// the system's tz database knows (Foundation's `TimeZone(identifier:)`).
    package var problem: String? {
        if let problem = retention.problem { return problem }
        if let problem = redaction.problem { return "redaction: \(problem)" }
        if timeZone.isEmpty || timeZone.utf8.count > 64 || TimeZone(identifier: timeZone) == nil {
            return "time zone \"\(timeZone)\" is not an IANA time zone name (like UTC or Europe/Riga)"
        }
        return nil
    }
}
