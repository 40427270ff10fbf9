/// What the brain masks and how much it keeps: the defaults every project starts from, with
/// the project's ``RedactionOverrides`` applied by ``applying(_:)``.
///
/// Redaction comes first and truncation second, so a secret that straddles a limit is masked
/// whole before anything is cut (z4j cut first and let half a password through: research
/// §1.3, gap 2). The limits count UTF-8 bytes, and a cut keeps its text valid UTF-8 and ends
/// with a marker saying how much went (``Truncation``); a cut value, marker included, is never
/// longer than its limit.
///
/// The default limits are the research's (§5.4): 8 KiB per value as z4j's `max_value_bytes`,
/// twice that for a traceback (a Python traceback of a few frames with locals often passes
/// 8 KiB, and it is the one field people read whole), and 64 KiB for a whole event, which
/// keeps a burst of failures from filling memory and the journal.
package struct RedactionPolicy: Hashable, Sendable {
    /// The longest string in args, kwargs or a payload, and the longest error message, in
    /// UTF-8 bytes after redaction (a JSON string counts its decoded text). Default 8 KiB.
    package var maxValueBytes = 8_192
    /// The longest traceback, in UTF-8 bytes after redaction. Default 16 KiB.
    package var maxTracebackBytes = 16_384
    /// The longest event: args, kwargs, error message, traceback and payload together. When
    /// they are longer the largest are cut to fair shares (``EventBudget``). Default 64 KiB.
    package var maxEventBytes = 65_536
    /// JSON nested deeper than this is replaced by `"[REDACTED:too_deep]"` rather than walked
    /// (fail closed; z4j stops at the same depth). Default 64.
    package var maxDepth = 64
    /// Whether email addresses are masked as a value pattern (z4j masks them by default; only
    /// the address goes, not the text around it). Default true.
    package var maskEmails = true
    /// Key patterns added to the defaults (from the project's overrides).
    package var extraKeyPatterns: [String] = []
    /// Keys exempt from key redaction (from the project's overrides).
    package var allowedKeys: [String] = []

    /// Limits are at least this large: a marker must fit.
    package static let minimumLimit = 64

    /// The marker that replaces the whole value of a secret key.
    package static let keyMarker = "[REDACTED]"
    /// The marker that replaces JSON nested deeper than ``maxDepth``.
    package static let depthMarker = "[REDACTED:too_deep]"

    package init() {}

    /// This policy with a project's overrides added.
    package func applying(_ overrides: RedactionOverrides) -> RedactionPolicy {
        var policy = self
        policy.extraKeyPatterns += overrides.extraKeyPatterns
        policy.allowedKeys += overrides.allowedKeys
        return policy
    }
}
