import Foundation
import Pipeline
import TestSupport
import XCTest

final class ShardMergeTests: XCTestCase {
    func testShardParsingAndEnvironment() throws {
        XCTAssertEqual(try ShardSpec.parse("2/3"), ShardSpec(index: 2, count: 3, source: "--shard"))
        for bad in ["3/3", "-1/2", "1", "a/b", "0/0"] { XCTAssertThrowsError(try ShardSpec.parse(bad), bad) }
        XCTAssertEqual(try ShardSpec.resolve(flag: nil, shardCount: 3, environment: ["JOB_COMPLETION_INDEX": "1"]).index, 1)
        XCTAssertEqual(try ShardSpec.resolve(flag: nil, shardCount: nil,
                                             environment: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4",
                                                           "SLURM_ARRAY_TASK_COUNT": "3"]),
                       ShardSpec(index: 1, count: 3, source: "SLURM_ARRAY_TASK_ID"))
        XCTAssertEqual(try ShardSpec.resolve(flag: nil, shardCount: nil,
                                             environment: ["AWS_BATCH_JOB_ARRAY_INDEX": "2", "TILEPIPE_SHARD_COUNT": "4"]).description, "2/4")
        XCTAssertThrowsError(try ShardSpec.resolve(flag: nil, shardCount: nil, environment: ["JOB_COMPLETION_INDEX": "1"]))
        XCTAssertEqual(try ShardSpec.resolve(flag: "1/2", shardCount: nil, environment: ["JOB_COMPLETION_INDEX": "0"]).index, 1)
        XCTAssertEqual(try ShardSpec.resolve(flag: nil, shardCount: nil, environment: [:]), .whole)
    }

    /// Output files are hashed with XXH64: the specification's vectors, a long input checked against the system's
    /// libxxhash 0.8.1 (`XXH64(buf, 100003, 0)`), and the same value whatever pieces the bytes arrive in.
    func testOutputHashIsXXH64InAnyPieces() throws {
        func xxh(_ bytes: [UInt8]) -> UInt64 { var h = Fingerprint.XXH64(); bytes.withUnsafeBytes { h.add($0) }; return h.value }
        XCTAssertEqual(xxh([]), 0xEF46_DB37_51D8_E999)
        XCTAssertEqual(xxh(Array("a".utf8)), 0xD24E_C4F1_A98C_6E5B)
        XCTAssertEqual(xxh(Array("abc".utf8)), 0x44BC_2CF5_AD77_0999)
        XCTAssertEqual(xxh(Array("Nobody inspects the spammish repetition".utf8)), 0xFBCE_A83C_8A37_8BF1)
        let long = (0..<100_003).map { UInt8($0 * 31 % 251) }
        XCTAssertEqual(xxh(long), 0x2E86_4222_5807_4E4F)
        for piece in [1, 5, 31, 32, 33, 4096, 65_537] {
            var h = Fingerprint.XXH64()
            var i = 0
            while i < long.count {
                long[i..<min(long.count, i + piece)].withUnsafeBytes { h.add($0) }
                i += piece
            }
            XCTAssertEqual(h.value, 0x2E86_4222_5807_4E4F, "pieces of \(piece)")
        }
        let dir = try TestData.temporaryDirectory("xxh64")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("f.bin")
        try Data(long).write(to: file)
        XCTAssertEqual(Fingerprint.file(file.path), "2e86422258074e4f")
        XCTAssertNil(Fingerprint.file(dir.path))   // a folder is not hashed
    }

    func testAssignmentIsStableAndKeepsDatePairsTogether() {
        XCTAssertEqual(ShardSpec.groupKey("T50RKS_r1c2_20250101"), "T50RKS_r1c2")
        XCTAssertEqual(ShardSpec.groupKey("T50RKS_r1c2_2025-03-01"), "T50RKS_r1c2")
        // FNV-1a 64 of "a" is the published test vector 0xaf63dc4c8601ec8c.
        XCTAssertEqual(Fingerprint.of("a"), 0xaf63_dc4c_8601_ec8c)
        var counts = [0, 0, 0]
        for r in 0..<10 { for c in 0..<10 {
            let pre = "T50_r\(r)c\(c)_20250101", post = "T50_r\(r)c\(c)_20250301"
            XCTAssertEqual(ShardSpec.shard(of: pre, count: 3), ShardSpec.shard(of: post, count: 3))
            counts[ShardSpec.shard(of: pre, count: 3)] += 1
        } }
        XCTAssertTrue(counts.allSatisfy { $0 > 15 }, "unbalanced: \(counts)")
    }

    func testThreeShardsPlusMergeEqualUnsharded() throws {
        let root = try TestData.temporaryDirectory("pipeline-shards")
        defer { try? FileManager.default.removeItem(at: root) }
        let tiles = root.appendingPathComponent("tiles")
        try TileFixtures.writeTiles(count: 12, into: tiles)
        func runInto(_ out: String, shard: ShardSpec) throws -> RunSummary {
            let c = try PipelineConfig.parse(yaml: TileFixtures.minimalYAML(input: tiles.path, output: root.appendingPathComponent(out).path,
                                                                              indices: "[ndvi, ndwi, nbr]"))
            return try PipelineRunner.run(config: c, options: RunOptions(jobs: 2, shard: shard, toolVersion: "test-1"),
                                          logger: PipelineRunner.silentLogger)
        }
        let whole = try runInto("whole", shard: .whole)
        var shardTotals = 0
        for i in 0..<3 { shardTotals += try runInto("s\(i)", shard: ShardSpec(index: i, count: 3, source: "test")).total }
        XCTAssertEqual(shardTotals, 12, "every tile in exactly one shard")
        let merged = try ShardMerge.merge(shards: (0..<3).map { root.appendingPathComponent("s\($0)").path },
                                          output: root.appendingPathComponent("merged").path, toolVersion: "test-1")
        XCTAssertEqual(merged.done, 12)
        XCTAssertEqual(merged.indices, whole.indices, "report numbers differ")
        XCTAssertEqual(merged.outputCount, whole.outputCount)
        XCTAssertEqual(TileFixtures.outputFiles(root.appendingPathComponent("merged")),
                       TileFixtures.outputFiles(root.appendingPathComponent("whole")))
        let a = try RunCatalog(directory: root.appendingPathComponent("merged").path).allTiles()
        let b = try RunCatalog(directory: root.appendingPathComponent("whole").path).allTiles()
        XCTAssertEqual(a.map(\.id), b.map(\.id))
        XCTAssertEqual(a.map(\.result), b.map(\.result))
        XCTAssertEqual(a.map(\.inputHash), b.map(\.inputHash))
        // Merging again is idempotent; a damaged shard output is refused.
        XCTAssertEqual(try ShardMerge.merge(shards: (0..<3).map { root.appendingPathComponent("s\($0)").path },
                                            output: root.appendingPathComponent("merged").path, toolVersion: "test-1").indices, whole.indices)
        let anyOutput = try XCTUnwrap(TileFixtures.outputFiles(root.appendingPathComponent("s1")).keys.sorted().first { $0.hasPrefix("tiles/") })
        try Data([0]).write(to: root.appendingPathComponent("s1").appendingPathComponent(anyOutput))
        XCTAssertThrowsError(try ShardMerge.merge(shards: [root.appendingPathComponent("s1").path],
                                                  output: root.appendingPathComponent("m2").path, toolVersion: "test-1"))
    }
}
