#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File helpers for other modules (the server's start-up), with ``StoreError`` messages.
package enum FileIOBridge {
    /// Creates `path` and its missing parents with `mode` (0700 unless a group must traverse them).
    package static func makeDirectory(_ path: String, mode: UInt32 = 0o700) throws(StoreError) {
        try FileIO.makeDirectory(path, mode: mode_t(mode))
    }

    /// The directory part of `path` (`"."` when it has none).
    package static func directory(of path: String) -> String {
        FileIO.directory(of: path)
    }
}
