import Benchmark
import BrainCore
import BrainProtocol
import Foundation

// The redaction check over a real recording's task events, as the brain's worker runs it
// (read in place, then checked with a memo of key verdicts): set BRAIN_MICRO_RECORDING to a
// file from `brain-bench generate --kind tasks` (frames of a 4-byte big-endian length and a
// Request). One operation is one frame; without the variable the benchmarks are not made.
// `Check.recording.parse` reads the frames only, `Check.recording.check` reads and checks.

func recordingCheckBenchmarks() {
    guard let path = ProcessInfo.processInfo.environment["BRAIN_MICRO_RECORDING"], let data = FileManager.default.contents(atPath: path)
    else { return }
    let bytes = [UInt8](data)
    var bodies: [Range<Int>] = []
    var offset = 0
    while bytes.count - offset >= 4 {
        let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
        guard bytes.count - offset - 4 >= length else { break }
        bodies.append(offset + 4..<offset + 4 + length)
        offset += 4 + length
    }
    let redactor = Redactor()
    let frames = bodies.count

    Benchmark("Check.recording.parse", configuration: .init(scalingFactor: .one, maxIterations: 20)) { benchmark in
        var kinds = 0
        bytes.withUnsafeBytes { raw in
            benchmark.startMeasurement()
            for body in bodies {
                if let (_, view) = TaskEventFrameParser.parse(UnsafeRawBufferPointer(rebasing: raw[body])) { kinds &+= Int(view.kind.rawValue) }
            }
            benchmark.stopMeasurement()
        }
        blackHole(kinds)
        blackHole(frames)
    }
    Benchmark("Check.recording.check", configuration: .init(scalingFactor: .one, maxIterations: 20)) { benchmark in
        var verdicts = KeyVerdicts()
        var kept = 0
        bytes.withUnsafeBytes { raw in
            benchmark.startMeasurement()
            for body in bodies {
                if let (_, view) = TaskEventFrameParser.parse(UnsafeRawBufferPointer(rebasing: raw[body])),
                    TaskEventReport.isUnchanged(view, by: redactor, verdicts: &verdicts)
                {
                    kept += 1
                }
            }
            benchmark.stopMeasurement()
        }
        blackHole(kept)
    }
}
