/// Agents and runs whose time ran out at one tick.
package struct Timeouts: Hashable, Sendable {
    /// Agents going offline.
    package var agentIDs: [String]
    /// Runs past their deadline.
    package var runIDs: [String]

    package init(agentIDs: [String] = [], runIDs: [String] = []) {
        self.agentIDs = agentIDs
        self.runIDs = runIDs
    }

    package var isEmpty: Bool { agentIDs.isEmpty && runIDs.isEmpty }
}
