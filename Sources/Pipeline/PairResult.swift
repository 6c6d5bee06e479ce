import Foundation
public import RasterCore
public import Analysis
import GroundStation
import RasterIO
public import Products

/// The result of one two-date job on one tile pair, stored as JSON in the catalog (`pairs`), so reports,
/// `affected.geojson` and merges are rebuilt without pixels. Counts are pixels (partial sums over tiles).
public struct PairResult: Codable, Sendable, Equatable {
    /// `<job>:<pair key>:<before>:<after>`.
    public var id: String
    /// `flood`, `burn`, `landslide`, `drought` or `change` (the from/to class matrix of every pair).
    public var job: String
    /// Pair key (tile id without dates).
    public var key: String
    /// Dates `YYYY-MM-DD`.
    public var before: String, after: String
    /// Tile ids of the two dates.
    public var beforeTile: String, afterTile: String
    /// Index compared, when the job reads one.
    public var index: String?
    /// Pixel area in m².
    public var pixelAreaM2: Double
    /// Grid.
    public var width: Int, height: Int
    /// Georeference of both dates (the merge of polygons across tiles needs it).
    public var geo: GeoReference?
    /// The job's classes.
    public var classes: [ClassDefinition]
    /// Class code (decimal) → pixels of the job's class raster.
    public var classPixels: [String: Int]
    /// Codes counted as affected.
    public var affectedClasses: [Int]
    /// Thresholds the job used.
    public var thresholds: [String: Double]
    /// Polygons of the affected classes (pixel coordinates of this tile).
    public var polygons: [TracedPolygon]
    /// Change matrix `pixels[from][to]` over `changeClasses` (job `change`).
    public var changeClasses: [Int]?, changePixels: [[Int]]?
    /// Intersection over union of the affected mask against `truth-event.tif` of the post-date tile.
    public var iou: Double?
    /// |affected ∩ truth| and |affected ∪ truth| in pixels (sums over tiles give the job's IoU).
    public var iouIntersection: Int?, iouUnion: Int?
    /// Class raster COG and quicklook, relative to the run folder.
    public var raster: String?, quicklook: String?
    /// Files written, with hashes.
    public var outputs: [OutputRecord]
    /// Why the pair could not be processed (grid mismatch, unreadable product), when it failed.
    public var failure: String?
    /// The class of that cause (nil in catalogs written before it was recorded: read as `config`).
    public var failureKind: FailureKind?

    /// The failure as run.json, the catalog and the reports list it, when the pair failed.
    public var failureEntry: FailureEntry? {
        failure.map { FailureEntry(tile: afterTile, path: "\(beforeTile) + \(afterTile)", stage: "pair \(job)", cause: $0, kind: failureKind ?? .config) }
    }

    /// Affected pixels.
    public var affectedPixels: Int { affectedClasses.reduce(0) { $0 + (classPixels[String($1)] ?? 0) } }
}
