import BrainFraming
import BrainProtocol
import Testing

/// ``TaskEventFrameParser`` reads published task events without protobuf-c; whenever it
/// answers, its answer must be protobuf-c's, and whatever it is unsure of it must leave to
/// protobuf-c.
@Suite("Task event frame parser against protobuf-c")
struct TaskEventFrameParserTests {
    /// What a decoder saw in a frame.
    struct Reading: Equatable {
        var callID: UInt64
        var eventSeq: UInt64
        var event: TaskEventReported
    }

    typealias Generator = StepFrameParserTests.Generator

    /// The parser's reading, or `nil` when it defers.
    static func parsed(_ body: [UInt8]) -> Reading? {
        body.withUnsafeBytes { bytes in
            guard let (ids, view) = TaskEventFrameParser.parse(bytes) else { return nil }
            return Reading(callID: ids.callID, eventSeq: ids.eventSeq, event: view.reported)
        }
    }

    /// protobuf-c's reading: a task event, `nil` for another request, or a thrown error.
    static func unpacked(_ body: [UInt8]) throws -> Reading? {
        let scratch = DecodeScratch()
        return try body.withUnsafeBytes { bytes in
            try WireCodec.withUnpackedRequest(
                bytes, scratch: scratch, step: { _, _, _ in nil },
                other: { request -> Reading? in
                    guard case .publish(let event) = request.method, case .taskEvent(let reported) = event.kind else { return nil }
                    return Reading(callID: request.callID, eventSeq: event.seq, event: reported)
                }
            )
        }
    }

    static func publish(_ event: TaskEventReported, callID: UInt64 = 0, seq: UInt64 = 7) -> [UInt8] {
        WireCodec.encode(BrainRequest(callID: callID, method: .publish(AgentEvent(seq: seq, kind: .taskEvent(event)))))
    }

    static func randomEvent(_ random: inout Generator) -> TaskEventReported {
        var event = TaskEventReported(
            taskID: random.text(maxLength: 40), engine: random.below(3) == 0 ? "" : random.text(maxLength: 8),
            kind: WireTaskEventKind(rawValue: Int32(random.below(9))) ?? .unspecified, ts: Int64(bitPattern: random.next())
        )
        event.attempt = UInt32(truncatingIfNeeded: random.next() >> UInt64(random.below(64)))
        event.name = random.text(maxLength: 30)
        event.queue = random.below(2) == 0 ? "" : random.text(maxLength: 10)
        event.groupID = random.below(3) == 0 ? random.text(maxLength: 36) : ""
        event.retriedAs = random.below(5) == 0 ? random.text(maxLength: 36) : ""
        event.argsJSON = random.text(maxLength: 120)
        event.kwargsJSON = random.text(maxLength: 200)
        event.excType = random.below(4) == 0 ? random.text(maxLength: 20) : ""
        event.excMessage = random.below(4) == 0 ? random.text(maxLength: 60) : ""
        event.traceback = random.below(4) == 0 ? random.text(maxLength: 300) : ""
        event.payloadJSON = random.below(2) == 0 ? random.text(maxLength: 60) : ""
        return event
    }

    @Test("2,000 random task events: the parser reads every one, as protobuf-c does")
    func randomEvents() throws {
        var random = Generator(state: 11)
        for _ in 0..<2_000 {
            let body = Self.publish(Self.randomEvent(&random), callID: random.next() >> 40, seq: random.next() >> 20)
            let fast = try #require(Self.parsed(body))
            #expect(fast == (try Self.unpacked(body)))
        }
    }

    @Test("20,000 damaged frames: the parser defers or agrees with protobuf-c, never differs")
    func damagedFrames() {
        var random = Generator(state: 12)
        var answered = 0
        var deferred = 0
        for _ in 0..<20_000 {
            var body = Self.publish(Self.randomEvent(&random), seq: random.next() >> 40)
            random.damage(&body)
            guard let fast = Self.parsed(body) else {
                deferred += 1
                continue
            }
            answered += 1
            #expect(fast == (try? Self.unpacked(body)), "bytes \(body)")
        }
        // Both outcomes must occur, or the test checks nothing.
        #expect(answered > 1_000 && deferred > 1_000, "answered \(answered), deferred \(deferred)")
    }

    @Test("the texts read in place: found exactly when the parser reads the frame, the bytes its strings are made of, within the frame")
    func textsInPlace() {
        var random = Generator(state: 14)
        var found = 0
        for round in 0..<6_000 {
            var body = Self.publish(Self.randomEvent(&random), seq: UInt64(round + 1))
            if random.below(3) == 0 { random.damage(&body) }
            let reading = Self.parsed(body)
            body.withUnsafeBytes { bytes in
                let parsed = TaskEventFrameParser.parse(bytes)
                #expect((parsed == nil) == (reading == nil), "bytes \(body)")
                guard let view = parsed?.event, let event = (try? Self.unpacked(body))??.event, let base = bytes.baseAddress else { return }
                found += 1
                // The bytes redaction reads are the ones protobuf-c makes its strings of.
                func string(_ text: UnsafeRawBufferPointer) -> String { String(decoding: text, as: UTF8.self) }
                #expect(string(view.argsJSON) == event.argsJSON && string(view.kwargsJSON) == event.kwargsJSON, "bytes \(body)")
                #expect(string(view.excMessage) == event.excMessage && string(view.traceback) == event.traceback, "bytes \(body)")
                #expect(string(view.payloadJSON) == event.payloadJSON, "bytes \(body)")
                // Within the frame, every field of the view: the worker and the merge read them there.
                let fields = [
                    view.taskID, view.engine, view.name, view.queue, view.groupID, view.retriedAs, view.argsJSON, view.kwargsJSON, view.excType,
                    view.excMessage, view.traceback, view.payloadJSON,
                ]
                for text in fields where !text.isEmpty {
                    let start = text.baseAddress.map { $0 - base } ?? -1
                    #expect(start >= 0 && start + text.count <= bytes.count)
                }
            }
        }
        #expect(found > 3_000 && found < 6_000, "\(found) frames read")
    }

    @Test("a field seen twice, an unknown field, a NUL, or another event is left to protobuf-c")
    func deferredShapes() throws {
        let body = Self.publish(TaskEventReported(taskID: "t-1", engine: "celery", kind: .started, ts: 5), callID: 3)
        #expect(Self.parsed(body) != nil)
        // An unknown field (100, varint) in the Request.
        #expect(Self.parsed(body + [0xA0, 0x06, 0x01]) == nil)
        #expect(try Self.unpacked(body + [0xA0, 0x06, 0x01]) != nil)
        // TaskEventReported { task_id: "a\0b", task_id: "c" }: a NUL, and a field twice.
        for taskEvent: [UInt8] in [[0x0A, 3, 0x61, 0x00, 0x62], [0x0A, 1, 0x61, 0x0A, 1, 0x63], [0x80, 0x01, 0x01]] {
            let event: [UInt8] = [0x08, 0x01, 0x6A, UInt8(taskEvent.count)] + taskEvent
            let frame: [UInt8] = [0x62, UInt8(event.count)] + event
            #expect(Self.parsed(frame) == nil, "\(taskEvent)")
            #expect(try Self.unpacked(frame) != nil, "\(taskEvent)")
        }
        // A step and a hello are not task events.
        let step = StepFrameParserTests.publish(WireFixtures.stepReported)
        #expect(Self.parsed(step) == nil)
        #expect(Self.parsed(WireCodec.encode(BrainRequest(callID: 1, method: .hello(WireFixtures.hello)))) == nil)
        #expect(Self.parsed([]) == nil)
    }

    @Test("fields out of number order are read all the same, as protobuf-c reads them")
    func fieldsOutOfOrder() throws {
        // TaskEventReported { name: "n", task_id: "t", attempt: 3, kind: started }: valid
        // protobuf that protobuf-c never writes, so the in-order reading leaves it to the walk.
        let taskEvent: [UInt8] = [0x32, 1, 0x6E, 0x0A, 1, 0x74, 0x28, 3, 0x18, 2]
        let event: [UInt8] = [0x08, 0x01, 0x6A, UInt8(taskEvent.count)] + taskEvent
        let body: [UInt8] = [0x62, UInt8(event.count)] + event
        let fast = try #require(Self.parsed(body))
        #expect(fast == (try Self.unpacked(body)))
        #expect(fast.event.taskID == "t" && fast.event.name == "n" && fast.event.attempt == 3 && fast.event.kind == .started)
    }

    @Test("kinds outside the enum read as unspecified, as protobuf-c reads them")
    func unknownKind() throws {
        let taskEvent: [UInt8] = [0x18, 99]
        let event: [UInt8] = [0x08, 0x01, 0x6A, UInt8(taskEvent.count)] + taskEvent
        let body: [UInt8] = [0x62, UInt8(event.count)] + event
        let fast = try #require(Self.parsed(body))
        #expect(fast == (try Self.unpacked(body)))
        #expect(fast.event.kind == .unspecified)
    }
}
