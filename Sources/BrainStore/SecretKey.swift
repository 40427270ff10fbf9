import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The brain's secret: the key of the HMAC-SHA256 under which agent tokens are stored.
///
/// Created once in the data directory (mode 0600) and kept, so tokens stay valid across
/// restarts. Without it the stored hashes cannot be checked: it is never replaced silently.
package struct SecretKey: Sendable {
    package static let fileName = "secret.key"
    /// Raw key bytes; `SymmetricKey` is not `Sendable`, so it is rebuilt per use.
    let keyBytes: [UInt8]

    /// Loads the key from `directory`, creating it on first start.
    package static func loadOrCreate(in directory: String) throws(StoreError) -> SecretKey {
        let path = "\(directory)/\(fileName)"
        if let bytes = try FileIO.read(path) {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let raw = hexBytes(text), raw.count == 32 else {
                throw StoreError(
                    path: path,
                    problem:
                        "is not a 64-digit hex key; restore it from a backup (agents' tokens depend on it) or move it away to start with a new key and new tokens"
                )
            }
            return SecretKey(bytes: raw)
        }
        let raw = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let hex = raw.map { String(format: "%02x", $0) }.joined()
        try FileIO.makeDirectory(directory)
        try FileIO.writeAtomically(path, Array((hex + "\n").utf8), mode: 0o600)
        return SecretKey(bytes: raw)
    }

    /// A key for tests.
    package init(bytes: [UInt8]) { keyBytes = bytes }

    /// The hex HMAC-SHA256 of `token`.
    package func hash(token: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(token.utf8), using: SymmetricKey(data: keyBytes))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// A new random token for `brainctl agent create`.
    package static func newToken() -> String {
        let key = SymmetricKey(size: .bits256)
        return "brn_" + key.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 97...102: digit - 87
        case 65...70: digit - 55
        default: nil
        }
    }
}
