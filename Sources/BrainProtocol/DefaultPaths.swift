#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a brain listens and keeps its data unless told otherwise; shared by the daemon
/// and its clients so both agree without configuration.
public enum DefaultPaths {
    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    /// `$BRAIN_SOCKET`, else `$XDG_RUNTIME_DIR/brain/brain.sock`, else `/tmp/brain-<uid>/brain.sock`.
    public static var socket: String {
        if let explicit = environment("BRAIN_SOCKET") { return explicit }
        if let runtime = environment("XDG_RUNTIME_DIR") { return "\(runtime)/brain/brain.sock" }
        return "/tmp/brain-\(getuid())/brain.sock"
    }

    /// `$BRAIN_DATA_DIR`, else `$XDG_STATE_HOME/brain`, else `~/.local/state/brain`.
    public static var dataDirectory: String {
        if let explicit = environment("BRAIN_DATA_DIR") { return explicit }
        if let state = environment("XDG_STATE_HOME") { return "\(state)/brain" }
        let home = environment("HOME") ?? "/tmp"
        return "\(home)/.local/state/brain"
    }
}
