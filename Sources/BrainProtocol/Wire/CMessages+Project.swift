internal import CBrainWire

extension WireRetentionSettings {
    init(_ c: Brain__V1__RetentionSettings) {
        self.init(runsNs: c.runs_ns, tasksNs: c.tasks_ns, taskEventsNs: c.task_events_ns, sinkRowsNs: c.sink_rows_ns)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__RetentionSettings> {
        let m = arena.message(brain__v1__retention_settings__init)
        m.pointee.runs_ns = runsNs
        m.pointee.tasks_ns = tasksNs
        m.pointee.task_events_ns = taskEventsNs
        m.pointee.sink_rows_ns = sinkRowsNs
        return m
    }
}

extension WireProjectSettings {
    init(_ c: Brain__V1__ProjectSettings) {
        self.init(
            retention: c.retention.map { WireRetentionSettings($0.pointee) },
            extraKeyPatterns: swiftStrings(c.n_extra_key_patterns, c.extra_key_patterns),
            allowedKeys: swiftStrings(c.n_allowed_keys, c.allowed_keys), timeZone: swiftString(c.time_zone), redactSteps: c.redact_steps != 0
        )
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ProjectSettings> {
        let m = arena.message(brain__v1__project_settings__init)
        m.pointee.retention = retention?.c(arena)
        (m.pointee.n_extra_key_patterns, m.pointee.extra_key_patterns) = arena.strings(extraKeyPatterns)
        (m.pointee.n_allowed_keys, m.pointee.allowed_keys) = arena.strings(allowedKeys)
        arena.set(&m.pointee.time_zone, timeZone)
        m.pointee.redact_steps = redactSteps ? 1 : 0
        return m
    }
}

extension ProjectInfo {
    init(_ c: Brain__V1__ProjectInfo) {
        self.init(
            projectID: swiftString(c.project_id), name: swiftString(c.name),
            settings: c.settings.map { WireProjectSettings($0.pointee) } ?? WireProjectSettings(), createdAt: c.created_at,
            updatedAt: c.updated_at
        )
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ProjectInfo> {
        let m = arena.message(brain__v1__project_info__init)
        arena.set(&m.pointee.project_id, projectID)
        arena.set(&m.pointee.name, name)
        m.pointee.settings = settings.c(arena)
        m.pointee.created_at = createdAt
        m.pointee.updated_at = updatedAt
        return m
    }
}

/// The project requests, which carry no Swift type of their own.
enum CProjectRequests {
    static func list(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ListProjectsRequest> {
        arena.message(brain__v1__list_projects_request__init)
    }

    static func get(_ name: String, _ arena: CArena) -> UnsafeMutablePointer<Brain__V1__GetProjectRequest> {
        let m = arena.message(brain__v1__get_project_request__init)
        arena.set(&m.pointee.name, name)
        return m
    }

    static func create(_ name: String, _ settings: WireProjectSettings?, _ arena: CArena) -> UnsafeMutablePointer<Brain__V1__CreateProjectRequest> {
        let m = arena.message(brain__v1__create_project_request__init)
        arena.set(&m.pointee.name, name)
        m.pointee.settings = settings?.c(arena)
        return m
    }

    static func update(_ name: String, _ settings: WireProjectSettings?, _ arena: CArena) -> UnsafeMutablePointer<Brain__V1__UpdateProjectRequest> {
        let m = arena.message(brain__v1__update_project_request__init)
        arena.set(&m.pointee.name, name)
        m.pointee.settings = settings?.c(arena)
        return m
    }

    static func list(_ projects: [ProjectInfo], _ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ProjectList> {
        let m = arena.message(brain__v1__project_list__init)
        (m.pointee.n_projects, m.pointee.projects) = arena.messages(projects) { $0.c($1) }
        return m
    }
}
