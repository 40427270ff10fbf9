import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

// MARK: - The spec

enum Spec {
    static var packageRoot: URL { BrainProcess.packageRoot }

    /// cases.json and golden/; `$BRAIN_CONFORMANCE_DIR` overrides.
    static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["BRAIN_CONFORMANCE_DIR"] { return URL(fileURLWithPath: dir) }
        return packageRoot.appendingPathComponent("conformance")
    }

    struct Loaded {
        var cases: [[String: Any]]
        var maxFrameBytes: Int
    }

    static func load() throws -> Loaded {
        let data = try Data(contentsOf: directory.appendingPathComponent("cases.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        let brain = root["brain"] as? [String: Any]
        return Loaded(cases: cases, maxFrameBytes: (brain?["max_frame_bytes"] as? NSNumber)?.intValue ?? 4 << 20)
    }

    static func caseIDs() throws -> [String] {
        try load().cases.map { ($0["id"] as? String) ?? "(no id)" }
    }
}

/// Typed access to a case's JSON object; a missing or mistyped key is recorded as an
/// issue (the case is wrong) and reads as a zero value.
struct JSONObject {
    let dict: [String: Any]
    init(_ dict: [String: Any]) { self.dict = dict }

    func has(_ key: String) -> Bool { dict[key] != nil }
    func string(_ key: String) -> String { value(key) ?? "" }
    func bool(_ key: String) -> Bool { value(key) ?? false }
    func object(_ key: String) -> JSONObject { JSONObject(value(key) ?? [:]) }
    func objects(_ key: String) -> [JSONObject] { (value(key) ?? [] as [[String: Any]]).map(JSONObject.init) }
    func strings(_ key: String) -> [String] { value(key) ?? [] }
    /// A JSON number, or an integer in a string (proto3 JSON's 64-bit integers).
    func int(_ key: String) -> Int64 {
        if let number = dict[key] as? NSNumber { return number.int64Value }
        if let text = dict[key] as? String, let number = Int64(text) { return number }
        Issue.record("cases.json: \(key) is not an integer: \(String(describing: dict[key]))")
        return 0
    }
    func uint(_ key: String) -> UInt64 {
        if let text = dict[key] as? String, let number = UInt64(text) { return number }
        if let number = dict[key] as? NSNumber { return number.uint64Value }
        Issue.record("cases.json: \(key) is not an unsigned integer: \(String(describing: dict[key]))")
        return 0
    }
    func ints(_ key: String) -> [Int64] {
        (value(key) ?? [] as [Any]).map { ($0 as? NSNumber)?.int64Value ?? Int64(($0 as? String) ?? "") ?? -1 }
    }

    private func value<T>(_ key: String) -> T? {
        guard let value = dict[key] as? T else {
            Issue.record("cases.json: \(key) is missing or not a \(T.self): \(String(describing: dict[key]))")
            return nil
        }
        return value
    }
}

func runStatusName(_ status: RunStatus) -> String { "RUN_STATUS_" + status.name.uppercased() }
func stepStatusName(_ status: StepStatus) -> String { "STEP_STATUS_" + status.name.uppercased() }

func stepStatus(named name: String) throws -> StepStatus {
    try #require(StepStatus.allCases.first { stepStatusName($0) == name }, "unknown step status \(name)")
}

func runStatus(named name: String) throws -> RunStatus {
    try #require(RunStatus.allCases.first { runStatusName($0) == name }, "unknown run status \(name)")
}

func statusCode(named name: String) throws -> StatusCode {
    try #require((0...16).map { StatusCode(rawValue: $0) }.first { $0.name == name }, "unknown status code \(name)")
}
