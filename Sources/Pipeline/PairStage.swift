import Foundation
import RasterCore
import Analysis
import Products

/// One job on one tile pair: the executor's item in phase 2.
struct PairWork: TileItem {
    /// What is computed on the pair.
    enum Job: Sendable {
        /// The from/to class matrix of the two class maps.
        case change
        /// A `monitor:` entry, its kind and the index both dates have.
        case monitor(MonitorJobSpec, MonitorKind, index: String)
    }

    var job: Job
    /// The pair key (tile id without dates).
    var key: String
    /// The before and after tiles.
    var a: PairPhase.Dated, b: PairPhase.Dated

    /// The job's name in results: `change`, or the `monitor:` kind (`flood`, `burn`, ...).
    var name: String {
        switch job {
        case .change: return MonitorKind.change.rawValue
        case .monitor(let spec, _, _): return spec.kind
        }
    }
    /// `<job>:<key>:<before>:<after>`.
    var id: String { "\(name):\(key):\(a.date):\(b.date)" }
    /// Both tiles' inputs, for failures.
    var path: String { "\(a.path) + \(b.path)" }
}

/// Phase 2 as an executor stage. `ingest` reads what phase 1 wrote for the two dates (the index planes, or the
/// class maps for the change matrix; the persisted quality masks, never class codes; `truth-event.tif` next to the
/// after input); `compute` brings the after date onto the before date's grid (`GridPairing.Alignment`) and runs
/// Analysis (`ChangeMatrix`, or the kind's `TwoDateJob`); `write` writes the job's class map and quicklook
/// (PairStage+IO.swift). Every figure comes from Analysis.
struct PairStage: TileStage {
    /// One date's planes as phase 1 wrote them, on that date's grid.
    struct DatePlanes: Sendable {
        var grid: GridPairing.DateGrid
        /// The compared index (monitor jobs).
        var index: [Float]?
        /// The class map (change).
        var classes: [UInt8]?
        /// The persisted quality mask, when the tile has one.
        var quality: [UInt8]?
    }

    /// Both dates, and the event truth next to the after input (with its grid) when there is one.
    struct Loaded: Sendable {
        var before: DatePlanes, after: DatePlanes
        var truth: (codes: [UInt8], geo: GeoReference?, width: Int, height: Int)?
    }

    /// What the job computed, on the before date's grid.
    enum Computed: Sendable {
        case change(ChangeMatrix, grid: GridPairing.DateGrid)
        case disaster(DisasterResult, grid: GridPairing.DateGrid, overlap: (intersection: Int, union: Int)?)
    }

    let settings: PairPhase.Settings

    func compute(_ l: Loaded, item w: PairWork) throws -> Computed {
        let align = try GridPairing.alignment(before: l.before.grid, after: l.after.grid)
        let grid = l.before.grid
        let qualityAfter = l.after.quality.map { align.codes($0, fill: LandUse.Quality.nodata) }
        switch w.job {
        case .change:
            // The change matrix over the tile's own scheme.
            let scheme = w.a.result.classes?.scheme ?? LandUse.classes
            let m = try ChangeMatrix(before: l.before.classes ?? [], beforeGeo: grid.geo, after: align.codes(l.after.classes ?? [], fill: LandUse.nodata),
                                     afterGeo: grid.geo, width: grid.width, height: grid.height, classes: scheme.map(\.code),
                                     masked: ChangeMatrix.maskedClasses(of: scheme), qualityBefore: l.before.quality, qualityAfter: qualityAfter)
            return .change(m, grid: grid)
        case let .monitor(spec, kind, index):
            let area = w.a.result.pixelAreaM2
            let minPixels = spec.minAreaM2.map { area > 0 ? max(1, Int(($0 / area).rounded(.up))) : 9 } ?? 9
            guard let job = kind.job(index: index, threshold: spec.threshold, minimumPolygonPixels: minPixels) else {
                throw PipelineError.badTile(path: w.path, reason: "\(kind.rawValue) is not a two-date index job")
            }
            let pair = DatePair(before: l.before.index ?? [], after: align.values(l.after.index ?? []), qualityBefore: l.before.quality,
                                qualityAfter: qualityAfter, width: grid.width, height: grid.height, geo: grid.geo)
            let result = try job.run(pair)
            return .disaster(result, grid: grid, overlap: try truth(l, align: align).map { try result.overlap(truth: $0) })
        }
    }

    /// The event truth on the before grid: as read when it is on the before grid, through the pair's alignment
    /// when it is on the after grid (255, ignored, where the after date has no pixel), else none.
    func truth(_ l: Loaded, align: GridPairing.Alignment) -> [UInt8]? {
        guard let t = l.truth else { return nil }
        func on(_ g: GridPairing.DateGrid) -> Bool {
            t.width == g.width && t.height == g.height && (t.geo == nil || g.geo == nil || t.geo!.sameGrid(as: g.geo!))
        }
        if on(l.before.grid) { return t.codes }
        if on(l.after.grid) { return align.codes(t.codes, fill: 255) }
        return nil
    }
}
