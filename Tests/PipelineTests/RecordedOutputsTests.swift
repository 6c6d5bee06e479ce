import Foundation
import Pipeline
import TestSupport
import XCTest

/// Every product a run writes under tiles/ and pairs/ (COGs, quicklooks, world files and the GIS sidecars: a class
/// map's .aux.xml and .qml, a quicklook's .aux.xml) is a recorded output with the hash of its bytes, so merge,
/// resume and the integrity checks handle them all alike, and so is each tile's STAC item. Only the two-date STAC
/// items under pairs/ are not: they are run products, rewritten from the catalog (`RunProducts.write`).
final class RecordedOutputsTests: XCTestCase {
    func testEveryProductFileIsARecordedOutputWithItsHash() throws {
        let run = try SampleTilesRun.shared().directory
        let catalog = try RunCatalog(directory: run.path)
        var recorded: [String: String] = [:]
        for o in try catalog.allOutputs() { recorded[o.path] = o.hash }
        for p in try catalog.allPairs() { for o in p.outputs { recorded[o.path] = o.hash } }
        var onDisk: Set<String> = []
        for top in ["tiles", "pairs"] {
            for rel in FileManager.default.enumerator(atPath: run.appendingPathComponent(top).path)?.allObjects as? [String] ?? [] {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: run.appendingPathComponent("\(top)/\(rel)").path, isDirectory: &isDir),
                      !isDir.boolValue, !(top == "pairs" && rel.hasSuffix(".json")) else { continue }
                onDisk.insert("\(top)/\(rel)")
            }
        }
        let sidecars = onDisk.filter { $0.hasSuffix(".aux.xml") || $0.hasSuffix(".qml") }
        XCTAssertTrue(sidecars.contains { $0.hasPrefix("tiles/") && $0.hasSuffix("_landuse.tif.aux.xml") }, "\(sidecars.sorted())")
        XCTAssertTrue(sidecars.contains { $0.hasPrefix("tiles/") && $0.hasSuffix("_landuse.qml") })
        XCTAssertTrue(sidecars.contains { $0.hasPrefix("tiles/") && $0.hasSuffix(".png.aux.xml") })
        XCTAssertTrue(sidecars.contains { $0.hasPrefix("pairs/") && $0.hasSuffix(".tif.aux.xml") })
        XCTAssertEqual(onDisk.subtracting(recorded.keys).sorted(), [], "written but not recorded")
        XCTAssertEqual(Set(recorded.keys).subtracting(onDisk).sorted(), [], "recorded but not on disk")
        for path in onDisk.sorted() {
            XCTAssertEqual(recorded[path], Fingerprint.file(run.appendingPathComponent(path).path), path)
        }
    }
}
