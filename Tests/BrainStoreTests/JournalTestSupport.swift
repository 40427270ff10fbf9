import BrainStore

extension Journal {
    /// Appends `records` as the brain does: encoded into a buffer, checksums filled, one write.
    func append(_ records: [JournalRecord]) throws {
        var buffer = JournalBuffer()
        for record in records { buffer.append(record) }
        var none: [UInt8] = []
        var chunk = buffer.take(reusing: &none)
        JournalBuffer.fillChecksums(&chunk)
        try write(chunk, now: 0)
    }
}
