import BrainProtocol

extension BrainState {
    /// Rebuilds a state from its records (a snapshot), with every index; new runs are
    /// numbered from `nextRunSerial` on (or after the last run's serial, when that is higher).
    /// - Throws: ``BrainError`` `DATA_LOSS` when the records contradict each other.
    package init(
        configuration: CoreConfiguration, restoringAgents agentList: [Agent], runs: [Run],
        persistenceErrors: [PersistenceErrorRecord], errorSerial: UInt64, eventsHandled: UInt64, runDeadlines: [Int: Int64],
        nextRunSerial: Int = 0
    ) throws(BrainError) {
        self.init(configuration: configuration)
        for agent in agentList {
            agents[agent.agentID] = agent
            agentIDsByName[Self.nameKey(project: agent.project, name: agent.name)] = agent.agentID
        }
        self.runs = RunTable(runs)
        for (index, run) in runs.enumerated() {
            guard run.key == index else {
                throw BrainError(.dataLoss, "run \(run.runID) has key \(run.key) at position \(index)")
            }
            guard run.serial >= self.nextRunSerial else {
                throw BrainError(.dataLoss, "run \(run.runID) has serial \(run.serial), not after the run before it")
            }
            self.nextRunSerial = run.serial + 1
            guard let runKey = RunKey(run.runID) else {
                throw BrainError(.dataLoss, "run id \"\(run.runID)\" at position \(index) is not a UUID")
            }
            runKeys[runKey] = index
            stepCount += UInt64(run.steps.count)
            if !run.status.isTerminal, !run.isDeleted { openRunsByAgent[run.agentID, default: []].insert(index) }
        }
        for (key, deadline) in runDeadlines where key >= 0 && key < runs.count { self.runDeadlines[key] = deadline }
        self.nextRunSerial = max(self.nextRunSerial, nextRunSerial)
        self.persistenceErrors = persistenceErrors
        self.errorSerial = errorSerial
        self.eventsHandled = eventsHandled
    }

    /// The deadlines of runs with a timeout, by run key (for snapshots).
    package var deadlines: [Int: Int64] { runDeadlines }
}

extension Agent {
    /// An empty record, filled field by field when a snapshot is read.
    package init(restoringID agentID: String) {
        self.init(
            agentID: agentID, name: "", project: "", tokenHash: "", protocolVersion: 0, frameworkAdapter: "",
            engineAdapters: [], schedulerAdapters: [], capabilitiesJSON: "", metadataJSON: "", state: .unknown,
            lastSeenAt: 0, lastConnectAt: 0, createdAt: 0, updatedAt: 0, lastSeq: 0, connections: 0, unknownSince: 0
        )
    }
}

extension Run {
    /// An empty record, filled field by field when a snapshot is read.
    package init(restoringKey key: Int) {
        self.key = key
        serial = key
        runID = ""
        agentID = ""
        agentName = ""
        project = ""
        status = .queued
        goal = ""
        targetURL = ""
        initiatedBy = ""
        runType = ""
        workflowJSON = ""
        inputJSON = ""
        metadataJSON = ""
        parentRunID = ""
        timeoutMs = 0
        createdAt = 0
        updatedAt = 0
    }
}

extension PersistenceErrorRecord {
    /// An empty record, filled field by field when a snapshot is read.
    package init(restoringSerial serial: UInt64) {
        self.init(
            serial: serial, errorID: "", runID: "", phase: "", project: "", agentName: "", errorType: "", errorMessage: "",
            stack: "", payloadJSON: "", createdAt: 0
        )
    }
}
