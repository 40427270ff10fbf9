import BrainProtocol

extension RetentionSettings {
    /// The wire's value for "keep for ever": the domain's 0, which on the wire means "the
    /// default" (`brain.proto`). 292 years is for ever for a brain.
    package static let foreverOnWire = Int64.max

    /// The domain settings of wire settings: 0 is the default (30 days), as the proto says.
    package init(_ wire: WireRetentionSettings) {
        func value(_ nanos: Int64) -> Int64 { nanos == 0 ? Self.thirtyDays : nanos }
        self.init(runsNs: value(wire.runsNs), tasksNs: value(wire.tasksNs), taskEventsNs: value(wire.taskEventsNs), sinkRowsNs: value(wire.sinkRowsNs))
    }

    /// The settings as the wire carries them (the domain's 0, for ever, as ``foreverOnWire``).
    package var wire: WireRetentionSettings {
        func value(_ nanos: Int64) -> Int64 { nanos == 0 ? Self.foreverOnWire : nanos }
        return WireRetentionSettings(runsNs: value(runsNs), tasksNs: value(tasksNs), taskEventsNs: value(taskEventsNs), sinkRowsNs: value(sinkRowsNs))
    }
}

extension ProjectSettings {
    /// The domain settings of wire settings (`nil`, absent: the defaults). The time zone ""
    /// is UTC.
    package init(_ wire: WireProjectSettings?) {
        guard let wire else {
            self.init()
            return
        }
        self.init(
            retention: wire.retention.map(RetentionSettings.init) ?? RetentionSettings(),
            redaction: RedactionOverrides(extraKeyPatterns: wire.extraKeyPatterns, allowedKeys: wire.allowedKeys),
            timeZone: wire.timeZone.isEmpty ? "UTC" : wire.timeZone,
            redactSteps: wire.redactSteps
        )
    }

    /// The settings as the wire carries them.
    package var wire: WireProjectSettings {
        WireProjectSettings(
            retention: retention.wire, extraKeyPatterns: redaction.extraKeyPatterns, allowedKeys: redaction.allowedKeys, timeZone: timeZone,
            redactSteps: redactSteps
        )
    }
}

extension Project {
    /// The project as clients see it.
    package var info: ProjectInfo {
        ProjectInfo(projectID: projectID, name: name, settings: settings.wire, createdAt: createdAt, updatedAt: updatedAt)
    }
}
