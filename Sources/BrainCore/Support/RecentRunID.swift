/// The run the previous in-place step went to, remembered by its id's exact 36 bytes.
///
/// Agents send a run's steps back to back, so most steps find their run here with five
/// word compares, skipping the UUID parse and the hash lookup. Run keys are positions in
/// the run list, which only a retention sweep renumbers (and it resets this cache).
struct RecentRunID: Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt32) = (0, 0, 0, 0, 0)
    private var key = -1

    /// The key remembered for exactly these bytes, if any.
    func key(for runID: UnsafeRawBufferPointer) -> Int? {
        guard key >= 0, runID.count == 36 else { return nil }
        return Self.words(runID) == words ? key : nil
    }

    mutating func remember(_ runID: UnsafeRawBufferPointer, key: Int) {
        guard runID.count == 36 else { return }
        words = Self.words(runID)
        self.key = key
    }

    private static func words(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64, UInt64, UInt32) {
        (
            bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 32, as: UInt32.self)
        )
    }
}
