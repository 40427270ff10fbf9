// Snapshots and `--json` output spell states by name (`"running"`), not by wire number,
// so a person reading them with jq needs no table.

/// An enum whose cases have stable lower-case names.
public protocol NamedCases: CaseIterable {
    var name: String { get }
}

extension NamedCases where Self: RawRepresentable, RawValue == Int32 {
    /// The case named `name` (any letter case), never the wire's zero value (`unspecified`):
    /// what a person or a file may ask for.
    public init?(name: String) {
        let name = name.lowercased()
        guard let found = Self.allCases.first(where: { $0.name == name }), found.rawValue != 0 else { return nil }
        self = found
    }
}

/// Coding of ``NamedCases`` by name.
enum NamedCoding {
    static func decode<Value: NamedCases>(_ decoder: any Decoder) throws -> Value {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let value = Value.allCases.first(where: { $0.name == name }) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath, debugDescription: "unknown \(Value.self) \"\(name)\""
                ))
        }
        return value
    }

    static func encode(_ name: String, to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

extension RunStatus: NamedCases {
    public init(from decoder: any Decoder) throws { self = try NamedCoding.decode(decoder) }
    public func encode(to encoder: any Encoder) throws { try NamedCoding.encode(name, to: encoder) }
}

extension StepStatus: NamedCases {
    public init(from decoder: any Decoder) throws { self = try NamedCoding.decode(decoder) }
    public func encode(to encoder: any Encoder) throws { try NamedCoding.encode(name, to: encoder) }
}

extension AgentState: NamedCases {
    public init(from decoder: any Decoder) throws { self = try NamedCoding.decode(decoder) }
    public func encode(to encoder: any Encoder) throws { try NamedCoding.encode(name, to: encoder) }
}

extension WireTaskEventKind: NamedCases {
    public init(from decoder: any Decoder) throws { self = try NamedCoding.decode(decoder) }
    public func encode(to encoder: any Encoder) throws { try NamedCoding.encode(name, to: encoder) }
}

extension WireTaskState: NamedCases {
    public init(from decoder: any Decoder) throws { self = try NamedCoding.decode(decoder) }
    public func encode(to encoder: any Encoder) throws { try NamedCoding.encode(name, to: encoder) }
}

extension WireCommandKind: NamedCases {
    public init(from decoder: any Decoder) throws { self = try NamedCoding.decode(decoder) }
    public func encode(to encoder: any Encoder) throws { try NamedCoding.encode(name, to: encoder) }
}

extension WireCommandState: NamedCases {
    public init(from decoder: any Decoder) throws { self = try NamedCoding.decode(decoder) }
    public func encode(to encoder: any Encoder) throws { try NamedCoding.encode(name, to: encoder) }
}

extension WireScheduleType: NamedCases {
    public init(from decoder: any Decoder) throws { self = try NamedCoding.decode(decoder) }
    public func encode(to encoder: any Encoder) throws { try NamedCoding.encode(name, to: encoder) }
}
