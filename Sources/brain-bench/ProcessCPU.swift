#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// CPU time of processes, from `/proc` (Linux) and `getrusage`.
enum ProcessCPU {
    /// User + system CPU seconds of `pid` (all its threads), or nil when it cannot be read.
    static func seconds(pid: Int32) -> Double? {
        guard let text = readText("/proc/\(pid)/stat") else { return nil }
        // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ticks > 0 ? (user + system) / ticks : nil
    }

    /// User + system CPU seconds of this process.
    static func ownSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    /// The pid of a `brain serve` whose command line names `socketPath`, or nil.
    static func findBrain(socketPath: String) -> Int32? {
        guard let directory = opendir("/proc") else { return nil }
        defer { closedir(directory) }
        let wanted = Set([socketPath, resolved(socketPath)].compactMap { $0 })
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = Int32(name), pid != getpid(), let command = readBytes("/proc/\(pid)/cmdline") else { continue }
            let arguments = command.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard let program = arguments.first, program.split(separator: "/").last == "brain", arguments.contains("serve") else { continue }
            for (index, argument) in arguments.enumerated() {
                var value: String?
                if argument == "--socket", index + 1 < arguments.count { value = arguments[index + 1] }
                if argument.hasPrefix("--socket=") { value = String(argument.dropFirst("--socket=".count)) }
                guard let value else { continue }
                if wanted.contains(value) || resolved(value).map(wanted.contains) == true { return pid }
            }
        }
        return nil
    }

    private static func resolved(_ path: String) -> String? {
        // The socket itself may not resolve through realpath on every system; its directory does.
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let file = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let real = realpath(directory.isEmpty ? "/" : directory, nil) else { return nil }
        defer { free(real) }
        let base = String(cString: real)
        return (base == "/" ? "" : base) + "/" + file
    }

    private static func readText(_ path: String) -> String? {
        readBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Small /proc files report size 0, so read until EOF.
    private static func readBytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress, raw.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            out.append(contentsOf: chunk[0..<count])
        }
        return out
    }
}
