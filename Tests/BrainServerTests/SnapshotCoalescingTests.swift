import BrainProtocol
import Foundation
import Testing

@testable import BrainServer

/// Snapshot coalescing seen through the whole server: Snapshot calls that come while one is
/// being written are all answered by one more snapshot, taken after they came.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct SnapshotCoalescingTests {
    @Test func snapshotsAskedForDuringOneInFlightShareExactlyOneMore() async throws {
        let disk = ControlledFiles()
        let (server, directory) = try await ServerDurabilityTests.start(disk)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let client = try ServerDurabilityTests.agent(server)

        // The first snapshot stops at its last step, the rename that makes it the latest.
        disk.holdRenames(endingWith: "/snapshot.json")
        try client.send([BrainRequest(callID: 10, method: .snapshot)])
        #expect(disk.waitForHeldRename(), "the first snapshot is being written")
        // An event the first snapshot's copy does not hold, then three more requests.
        try client.send([BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 2, kind: ServerDurabilityTests.step(1))))])
        #expect(try client.read(until: { _ in client.ackedSeq == 2 }), "ingestion goes on during a snapshot")
        try client.send((11...13).map { BrainRequest(callID: $0, method: .snapshot) })
        // Answered after the loop handled the three: none of them is answered yet.
        _ = try client.call(14, .getStatus)
        #expect(!client.received.contains { (10...13).contains($0.callID) }, "no answer while the first snapshot is in flight")

        disk.release()
        #expect(try client.read(until: { responses in (10...13).allSatisfy { id in responses.contains { $0.callID == id } } }))
        var replies: [UInt64: SnapshotReply] = [:]
        for response in client.received where (10...13).contains(response.callID) {
            #expect(response.error == nil, "\(String(describing: response.error))")
            if case .snapshot(let reply) = response.result { replies[response.callID] = reply }
        }
        let first = try #require(replies[10])
        let later = (11...13).compactMap { replies[$0] }
        #expect(later.count == 3)
        #expect(Set(later.map(\.writtenAt)).count == 1, "the three share one snapshot")
        #expect(later.allSatisfy { $0.writtenAt > first.writtenAt }, "taken after they came")
        #expect(disk.renames(endingWith: "/snapshot.json") == 2, "exactly one more snapshot")
        try await server.shutdown()
        #expect(disk.renames(endingWith: "/snapshot.json") == 3, "and the final one at the stop")
    }
}
