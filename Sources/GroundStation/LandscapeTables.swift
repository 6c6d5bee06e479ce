/// `AnxiLandscape`'s noise precomputed for one tile's area: one `FBMTable` per noise layer, the river profile
/// at the abscissae the tile asks about, and the villages of the cells around it. Immutable once built, so
/// the threads rendering the rows of a tile share it. Answers are bit-identical to computing point by point:
/// every value is stored from the same expression the point-by-point model evaluates, and anything outside
/// the prepared area is computed as before.
final class LandscapeTables: Sendable {
    let layers: [FBMTable]
    /// River columns on a grid of x from `riverX0` with step `riverStep` (the coarsest power-of-two step on which
    /// every prepared abscissa falls: 2 m for 16 m pixels), keyed by the bit pattern of x so that a lookup can
    /// never return another abscissa's column. Key and values side by side: one cache line per lookup.
    private let riverX0: Double, riverStepsPerMetre: Double
    private let river: [(key: UInt64, column: AnxiLandscape.RiverColumn)]
    private let villageI0: Int, villageJ0: Int, villageWidth: Int, villageHeight: Int
    private let villages: [AnxiLandscape.Village?]

    /// Tables of `landscape` for points in [x0, x1] × [y0, y1] and the river at each x of `columns`.
    init(_ landscape: AnxiLandscape, x0: Double, y0: Double, x1: Double, y1: Double, columns: [Double]) {
        layers = AnxiLandscape.Layer.allCases.map { layer in
            let field = layer.field(landscape)
            if layer == .riverCentre {  // sampled along y = 0 only
                return FBMTable(field, scale: layer.scale, octaves: layer.octaves, x0: x0, y0: 0, x1: x1, y1: 0)
            }
            return FBMTable(field, scale: layer.scale, octaves: layer.octaves, x0: x0, y0: y0, x1: x1, y1: y1)
        }
        // The river profile and the villages are computed by `landscape` itself (no tables), as point by point.
        let lo = columns.min() ?? 0, hi = columns.max() ?? 0
        var step = 64.0
        while step > 0.25 && !columns.allSatisfy({ (($0 - lo) / step).rounded(.down) == ($0 - lo) / step }) { step /= 2 }
        let count = (hi - lo) / step < 16_000_000 ? Int((hi - lo) / step) + 1 : 0
        var table = [(key: UInt64, column: AnxiLandscape.RiverColumn)](repeating: (Self.empty, .init(centre: 0, norm: 1)), count: count)
        for x in columns {
            let i = Int((x - lo) / step)
            guard i >= 0, i < count, table[i].key == Self.empty, x.bitPattern != Self.empty else { continue }
            table[i] = (x.bitPattern, landscape.computeRiverColumn(x))
        }
        riverX0 = lo
        riverStepsPerMetre = 1 / step
        river = table
        let cell = AnxiLandscape.villageCell
        let i0 = Int((min(x0, x1) / cell).rounded(.down)) - 1, i1 = Int((max(x0, x1) / cell).rounded(.down)) + 1
        let j0 = Int((min(y0, y1) / cell).rounded(.down)) - 1, j1 = Int((max(y0, y1) / cell).rounded(.down)) + 1
        villageI0 = i0; villageJ0 = j0; villageWidth = i1 - i0 + 1; villageHeight = j1 - j0 + 1
        var cells = [AnxiLandscape.Village?]()
        cells.reserveCapacity(villageWidth * villageHeight)
        for j in j0...j1 {
            for i in i0...i1 {
                var v = landscape.village(i, j)
                if let c = v { v?.low = landscape.elevation(c.x, c.y) < 130 }
                cells.append(v)
            }
        }
        villages = cells
    }

    /// The bit pattern of a NaN no caller uses as a key.
    private static let empty: UInt64 = 0x7FF8_DEAD_BEEF_0001

    /// The river column at x, when x was one of the prepared abscissae.
    @inline(__always) func river(_ x: Double) -> AnxiLandscape.RiverColumn? {
        let k = (x - riverX0) * riverStepsPerMetre
        guard k >= 0, k < Double(river.count) else { return nil }
        let entry = river[Int(k)]
        return entry.key == x.bitPattern ? entry.column : nil
    }

    /// The village of cell (ci, cj) with `low` known: `.some(nil)` for a cell without a village, nil outside
    /// the prepared cells.
    @inline(__always) func village(_ ci: Int, _ cj: Int) -> AnxiLandscape.Village?? {
        let i = ci - villageI0, j = cj - villageJ0
        guard i >= 0, j >= 0, i < villageWidth, j < villageHeight else { return nil }
        return .some(villages[j * villageWidth + i])
    }
}
