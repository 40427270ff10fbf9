import ArgumentParser

/// The options every command takes (``CommonOptions``), accepted before the command too.
///
/// ArgumentParser reads a subcommand's options only after the subcommand's name, so
/// `brainctl --socket S run show ID` would be an unknown option at the root. Before
/// parsing, the global options found ahead of the command path are moved right after it:
/// `run show --socket S ID`, which parses the same as writing them there.
enum GlobalArguments {
    /// Options followed by a value (`--socket S`, or `--socket=S`).
    static let valued: Set<String> = ["--socket", "--timeout"]
    /// Options without a value.
    static let flags: Set<String> = ["--json"]

    /// `arguments` (without the program name) with the global options that come before or
    /// inside the command path moved after it. Left as it is when there are none; when no
    /// command follows them they are dropped, and ArgumentParser answers what is left as usual.
    static func hoist(_ arguments: [String], root: any ParsableCommand.Type) -> [String] {
        var globals: [String] = []
        var path: [String] = []
        var command = root
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if flags.contains(word) {
                globals.append(word)
                index += 1
            } else if valued.contains(word), index + 1 < arguments.count {
                globals += [word, arguments[index + 1]]
                index += 2
            } else if let equals = word.firstIndex(of: "="), valued.contains(String(word[..<equals])) {
                globals.append(word)
                index += 1
            } else if let subcommand = command.configuration.subcommands.first(where: { $0._commandName == word }) {
                path.append(word)
                command = subcommand
                index += 1
            } else {
                break
            }
        }
        guard !globals.isEmpty else { return arguments }
        // No command after them: with a word left (a misspelt command, --help, --version)
        // parse without them, so the answer is about that word, not about `--socket`.
        if path.isEmpty { return index < arguments.count ? Array(arguments[index...]) : arguments }
        return path + globals + arguments[index...]
    }
}
