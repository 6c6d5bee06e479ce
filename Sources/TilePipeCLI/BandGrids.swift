import ArgumentParser
import Foundation
import RasterCore
import RasterIO

/// `--resample nearest|bilinear|average` of `index` and `calc`: bands on different grids are resampled onto the
/// finest band's grid (smallest pixel area, the first given on a tie) with PROJ when their CRSs differ.
extension ResampleMethod: ExpressibleByArgument {}

/// Bringing the bands of one command onto one grid.
enum BandGrids {
    /// The grid each band was read on.
    struct Band {
        var spec: BandSpec
        var width: Int, height: Int
        var geo: GeoReference?
    }

    /// Sets `loaded`'s size and georeference to the reference grid and resamples every band that is not on it.
    /// Without `resample`, bands on different grids are a usage error that names both files and what differs;
    /// with it, bands that cannot be aligned (no CRS, no overlap) fail with exit 1 and a message naming both files.
    static func align(_ loaded: inout LoadedBands, bands: [Band], resample: ResampleMethod?) throws {
        guard !bands.isEmpty else { return }
        func grid(_ b: Band) -> RasterGrid? { b.geo.map { RasterGrid(width: b.width, height: b.height, geo: $0) } }
        func same(_ a: Band, _ b: Band) -> Bool {
            guard a.width == b.width, a.height == b.height else { return false }
            switch (grid(a), grid(b)) {
            case (nil, nil): return true
            case let (ga?, gb?): return ga.sameGrid(as: gb)
            default: return false
            }
        }
        // The reference: the finest georeferenced band, else the first.
        let georeferenced = bands.compactMap(grid)
        let refIndex = RasterGrid.finest(georeferenced).flatMap { i in bands.firstIndex { grid($0) == georeferenced[i] } } ?? 0
        let ref = bands[refIndex]
        loaded.width = ref.width
        loaded.height = ref.height
        loaded.geo = ref.geo
        let others = bands.filter { !same($0, ref) }
        guard !others.isEmpty else { return }
        guard let resample else {
            let o = others[0]
            let what: String
            if let go = grid(o), let gr = grid(ref) { what = go.differences(from: gr).joined(separator: ", ") }
            else { what = "\(o.width)x\(o.height) vs \(ref.width)x\(ref.height)" + (o.geo == nil || ref.geo == nil ? ", one has no georeferencing" : "") }
            throw ValidationError("\(o.spec.role)=\(o.spec.path) and \(ref.spec.role)=\(ref.spec.path) are on different grids (\(what)); pass --resample bilinear (reflectance), average (to a coarser grid) or nearest (classes, masks) to resample onto the finest band's grid")
        }
        guard let target = grid(ref) else {
            printError(GridAlignmentError.noCRS(file: others[0].spec.path, reference: ref.spec.path, missing: [ref.spec.path]).description)
            throw ExitCode(1)
        }
        var mappings: [String: GridMapping] = [:]   // one mapping per source file
        for o in others {
            do {
                guard let source = grid(o) else {
                    throw GridAlignmentError.noCRS(file: o.spec.path, reference: ref.spec.path, missing: [o.spec.path])
                }
                let m = try mappings[o.spec.path] ?? GridWarp.mapping(from: source, sourceFile: o.spec.path, to: target, targetFile: ref.spec.path)
                mappings[o.spec.path] = m
                loaded.bands[o.spec.role] = Resampler.resample(loaded.bands[o.spec.role]!, mapping: m, method: resample)
                loaded.notes.append("\(o.spec.role)=\(o.spec.path): resampled (\(resample.rawValue)) onto the grid of \(ref.spec.path)"
                                    + (m.step < max(target.width, target.height) ? " with PROJ, coordinates within \(String(format: "%.3g", max(m.maxError, 1e-9))) px of exact" : ""))
            } catch let e as GridAlignmentError {
                printError(e.description)
                throw ExitCode(1)
            }
        }
    }
}
