import BrainProtocol
import Testing

@testable import BrainCore

/// The fast path against the slow one on random documents (``RedactionPropertyTests``'s
/// seeded generator and planted secrets): written canonically or not (whitespace, `\/`,
/// `\u` escapes of any character, upper-case hex), with secret keys, name/value pairs, long
/// strings and numbers, deep nesting. The fast answer must be the slow path's, and on the
/// slow path's own output of a document without secrets it must be "unchanged", so the fast
/// path does fire on canonical text.
@Suite("Redaction fast path properties")
struct RedactionFastPathPropertyTests {
    typealias Planted = RedactionPropertyTests

    /// A JSON document as a tree, written by ``write(_:canonical:_:)``.
    indirect enum Doc {
        case object([(String, Doc)])
        case array([Doc])
        case string(String)
        case number(String)
        case literal(String)
    }

    static let spice = ["\"", "\\", "/", "\n", "\t", "\r", "\u{1}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}", "é", "日", "🧠", "\u{2028}"]
    static let ordinaryKeys = RedactionPatternTests.ordinaryKeys + ["user_id", "site", "count", "locale", "retries", "name", "value", "key", "Value"]
    static let numbers = ["0", "-0", "1.0", "1e5", "2.50E+3", "-1.5e-7", "3.14", "1E-2", "123456789012345678901234567890"]

    /// A string of filler words, sometimes with characters that need escapes, sometimes
    /// with a planted secret.
    static func text(_ rng: inout SplitMix64, secrets: Bool) -> String {
        var text = Planted.filler(&rng, bytes: rng.int(0...(rng.chance(5) ? 700 : 30)))
        if rng.chance(40) {
            for _ in 0..<rng.int(1...4) {
                let at = text.index(text.startIndex, offsetBy: rng.int(0...text.count))
                text.insert(contentsOf: rng.pick(spice), at: at)
            }
        }
        if secrets, rng.chance(20) { text += " " + Planted.secret(&rng, keyed: rng.chance(30), inText: true).text }
        return text
    }

    static func leaf(_ rng: inout SplitMix64, secrets: Bool) -> Doc {
        switch rng.int(0...9) {
        case 0...5: return .string(text(&rng, secrets: secrets))
        case 6: return .number(rng.chance(10) ? String(repeating: "7", count: rng.int(60...700)) : rng.pick(numbers))
        case 7: return .number(String(rng.int(-1_000_000...1_000_000)))
        default: return .literal(rng.pick(["true", "false", "null"]))
        }
    }

    static func doc(_ rng: inout SplitMix64, depth: Int, secrets: Bool) -> Doc {
        if depth == 0 || rng.chance(20) { return leaf(&rng, secrets: secrets) }
        if rng.chance(45) { return .array((0..<rng.int(0...3)).map { _ in doc(&rng, depth: depth - 1, secrets: secrets) }) }
        var members: [(String, Doc)] = []
        for index in 0..<rng.int(0...3) {
            let key = rng.chance(50) ? "f\(index)_\(rng.text(Planted.lower, 4))" : rng.pick(ordinaryKeys)
            members.append((key, doc(&rng, depth: depth - 1, secrets: secrets)))
        }
        if secrets, rng.chance(25) {
            let value: Doc = rng.chance(40) ? .string(RedactionPolicy.keyMarker) : leaf(&rng, secrets: false)
            members.insert((rng.pick(Planted.secretKeys), value), at: rng.int(0...members.count))
        }
        if rng.chance(10) {
            // A name/value pair, in either order, naming a secret key or not.
            let name: Doc = .string(secrets && rng.chance(60) ? rng.pick(Planted.secretKeys) : rng.pick(["region", "user", "timeout"]))
            let value: Doc = rng.chance(30) ? .string(RedactionPolicy.keyMarker) : leaf(&rng, secrets: false)
            var pair = [(rng.pick(["name", "Key", "key"]), name), (rng.pick(["value", "Value"]), value)]
            if rng.chance(50) { pair.reverse() }
            members += pair
        }
        return .object(members)
    }

    /// The text of `doc`: canonical as `JSONValue.serialized` writes it, or with random
    /// whitespace and escapes a parser accepts but the redactor rewrites.
    static func write(_ doc: Doc, canonical: Bool, _ rng: inout SplitMix64) -> String {
        func space() -> String { !canonical && rng.chance(8) ? rng.pick([" ", "\n", "\t", "\r\n", "  "]) : "" }
        switch doc {
        case .object(let members):
            let inner = members.map { key, value in
                space() + string(key, canonical: canonical, &rng) + space() + ":" + write(value, canonical: canonical, &rng)
            }
            return space() + "{" + inner.joined(separator: ",") + space() + "}" + space()
        case .array(let elements):
            return space() + "[" + elements.map { write($0, canonical: canonical, &rng) }.joined(separator: ",") + space() + "]" + space()
        case .string(let text): return space() + string(text, canonical: canonical, &rng) + space()
        case .number(let text), .literal(let text): return space() + text + space()
        }
    }

    static func string(_ text: String, canonical: Bool, _ rng: inout SplitMix64) -> String {
        func hex(_ value: UInt32, upper: Bool) -> String {
            let digits = String(value, radix: 16, uppercase: upper)
            return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            let odd = !canonical && rng.chance(15)
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A where !odd: out += "\\n"
            case 0x0D where !odd: out += "\\r"
            case 0x09 where !odd: out += "\\t"
            case 0x08 where !odd: out += "\\b"
            case 0x0C where !odd: out += "\\f"
            case 0..<0x20: out += hex(scalar.value, upper: odd)
            case 0x2F where odd: out += "\\/"
            case 0x10000... where odd:
                let value = scalar.value - 0x10000
                out += hex(0xD800 + value >> 10, upper: rng.chance(50)) + hex(0xDC00 + value & 0x3FF, upper: rng.chance(50))
            default: out += odd ? hex(scalar.value, upper: rng.chance(50)) : String(scalar)
            }
        }
        return out + "\""
    }

    /// One random case of a test: its seed (`base` + batch and iteration, printed by a
    /// failure), a generator seeded with it, and a redactor under a policy drawn from it.
    static func randomCase(_ base: Int, batch: Int, iteration: Int) -> (seed: UInt64, rng: SplitMix64, redactor: Redactor) {
        let seed = UInt64(base + batch * 1_000 + iteration)
        var rng = SplitMix64(seed: seed)
        let redactor = Redactor(policy: Planted.policy(&rng))
        return (seed, rng, redactor)
    }

    static func slowKeeps(_ redactor: Redactor, _ text: String, limit: Int) -> Bool {
        Array(redactor.redactJSON(text, limit: limit).utf8) == Array(text.utf8)
    }

    @Test("the fast answer is the slow path's, and fires on the slow path's output", arguments: 0..<8)
    func json(batch: Int) {
        var fired = 0
        for iteration in 0..<150 {
            let (seed, generator, redactor) = Self.randomCase(300_000, batch: batch, iteration: iteration)
            var rng = generator
            let policy = redactor.policy
            let secrets = rng.chance(50)
            let root = Self.doc(&rng, depth: rng.int(0...min(10, policy.maxDepth + 2)), secrets: secrets)
            let text = Self.write(root, canonical: rng.chance(60), &rng)
            let limit = rng.chance(80) ? Int.max : rng.int(50...2_000)
            #expect(redactor.isUnchangedJSON(text, limit: limit) == Self.slowKeeps(redactor, text, limit: limit), "seed \(seed): \(text)")
            if redactor.isUnchangedJSON(text, limit: limit) { fired += 1 }
            let output = redactor.redactJSON(text, limit: .max)
            let kept = Self.slowKeeps(redactor, output, limit: .max)
            #expect(redactor.isUnchangedJSON(output, limit: .max) == kept, "seed \(seed): \(output)")
            if !secrets { #expect(kept && redactor.isUnchangedJSON(output, limit: .max), "seed \(seed): output of no secret not kept: \(output)") }
        }
        // Guards the generator: some raw documents are kept as they are.
        #expect(fired > 10, "\(fired) documents kept")
    }

    /// A JSON text field of a report: empty one time in seven, else a random document,
    /// mostly canonical.
    static func field(_ rng: inout SplitMix64, _ secrets: Bool) -> String {
        rng.chance(15) ? "" : write(doc(&rng, depth: rng.int(0...5), secrets: secrets), canonical: rng.chance(75), &rng)
    }

    static func sameBytes(_ left: TaskEventReport, _ right: TaskEventReport) -> Bool {
        let texts: [KeyPath<TaskEventReport, String>] = [\.argsJSON, \.kwargsJSON, \.excMessage, \.traceback, \.payloadJSON]
        return left == right && texts.allSatisfy { Array(left[keyPath: $0].utf8) == Array(right[keyPath: $0].utf8) }
    }

    /// ``TaskEventReport/isUnchanged(_:by:)`` on the texts of the frame that publishes `report`.
    static func frameAnswer(_ report: TaskEventReport, _ redactor: Redactor) -> Bool {
        let frame = WireCodec.encode(BrainRequest(callID: 1, method: .publish(AgentEvent(seq: 1, kind: .taskEvent(report.fields)))))
        return frame.withUnsafeBytes { bytes in
            TaskEventFrameParser.parse(bytes).map { TaskEventReport.isUnchanged($0.event, by: redactor) } ?? false
        }
    }

    @Test("a report's fast path gives the slow path's report", arguments: 0..<4)
    func report(batch: Int) {
        var fired = 0
        for iteration in 0..<100 {
            let (seed, generator, redactor) = Self.randomCase(400_000, batch: batch, iteration: iteration)
            var rng = generator
            let secrets = rng.chance(40)
            func text(_ bytes: ClosedRange<Int>) -> String {
                guard rng.chance(50) else { return "" }
                var text = Planted.filler(&rng, bytes: rng.int(bytes))
                if secrets, rng.chance(40) { text += " " + Planted.secret(&rng, keyed: rng.chance(30), inText: true).text }
                return text
            }
            let report = TaskEventReport(
                seq: 1, taskID: "t\(seed)", engine: "celery", kind: .failed, ts: 0, argsJSON: Self.field(&rng, secrets),
                kwargsJSON: Self.field(&rng, secrets), excType: "E", excMessage: text(0...200), traceback: text(0...3_000),
                payloadJSON: Self.field(&rng, secrets))
            let slow = report.redactedInFull(by: redactor)
            #expect(Self.sameBytes(report.redacted(by: redactor), slow), "seed \(seed)")
            // Text by text (the server's path for an event the frame check found a secret in).
            #expect(Self.sameBytes(report.redactedTextByText(by: redactor), slow), "seed \(seed)")
            if report.isUnchanged(by: redactor) { fired += 1 }
            // The task-check thread's answer, from the frame's bytes, is the report's.
            #expect(Self.frameAnswer(report, redactor) == report.isUnchanged(by: redactor), "seed \(seed)")
            // The slow path's report, redacted again: kept by the fast path exactly when the slow one keeps it.
            var again = slow
            again.isRedacted = false
            let kept = Self.sameBytes(again.redactedInFull(by: redactor), slow)
            #expect(again.isUnchanged(by: redactor) == kept, "seed \(seed)")
            #expect(Self.frameAnswer(again, redactor) == kept, "seed \(seed)")
            // Redacting the slow path's report again changes nothing, also when the event's
            // budget cut it (a JSON text cut there is a string within the value limit).
            if !secrets { #expect(kept && again.isUnchanged(by: redactor), "seed \(seed): a report with no secret is not kept") }
        }
        #expect(fired > 10, "\(fired) reports kept")
    }

    @Test("a schedule's fast path gives the slow path's schedule", arguments: 0..<2)
    func schedule(batch: Int) {
        var kept = 0
        for iteration in 0..<100 {
            let (seed, generator, redactor) = Self.randomCase(500_000, batch: batch, iteration: iteration)
            var rng = generator
            let secrets = rng.chance(40)
            let report = ReportedSchedule(
                scheduler: "beat", name: "s\(seed)", type: .interval, expression: "60", argsJSON: Self.field(&rng, secrets),
                kwargsJSON: Self.field(&rng, secrets), metadataJSON: Self.field(&rng, secrets))
            let fast = report.redacted(by: redactor)
            let slow = report.redactedInFull(by: redactor)
            let texts = { (schedule: ReportedSchedule) in [schedule.argsJSON, schedule.kwargsJSON, schedule.metadataJSON].map { Array($0.utf8) } }
            #expect(texts(fast) == texts(slow) && fast.isRedacted && slow.isRedacted, "seed \(seed)")
            if texts(report) == texts(slow) { kept += 1 }
        }
        #expect(kept > 10, "\(kept) schedules kept as sent")
    }
}
