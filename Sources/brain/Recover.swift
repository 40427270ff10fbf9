import ArgumentParser
import BrainCommandLine
import BrainCore
import BrainProtocol
import BrainStore

#if canImport(Glibc)
    import Glibc
#endif

/// `brain recover`: when start-up stops on a damaged snapshot or journal.
struct Recover: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a damaged data directory startable again, keeping every damaged file aside.",
        discussion: """
            Examines the data directory, explains what is damaged and what would be done. It \
            refuses while a brain (or another recover) holds the directory's brain.lock, naming \
            that process: stop the brain first. Then: a damaged snapshot is replaced by the newest readable older one \
            (snapshot.1.json, ...), a damaged journal keeps its intact records. Nothing is deleted: \
            damaged files are moved or copied into damaged-<time>/ in the data directory.
            """
    )

    @Option(help: "The data directory. [env: BRAIN_DATA_DIR]")
    var dataDir: String?

    @Flag(help: "Do it without asking.")
    var yes = false

    func run() throws {
        let directory = dataDir ?? DefaultPaths.dataDirectory
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            Console.error("brain recover: \(directory) is not a data directory (\(String(cString: strerror(errno)))); pass --data-dir")
            throw ExitCode(1)
        }
        // Held until recover exits: a brain serving this directory would go on writing
        // into files recover moves aside, and lose what it acknowledged afterwards.
        let lock: DataDirectoryLock
        do {
            lock = try DataDirectoryLock(directory: directory, purpose: "recover it")
        } catch {
            Console.error("brain recover: \(error)")
            throw ExitCode(1)
        }
        defer { withExtendedLifetime(lock) {} }
        let plan = RecoveryPlan.examine(directory: directory, configuration: CoreConfiguration())
        guard plan.isNeeded else {
            Console.line("\(directory): the snapshot and journal read cleanly; nothing to recover")
            return
        }
        Console.line("problems in \(directory):")
        for problem in plan.problems { Console.line("  - \(problem)") }
        Console.line("plan:")
        for step in plan.steps {
            switch step {
            case .setAside(let path): Console.line("  - keep \(path) aside in damaged-<time>/")
            case .promote(let path): Console.line("  - start from \(path) (copied to snapshot.json)")
            case .truncate(let path, let bytes): Console.line("  - keep the first \(bytes) bytes of \(path) (its intact records)")
            }
        }
        for warning in plan.warnings { Console.line("warning: \(warning)") }
        if !yes {
            Console.prompt("proceed? [y/N] ")
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                Console.line("nothing changed")
                throw ExitCode(1)
            }
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        do {
            let aside = try plan.apply(directory: directory, now: Int64(now.tv_sec) * 1_000_000_000)
            Console.line("done; damaged files are in \(aside). Start the brain again.")
        } catch {
            Console.error("brain recover: \(error)")
            throw ExitCode(1)
        }
    }
}
