import BrainCore

#if canImport(Glibc)
    import Glibc
#endif

/// `brain recover`: finds what stops start-up and how to start again without deleting
/// anything: damaged files move to a `damaged-<time>/` folder in the data directory.
package struct RecoveryPlan: Sendable {
    package enum Step: Sendable, Equatable {
        /// Move a damaged or unusable file aside.
        case setAside(String)
        /// Copy an older snapshot in as `snapshot.json`.
        case promote(String)
        /// Keep the first `bytes` of a journal segment (the intact records before the damage).
        case truncate(String, bytes: Int)
    }

    package var problems: [String] = []
    package var steps: [Step] = []
    package var warnings: [String] = []

    package var isNeeded: Bool { !steps.isEmpty }

    /// Examines `directory` without changing it.
    package static func examine(directory: String, configuration: CoreConfiguration) -> RecoveryPlan {
        var plan = RecoveryPlan()
        let store = SnapshotStore(directory: directory)
        var firstSegment = 1
        do {
            if let loaded = try store.load(configuration: configuration) { firstSegment = loaded.journalSegment }
        } catch {
            plan.problems.append(Self.withoutRemedy(error.description))
            plan.steps.append(.setAside(store.path))
            var found = false
            for generation in 1..<10 where FileIO.exists(store.path(generation: generation)) {
                if let loaded = try? SnapshotStore.load(path: store.path(generation: generation), configuration: configuration) {
                    plan.steps.append(.promote(store.path(generation: generation)))
                    plan.warnings.append(
                        "events between \(store.path(generation: generation)) and the damaged snapshot are lost: their journal was cut when the newer snapshot was written"
                    )
                    firstSegment = loaded.journalSegment
                    found = true
                    break
                }
            }
            if !found {
                plan.warnings.append("no older readable snapshot: the brain starts from the journal alone")
                firstSegment = 1
            }
        }
        let segments = JournalReader.segments(in: directory)
        let following = segments.filter { $0 >= firstSegment }
        if let gap = JournalReader.gap(in: following, from: firstSegment) {
            let text = "journal segment \(Journal.fileName(gap)) is missing after the snapshot"
            // After promoting an older snapshot this is expected (the newer one cut the
            // journal), so it is said as what happens, not as a second problem.
            if plan.steps.contains(where: { if case .promote = $0 { true } else { false } }) {
                plan.warnings.append("\(text) that recovery starts from, as expected after a newer snapshot")
            } else {
                plan.problems.append(text)
            }
            for number in following {
                plan.steps.append(.setAside("\(directory)/\(Journal.fileName(number))"))
            }
            plan.warnings.append("the journal does not continue the snapshot it would start from; its segments are set aside, not replayed")
            return plan
        }
        for (index, number) in segments.enumerated() {
            let path = "\(directory)/\(Journal.fileName(number))"
            if number < firstSegment { continue }
            do {
                _ = try JournalReader.read(directory: directory, segment: number, isLast: index == segments.count - 1)
            } catch {
                plan.problems.append(Self.withoutRemedy(error.description))
                let intact = JournalReader.intactPrefix(directory: directory, segment: number)
                plan.steps.append(.setAside(path))
                plan.steps.append(.truncate(path, bytes: intact))
                // Later segments depend on the records lost here: keep them aside too.
                for later in segments[(index + 1)...] {
                    plan.steps.append(.setAside("\(directory)/\(Journal.fileName(later))"))
                    plan.warnings.append("\(Journal.fileName(later)) follows the damage and is set aside, not replayed")
                }
                plan.warnings.append("records after offset \(intact) of \(Journal.fileName(number)) are not replayed (the copy set aside keeps them)")
                break
            }
        }
        return plan
    }

    /// A start-up error's text without its "run `brain recover`" advice, for the list
    /// `brain recover` itself prints.
    static func withoutRemedy(_ text: String) -> String {
        var result = text
        for marker in [" Run `brain recover", "; run `brain recover", " Use a brain that matches, or run `brain recover`"] {
            if let range = result.firstRange(of: marker) {
                result = String(result[..<range.lowerBound])
                if !result.hasSuffix(".") { result += "." }
            }
        }
        return result
    }

    /// Carries the plan out. Damaged files are copied or moved into `damaged-<now>/`, never deleted.
    package func apply(directory: String, now: Int64) throws(StoreError) -> String {
        let aside = "\(directory)/damaged-\(now / 1_000_000_000)"
        try FileIO.makeDirectory(aside)
        for step in steps {
            switch step {
            case .setAside(let path):
                let target = "\(aside)/\(FileIO.baseName(path))"
                // Copy (not move) when the same file is truncated next, so the original survives intact.
                let truncatedNext = steps.contains { if case .truncate(let other, _) = $0 { other == path } else { false } }
                if truncatedNext {
                    try FileIO.copy(path, to: target)
                } else if Glibc.rename(path, target) != 0 {
                    throw StoreError(path: path, problem: "cannot move it to \(aside): \(FileIO.errnoText())")
                }
            case .promote(let path):
                try FileIO.copy(path, to: "\(directory)/\(SnapshotStore.fileName)")
            case .truncate(let path, let bytes):
                guard Glibc.truncate(path, off_t(bytes)) == 0 else {
                    throw StoreError(path: path, problem: "cannot truncate to \(bytes) bytes: \(FileIO.errnoText())")
                }
            }
        }
        try FileIO.fsyncDirectory(directory)
        return aside
    }
}

extension JournalReader {
    /// The first missing segment number when `segments` (ascending) do not run
    /// contiguously from `first`, else `nil`. No segments at all is no gap.
    static func gap(in segments: [Int], from first: Int) -> Int? {
        guard !segments.isEmpty else { return nil }
        var expected = first
        for number in segments {
            if number != expected { return expected }
            expected += 1
        }
        return nil
    }

    /// The length of the valid records at the start of a damaged segment.
    static func intactPrefix(directory: String, segment: Int) -> Int {
        let path = "\(directory)/\(Journal.fileName(segment))"
        guard let bytes = try? FileIO.read(path), let version = Journal.version(ofHeader: bytes), version <= Journal.version
        else { return 0 }
        var offset = Journal.magic.count
        while bytes.count - offset >= 8 {
            let length = Int(littleEndian32(bytes, offset))
            guard length <= bytes.count - offset - 8 else { break }
            let payload = bytes[(offset + 8)..<(offset + 8 + length)]
            guard payload.withUnsafeBytes({ CRC32C.checksum($0) }) == littleEndian32(bytes, offset + 4),
                JournalRecord.decode(payload) != nil
            else { break }
            offset += 8 + length
        }
        return offset
    }
}
