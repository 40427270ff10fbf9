internal import CBrainWire

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Owns the C memory of one message tree while it is packed.
///
/// protobuf-c's structs point at strings and sub-messages that must outlive `pack`, so
/// every allocation made while building a tree is recorded here and freed together.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    init() {}

    deinit {
        for pointer in allocations { free(pointer) }
    }

    /// A NUL-terminated copy of `string`, or `nil` for "" (protobuf-c skips both alike).
    func string(_ string: String) -> UnsafeMutablePointer<CChar>? {
        if string.isEmpty { return nil }
        guard let copy = strdup(string) else { fatalError("out of memory") }
        allocations.append(UnsafeMutableRawPointer(copy))
        return copy
    }

    /// An array of C strings.
    func strings(_ strings: [String]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        if strings.isEmpty { return (0, nil) }
        let array: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = self.array(strings.count)
        for (index, element) in strings.enumerated() {
            // protobuf-c packs repeated strings unconditionally, so "" must be a real pointer.
            guard let copy = strdup(element) else { fatalError("out of memory") }
            allocations.append(UnsafeMutableRawPointer(copy))
            array[index] = copy
        }
        return (strings.count, array)
    }

    /// Uninitialised storage for `count` values of `T`, zero-filled.
    func array<T>(_ count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(1, count) * MemoryLayout<T>.stride
        guard let raw = calloc(1, bytes) else { fatalError("out of memory") }
        allocations.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }

    /// A message allocated here and initialised with its generated `_init` function.
    func message<T>(_ initialise: (UnsafeMutablePointer<T>) -> Void) -> UnsafeMutablePointer<T> {
        let pointer: UnsafeMutablePointer<T> = array(1)
        initialise(pointer)
        return pointer
    }
}

/// A Swift string from a protobuf-c string field (never NULL after unpack, but be safe).
@inline(__always)
func swiftString(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    return String(cString: pointer)
}

/// The bytes of a protobuf-c string field, in place (valid while the message lives).
@inline(__always)
func rawBytes(_ pointer: UnsafeMutablePointer<CChar>?) -> UnsafeRawBufferPointer {
    guard let pointer else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
}

/// Swift strings from a repeated protobuf-c string field.
func swiftStrings(_ count: Int, _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
    guard let pointer, count > 0 else { return [] }
    return (0..<count).map { swiftString(pointer[$0]) }
}

/// The messages of a repeated message field, converted.
func swiftMessages<C, S>(
    _ count: Int, _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<C>?>?, _ convert: (C) -> S
) -> [S] {
    guard let pointer, count > 0 else { return [] }
    var result: [S] = []
    result.reserveCapacity(count)
    for index in 0..<count {
        if let element = pointer[index] { result.append(convert(element.pointee)) }
    }
    return result
}

extension CArena {
    /// A C array of pointers to messages built from `values`.
    func messages<C, S>(
        _ values: [S], _ build: (S, CArena) -> UnsafeMutablePointer<C>
    ) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<C>?>?) {
        if values.isEmpty { return (0, nil) }
        let array: UnsafeMutablePointer<UnsafeMutablePointer<C>?> = self.array(values.count)
        for (index, value) in values.enumerated() { array[index] = build(value, self) }
        return (values.count, array)
    }
}
