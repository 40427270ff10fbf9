/// What ``BrainState/listCommands(_:)`` lists: every filter left empty matches all.
package struct AgentCommandQuery: Hashable, Sendable {
    /// The project, by name.
    package var project = ""
    /// The agent that is to carry the command out, by id or by name.
    package var agent = ""
    /// Any of these states.
    package var states: [AgentCommandState] = []
    /// From a page's ``AgentCommandPage/nextCursor``; "" for the first page.
    package var cursor = ""
    /// Page size: 0 for ``PageLimits/defaultPage``, at most ``PageLimits/maxPage``.
    package var limit: UInt32 = 0

    package init(project: String = "", agent: String = "", states: [AgentCommandState] = [], cursor: String = "", limit: UInt32 = 0) {
        self.project = project
        self.agent = agent
        self.states = states
        self.cursor = cursor
        self.limit = limit
    }
}
