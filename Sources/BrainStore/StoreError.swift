/// A data-directory problem, naming the file and what to do.
package struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    package var path: String
    package var problem: String

    package init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    package var description: String { "\(path): \(problem)" }
}
