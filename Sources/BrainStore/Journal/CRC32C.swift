import CBrainCRC32C

/// CRC-32C (Castagnoli), the checksum of each journal record: it catches torn and
/// flipped bytes, and is what ext4, iSCSI and many logs use.
package enum CRC32C {
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        cbrain_crc32c(0, bytes.baseAddress, bytes.count)
    }

    package static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
