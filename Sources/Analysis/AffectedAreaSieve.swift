/// Minimum mapping unit on the affected / not-affected partition of a two-date class map (a binary sieve, as
/// `gdal_sieve.py` on the burned mask): 8-connected affected patches smaller than `minimumPixels` become the
/// `unaffected` class, and not-affected holes smaller than that become affected, with the class most of their
/// affected 8-neighbours have (ties to the lower code; the lowest affected code when none touches).
///
/// Why: a per-pixel dNBR threshold leaves salt-and-pepper — isolated "burned" pixels from misregistration,
/// phenology and shadow outside the fire, unburned specks inside it — which no burned-area product reports.
/// Mapping programmes state a minimum mapping unit instead; the default of the burn job is its polygon
/// threshold (`minimumPolygonPixels`, 9 pixels = a 3×3 window, 0.81 ha at Landsat's 30 m), or `min_area_m2`.
/// Both partitions are decided on the input map (patches are not re-merged in turn), so the result does not
/// depend on processing order. Masked pixels (code 0) are neither affected nor unaffected and never change.
public enum AffectedAreaSieve {
    /// The sieved class map.
    public static func apply(_ classes: [UInt8], width: Int, height: Int, affected: Set<UInt8>, unaffected: UInt8,
                             minimumPixels: Int) -> [UInt8] {
        guard minimumPixels > 1, classes.count == width * height, !affected.isEmpty else { return classes }
        // 0 masked, 1 not affected, 2 affected.
        let binary = classes.map { $0 == 0 ? UInt8(0) : (affected.contains($0) ? 2 : 1) }
        let cc = ConnectedComponents(binary, width: width, height: height, connectivity: .eight, excluding: [0])
        let lowest = affected.min()!
        var out = classes
        for i in 0..<classes.count {
            let l = cc.labels[i]
            guard l > 0, cc.sizes[Int(l) - 1] < minimumPixels else { continue }
            if binary[i] == 2 { out[i] = unaffected; continue }
            var votes = [Int](repeating: 0, count: 256)
            let x = i % width, y = i / width
            for dy in -1...1 {
                for dx in -1...1 where dx != 0 || dy != 0 {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0, ny >= 0, nx < width, ny < height else { continue }
                    let c = classes[ny * width + nx]
                    if affected.contains(c) { votes[Int(c)] += 1 }
                }
            }
            let best = votes.indices.max { (votes[$0], -$0) < (votes[$1], -$1) }!
            out[i] = votes[best] > 0 ? UInt8(best) : lowest
        }
        return out
    }
}
