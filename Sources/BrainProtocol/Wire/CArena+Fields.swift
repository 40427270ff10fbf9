internal import CBrainWire

extension CArena {
    /// Sets a string field, leaving protobuf-c's empty default in place for "".
    @inline(__always)
    func set(_ field: inout UnsafeMutablePointer<CChar>?, _ value: String) {
        if !value.isEmpty { field = string(value) }
    }
}

// Enum conversions between the Swift enums and protobuf-c's imported C enums. Unknown
// values (from a newer peer) map to the zero case rather than trapping.
extension RunStatus {
    init(_ c: Brain__V1__RunStatus) { self = RunStatus(rawValue: Int32(truncatingIfNeeded: c.rawValue)) ?? .unspecified }
    var c: Brain__V1__RunStatus { Brain__V1__RunStatus(rawValue: numericCast(rawValue)) }
}

extension StepStatus {
    init(_ c: Brain__V1__StepStatus) { self = StepStatus(rawValue: Int32(truncatingIfNeeded: c.rawValue)) ?? .unspecified }
    var c: Brain__V1__StepStatus { Brain__V1__StepStatus(rawValue: numericCast(rawValue)) }
}

extension AgentState {
    init(_ c: Brain__V1__AgentState) { self = AgentState(rawValue: Int32(truncatingIfNeeded: c.rawValue)) ?? .unknown }
    var c: Brain__V1__AgentState { Brain__V1__AgentState(rawValue: numericCast(rawValue)) }
}

extension StatusCode {
    init(_ c: Brain__V1__StatusCode) { self.init(rawValue: Int32(truncatingIfNeeded: c.rawValue)) }
    var c: Brain__V1__StatusCode { Brain__V1__StatusCode(rawValue: numericCast(rawValue)) }
}
