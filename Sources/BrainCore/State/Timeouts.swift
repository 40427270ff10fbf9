/// Agents and runs whose time ran out at one tick.
public struct Timeouts: Hashable, Sendable {
    /// Agents going offline.
    public var agentIDs: [String]
    /// Runs past their deadline.
    public var runIDs: [String]

    public init(agentIDs: [String] = [], runIDs: [String] = []) {
        self.agentIDs = agentIDs
        self.runIDs = runIDs
    }

    public var isEmpty: Bool { agentIDs.isEmpty && runIDs.isEmpty }
}
