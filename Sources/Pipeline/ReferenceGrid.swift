import Foundation
public import RasterCore
public import GroundStation
import RasterIO

/// The reference grid of a run, from `grid:` and `outputs.crs`: for each tile, the grid its bands are resampled onto
/// at ingest (after GroundStation has brought the tile's own bands onto its finest band's grid).
///
/// - `bounds` given: one grid for every tile (dates and places on one lattice), `resolution` or the tile's
///   resolution (carried into the CRS by GDAL's diagonal rule when the CRS changes).
/// - no `bounds`, same CRS: the tile's extent snapped outwards to multiples of `resolution` (`gdalwarp -tap`); no
///   `resolution` either: the tile's own grid (nothing to do).
/// - no `bounds`, another CRS: the tile's extent in that CRS (`GridWarp.reprojected`), snapped when `resolution`
///   is given.
public struct ReferenceGrid: Sendable {
    /// Target CRS (nil: the tile's).
    public var crs: CRS?
    /// Pixel size (nil: the tile's).
    public var resolution: Double?
    /// Extent in `crs`.
    public var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double)?
    /// Reflectance resampling (nil: auto).
    public var method: ResampleMethod?
    /// How the grid is named in messages.
    public var name: String

    /// The run's reference grid, or nil when the config asks for none (no `grid:` and no `outputs.crs`).
    public init?(config: PipelineConfig) {
        guard config.grid != nil || config.outputs.crs != nil else { return nil }
        let g = config.grid ?? GridSpec()
        let crsText = g.crs ?? config.outputs.crs
        crs = crsText.flatMap(GridSpec.epsgCode).map(CRS.epsg)
        resolution = g.resolution
        bounds = g.bounds.map { ($0[0], $0[1], $0[2], $0[3]) }
        method = g.resampling.flatMap(ResampleMethod.init(rawValue:))
        name = config.grid != nil ? "the grid: of \(config.sourcePath)" : "outputs.crs \(crsText ?? "") of \(config.sourcePath)"
    }

    /// The grid for a tile on `tile` (read from `file`).
    /// - Throws: `ManifestError.gridMismatch` naming the file and the grid (no CRS, a CRS PROJ cannot relate).
    public func grid(for tile: RasterGrid, file: String) throws -> RasterGrid {
        do { return try target(for: tile, file: file) } catch {
            throw ManifestError.gridMismatch(file: file, reason: error.description)
        }
    }

    /// `grid(for:file:)` with GridWarp's typed error.
    private func target(for tile: RasterGrid, file: String) throws(GridAlignmentError) -> RasterGrid {
        let target = crs ?? tile.geo.crs
        let sameCRS = target?.projDefinition == tile.geo.crs?.projDefinition && target?.epsg == tile.geo.crs?.epsg
        if let b = bounds {
            var res = resolution
            if res == nil {
                res = sameCRS ? tile.pixelSize : try GridWarp.reprojected(tile, file: file, to: target!, resolution: nil).pixelSize
            }
            return RasterGrid(crs: target, bounds: b, resolutionX: res!, resolutionY: res!, snap: false)
        }
        if sameCRS {
            guard let r = resolution else { return tile }
            let tb = tile.bounds
            return RasterGrid(crs: target, bounds: tb, resolutionX: r, resolutionY: r, snap: true)
        }
        return try GridWarp.reprojected(tile, file: file, to: target!, resolution: resolution)
    }

    /// `tile` on its reference grid (`ReflectanceTile.resampled(to:)`).
    public func apply(to tile: ReflectanceTile) throws -> ReflectanceTile {
        let file = tile.sourceFiles.first ?? tile.id
        guard let geo = tile.geo else {
            throw ManifestError.gridMismatch(file: file, reason: GridAlignmentError.noCRS(file: file, reference: name, missing: [file]).description)
        }
        let target = try grid(for: RasterGrid(width: tile.width, height: tile.height, geo: geo), file: file)
        return try tile.resampled(to: target, gridName: name, method: method)
    }
}
