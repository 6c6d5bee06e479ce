/// Minimum-mapping-unit cleanup: 8-connected regions smaller than N pixels take their majority neighbour's class.
///
/// Rules (deterministic):
/// - regions are found on the input map; regions of code 0 (nodata) are never changed and never donate;
/// - a region's neighbours are the pixels outside it within its 8-neighbourhood; each neighbour pixel votes
///   for its code in the map *as it stands when the region is processed*;
/// - regions are processed from the smallest up (ties in scan order), so a sliver between two small regions
///   joins whatever they became; the majority wins, ties go to the lower code;
/// - a small region with no eligible neighbour (alone in nodata) is kept.
public enum MinimumMappingUnit {
    /// The cleaned class map.
    public static func apply(_ classes: [UInt8], width: Int, height: Int, minimumPixels: Int) -> [UInt8] {
        guard minimumPixels > 1, !classes.isEmpty else { return classes }
        let cc = ConnectedComponents(classes, width: width, height: height, connectivity: .eight, excluding: [LandUse.nodata])
        let small = (0..<cc.count).filter { cc.sizes[$0] < minimumPixels }.sorted { (cc.sizes[$0], $0) < (cc.sizes[$1], $1) }
        guard !small.isEmpty else { return classes }
        // Pixel lists for the small regions only.
        var members: [Int: [Int]] = [:]
        let smallSet = Set(small.map { Int32($0 + 1) })
        for (i, l) in cc.labels.enumerated() where smallSet.contains(l) { members[Int(l), default: []].append(i) }
        var out = classes
        for r in small {
            let label = Int32(r + 1)
            guard let pixels = members[Int(label)] else { continue }
            var votes = [Int](repeating: 0, count: 256)
            var seen = Set<Int>()
            for p in pixels {
                let x = p % width, y = p / width
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, ny >= 0, nx < width, ny < height else { continue }
                        let q = ny * width + nx
                        if cc.labels[q] == label || out[q] == LandUse.nodata || !seen.insert(q).inserted { continue }
                        votes[Int(out[q])] += 1
                    }
                }
            }
            guard let best = votes.indices.max(by: { (votes[$0], -$0) < (votes[$1], -$1) }), votes[best] > 0 else { continue }
            for p in pixels { out[p] = UInt8(best) }
        }
        return out
    }
}
