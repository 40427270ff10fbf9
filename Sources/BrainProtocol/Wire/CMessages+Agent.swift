internal import CBrainWire

extension Hello {
    init(_ c: Brain__V1__HelloRequest) {
        self.init(
            agentName: swiftString(c.agent_name), project: swiftString(c.project), token: swiftString(c.token),
            protocolVersion: c.protocol_version, frameworkAdapter: swiftString(c.framework_adapter),
            engineAdapters: swiftStrings(c.n_engine_adapters, c.engine_adapters),
            schedulerAdapters: swiftStrings(c.n_scheduler_adapters, c.scheduler_adapters),
            capabilitiesJSON: swiftString(c.capabilities_json), metadataJSON: swiftString(c.metadata_json)
        )
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__HelloRequest> {
        let m = arena.message(brain__v1__hello_request__init)
        arena.set(&m.pointee.agent_name, agentName)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.token, token)
        m.pointee.protocol_version = protocolVersion
        arena.set(&m.pointee.framework_adapter, frameworkAdapter)
        (m.pointee.n_engine_adapters, m.pointee.engine_adapters) = arena.strings(engineAdapters)
        (m.pointee.n_scheduler_adapters, m.pointee.scheduler_adapters) = arena.strings(schedulerAdapters)
        arena.set(&m.pointee.capabilities_json, capabilitiesJSON)
        arena.set(&m.pointee.metadata_json, metadataJSON)
        return m
    }
}

extension Welcome {
    init(_ c: Brain__V1__Welcome) {
        self.init(
            agentID: swiftString(c.agent_id), heartbeatIntervalMs: c.heartbeat_interval_ms,
            heartbeatTimeoutMs: c.heartbeat_timeout_ms, lastSeq: c.last_seq, registered: c.registered != 0,
            protocolVersion: c.protocol_version, project: swiftString(c.project)
        )
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__Welcome> {
        let m = arena.message(brain__v1__welcome__init)
        arena.set(&m.pointee.agent_id, agentID)
        m.pointee.heartbeat_interval_ms = heartbeatIntervalMs
        m.pointee.heartbeat_timeout_ms = heartbeatTimeoutMs
        m.pointee.last_seq = lastSeq
        m.pointee.registered = registered ? 1 : 0
        m.pointee.protocol_version = protocolVersion
        arena.set(&m.pointee.project, project)
        return m
    }
}

extension AgentInfo {
    init(_ c: Brain__V1__AgentInfo) {
        self.init()
        agentID = swiftString(c.agent_id)
        name = swiftString(c.name)
        project = swiftString(c.project)
        state = AgentState(c.state)
        protocolVersion = c.protocol_version
        frameworkAdapter = swiftString(c.framework_adapter)
        engineAdapters = swiftStrings(c.n_engine_adapters, c.engine_adapters)
        schedulerAdapters = swiftStrings(c.n_scheduler_adapters, c.scheduler_adapters)
        capabilitiesJSON = swiftString(c.capabilities_json)
        metadataJSON = swiftString(c.metadata_json)
        lastSeenAt = c.last_seen_at
        lastConnectAt = c.last_connect_at
        createdAt = c.created_at
        updatedAt = c.updated_at
        lastSeq = c.last_seq
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__AgentInfo> {
        let m = arena.message(brain__v1__agent_info__init)
        arena.set(&m.pointee.agent_id, agentID)
        arena.set(&m.pointee.name, name)
        arena.set(&m.pointee.project, project)
        m.pointee.state = state.c
        m.pointee.protocol_version = protocolVersion
        arena.set(&m.pointee.framework_adapter, frameworkAdapter)
        (m.pointee.n_engine_adapters, m.pointee.engine_adapters) = arena.strings(engineAdapters)
        (m.pointee.n_scheduler_adapters, m.pointee.scheduler_adapters) = arena.strings(schedulerAdapters)
        arena.set(&m.pointee.capabilities_json, capabilitiesJSON)
        arena.set(&m.pointee.metadata_json, metadataJSON)
        m.pointee.last_seen_at = lastSeenAt
        m.pointee.last_connect_at = lastConnectAt
        m.pointee.created_at = createdAt
        m.pointee.updated_at = updatedAt
        m.pointee.last_seq = lastSeq
        return m
    }
}

extension AgentCounts {
    init(_ c: Brain__V1__AgentCounts) {
        self.init(online: c.online, offline: c.offline, unknown: c.unknown)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__AgentCounts> {
        let m = arena.message(brain__v1__agent_counts__init)
        m.pointee.online = online
        m.pointee.offline = offline
        m.pointee.unknown = unknown
        return m
    }
}
