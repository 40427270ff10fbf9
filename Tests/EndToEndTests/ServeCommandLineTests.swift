import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// `brain`'s own command line: what a person typing it gets back.
@Suite(.timeLimit(.minutes(1)))
struct ServeCommandLineTests {
    @Test("brain --version prints the version")
    func version() throws {
        let brain = try BrainProcess()
        let (status, text) = try brain.run(["--version"])
        #expect(status == 0)
        #expect(text.contains(BrainVersion.string), "\(text)")
    }

    @Test("a bad serve option is answered with serve's own usage line, and a negative number as such")
    func usageOfServe() throws {
        let brain = try BrainProcess()
        let (status, text) = try brain.startExpectingFailure(arguments: ["--snapshot-interval", "-5"])
        #expect(status == 64)
        #expect(text.contains("--snapshot-interval -5: must be ≥ 0"), "\(text)")
        #expect(text.contains("Usage: brain serve"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: brain.dataDirectory), "a refused start writes nothing")
    }

    @Test("a bad BRAIN_* variable is named as the variable, not as the flag")
    func environmentNamed() throws {
        let brain = try BrainProcess()
        let (status, text) = try brain.startExpectingFailure(environment: ["BRAIN_FSYNC": "bogus"])
        #expect(status == 64)
        #expect(text.contains("BRAIN_FSYNC=bogus is not one of batch, interval, never"), "\(text)")
        let (level, levelText) = try brain.startExpectingFailure(environment: ["BRAIN_LOG_LEVEL": "loud"])
        #expect(level == 64)
        #expect(levelText.contains("BRAIN_LOG_LEVEL=loud"), "\(levelText)")
        // The on/off switches share one reading of their variables.
        for variable in ["BRAIN_DIRECT_IO", "BRAIN_TASK_CHECK_THREAD"] {
            let (switchStatus, switchText) = try brain.startExpectingFailure(environment: [variable: "maybe"])
            #expect(switchStatus == 64)
            #expect(switchText.contains("\(variable)=maybe is not one of 1, 0, true, false, yes, no, on, off"), "\(switchText)")
        }
    }
}
