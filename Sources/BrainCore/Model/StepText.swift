import BrainProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// One stored step: its fields and its four texts (name, input, output, error) in a
/// single immutable allocation.
///
/// Steps are the bulk of the brain's memory: one object with the UTF-8 bytes stored after
/// its header costs one allocation per step, no String headers and no separate buffers.
/// The fixed header holds what every step has at full width (times, seq, status); the
/// duration and the four text lengths, usually one or two bytes each, are varints in
/// front of the texts (43 bytes of header became 22 plus about 7: 16 bytes less per step
/// after malloc's rounding, on average).
/// Immutable, so a snapshot's copy of the state shares it safely across threads.
package final class StepText: ManagedBuffer<StepText.Header, UInt8> {

    /// The fields stored at full width.
    package struct Header {
        var startedAt: Int64
        var receivedAt: Int64
        var seq: UInt32
        var status: UInt8
        /// Bytes of varints (duration, four lengths) before the texts.
        var textStart: UInt8
    }

    /// Where the variable parts are, decoded from the varints in front of the texts.
    struct Layout {
        var durationMs: UInt64
        var name: Range<Int>
        var input: Range<Int>
        var output: Range<Int>
        var error: Range<Int>
    }

    /// Copies the fields and four byte ranges into a new object.
    package static func make(
        seq: UInt32, status: StepStatus, durationMs: UInt64, startedAt: Int64, receivedAt: Int64,
        name: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer, output: UnsafeRawBufferPointer,
        error: UnsafeRawBufferPointer
    ) -> StepText {
        // A step name is at most 50 characters on the wire; longer bytes cannot arrive.
        let name = UnsafeRawBufferPointer(rebasing: name.prefix(Int(UInt16.max)))
        // A tuple, not an array: no allocation besides the step's own.
        let varints = (durationMs, UInt64(name.count), UInt64(input.count), UInt64(output.count), UInt64(error.count))
        let prefix =
            Varint.size(varints.0) + Varint.size(varints.1) + Varint.size(varints.2) + Varint.size(varints.3)
            + Varint.size(varints.4)
        let total = prefix + name.count + input.count + output.count + error.count
        let buffer = create(minimumCapacity: total) { _ in
            Header(
                startedAt: startedAt, receivedAt: receivedAt, seq: seq, status: UInt8(truncatingIfNeeded: status.rawValue),
                textStart: UInt8(prefix)
            )
        }
        let text = unsafeDowncast(buffer, to: StepText.self)
        text.withUnsafeMutablePointerToElements { elements in
            var offset = 0
            func put(_ value: UInt64) {
                offset += Varint.write(value, to: elements + offset)
            }
            put(varints.0)
            put(varints.1)
            put(varints.2)
            put(varints.3)
            put(varints.4)
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

    var layout: Layout {
        withUnsafeMutablePointers { header, elements in
            var offset = 0
            func next() -> UInt64 {
                var value: UInt64 = 0
                var shift: UInt64 = 0
                while true {
                    let byte = elements[offset]
                    offset += 1
                    value |= UInt64(byte & 0x7F) << shift
                    if byte < 0x80 { return value }
                    shift += 7
                }
            }
            let duration = next()
            let lengths = (Int(next()), Int(next()), Int(next()), Int(next()))
            let start = Int(header.pointee.textStart)
            let name = start..<(start + lengths.0)
            let input = name.upperBound..<(name.upperBound + lengths.1)
            let output = input.upperBound..<(input.upperBound + lengths.2)
            let error = output.upperBound..<(output.upperBound + lengths.3)
            return Layout(durationMs: duration, name: name, input: input, output: output, error: error)
        }
    }

    /// Copies four strings' UTF-8 into a new object.
    package static func make(
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

    package var seq: UInt32 { header.seq }
    var statusRaw: UInt8 { header.status }
    package var durationMs: UInt64 { layout.durationMs }
    package var startedAt: Int64 { header.startedAt }
    package var receivedAt: Int64 { header.receivedAt }

    /// The four texts and the duration from one reading of the varints in front of them
    /// (reading each part on its own would decode them all again).
    package struct Parts {
        package let name: UnsafeRawBufferPointer
        package let input: UnsafeRawBufferPointer
        package let output: UnsafeRawBufferPointer
        package let error: UnsafeRawBufferPointer
        package let durationMs: UInt64
    }

    /// The texts' bytes, valid while this object lives.
    package var parts: Parts {
        let layout = self.layout
        return Parts(
            name: bytes(layout.name), input: bytes(layout.input), output: bytes(layout.output), error: bytes(layout.error),
            durationMs: layout.durationMs
        )
    }

    /// The bytes of one part; valid while this object lives.
    package func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        withUnsafeMutablePointerToElements { UnsafeRawBufferPointer(start: $0 + range.lowerBound, count: range.count) }
    }

    func string(_ range: Range<Int>) -> String {
        range.isEmpty ? "" : String(decoding: bytes(range), as: UTF8.self)
    }

    package var name: String { string(layout.name) }
    package var input: String { string(layout.input) }
    package var output: String { string(layout.output) }
    package var error: String { string(layout.error) }

    /// Bytes of text held (for memory accounting).
    package var byteCount: Int {
        let layout = self.layout
        return layout.error.upperBound - layout.name.lowerBound
    }

    /// Whether `other` holds the same four texts.
    package func hasSameTexts(as other: StepText) -> Bool {
        let mine = parts
        let theirs = other.parts
        return Self.same(mine.name, theirs.name) && Self.same(mine.input, theirs.input)
            && Self.same(mine.output, theirs.output) && Self.same(mine.error, theirs.error)
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
