import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// Full disks and snapshots under load, on a real daemon.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct PersistenceFaultTests {
    /// A small tmpfs as the data directory; `nil` when this machine cannot mount one.
    static func mountSmallDisk(at path: String, kilobytes: Int) -> Bool {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/mount")
        process.arguments = ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitWithoutSpinning()
        return process.terminationStatus == 0
    }

    static func unmount(_ path: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = [path]
        try? process.run()
        process.waitWithoutSpinning()
    }

    @Test func aFullDiskStopsAcksWithUnavailableAndWritingResumesWhenSpaceReturns() async throws {
        let brain = try BrainProcess(arguments: ["--snapshot-interval", "0", "--snapshot-after-changes", "0"])
        guard Self.mountSmallDisk(at: brain.dataDirectory, kilobytes: 512) else {
            print("skipping the ENOSPC test: this machine cannot mount a tmpfs (needs root)")
            return
        }
        defer { Self.unmount(brain.dataDirectory) }
        try await brain.start()
        // Fill the disk, leaving a little room for the journal.
        let filler = "\(brain.dataDirectory)/filler"
        _ = FileManager.default.createFile(atPath: filler, contents: Data(count: 480 * 1024))

        let connection = try await brain.connect()
        let unsolicited = ConnectionSignal()
        connection.onUnsolicited({ unsolicited.record($0) }, onClose: { _ in unsolicited.close() })
        guard case .welcome = try await connection.call(.hello(Hello(agentName: "full", token: "t"))) else {
            Issue.record("no welcome")
            return
        }
        var created = RunCreated(runID: "00000000-0000-4000-8000-00000000f011", goal: "fill")
        created.initialStatus = .running
        connection.send([.publish(AgentEvent(seq: 1, kind: .runCreated(created)))])
        var seq: UInt64 = 1
        let big = "{\"blob\":\"" + String(repeating: "z", count: 4_000) + "\"}"
        for index in 1...40 {
            seq += 1
            var step = StepReported(runID: created.runID, seq: UInt32(index), stepName: "s", status: .ok)
            step.outputJSON = big
            connection.send([.publish(AgentEvent(seq: seq, kind: .step(step)))])
        }
        let refused = try await eventually(5) {
            unsolicited.responses.contains { $0.error?.code == .unavailable }
        }
        #expect(refused, "a journal write on a full disk answers UNAVAILABLE")
        let unavailable = unsolicited.responses.first { $0.error?.code == .unavailable }
        #expect(unavailable?.error?.message.contains("journal write failed") == true)
        let lastAckBefore = unsolicited.responses.compactMap { response -> UInt64? in
            if case .ack(let seq) = response.result { return seq }
            return nil
        }.max() ?? 0
        #expect(lastAckBefore < seq, "acks stop while the journal cannot be written")

        let status = try #require(try brain.brainctlJSON(["status"]) as? [String: Any])
        #expect((status["persistence_fault"] as? String)?.contains("journal") == true)
        // A snapshot on the full disk fails, keeps serving, and is recorded.
        let (snapshotStatus, _, snapshotError) = try brain.brainctl(["snapshot"])
        #expect(snapshotStatus == 1)
        #expect(snapshotError.contains("UNAVAILABLE"))

        // Space comes back: the held events are written and acknowledged.
        try FileManager.default.removeItem(atPath: filler)
        let acked = try await eventually(5) {
            unsolicited.responses.contains { if case .ack(let acked) = $0.result { return acked == seq } else { return false } }
        }
        #expect(acked, "every event is acknowledged once the journal can be written again")
        #expect(try brain.brainctl(["snapshot"]).0 == 0, "a snapshot works again and clears the fault")
        let healed = try #require(try brain.brainctlJSON(["status"]) as? [String: Any])
        #expect(healed["persistence_fault"] is NSNull)
        let errors = try brain.brainctlItems(["errors", "--phase", "snapshot"])
        #expect(!errors.isEmpty, "the failed snapshot is in the persistence-error sink")
        await connection.close()
        brain.stop()
    }

    @Test func aSnapshotTakenDuringIngestionIsConsistentAndDoesNotStopIt() async throws {
        let brain = try BrainProcess(arguments: ["--snapshot-interval", "0", "--snapshot-after-changes", "0"])
        try await brain.start()
        let session = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "steady", token: "t")))
        try await session.start()
        // Produces until the snapshots are done, so every snapshot overlaps ingestion.
        let producer = Task {
            var index = 0
            while !Task.isCancelled {
                _ = try await session.publish(CrashRecoveryTests.events(ofRun: index))
                index += 1
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        try await Task.sleep(for: .milliseconds(80))
        let ackedAtFirstSnapshot = await session.ackedSeq
        for _ in 0..<5 {
            #expect(try brain.brainctl(["snapshot"]).0 == 0)
            // The snapshot is a state that existed: the agent's last seq counts exactly the
            // events whose effects it holds (one agent, no refusals).
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(brain.dataDirectory)/snapshot.json"))
            let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let state = try #require(document["state"] as? [String: Any])
            let runs = try #require(state["runs"] as? [[String: Any]])
            let agent = try #require((state["agents"] as? [[String: Any]])?.first)
            var events = 0
            for run in runs {
                let steps = try #require(run["steps"] as? [[String: Any]])
                events += 1 + steps.count + (run["status"] as? String == "completed" ? 1 : 0)
            }
            #expect(agent["last_seq"] as? Int == events)
            try await Task.sleep(for: .milliseconds(80))
        }
        let ackedDuringSnapshots = await session.ackedSeq - ackedAtFirstSnapshot
        producer.cancel()
        try await producer.value
        try await session.flush()
        // A small state snapshots in milliseconds, so this is checked over the whole
        // stretch of five snapshots rather than inside one.
        #expect(ackedDuringSnapshots > 0, "ingestion went on while snapshots were taken")
        await session.close()
        brain.stop()
    }
}
