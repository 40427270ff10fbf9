import BrainClient
import BrainFraming
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// The cross-client conformance suite, Swift runner.
///
/// Executes every case of `conformance/cases.json` through BrainClient (AgentSession for
/// the agent side, BrainConnection for reads, watches and the raw frame) against a real
/// brain (`$BRAIN_BIN`, default `.build/debug/brain`) started in a temp dir per case, and
/// checks the golden messages of `conformance/golden/` against `WireCodec`. The C
/// (`clients/c/tests/conformance.c`) and Python (`clients/python/tests/test_conformance.py`)
/// runners do the same; a case id without an implementation here fails.
@Suite("Conformance: conformance/cases.json and golden bytes", .timeLimit(.minutes(3)))
struct ConformanceTests {
    @Test func everyCaseIsImplemented() throws {
        let missing = try Spec.caseIDs().filter { !Cases.implemented.contains($0) }
        #expect(missing.isEmpty, "cases in conformance/cases.json without a Swift implementation: \(missing)")
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: BrainProcess.binDirectory + "/brain"), "no brain binary (set BRAIN_BIN)"),
        .timeLimit(.minutes(2)), arguments: (try? Spec.caseIDs()) ?? ["(cases.json unreadable)"]
    )
    func wireCase(_ id: String) async throws {
        let spec = try Spec.load()
        let testCase = try #require(spec.cases.first { $0["id"] as? String == id }, "no case \(id) in cases.json")
        guard Cases.implemented.contains(id) else {
            Issue.record("case \(id) has no Swift implementation")
            return
        }
        let brain = try BrainProcess(arguments: ["--max-frame-bytes", String(spec.maxFrameBytes)])
        try await brain.start()
        defer { brain.stop(signal: SIGTERM) }
        do {
            try await Cases.run(id, JSONObject(testCase), brain: brain)
        } catch {
            Issue.record("case \(id) threw \(error); brain log:\n\(brain.readOutput().suffix(4_000))")
        }
    }

    @Test func goldenFilesExist() throws {
        #expect(try Golden.names().count >= 4)
    }

    @Test(arguments: (try? Golden.names()) ?? [])
    func goldenEncode(_ name: String) throws {
        let golden = try Golden.load(name)
        switch golden.message {
        case .request(let request): #expect(WireCodec.encode(request) == golden.bytes, "\(name): WireCodec's bytes differ from \(name).pb")
        case .response(let response): #expect(WireCodec.encode(response) == golden.bytes, "\(name): WireCodec's bytes differ from \(name).pb")
        }
    }

    @Test(arguments: (try? Golden.names()) ?? [])
    func goldenDecode(_ name: String) throws {
        let golden = try Golden.load(name)
        switch golden.message {
        case .request(let request):
            let decoded = try golden.bytes.withUnsafeBytes { bytes throws(BrainError) in try WireCodec.decodeRequest(bytes) }
            #expect(decoded == request)
        case .response(let response):
            let decoded = try golden.bytes.withUnsafeBytes { bytes throws(BrainError) in try WireCodec.decodeResponse(bytes) }
            #expect(decoded == response)
        }
    }
}
