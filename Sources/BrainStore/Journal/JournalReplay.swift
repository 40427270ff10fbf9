import BrainCore

/// Applies journal records to a state through ``BrainState/apply(_:now:)``, as the live brain did.
package enum JournalReplay {
    /// Remembers the last agent id read from the journal: events come from a few agents, so
    /// replay does not make a String per record.
    package struct AgentIDCache {
        private var bytes: [UInt8] = []
        private var id = ""

        package init() {}

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
    /// hands it over). An event is applied from the frame in place in the payload (BrainCore
    /// reads a step in place, as the live brain did); anything else is decoded first. Returns false when the payload is not a
    /// record this brain knows.
    package static func apply(payload: UnsafeRawBufferPointer, to state: inout BrainState, agents: inout AgentIDCache) -> Bool {
        if let event = eventFields(payload) {
            _ = state.apply(.eventFrame(event.request, agentID: agents.id(for: event.agent)), now: event.now)
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
    /// gone) change nothing: replay never stops on the domain's own refusals, which the
    /// live brain recorded too.
    package static func apply(_ record: JournalRecord, to state: inout BrainState) {
        _ = record.withCommand { state.apply($0, now: record.now) }
    }
}
