import ArgumentParser
import Foundation
import Pipeline

/// With `--log-format json` on the command line, every stderr line is a JSON record — usage errors too (exit 64),
/// which ArgumentParser would otherwise print as text with the usage. Help and version output are unchanged.
enum JSONCommandLine {
    /// True when `arguments` ask for JSON logs (`--log-format json` or `--log-format=json`).
    static func requested(_ arguments: [String]) -> Bool {
        for (i, a) in arguments.enumerated() {
            if a == "--" { return false }
            if a == "--log-format=json" { return true }
            if a == "--log-format", i + 1 < arguments.count, arguments[i + 1] == "json" { return true }
        }
        return false
    }

    /// Runs `TilePipe` on `arguments` in JSON mode: a parse or validation error becomes one JSON record with its
    /// exit code (64 for usage errors, also one found while running, as in text mode); help and version print as
    /// usual. Never returns.
    static func main(_ arguments: [String]) -> Never {
        JSONLogValue.stderrIsJSON = true
        var command: any ParsableCommand
        do { command = try TilePipe.parseAsRoot(arguments) } catch {
            if TilePipe.exitCode(for: error).rawValue == 0 {   // --help, --version: their text on stdout, as usual
                print(TilePipe.fullMessage(for: error))
                Foundation.exit(0)
            }
            fail(error)
        }
        do { try command.run() } catch let e as ValidationError {
            StderrLine.write(e.message, fields: ["exit_code": .stringConvertible(64)])
            Foundation.exit(64)
        } catch {
            fail(error)
        }
        Foundation.exit(0)
    }

    private static func fail(_ error: any Error) -> Never {
        let code = TilePipe.exitCode(for: error)
        let message = TilePipe.message(for: error)
        if code.rawValue == 0 {   // help requested while running: its text on stdout, as usual
            if !message.isEmpty { print(TilePipe.fullMessage(for: error)) }
            Foundation.exit(0)
        }
        if !message.isEmpty { StderrLine.write(message, fields: ["exit_code": .stringConvertible(code.rawValue)]) }
        Foundation.exit(code.rawValue)
    }
}
