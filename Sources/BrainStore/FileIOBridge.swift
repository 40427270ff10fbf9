/// Directory creation for other modules (the server's start-up), with ``StoreError`` messages.
public enum FileIOBridge {
    public static func makeDirectory(_ path: String) throws(StoreError) {
        try FileIO.makeDirectory(path)
    }
}
