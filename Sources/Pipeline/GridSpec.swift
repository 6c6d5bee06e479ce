import Foundation
import RasterCore

/// `grid:` of pipeline.yaml: the reference grid every tile is resampled onto at ingest, so that bands and dates on
/// different grids become comparable pixel by pixel. Every key is optional; what is not given comes from the tile
/// (its CRS, its finest band's resolution, its extent). Documented in docs/pipeline.md.
public struct GridSpec: Sendable, Equatable, Codable {
    /// Target CRS, `EPSG:<code>` (nil: each tile's own CRS, or `outputs.crs`).
    public var crs: String?
    /// Pixel size in CRS units (nil: the tile's finest band, or GDAL's diagonal rule after a CRS change).
    public var resolution: Double?
    /// Extent `[min_x, min_y, max_x, max_y]` in the grid's CRS (needs `crs` or `outputs.crs`); nil: each tile's
    /// extent, snapped outwards to multiples of `resolution`.
    public var bounds: [Double]?
    /// Resampling of reflectance: `auto` (bilinear, or average when the grid is more than 1.5× coarser than the
    /// tile), `nearest`, `bilinear` or `average`. Quality codes are always resampled nearest.
    public var resampling: String?

    /// A grid specification from its parts.
    public init(crs: String? = nil, resolution: Double? = nil, bounds: [Double]? = nil, resampling: String? = nil) {
        self.crs = crs
        self.resolution = resolution
        self.bounds = bounds
        self.resampling = resampling
    }

    /// The EPSG code of an `EPSG:<code>` string (case-insensitive), or nil.
    public static func epsgCode(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.lowercased().hasPrefix("epsg:"), let code = Int(t.dropFirst(5)), code > 0 else { return nil }
        return code
    }
}

extension PipelineConfig {
    /// Reads `grid:`.
    static func decodeGrid(_ n: ConfigNode) throws -> GridSpec {
        let m = try n.mapping(allowed: ["crs", "resolution", "bounds", "resampling"])
        var spec = GridSpec()
        spec.crs = try m["crs"].map(decodeCRS)
        if let r = m["resolution"] {
            let v = try r.double()
            guard v > 0, v.isFinite else { throw r.error("must be a positive number of CRS units, found \(v)") }
            spec.resolution = v
        }
        if let b = m["bounds"] {
            let v = try b.sequence().map { try $0.double() }
            guard v.count == 4, v.allSatisfy(\.isFinite), v[2] > v[0], v[3] > v[1] else {
                throw b.error("expected [min_x, min_y, max_x, max_y] with max > min")
            }
            spec.bounds = v
        }
        spec.resampling = try m["resampling"]?.choice(["auto"] + ResampleMethod.allCases.map(\.rawValue))
        return spec
    }

    /// Reads a CRS key: `EPSG:<code>` only (the code is written into the output GeoTIFFs' GeoKeys).
    static func decodeCRS(_ n: ConfigNode) throws -> String {
        let s = try n.string()
        guard let code = GridSpec.epsgCode(s) else { throw n.error("'\(s)' is not a CRS of the form EPSG:<code> (e.g. EPSG:32650)") }
        return "EPSG:\(code)"
    }

    /// Cross-checks `grid:` and `outputs.crs` once both are read.
    static func checkGrid(_ config: PipelineConfig, gridNode: ConfigNode?, outputsNode: ConfigNode) throws {
        let outCRS = config.outputs.crs
        if let g = config.grid, let gc = g.crs, let oc = outCRS, gc != oc {
            throw (gridNode ?? outputsNode).error("grid.crs \(gc) and outputs.crs \(oc) disagree; give one of them")
        }
        if let g = config.grid, g.bounds != nil, g.crs == nil, outCRS == nil {
            throw (gridNode ?? outputsNode).error("grid.bounds needs grid.crs (or outputs.crs): the bounds are in that CRS")
        }
    }
}
