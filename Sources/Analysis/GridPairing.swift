public import RasterCore
import RasterIO

/// The rules that put the two dates of a tile pair on one grid: `requireSameGrid` for callers that need the
/// grids identical, and `Alignment`, which brings the after date onto the before date's grid (same CRS with another
/// extent or resolution, or another CRS through PROJ) and refuses dates that do not overlap or lack a CRS.
public enum GridPairing {
    /// One date's raster grid and the file it comes from (named in errors).
    public struct DateGrid: Sendable {
        /// Georeference (nil: none).
        public var geo: GeoReference?
        /// Size.
        public var width: Int, height: Int
        /// The file named in errors.
        public var file: String

        /// A date's grid from its parts.
        public init(geo: GeoReference?, width: Int, height: Int, file: String) {
            self.geo = geo; self.width = width; self.height = height; self.file = file
        }
    }

    /// How the after date's planes reach the before date's grid: as they are when both grids agree, else through a
    /// `GridMapping` (built once, shared by every plane of the pair). Index planes are resampled bilinearly, codes
    /// (quality masks, class maps, truth) by nearest neighbour; target pixels the after date does not cover are NaN
    /// (planes) or the given fill code.
    public struct Alignment: Sendable {
        /// The mapping from the before grid onto the after grid; nil when the grids agree.
        public let mapping: GridMapping?
        /// The before date's grid size (every aligned plane has this many samples).
        public let width: Int, height: Int

        /// True when the after date had to be resampled.
        public var resamples: Bool { mapping != nil }

        /// An index plane of the after date on the before grid (bilinear).
        public func values(_ plane: [Float]) -> [Float] {
            guard let mapping else { return plane }
            return Resampler.resample(plane, mapping: mapping, method: .bilinear)
        }

        /// A code plane of the after date on the before grid (nearest); `fill` where the after date has no pixel.
        public func codes(_ plane: [UInt8], fill: UInt8) -> [UInt8] {
            guard let mapping else { return plane }
            return Resampler.resample(plane.map(Float.init), mapping: mapping, method: .nearest).map { $0.isNaN ? fill : UInt8($0) }
        }
    }

    /// The alignment of `after` onto `before`.
    /// - Throws: `gridMismatch` naming both files when only one date is georeferenced, when neither is and the sizes
    ///   differ, or when the two cannot be related (no CRS, a CRS PROJ cannot use, no overlap; `GridWarp`).
    public static func alignment(before: DateGrid, after: DateGrid) throws(AnalysisError) -> Alignment {
        switch (before.geo, after.geo) {
        case (nil, nil):
            guard before.width == after.width, before.height == after.height else {
                throw .gridMismatch(differences: ["size \(before.width)×\(before.height) (\(before.file)) vs \(after.width)×\(after.height) (\(after.file)), and neither has a georeference to relate them"])
            }
            return Alignment(mapping: nil, width: before.width, height: before.height)
        case (nil, _), (_, nil):
            throw .gridMismatch(differences: ["\(before.geo == nil ? before.file : after.file) has no georeference, so it cannot be aligned with \(before.geo == nil ? after.file : before.file)"])
        case let (b?, a?):
            let target = RasterGrid(width: before.width, height: before.height, geo: b)
            let source = RasterGrid(width: after.width, height: after.height, geo: a)
            if target.sameGrid(as: source) { return Alignment(mapping: nil, width: before.width, height: before.height) }
            do {
                let m = try GridWarp.mapping(from: source, sourceFile: after.file, to: target, targetFile: before.file)
                return Alignment(mapping: m, width: before.width, height: before.height)
            } catch {
                throw .gridMismatch(differences: [error.description])
            }
        }
    }

    /// Throws `gridMismatch` listing every difference (size, CRS, each transform coefficient) unless the two
    /// grids are identical (transform coefficients equal within a relative 1e-9, as `GeoReference.sameGrid`).
    public static func requireSameGrid(_ a: GeoReference?, width aw: Int, height ah: Int,
                                       _ b: GeoReference?, width bw: Int, height bh: Int,
                                       names: (String, String) = ("before", "after")) throws(AnalysisError) {
        var diffs: [String] = []
        if aw != bw || ah != bh { diffs.append("size \(aw)×\(ah) (\(names.0)) vs \(bw)×\(bh) (\(names.1))") }
        switch (a, b) {
        case (nil, nil): break
        case (nil, _), (_, nil):
            diffs.append("\(a == nil ? names.0 : names.1) has no georeference")
        case let (ga?, gb?):
            if !ga.sameGrid(as: gb) {
                if ga.crs?.epsg != gb.crs?.epsg || ga.crs?.projDefinition != gb.crs?.projDefinition {
                    diffs.append("CRS \(ga.crs?.summary ?? "none") (\(names.0)) vs \(gb.crs?.summary ?? "none") (\(names.1))")
                }
                let labels = ["originX", "pixelWidth", "rowRotation", "originY", "columnRotation", "pixelHeight"]
                for k in 0..<6 {
                    let x = ga.transform.coefficients[k], y = gb.transform.coefficients[k]
                    if abs(x - y) > 1e-9 * max(1, abs(x), abs(y)) {
                        diffs.append("\(labels[k]) \(x) (\(names.0)) vs \(y) (\(names.1))")
                    }
                }
            }
        }
        if !diffs.isEmpty { throw .gridMismatch(differences: diffs) }
    }
}
