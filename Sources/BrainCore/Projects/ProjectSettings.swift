import Foundation

/// A project's settings (seed 002's `projects.settings`): retention per kind, redaction
/// overrides, a time zone, and whether steps are redacted.
package struct ProjectSettings: Hashable, Sendable, Codable {
    /// How long each kind of finished record is kept.
    package var retention: RetentionSettings
    /// Key patterns added to the brain's redaction, and keys exempt from it.
    package var redaction: RedactionOverrides
    /// An IANA time zone name (`Europe/Riga`), the zone the project's schedules and tables
    /// are read in. Default `UTC`.
    package var timeZone: String
    /// Whether the input, output and error of the project's steps are redacted (by the
    /// project's ``Redactor``, as task texts are) before they are journalled. Off by default:
    /// steps are then stored as their agents sent them, on the ingestion hot path.
    package var redactSteps: Bool

    enum CodingKeys: String, CodingKey {
        case retention, redaction
        case timeZone = "time_zone"
        case redactSteps = "redact_steps"
    }

    package init(
        retention: RetentionSettings = RetentionSettings(), redaction: RedactionOverrides = RedactionOverrides(), timeZone: String = "UTC",
        redactSteps: Bool = false
    ) {
        self.retention = retention
        self.redaction = redaction
        self.timeZone = timeZone
        self.redactSteps = redactSteps
    }

    /// Settings written before `redact_steps` existed have none: off.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            retention: try container.decode(RetentionSettings.self, forKey: .retention),
            redaction: try container.decode(RedactionOverrides.self, forKey: .redaction),
            timeZone: try container.decode(String.self, forKey: .timeZone),
            redactSteps: try container.decodeIfPresent(Bool.self, forKey: .redactSteps) ?? false
        )
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
