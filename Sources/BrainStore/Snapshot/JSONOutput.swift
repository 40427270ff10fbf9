#if canImport(Glibc)
    import Glibc
#endif

/// A byte buffer that JSON is written into and that drains to a file as it fills, so a
/// snapshot of any size is written in bounded memory.
struct JSONOutput {
    private(set) var buffer: [UInt8] = []
    private let fd: Int32?
    private let path: String
    // 1 MiB: with direct I/O each chunk occupies the disk while journal writes (and acks)
    // wait behind it; 4 MiB chunks showed in the ack latency during snapshots.
    private let drainAt = 1 << 20
    private(set) var written = 0
    var failure: StoreError?

    /// Direct I/O where the file system has it: a snapshot of hundreds of megabytes then
    /// costs no page-cache copies (see ``DirectAppender``).
    private let appender: DirectAppender?
    /// The calls chunks are written and fsynced with (tests inject failures).
    private let files: FileCalls

    /// Called after each chunk reaches the file, with its size (the brain paces snapshots
    /// there while agents stream).
    private let afterChunk: ((Int) -> Void)?

    /// Writes to `fd`, a new empty file (or only collects, when `nil`), with direct I/O
    /// where the file system has it unless `directIO` is false.
    init(fd: Int32?, path: String, directIO: Bool = true, files: FileCalls = .system, afterChunk: ((Int) -> Void)? = nil) {
        self.fd = fd
        self.path = path
        self.afterChunk = afterChunk
        self.files = files
        self.appender = directIO ? fd.flatMap { DirectAppender(fd: $0, length: 0, files: files) } : nil
        buffer.reserveCapacity(drainAt + 65_536)
    }

    /// Drains what is left and cuts the zero padding of the last direct-I/O block.
    mutating func finish() {
        drain()
        if let fd, appender != nil, failure == nil, files.ftruncate(fd, written) != 0 {
            failure = StoreError(path: path, problem: "cannot truncate: \(FileIO.errnoText())")
        }
    }

    mutating func drainIfFull() {
        if buffer.count >= drainAt { drain() }
    }

    mutating func drain() {
        guard let fd, failure == nil, !buffer.isEmpty else { return }
        if let appender {
            if let problem = buffer.withUnsafeBytes({ appender.append($0, fd: fd) }) {
                failure = StoreError(path: path, problem: problem)
            }
        } else {
            do throws(StoreError) {
                try FileIO.writeAll(fd, buffer, path: path, files: files)
            } catch {
                failure = error
            }
            // Flush each chunk as it is written: left to the kernel, hundreds of megabytes of
            // dirty pages reach the disk at once and every journal fsync queues behind them.
            if failure == nil, files.fdatasync(fd) != 0 {
                failure = StoreError(path: path, problem: "cannot fsync: \(FileIO.errnoText())")
            }
        }
        written += buffer.count
        afterChunk?(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    @inline(__always) mutating func byte(_ value: UInt8) { buffer.append(value) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    mutating func raw(_ bytes: UnsafeRawBufferPointer) { buffer.append(contentsOf: bytes) }

    /// Decimal digits without making a String (a million steps carry seven numbers each).
    mutating func integer<T: BinaryInteger>(_ value: T) {
        if value < 0 { buffer.append(0x2D) }
        // The magnitude, unsigned: Int64.min's does not fit in Int64.
        digits(UInt64(value.magnitude))
    }

    private mutating func digits(_ value: UInt64) {
        if value < 10 {
            buffer.append(0x30 &+ UInt8(value))
            return
        }
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &scratch) { raw in
            while rest > 0 {
                raw[23 - count] = 0x30 &+ UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[(24 - count)...]))
        }
    }

    /// A JSON string literal of `value`.
    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { string(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// A JSON string literal of UTF-8 `bytes`.
    mutating func string(bytes: UnsafeRawBufferPointer) {
        buffer.append(0x22)
        var start = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte == 0x22 || byte == 0x5C || byte < 0x20 else { continue }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            switch byte {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            default:
                raw("\\u00")
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                buffer.append(hex[Int(byte >> 4)])
                buffer.append(hex[Int(byte & 0xF)])
            }
            start = index + 1
        }
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<bytes.count]))
        buffer.append(0x22)
    }

    /// `,"key":` (or without the comma for the first field of an object).
    mutating func key(_ name: StaticString, first: Bool = false) {
        if !first { buffer.append(0x2C) }
        buffer.append(0x22)
        raw(name)
        buffer.append(0x22)
        buffer.append(0x3A)
    }

    mutating func field(_ name: StaticString, _ value: String, first: Bool = false) {
        key(name, first: first)
        string(value)
    }

    mutating func field<T: BinaryInteger>(_ name: StaticString, _ value: T, first: Bool = false) {
        key(name, first: first)
        integer(value)
    }

    /// A JSON text held by the brain (validated on the way in), embedded as is; omitted when unset.
    mutating func embedded(_ name: StaticString, _ text: String) {
        guard !text.isEmpty else { return }
        key(name)
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    mutating func embedded(_ name: StaticString, bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        key(name)
        buffer.append(contentsOf: bytes)
    }

    mutating func strings(_ name: StaticString, _ values: [String], first: Bool = false) {
        key(name, first: first)
        buffer.append(0x5B)
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(0x2C) }
            string(value)
        }
        buffer.append(0x5D)
    }
}
