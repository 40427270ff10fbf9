/// A task by its identity: one id in one engine of one project.
package struct TaskRef: Hashable, Sendable {
    package var project: String
    package var engine: String
    package var taskID: String

    package init(project: String, engine: String, taskID: String) {
        self.project = project
        self.engine = engine
        self.taskID = taskID
    }
}
