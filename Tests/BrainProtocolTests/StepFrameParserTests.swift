import BrainFraming
import BrainProtocol
import Testing

/// ``StepFrameParser`` reads published steps without protobuf-c; whenever it answers, its
/// answer must be protobuf-c's, and whatever it is unsure of it must leave to protobuf-c.
@Suite("Step frame parser against protobuf-c")
struct StepFrameParserTests {
    /// What a decoder saw in a frame, as owned bytes so two decodes can be compared.
    struct Reading: Equatable, CustomStringConvertible {
        var callID: UInt64
        var eventSeq: UInt64
        var fields: [[UInt8]]
        var numbers: [UInt64]

        init(callID: UInt64, eventSeq: UInt64, _ view: StepReportedView) {
            self.callID = callID
            self.eventSeq = eventSeq
            fields = [view.runID, view.stepName, view.inputJSON, view.outputJSON, view.error].map { Array($0) }
            numbers = [UInt64(view.seq), UInt64(bitPattern: Int64(view.status.rawValue)), view.durationMs, UInt64(bitPattern: view.startedAt)]
        }

        var description: String { "call \(callID) seq \(eventSeq) \(numbers) \(fields.map { String(decoding: $0, as: UTF8.self) })" }
    }

    /// The parser's reading, or `nil` when it defers.
    static func parsed(_ body: [UInt8]) -> Reading? {
        body.withUnsafeBytes { bytes in
            StepFrameParser.parse(bytes).map { Reading(callID: $0.callID, eventSeq: $0.eventSeq, $0.step) }
        }
    }

    /// protobuf-c's reading: a step, `nil` for another request, or a thrown error.
    static func unpacked(_ body: [UInt8]) throws -> Reading? {
        let scratch = DecodeScratch()
        return try body.withUnsafeBytes { bytes in
            try WireCodec.withUnpackedRequest(
                bytes, scratch: scratch, step: { Reading(callID: $0, eventSeq: $1, $2) }, other: { _ in nil }
            )
        }
    }

    static func body(_ request: BrainRequest) -> [UInt8] { WireCodec.encode(request) }

    static func publish(_ step: StepReported, callID: UInt64 = 0, seq: UInt64 = 7) -> [UInt8] {
        body(BrainRequest(callID: callID, method: .publish(AgentEvent(seq: seq, kind: .step(step)))))
    }

    /// A small deterministic generator, so a failure can be replayed.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        /// One random damage: a byte replaced, the end cut off, a byte inserted, or three bits flipped.
        mutating func damage(_ body: inout [UInt8]) {
            switch below(4) {
            case 0: body[below(body.count)] = UInt8(truncatingIfNeeded: next())
            case 1: body.removeLast(1 + below(body.count))
            case 2: body.insert(UInt8(truncatingIfNeeded: next()), at: below(body.count + 1))
            default:
                for _ in 0..<3 { body[below(body.count)] ^= UInt8(1) << UInt8(below(8)) }
            }
        }
        mutating func text(maxLength: Int) -> String {
            let pieces = ["a", "{", "}", "\"", "é", "🧠", "0", " ", ":", ",", "[", "]"]
            return (0..<below(maxLength + 1)).map { _ in pieces[below(pieces.count)] }.joined()
        }
    }

    static func randomStep(_ random: inout Generator) -> StepReported {
        var step = StepReported(
            runID: random.text(maxLength: 40), seq: UInt32(truncatingIfNeeded: random.next() >> UInt64(random.below(64))),
            stepName: random.text(maxLength: 60), status: StepStatus(rawValue: Int32(random.below(6))) ?? .ok
        )
        step.inputJSON = random.text(maxLength: 200)
        step.outputJSON = random.text(maxLength: 400)
        step.error = random.below(4) == 0 ? random.text(maxLength: 30) : ""
        step.durationMs = random.next() >> UInt64(random.below(64))
        step.startedAt = Int64(bitPattern: random.next())
        return step
    }

    @Test("a published step reads the same as protobuf-c reads it")
    func fixtureStep() throws {
        let body = Self.publish(WireFixtures.stepReported, callID: 9, seq: 1 << 40)
        let fast = try #require(Self.parsed(body))
        #expect(fast == (try Self.unpacked(body)))
        #expect(fast.callID == 9 && fast.eventSeq == 1 << 40)
    }

    @Test("2,000 random steps: the parser reads every one, as protobuf-c does")
    func randomSteps() throws {
        var random = Generator(state: 1)
        for _ in 0..<2_000 {
            let body = Self.publish(Self.randomStep(&random), callID: random.next() >> 40, seq: random.next() >> 20)
            let fast = try #require(Self.parsed(body))
            #expect(fast == (try Self.unpacked(body)))
        }
    }

    @Test("20,000 damaged frames: the parser defers or agrees with protobuf-c, never differs")
    func damagedFrames() {
        var random = Generator(state: 2)
        var answered = 0
        var deferred = 0
        for _ in 0..<20_000 {
            var body = Self.publish(Self.randomStep(&random), seq: random.next() >> 40)
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

    @Test("a string holding U+0000 is left to protobuf-c, which cuts it there")
    func nulInString() throws {
        // By hand: the Swift encoder goes through C strings and could not send the NUL.
        let name = Array("before\u{0}after".utf8)
        let stepMessage: [UInt8] = [0x10, 0x01, 0x1A, UInt8(name.count)] + name
        let event: [UInt8] = [0x08, 0x01, 0x62, UInt8(stepMessage.count)] + stepMessage
        let body: [UInt8] = [0x62, UInt8(event.count)] + event
        #expect(Self.parsed(body) == nil)
        let slow = try #require(try Self.unpacked(body))
        #expect(slow.fields[1] == Array("before".utf8))
    }

    @Test("a field seen twice, an unknown field, or another event is left to protobuf-c")
    func deferredShapes() throws {
        let step = Self.publish(WireFixtures.stepReported)
        // call_id twice (protobuf: the last one wins).
        #expect(Self.parsed([0x08, 0x01] + step + [0x08, 0x02]) == nil)
        #expect(try Self.unpacked([0x08, 0x01] + step + [0x08, 0x02])?.callID == 2)
        // An unknown field (100, varint) in the Request.
        #expect(Self.parsed(step + [0xA0, 0x06, 0x01]) == nil)
        #expect(try Self.unpacked(step + [0xA0, 0x06, 0x01]) != nil)
        // Other requests and events.
        let hello = Self.body(BrainRequest(callID: 1, method: .hello(WireFixtures.hello)))
        let created = Self.body(BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 1, kind: .runCreated(WireFixtures.runCreated)))))
        #expect(Self.parsed(hello) == nil)
        #expect(Self.parsed(created) == nil)
        #expect(Self.parsed([]) == nil)
    }

    @Test("status values outside the enum read as unspecified, as protobuf-c reads them")
    func unknownStatus() throws {
        // StepReported { status: 99 } inside AgentEvent { seq: 1, step } inside Request { publish }.
        let stepMessage: [UInt8] = [0x20, 99]
        let event: [UInt8] = [0x08, 0x01, 0x62, UInt8(stepMessage.count)] + stepMessage
        let body: [UInt8] = [0x62, UInt8(event.count)] + event
        let fast = try #require(Self.parsed(body))
        #expect(fast == (try Self.unpacked(body)))
        #expect(fast.numbers[1] == 0)
    }
}
