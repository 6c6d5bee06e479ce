import ArgumentParser
import Foundation

/// The `tilepipe` command: satellite tiles in, analysis products out.
@main
struct TilePipe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tilepipe",
        abstract: "Turn satellite imagery into calibrated indices, land-use maps, disaster products and reports.",
        version: TilePipeVersion.string,
        subcommands: [Run.self, Validate.self, Merge.self, Report.self, ServeCommand.self, Simulate.self, Info.self, Indices.self, Index.self, Calc.self, Toa.self]
    )

    /// Parses the command line after `CalcExpressionArgument.protect` has marked a `calc` expression that starts
    /// with `-` as positional, then runs the command. A usage error found while running (a bad `--band`, an
    /// unknown index, a malformed expression) is one line `tilepipe: message` and exit 64, not the error followed
    /// by the usage of the root command.
    static func main() {
        let arguments = CalcExpressionArgument.protect(Array(CommandLine.arguments.dropFirst()))
        if JSONCommandLine.requested(arguments) { JSONCommandLine.main(arguments) }   // every stderr line JSON
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let e as ValidationError {
            fail(e.message, code: 64)
        } catch {
            exit(withError: error)
        }
    }
}

/// `calc`'s expression may start with `-` (`-nir`, `-0.5 * x`), which an option parser takes for a flag. The first
/// argument of `calc` that starts with `-` but is neither an option of `calc` nor an option's value is moved
/// behind a `--`, where it can only be the expression. In `calc -- EXPR --band …` the options after the
/// expression are moved in front of the `--`, so `--` marks the expression wherever it stands.
enum CalcExpressionArgument {
    /// Options of `calc` that take a value in the next argument.
    static let valued: Set<String> = ["--band", "--scale", "--offset", "--output"]
    /// Options of `calc` without a value.
    static let flags: Set<String> = ["-h", "--help"]

    static func protect(_ arguments: [String]) -> [String] {
        guard let c = arguments.firstIndex(where: { !$0.hasPrefix("-") }), arguments[c] == "calc" else { return arguments }
        var rest = Array(arguments[(c + 1)...])
        var i = 0
        while i < rest.count {
            let a = rest[i]
            if a == "--" {
                guard i + 1 < rest.count else { return arguments }
                let expression = rest[i + 1]
                let options = Array(rest[..<i]) + Array(rest[(i + 2)...])
                return Array(arguments[...c]) + options + ["--", expression]
            }
            if valued.contains(a) { i += 2; continue }
            if a.hasPrefix("-"), !flags.contains(a), !valued.contains(where: { a.hasPrefix($0 + "=") }) {
                rest.remove(at: i)
                return Array(arguments[...c]) + rest + ["--", a]
            }
            if !a.hasPrefix("-") { return arguments }   // the expression is already positional
            i += 1
        }
        return arguments
    }
}

/// The tool version, recorded in provenance and the run catalog.
enum TilePipeVersion {
    static let string = "0.1.0"
}
