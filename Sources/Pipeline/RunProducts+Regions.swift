import Foundation
import RasterCore
import Analysis
import Products

/// The regions of a run as report rows and places: per region and date, the class hectares and index means of the
/// tiles' partial sums, the affected hectares of each disaster job whose after-date it is (the job's polygons,
/// rasterised back onto the pair's grid, weighted by the region's coverage), and the region's lon/lat box.
enum RegionPlaces {
    /// Region rows (sorted by region, then date) and one place of kind `region` per region that has figures.
    static func entries(rows: [TileRecord], pairs: [PairResult], regionsFile: String?, crs: CRS?) -> (entries: [RegionEntry], places: [PlaceInfo]) {
        var sums: [String: [String: RegionPartial]] = [:]
        for r in rows where r.status == .done {
            guard let res = r.result else { continue }
            for (name, s) in res.regions { sums[name, default: [:]][res.date ?? "no date", default: RegionPartial()].merge(s) }
        }
        let regions = regionsFile.flatMap { $0.isEmpty ? nil : try? RegionReader.read(path: $0) } ?? []
        let affected = affectedHectares(pairs: pairs, regions: regions)
        for (name, byDate) in affected { for date in byDate.keys where sums[name]?[date] == nil { sums[name, default: [:]][date] = RegionPartial() } }
        var out: [RegionEntry] = []
        for name in sums.keys.sorted() {
            for date in sums[name]!.keys.sorted() {
                let p = sums[name]![date]!
                out.append(RegionEntry(name: "\(name) · \(date)", classHectares: p.classHa, indexMeans: p.means, region: name, date: date,
                                       affectedHectares: affected[name]?[date] ?? [:]))
            }
        }
        let places = sums.keys.sorted().map { name in
            PlaceInfo(name: name, kind: .region,
                      bbox: ReportPlaces.union(regions.filter { $0.name == name }.compactMap { ReportPlaces.bbox(of: $0, crs: crs) }))
        }
        return (out, places)
    }

    /// Region name → after-date → job → affected hectares inside the region (coverage-weighted).
    static func affectedHectares(pairs: [PairResult], regions: [Region]) -> [String: [String: [String: Double]]] {
        guard !regions.isEmpty else { return [:] }
        var out: [String: [String: [String: Double]]] = [:]
        for p in pairs where p.job != MonitorKind.change.rawValue && p.failure == nil {
            guard let geo = p.geo, p.pixelAreaM2 > 0, !p.polygons.isEmpty,
                  let coverage = try? RegionRasterizer.rasterize(regions, geo: geo, width: p.width, height: p.height) else { continue }
            let mask = ReportPlaces.mask(p.polygons, width: p.width, height: p.height)
            for (region, cov) in zip(regions, coverage) where !cov.pixels.isEmpty {
                var px = 0.0
                for (i, f) in zip(cov.pixels, cov.fractions) where mask[i] { px += Double(f) }
                out[region.name, default: [:]][p.after, default: [:]][p.job, default: 0] += px * p.pixelAreaM2 / 10_000
            }
        }
        return out
    }
}
