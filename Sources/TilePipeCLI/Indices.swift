import ArgumentParser
import Foundation
import Kernels

/// `tilepipe indices [--json]`: the spectral index catalogue.
struct Indices: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "indices", abstract: "List the spectral indices `tilepipe index` and band math know.")

    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        if json {
            let entries: [[String: Any]] = IndexCatalog.all.map { i in
                ["name": i.name, "long_name": i.longName, "aliases": i.aliases, "formula": i.formula,
                 "bands": i.requiredBands, "constants": i.constants, "domain": i.outputDomain,
                 "reference": i.reference, "notes": i.notes]
            }
            let data = try JSONSerialization.data(withJSONObject: entries, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        for i in IndexCatalog.all {
            let aka = i.aliases.isEmpty ? "" : " (also: \(i.aliases.joined(separator: ", ")))"
            print("\(i.name)\(aka): \(i.longName)")
            print("    \(i.name) = \(i.formula)")
            print("    bands: \(i.requiredBands.joined(separator: ", "))   domain: \(i.outputDomain)")
            if !i.constants.isEmpty {
                print("    constants: " + i.constants.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
            }
            print("    reference: \(i.reference)")
            if !i.notes.isEmpty { print("    note: \(i.notes)") }
        }
    }
}
