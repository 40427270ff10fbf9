/// The rules BrainCore enforces, set by the daemon's flags.
package struct CoreConfiguration: Hashable, Sendable {
    /// How often agents are asked to send a heartbeat.
    package var heartbeatIntervalMs: UInt32 = 2_000
    /// Silence after which an agent goes offline (default 3 × the interval).
    package var heartbeatTimeoutMs: UInt32 = 6_000
    /// When true, a hello from an agent not created with `brainctl agent create` is refused.
    package var requireRegisteredAgents = false
    /// The token hash of an empty token ("no token"), which any number of agents may share;
    /// every other token hash belongs to one agent (seed 002: `token_hash` is unique). Set by
    /// the server from its key; "" when unknown (then every hash must be unique).
    package var noTokenHash = ""
    /// Persistence-error rows older than this are pruned (default 30 days; 0 = never).
    package var errorRetentionNs: Int64 = 30 * 24 * 3_600 * 1_000_000_000
    /// Prune the error sink on about one write in this many (seed 001 uses 20).
    package var errorPruneEvery = 20
    /// Longest agent name, project, step name and run type.
    package var maxNameLength = 200
    package var maxStepNameLength = 50
    package var maxRunTypeLength = 50

    package init() {}

    var heartbeatTimeoutNs: Int64 { Int64(heartbeatTimeoutMs) * 1_000_000 }
}
