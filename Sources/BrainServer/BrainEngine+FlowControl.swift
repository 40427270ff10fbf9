import BrainCore

extension BrainEngine {
    /// An agent whose connection the brain has stopped reading (its replies wait unsent, see
    /// ``FlowControl``) cannot be heard: its heartbeats wait unread in the socket, through
    /// the brain's doing. Such an agent counts as alive as long as it still reads what it was
    /// sent (the connection's unsent bytes went down since the last tick), so flow control
    /// throttles a slow reader instead of marking it offline and abandoning its runs. One
    /// that reads nothing either is as silent as any other and goes offline in time.
    ///
    /// Called by ``tick()`` before timeouts are looked for; visits only paused connections'
    /// counters, one option lookup each.
    func noteReadersOfPausedConnections(now: Int64) {
        for context in connections.values where context.readPaused && !context.closing {
            if let agentID = context.stateMachine.tick(unsent: context.measureUnsentBytes()) {
                execute(.signOfLife(agentID: agentID), now: now)
            }
        }
    }
}
