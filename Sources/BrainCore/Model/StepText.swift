#if canImport(Glibc)
import Glibc
#endif
public import BrainProtocol

/// One stored step: its fixed fields and its four texts (name, input, output, error) in a
/// single immutable allocation.
///
/// Steps are the bulk of the brain's memory: one object with the UTF-8 bytes stored after
/// its header costs one allocation per step, no String headers and no separate buffers.
/// Immutable, so a snapshot's copy of the state shares it safely across threads.
public final class StepText: ManagedBuffer<StepText.Header, UInt8> {

    /// Fixed fields, ordered to pack into 40 bytes.
    public struct Header {
        var durationMs: UInt64
        var startedAt: Int64
        var receivedAt: Int64
        var seq: UInt32
        var inputLength: UInt32
        var outputLength: UInt32
        var errorLength: UInt32
        var nameLength: UInt16
        var status: UInt8
    }

    /// Copies the fields and four byte ranges into a new object.
    public static func make(
        seq: UInt32, status: StepStatus, durationMs: UInt64, startedAt: Int64, receivedAt: Int64,
        name: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer, output: UnsafeRawBufferPointer,
        error: UnsafeRawBufferPointer
    ) -> StepText {
        // A step name is at most 50 characters on the wire; longer bytes cannot arrive.
        let name = UnsafeRawBufferPointer(rebasing: name.prefix(Int(UInt16.max)))
        let total = name.count + input.count + output.count + error.count
        let buffer = create(minimumCapacity: total) { _ in
            Header(
                durationMs: durationMs, startedAt: startedAt, receivedAt: receivedAt, seq: seq,
                inputLength: UInt32(input.count), outputLength: UInt32(output.count), errorLength: UInt32(error.count),
                nameLength: UInt16(name.count), status: UInt8(truncatingIfNeeded: status.rawValue)
            )
        }
        let text = unsafeDowncast(buffer, to: StepText.self)
        text.withUnsafeMutablePointerToElements { elements in
            var offset = 0
            func copy(_ part: UnsafeRawBufferPointer) {
                if let base = part.baseAddress, part.count > 0 {
                    UnsafeMutableRawPointer(elements + offset).copyMemory(from: base, byteCount: part.count)
                }
                offset += part.count
            }
            copy(name)
            copy(input)
            copy(output)
            copy(error)
        }
        return text
    }

    /// Copies four strings' UTF-8 into a new object.
    public static func make(
        seq: UInt32, status: StepStatus, durationMs: UInt64, startedAt: Int64, receivedAt: Int64,
        name: String, input: String, output: String, error: String
    ) -> StepText {
        var name = name
        var input = input
        var output = output
        var error = error
        return name.withUTF8 { n in
            input.withUTF8 { i in
                output.withUTF8 { o in
                    error.withUTF8 { e in
                        make(
                            seq: seq, status: status, durationMs: durationMs, startedAt: startedAt, receivedAt: receivedAt,
                            name: UnsafeRawBufferPointer(n), input: UnsafeRawBufferPointer(i),
                            output: UnsafeRawBufferPointer(o), error: UnsafeRawBufferPointer(e)
                        )
                    }
                }
            }
        }
    }

    var fields: Header { header }

    public var nameRange: Range<Int> { 0..<Int(header.nameLength) }
    public var inputRange: Range<Int> { nameRange.upperBound..<(nameRange.upperBound + Int(header.inputLength)) }
    public var outputRange: Range<Int> { inputRange.upperBound..<(inputRange.upperBound + Int(header.outputLength)) }
    public var errorRange: Range<Int> { outputRange.upperBound..<(outputRange.upperBound + Int(header.errorLength)) }

    /// The bytes of one part; valid while this object lives.
    public func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        withUnsafeMutablePointerToElements { UnsafeRawBufferPointer(start: $0 + range.lowerBound, count: range.count) }
    }

    func string(_ range: Range<Int>) -> String {
        range.isEmpty ? "" : String(decoding: bytes(range), as: UTF8.self)
    }

    public var name: String { string(nameRange) }
    public var input: String { string(inputRange) }
    public var output: String { string(outputRange) }
    public var error: String { string(errorRange) }

    /// Bytes of text held (for memory accounting).
    public var byteCount: Int { errorRange.upperBound }

    /// Whether the parts equal these byte ranges.
    public func equals(
        name: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer, output: UnsafeRawBufferPointer,
        error: UnsafeRawBufferPointer
    ) -> Bool {
        Self.same(bytes(nameRange), name) && Self.same(bytes(inputRange), input) && Self.same(bytes(outputRange), output)
            && Self.same(bytes(errorRange), error)
    }

    static func same(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let x = a.baseAddress, let y = b.baseAddress else { return true }
        return memcmp(x, y, a.count) == 0
    }
}

/// Carries a ``StepText`` across threads: `ManagedBuffer` is never `Sendable`, but a
/// StepText is immutable once made, so sharing it (with a snapshot's thread) is safe.
struct SharedStepText: @unchecked Sendable {
    let text: StepText
}
