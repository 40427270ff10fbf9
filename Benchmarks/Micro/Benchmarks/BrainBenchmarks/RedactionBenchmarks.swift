import Benchmark
import BrainCore

// Issue #13: the redaction of a task event, the slow path (parse each JSON text into a
// tree, redact, write it again) against the fast path (one pass that finds the text would
// come back unchanged, then keeps it). A typical Celery args/kwargs pair of about 250 bytes,
// without a secret and with one secret key (the fast path then checks, finds the key and
// falls back to the slow path). Compare `.slow` and `.fast` of the same run.

enum RedactionFixture {
    static let args = #"[48213,"shop.example.com",{"page":17,"sort":"price","filters":["in_stock","free_shipping"]}]"#
    static let kwargs =
        #"{"user_id":73519,"locale":"en-US","retries":2,"site":"shop.example.com","count":25,"dry_run":false,"note":"price total in stock","tags":["retail","catalog"]}"#
    /// The same size, with an API key among the kwargs.
    static let kwargsWithSecret =
        #"{"user_id":73519,"locale":"en-US","retries":2,"api_key":"sk_live_4eC39HqLyjWDarjtT1zdp7dc","count":25,"note":"price total in stock","tags":["retail","catalog"]}"#

    /// Kwargs as `brain-bench generate --kind tasks --args-bytes 300` writes them: a few short
    /// members, then a free-text note of words (most of the bytes).
    static let kwargsWithNote =
        #"{"user_id":48213,"locale":"en-US","retries":1,"note":""#
        + (0..<40).map { ["quick", "brown", "invoice", "shipment", "pending", "total", "weekly", "report"][$0 % 8] }.joined(separator: " ")
        + #""}"#
    /// A `succeeded` event's result payload (four keys).
    static let result = #"{"result":{"ok":true,"items":123},"runtime":1.234}"#
    /// A Celery traceback as the generator writes one on a failure.
    static let traceback = """
        Traceback (most recent call last):
          File "/usr/lib/python3/site-packages/celery/app/trace.py", line 453, in trace_task
            R = retval = fun(*args, **kwargs)
          File "/usr/lib/python3/site-packages/celery/app/trace.py", line 736, in __protected_call__
            return self.run(*args, **kwargs)
          File "/srv/app/crawl/pages.py", line 117, in fetch_page
            response = client.request(url, timeout=10)
        ConnectionError: upstream closed the connection
        """

    static func report(kwargs: String) -> TaskEventReport {
        TaskEventReport(
            seq: 1, taskID: "3f2b8c1e-9a4d-4e7b-b5c6-1d2e3f4a5b6c", engine: "celery", kind: .taskSent, ts: Fixture.now, attempt: 1,
            name: "app.tasks.crawl_site", queue: "crawl", argsJSON: args, kwargsJSON: kwargs)
    }
}

func redactionBenchmarks() {
    let redactor = Redactor()
    let clean = (RedactionFixture.args, RedactionFixture.kwargs)
    let secret = (RedactionFixture.args, RedactionFixture.kwargsWithSecret)
    precondition((clean.0 + clean.1).utf8.count >= 220 && (clean.0 + clean.1).utf8.count <= 280, "\((clean.0 + clean.1).utf8.count) bytes")
    precondition((secret.0 + secret.1).utf8.count >= 220 && (secret.0 + secret.1).utf8.count <= 280, "\((secret.0 + secret.1).utf8.count) bytes")
    precondition(redactor.isUnchangedJSON(clean.0, limit: .max) && redactor.isUnchangedJSON(clean.1, limit: .max))
    precondition(!redactor.isUnchangedJSON(secret.1, limit: .max))

    // The checks alone, on the texts that dominate a task stream's bytes.
    precondition(redactor.isUnchangedJSON(RedactionFixture.kwargsWithNote, limit: .max))
    precondition(redactor.isUnchangedText(RedactionFixture.traceback, limit: .max))
    Benchmark("Redaction.check.kwargsWithNote") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(redactor.isUnchangedJSON(RedactionFixture.kwargsWithNote, limit: .max)) }
    }
    let result = RedactionFixture.result
    precondition(redactor.isUnchangedJSON(result, limit: .max))
    Benchmark("Redaction.check.result") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(redactor.isUnchangedJSON(result, limit: .max)) }
    }
    // The same checks with a memo of key verdicts kept across operations, as the brain's
    // event loop and task-check worker each keep one.
    // The kwargs of 1,000 different tasks, as brain-bench's task generator varies them (ids,
    // counts, a note of random words of its vocabulary), checked in turn: one operation is
    // one kwargs. A stream's texts differ where the benchmarks above repeat one text, whose
    // branches the predictor learns; this one shows what the varied bytes cost.
    let words = ["price", "total", "in", "stock", "shipping", "free", "returns", "rating", "review", "size", "color", "black", "white", "model"]
    var random = BenchmarkRandom(seed: 0x5EED_C0DE)
    let stream: [[UInt8]] = (0..<1_000).map { _ in
        var note = ""
        for _ in 0..<(20 + random.below(30)) { note += (note.isEmpty ? "" : " ") + words[random.below(words.count)] }
        return Array(#"{"user_id":\#(random.below(100_000)),"locale":"en-US","retries":\#(random.below(4)),"note":"\#(note)"}"#.utf8)
    }
    precondition(stream.allSatisfy { $0.withUnsafeBufferPointer { redactor.isUnchangedJSON($0, limit: .max) } })
    Benchmark("Redaction.check.kwargsStream.memo", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var verdicts = KeyVerdicts()
        var kept = 0
        for _ in benchmark.scaledIterations {
            for kwargs in stream where kwargs.withUnsafeBufferPointer({ redactor.isUnchangedJSON($0, limit: .max, verdicts: &verdicts) }) {
                kept += 1
            }
        }
        blackHole(kept)
    }
    for (label, text) in [("kwargsWithNote", RedactionFixture.kwargsWithNote), ("result", result)] {
        Benchmark("Redaction.check.\(label).memo") { benchmark in
            var verdicts = KeyVerdicts()
            var text = text
            text.withUTF8 { bytes in
                for _ in benchmark.scaledIterations { blackHole(redactor.isUnchangedJSON(bytes, limit: .max, verdicts: &verdicts)) }
            }
        }
    }
    Benchmark("Redaction.check.traceback") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(redactor.isUnchangedText(RedactionFixture.traceback, limit: .max)) }
    }

    for (label, pair) in [("clean", clean), ("secret", secret)] {
        Benchmark("Redaction.json.\(label).slow") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(redactor.redactJSON(pair.0, limit: .max))
                blackHole(redactor.redactJSON(pair.1, limit: .max))
            }
        }
        Benchmark("Redaction.json.\(label).fast") { benchmark in
            // What the report's fast path does per text: check, and redact only on a change.
            for _ in benchmark.scaledIterations {
                blackHole(redactor.isUnchangedJSON(pair.0, limit: .max) ? pair.0 : redactor.redactJSON(pair.0, limit: .max))
                blackHole(redactor.isUnchangedJSON(pair.1, limit: .max) ? pair.1 : redactor.redactJSON(pair.1, limit: .max))
            }
        }
        let report = RedactionFixture.report(kwargs: pair.1)
        precondition(report.redacted(by: redactor) == report.redactedInFull(by: redactor))
        Benchmark("Redaction.report.\(label).slow") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(report.redactedInFull(by: redactor)) }
        }
        Benchmark("Redaction.report.\(label).fast") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(report.redacted(by: redactor)) }
        }
    }
}
