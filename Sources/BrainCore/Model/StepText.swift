#if canImport(Glibc)
import Glibc
#endif

/// A step's four texts (name, input, output, error) in one immutable allocation.
///
/// Steps are the bulk of the brain's memory: one object holding the UTF-8 bytes back to
/// back costs one allocation per step instead of three or four, and no String headers.
/// Immutable, so a snapshot's copy of the state shares it safely.
public final class StepText: @unchecked Sendable {
    // @unchecked: the bytes are written once, in `make`, before the object is shared.
    private let storage: UnsafeMutableRawPointer
    /// Lengths of name, input, output, error.
    private let lengths: (UInt32, UInt32, UInt32, UInt32)

    private init(storage: UnsafeMutableRawPointer, lengths: (UInt32, UInt32, UInt32, UInt32)) {
        self.storage = storage
        self.lengths = lengths
    }

    deinit { storage.deallocate() }

    /// Copies the four byte ranges into a new object.
    public static func make(
        name: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer, output: UnsafeRawBufferPointer,
        error: UnsafeRawBufferPointer
    ) -> StepText {
        let total = name.count + input.count + output.count + error.count
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(total, 1), alignment: 1)
        var offset = 0
        func copy(_ part: UnsafeRawBufferPointer) {
            if let base = part.baseAddress, part.count > 0 { (storage + offset).copyMemory(from: base, byteCount: part.count) }
            offset += part.count
        }
        copy(name)
        copy(input)
        copy(output)
        copy(error)
        return StepText(storage: storage, lengths: (UInt32(name.count), UInt32(input.count), UInt32(output.count), UInt32(error.count)))
    }

    /// Copies four strings' UTF-8 into a new object.
    public static func make(name: String, input: String, output: String, error: String) -> StepText {
        var name = name
        var input = input
        var output = output
        var error = error
        return name.withUTF8 { n in
            input.withUTF8 { i in
                output.withUTF8 { o in
                    error.withUTF8 { e in
                        make(name: UnsafeRawBufferPointer(n), input: UnsafeRawBufferPointer(i),
                             output: UnsafeRawBufferPointer(o), error: UnsafeRawBufferPointer(e))
                    }
                }
            }
        }
    }

    public var nameRange: Range<Int> { 0..<Int(lengths.0) }
    public var inputRange: Range<Int> { nameRange.upperBound..<(nameRange.upperBound + Int(lengths.1)) }
    public var outputRange: Range<Int> { inputRange.upperBound..<(inputRange.upperBound + Int(lengths.2)) }
    public var errorRange: Range<Int> { outputRange.upperBound..<(outputRange.upperBound + Int(lengths.3)) }

    /// The bytes of one part.
    public func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + range.lowerBound, count: range.count)
    }

    func string(_ range: Range<Int>) -> String {
        range.isEmpty ? "" : String(decoding: bytes(range), as: UTF8.self)
    }

    public var name: String { string(nameRange) }
    public var input: String { string(inputRange) }
    public var output: String { string(outputRange) }
    public var error: String { string(errorRange) }

    /// Bytes held (for memory accounting).
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

extension StepText: Hashable {
    public static func == (lhs: StepText, rhs: StepText) -> Bool {
        lhs === rhs || lhs.equals(name: rhs.bytes(rhs.nameRange), input: rhs.bytes(rhs.inputRange),
                                  output: rhs.bytes(rhs.outputRange), error: rhs.bytes(rhs.errorRange))
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes: bytes(0..<byteCount))
    }
}
