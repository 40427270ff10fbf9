public import BrainCore
import BrainProtocol

/// Applies journal records to a state, as the live brain did.
public enum JournalReplay {
    /// Remembers the last agent id read from the journal: events come from a few agents, so
    /// replay does not make a String per record.
    public struct AgentIDCache {
        private var bytes: [UInt8] = []
        private var id = ""

        public init() {}

        mutating func id(for utf8: UnsafeRawBufferPointer) -> String {
            let same = utf8.count == bytes.count && bytes.withUnsafeBytes { old in utf8.elementsEqual(old) }
            if !same {
                bytes = Array(utf8)
                id = String(decoding: utf8, as: UTF8.self)
            }
            return id
        }
    }

    /// Applies one record from its journal payload (as ``JournalReader/scan(directory:segment:isLast:visit:)``
    /// hands it over). A step event is applied in place from the payload, as the live brain
    /// applied it; anything else is decoded first. Returns false when the payload is not a
    /// record this brain knows.
    public static func apply(payload: UnsafeRawBufferPointer, to state: inout BrainState, agents: inout AgentIDCache) -> Bool {
        if let event = eventFields(payload), let parsed = StepFrameParser.parse(event.request) {
            _ = state.apply(step: parsed.step, eventSeq: parsed.eventSeq, agentID: agents.id(for: event.agent), now: event.now)
            return true
        }
        guard let record = JournalRecord.decode([UInt8](payload)[...]) else { return false }
        apply(record, to: &state)
        return true
    }

    /// An event record's fields, in place: `u8 kind | i64 now | u32 + agent id | u32 + request`
    /// (little-endian; see ``JournalRecord``). `nil` for any other record or a short one.
    static func eventFields(
        _ payload: UnsafeRawBufferPointer
    ) -> (now: Int64, agent: UnsafeRawBufferPointer, request: UnsafeRawBufferPointer)? {
        let agentAt = 13
        guard payload.count >= agentAt + 4, payload[0] == JournalRecord.Kind.event.rawValue else { return nil }
        let now = Int64(littleEndian: payload.loadUnaligned(fromByteOffset: 1, as: Int64.self))
        let agentLength = Int(UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: 9, as: UInt32.self)))
        guard payload.count - agentAt - 4 >= agentLength else { return nil }
        let requestLengthAt = agentAt + agentLength
        let requestLength = Int(UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: requestLengthAt, as: UInt32.self)))
        let requestAt = requestLengthAt + 4
        guard payload.count - requestAt >= requestLength else { return nil }
        return (
            now,
            UnsafeRawBufferPointer(rebasing: payload[agentAt..<requestLengthAt]),
            UnsafeRawBufferPointer(rebasing: payload[requestAt..<(requestAt + requestLength)])
        )
    }

    /// Applies one record. Records that no longer make sense (an event whose agent is
    /// gone) are skipped: replay never stops on the domain's own refusals, which the
    /// live brain recorded too.
    public static func apply(_ record: JournalRecord, to state: inout BrainState) {
        switch record {
        case .event(let agentID, let request, let now):
            guard let decoded = request.withUnsafeBytes({ try? WireCodec.decodeRequest($0) }),
                case .publish(let event) = decoded.method
            else { return }
            _ = state.apply(event, agentID: agentID, now: now)
        case .hello(let tokenHash, let request, let now):
            guard let decoded = request.withUnsafeBytes({ try? WireCodec.decodeRequest($0) }),
                case .hello(let hello) = decoded.method
            else { return }
            _ = state.hello(hello, tokenHash: tokenHash, now: now)
        case .createAgent(let name, let project, let tokenHash, let now):
            _ = state.createAgent(name: name, project: project, tokenHash: tokenHash, now: now)
        case .cancelRun(let runID, let reason, let now):
            _ = state.cancelRun(runID: runID, reason: reason, now: now)
        case .deleteRun(let runID, let now):
            _ = state.deleteRun(runID: runID, now: now)
        case .timeouts(let timeouts, let now):
            state.applyTimeouts(timeouts, now: now)
        case .error(let row, let now):
            state.recordError(
                phase: row.phase, runID: row.runID, project: row.project, agentName: row.agentName,
                errorType: row.errorType, message: row.message, stack: row.stack, payloadJSON: row.payloadJSON, now: now
            )
        }
    }
}
