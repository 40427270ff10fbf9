import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

// MARK: - Golden bytes

enum Golden {
    enum Message {
        case request(BrainRequest)
        case response(BrainResponse)
    }

    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Spec.directory.appendingPathComponent("golden").path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func load(_ name: String) throws -> (message: Message, bytes: [UInt8]) {
        let dir = Spec.directory.appendingPathComponent("golden")
        let description = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("\(name).json"))) as? [String: Any]
        )
        let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("\(name).pb")))
        let value = Fields(JSONObject(description).object("value").dict, path: name)
        switch description["message"] as? String {
        case "brain.v1.Request": return (.request(try request(value)), bytes)
        case "brain.v1.Response": return (.response(try response(value)), bytes)
        default: throw BrainError(.invalidArgument, "\(name): unknown message kind")
        }
    }

    /// A description's fields; reading marks them used, `done()` throws on any left unread
    /// (a field this mapping does not know would otherwise be silently dropped).
    final class Fields {
        let dict: [String: Any]
        let path: String
        private var used: Set<String> = []

        init(_ dict: [String: Any], path: String) {
            self.dict = dict
            self.path = path
        }

        func has(_ key: String) -> Bool { dict[key] != nil }
        private func raw(_ key: String) -> Any? {
            used.insert(key)
            return dict[key]
        }
        func string(_ key: String) -> String { raw(key) as? String ?? "" }
        func strings(_ key: String) -> [String] { raw(key) as? [String] ?? [] }
        func bool(_ key: String) -> Bool { (raw(key) as? NSNumber)?.boolValue ?? false }
        func u64(_ key: String) -> UInt64 {
            let v = raw(key)
            return (v as? String).flatMap { UInt64($0) } ?? (v as? NSNumber)?.uint64Value ?? 0
        }
        func i64(_ key: String) -> Int64 {
            let v = raw(key)
            return (v as? String).flatMap { Int64($0) } ?? (v as? NSNumber)?.int64Value ?? 0
        }
        func u32(_ key: String) -> UInt32 { UInt32(truncatingIfNeeded: u64(key)) }
        func object(_ key: String) -> Fields? {
            (raw(key) as? [String: Any]).map { Fields($0, path: "\(path).\(key)") }
        }
        func objects(_ key: String) -> [Fields] {
            (raw(key) as? [[String: Any]] ?? []).enumerated().map { Fields($1, path: "\(path).\(key)[\($0)]") }
        }
        func done() throws {
            let unknown = Set(dict.keys).subtracting(used)
            if !unknown.isEmpty { throw BrainError(.invalidArgument, "\(path): fields not mapped here: \(unknown.sorted())") }
        }
    }

    static func request(_ f: Fields) throws -> BrainRequest {
        let callID = f.u64("call_id")
        let method: BrainRequest.Method
        if let h = f.object("hello") {
            method = .hello(
                Hello(
                    agentName: h.string("agent_name"), project: h.string("project"), token: h.string("token"),
                    protocolVersion: h.u32("protocol_version"), frameworkAdapter: h.string("framework_adapter"),
                    engineAdapters: h.strings("engine_adapters"), schedulerAdapters: h.strings("scheduler_adapters"),
                    capabilitiesJSON: h.string("capabilities_json"), metadataJSON: h.string("metadata_json")
                ))
            try h.done()
        } else if let p = f.object("publish") {
            method = .publish(try agentEvent(p))
        } else {
            throw BrainError(.invalidArgument, "\(f.path): no method this mapping knows")
        }
        try f.done()
        return BrainRequest(callID: callID, method: method)
    }

    static func agentEvent(_ f: Fields) throws -> AgentEvent {
        let seq = f.u64("seq")
        let kind: AgentEvent.Kind
        if let s = f.object("step") {
            var step = StepReported(runID: s.string("run_id"), seq: s.u32("seq"), stepName: s.string("step_name"))
            step.status = try s.has("status") ? stepStatus(named: s.string("status")) : .unspecified
            step.inputJSON = s.string("input_json")
            step.outputJSON = s.string("output_json")
            step.error = s.string("error")
            step.durationMs = s.u64("duration_ms")
            step.startedAt = s.i64("started_at")
            try s.done()
            kind = .step(step)
        } else if let r = f.object("run_created") {
            var created = RunCreated(runID: r.string("run_id"), goal: r.string("goal"))
            created.targetURL = r.string("target_url")
            created.initiatedBy = r.string("initiated_by")
            created.runType = r.string("run_type")
            created.workflowJSON = r.string("workflow_json")
            created.inputJSON = r.string("input_json")
            created.metadataJSON = r.string("metadata_json")
            created.parentRunID = r.string("parent_run_id")
            created.timeoutMs = r.u64("timeout_ms")
            created.initialStatus = try r.has("initial_status") ? runStatus(named: r.string("initial_status")) : .unspecified
            created.createdAt = r.i64("created_at")
            try r.done()
            kind = .runCreated(created)
        } else {
            throw BrainError(.invalidArgument, "\(f.path): no event this mapping knows")
        }
        try f.done()
        return AgentEvent(seq: seq, kind: kind)
    }

    static func response(_ f: Fields) throws -> BrainResponse {
        var response = BrainResponse(callID: f.u64("call_id"), endOfStream: f.bool("end_of_stream"))
        if let s = f.object("status") {
            response.error = BrainError(try statusCode(named: s.string("code")), s.string("message"))
            try s.done()
        }
        if let r = f.object("rejected") {
            response.result = .rejected(seq: r.u64("seq"))
            try r.done()
        } else if let a = f.object("ack") {
            response.result = .ack(ackedSeq: a.u64("acked_seq"))
            try a.done()
        } else if let d = f.object("run") {
            var detail = RunDetail(childRunIDs: d.strings("child_run_ids"))
            if let r = d.object("run") { detail.run = try runInfo(r) }
            detail.steps = try d.objects("steps").map(stepInfo)
            try d.done()
            response.result = .run(detail)
        }
        try f.done()
        return response
    }

    static func runInfo(_ f: Fields) throws -> RunInfo {
        var run = RunInfo()
        run.runID = f.string("run_id")
        run.agentID = f.string("agent_id")
        run.agentName = f.string("agent_name")
        run.project = f.string("project")
        run.status = try f.has("status") ? runStatus(named: f.string("status")) : .unspecified
        run.goal = f.string("goal")
        run.targetURL = f.string("target_url")
        run.initiatedBy = f.string("initiated_by")
        run.runType = f.string("run_type")
        run.workflowJSON = f.string("workflow_json")
        run.inputJSON = f.string("input_json")
        run.metadataJSON = f.string("metadata_json")
        run.parentRunID = f.string("parent_run_id")
        run.timeoutMs = f.u64("timeout_ms")
        run.stepCount = f.u32("step_count")
        run.resultJSON = f.string("result_json")
        run.errorType = f.string("error_type")
        run.errorMessage = f.string("error_message")
        run.failedAtStep = f.u32("failed_at_step")
        run.errorContextJSON = f.string("error_context_json")
        run.createdAt = f.i64("created_at")
        run.updatedAt = f.i64("updated_at")
        run.completedAt = f.i64("completed_at")
        run.deletedAt = f.i64("deleted_at")
        try f.done()
        return run
    }

    static func stepInfo(_ f: Fields) throws -> StepInfo {
        var step = StepInfo()
        step.runID = f.string("run_id")
        step.seq = f.u32("seq")
        step.stepName = f.string("step_name")
        step.status = try f.has("status") ? stepStatus(named: f.string("status")) : .unspecified
        step.inputJSON = f.string("input_json")
        step.outputJSON = f.string("output_json")
        step.error = f.string("error")
        step.durationMs = f.u64("duration_ms")
        step.startedAt = f.i64("started_at")
        step.receivedAt = f.i64("received_at")
        try f.done()
        return step
    }
}
