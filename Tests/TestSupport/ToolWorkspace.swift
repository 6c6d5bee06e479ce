import Foundation
import XCTest

/// The package's built `tilepipe` and a fresh folder to run it in: the fixture of the tests that drive the binary
/// as a user would, in a child process (CommandLineTests, ConfigWiringTests, HardeningTests, KillResumeTests, ...).
public struct ToolWorkspace {
    /// How a run of the binary ended.
    public struct Outcome {
        /// Exit status (the signal number when `signalled`).
        public var status: Int32
        /// True when a signal ended the child.
        public var signalled: Bool
        /// Everything the child wrote.
        public var stdout: String, stderr: String
        /// Wall time of the run.
        public var seconds: Double
    }

    /// The executable.
    public let binary: String
    /// The scratch folder the binary runs in (`remove()` deletes it).
    public let directory: URL

    /// `.build/debug/tilepipe`, else `.build/release/tilepipe`, or nil when neither is built.
    public static var builtBinary: String? {
        for config in ["debug", "release"] {
            let p = TestData.packageRoot.appendingPathComponent(".build/\(config)/tilepipe").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// The built binary and a fresh folder named after `label`.
    /// - Throws: `XCTSkip` when the binary has not been built.
    public init(label: String) throws {
        guard let b = Self.builtBinary else { throw Skip.because("tilepipe binary absent: run `swift build` first") }
        binary = b
        directory = try TestData.temporaryDirectory(label)
    }

    /// Deletes the folder.
    public func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Runs the binary with `args` in the folder to its end. Stdout and stderr go through files (a full pipe would
    /// block the child). With `shellPrefix` (e.g. `ulimit -s 8192;`) the binary runs through bash, each argument
    /// read from a file so that the shell line stays short whatever the arguments.
    public func run(_ args: [String], shellPrefix: String? = nil) throws -> Outcome {
        let p = Process()
        if let shellPrefix {
            var words: [String] = []
            for (i, a) in args.enumerated() {
                let f = directory.appendingPathComponent("arg\(i)-\(UUID().uuidString)")
                try Data(a.utf8).write(to: f)
                words.append("\"$(cat '\(f.path)')\"")
            }
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["-c", "\(shellPrefix) exec '\(binary)' \(words.joined(separator: " "))"]
        } else {
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
        }
        p.currentDirectoryURL = directory
        let out = directory.appendingPathComponent("stdout-\(UUID().uuidString)"), err = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        let start = Date()
        try p.run()
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal,
                       stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                       stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self), seconds: Date().timeIntervalSince(start))
    }
}
