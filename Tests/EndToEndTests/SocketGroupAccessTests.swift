import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// `--socket-group-access` lets a member of the owner's group connect: the socket is 0660
/// and the directories the brain creates for it are group-traversable. Proven with a
/// second uid (nobody) that shares only the brain's group, which needs root to arrange.
@Suite(.serialized, .timeLimit(.minutes(2)), .enabled(if: getuid() == 0, "needs root to run a client as a second uid"))
struct SocketGroupAccessTests {
    /// Connects to `socket` as uid/gid 65534 with the brain's group as its only extra
    /// group; returns the client's exit status and what it printed.
    static func connectAsGroupMember(_ socket: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=65534", "--regid=65534", "--groups=\(getgid())", "--",
            "/usr/bin/python3", "-c",
            "import socket, sys\ns = socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\nprint('connected')",
            socket,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitWithoutSpinning()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// A directory everyone may traverse, as /tmp's own children are not (mkdtemp makes 0700).
    static func openDirectory(_ brain: BrainProcess) throws -> String {
        let root = "\(brain.directory)/shared"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        chmod(brain.directory, 0o755)
        return root
    }

    @Test("a group member connects through directories the brain created")
    func groupMemberConnects() async throws {
        let brain = try BrainProcess()
        let socket = "\(try Self.openDirectory(brain))/made/by/brain/b.sock"
        brain.socketPath = socket
        try await brain.start(arguments: ["--socket-group-access"])
        defer { brain.stop() }
        let (status, output) = try Self.connectAsGroupMember(socket)
        #expect(status == 0, "a member of the brain's group could not connect: \(output)")
        #expect(output.contains("connected"))
        var info = stat()
        #expect(stat("\(brain.directory)/shared/made/by/brain", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o710, "the socket's directory is group-traversable, nothing more")
    }

    @Test("without the flag the same group member is refused")
    func withoutTheFlagTheGroupIsRefused() async throws {
        let brain = try BrainProcess()
        let socket = "\(try Self.openDirectory(brain))/made/b.sock"
        brain.socketPath = socket
        try await brain.start()
        defer { brain.stop() }
        let (status, output) = try Self.connectAsGroupMember(socket)
        #expect(status != 0, "connected without --socket-group-access: \(output)")
        #expect(output.contains("Permission denied"), "\(output)")
    }

    @Test("an existing directory that blocks the group is reported with the fix")
    func blockingDirectoryIsReported() async throws {
        let brain = try BrainProcess()
        let blocked = "\(try Self.openDirectory(brain))/private"
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        brain.socketPath = "\(blocked)/b.sock"
        try await brain.start(arguments: ["--socket-group-access"])
        defer { brain.stop() }
        let log = brain.readOutput()
        #expect(log.contains("chmod g+x \(blocked)"), "\(log)")
        let (status, _) = try Self.connectAsGroupMember("\(blocked)/b.sock")
        #expect(status != 0, "the warning is true: the group really cannot connect")
    }
}
