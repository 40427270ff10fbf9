/// File helpers for other modules (the server's start-up), with ``StoreError`` messages.
public enum FileIOBridge {
    public static func makeDirectory(_ path: String) throws(StoreError) {
        try FileIO.makeDirectory(path)
    }

    /// The directory part of `path` (`"."` when it has none).
    public static func directory(of path: String) -> String {
        FileIO.directory(of: path)
    }
}
