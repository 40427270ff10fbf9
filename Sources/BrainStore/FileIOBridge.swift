#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File helpers for other modules (the server's start-up), with ``StoreError`` messages.
public enum FileIOBridge {
    /// Creates `path` and its missing parents with `mode` (0700 unless a group must traverse them).
    public static func makeDirectory(_ path: String, mode: UInt32 = 0o700) throws(StoreError) {
        try FileIO.makeDirectory(path, mode: mode_t(mode))
    }

    /// The directory part of `path` (`"."` when it has none).
    public static func directory(of path: String) -> String {
        FileIO.directory(of: path)
    }
}
