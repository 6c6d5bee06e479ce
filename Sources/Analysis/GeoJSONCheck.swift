import Foundation

/// Structural checks of an RFC 7946 GeoJSON document and geodesic areas of its polygons.
public enum GeoJSONCheck {
    /// Problems found (empty when the document passes): it must be a FeatureCollection without a `crs` member;
    /// each Polygon/MultiPolygon ring must have ≥ 4 positions, be closed (first == last), hold `[lon, lat]`
    /// with lon ∈ [−180, 180] and lat ∈ [−90, 90]; exteriors counter-clockwise and holes clockwise.
    public static func problems(in data: Data) -> [String] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return ["not a JSON object"] }
        var out: [String] = []
        if root["type"] as? String != "FeatureCollection" { out.append("root type is not FeatureCollection") }
        if root["crs"] != nil { out.append("RFC 7946 removed the crs member") }
        guard let features = root["features"] as? [[String: Any]] else { return out + ["no features array"] }
        for (i, f) in features.enumerated() {
            guard f["type"] as? String == "Feature", let g = f["geometry"] as? [String: Any] else { out.append("feature \(i): not a Feature with geometry"); continue }
            let polys: [[[[Double]]]]
            switch g["type"] as? String {
            case "Polygon": polys = [(g["coordinates"] as? [[[Double]]]) ?? []]
            case "MultiPolygon": polys = (g["coordinates"] as? [[[[Double]]]]) ?? []
            default: out.append("feature \(i): geometry is not a (Multi)Polygon"); continue
            }
            for poly in polys {
                if poly.isEmpty { out.append("feature \(i): empty polygon") }
                for (k, ring) in poly.enumerated() {
                    let tag = "feature \(i) ring \(k)"
                    if ring.count < 4 { out.append("\(tag): fewer than 4 positions") ; continue }
                    if ring.first! != ring.last! { out.append("\(tag): not closed") }
                    if ring.contains(where: { $0.count < 2 || abs($0[0]) > 180 || abs($0[1]) > 90 }) {
                        out.append("\(tag): coordinate out of lon/lat range")
                    }
                    let a = GeoJSONWriter.signedArea(Array(ring.dropLast()))
                    if k == 0 && a <= 0 { out.append("\(tag): exterior is not counter-clockwise") }
                    if k > 0 && a >= 0 { out.append("\(tag): hole is not clockwise") }
                }
            }
        }
        return out
    }

    /// Area in m² of a closed lon/lat ring on the sphere of radius 6 371 007.2 m (the authalic radius of
    /// WGS84), by the spherical-excess line integral Σ (λ₂ − λ₁)(2 + sin φ₁ + sin φ₂) · R²/2; unsigned.
    /// Differs from the ellipsoidal area by well under 0.5 % at mid latitudes.
    public static func sphericalArea(_ ring: [[Double]]) -> Double {
        let r = 6_371_007.2
        var s = 0.0
        for i in 0..<(ring.count - 1) {
            let l1 = ring[i][0] * .pi / 180, l2 = ring[i + 1][0] * .pi / 180
            let p1 = ring[i][1] * .pi / 180, p2 = ring[i + 1][1] * .pi / 180
            s += (l2 - l1) * (2 + sin(p1) + sin(p2))
        }
        return abs(s * r * r / 2)
    }
}
