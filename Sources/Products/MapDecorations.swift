import Foundation
import RasterCore
import RasterIO

/// Scale bar and north arrow drawn over a quicklook's map.
enum MapDecorations {
    /// Metres per map pixel along the x axis: the pixel width for projected CRSs (assumed in metres, as UTM and
    /// most EO grids are); for geographic CRSs, degrees × 111 320 m × cos(latitude of the map centre).
    static func metresPerPixel(_ t: GeoTransform, crs: CRS?, mapWidth: Int, mapHeight: Int) -> Double {
        let size = (t.pixelWidth * t.pixelWidth + t.columnRotation * t.columnRotation).squareRoot()
        guard crs?.isGeographic == true else { return size }
        let lat = t.apply(column: Double(mapWidth) / 2, row: Double(mapHeight) / 2).y
        return size * 111_320 * cos(lat * .pi / 180)
    }

    /// The largest 1/2/5 × 10ⁿ not above `limit`.
    static func niceLength(atMost limit: Double) -> Double {
        guard limit > 0, limit.isFinite else { return 0 }
        let mag = pow(10, log10(limit).rounded(.down))
        return [5.0, 2, 1].map { $0 * mag }.first { $0 <= limit } ?? mag
    }

    /// Draws a two-segment black/white bar of a nice length (at most a quarter of the map width) with its label
    /// (`500 m`, `2 km`) in the map's lower-left corner on a translucent white box; returns the length in metres.
    static func drawScaleBar(on canvas: inout Canvas, transform: GeoTransform, crs: CRS?, mapX: Int, mapY: Int,
                             mapWidth: Int, mapHeight: Int, font: TextRenderer, pad: Int) throws -> Double? {
        let mpp = metresPerPixel(transform, crs: crs, mapWidth: mapWidth, mapHeight: mapHeight)
        guard mpp > 0, mpp.isFinite else { return nil }
        let metres = niceLength(atMost: Double(mapWidth) / 4 * mpp)
        let barPx = Int((metres / mpp).rounded())
        guard barPx >= 10 else { return nil }
        let label = metres >= 1000 ? "\(LegendLayout.format(metres / 1000)) km" : "\(LegendLayout.format(metres)) m"
        let labelW = try font.measure(label)
        let barH = 5
        let boxW = max(barPx, labelW) + 2 * pad, boxH = font.ascender + font.descender + barH + 2 * pad
        let bx = mapX + pad, by = mapY + mapHeight - pad - boxH
        guard by > mapY else { return nil }
        canvas.fill(x: bx, y: by, width: boxW, height: boxH, RGBA(255, 255, 255, 200))
        try canvas.text(label, x: bx + pad, baseline: by + pad / 2 + font.ascender, font: font, color: RGBA(0, 0, 0))
        let barY = by + boxH - pad - barH
        canvas.fill(x: bx + pad, y: barY, width: barPx, height: barH, RGBA(0, 0, 0))
        canvas.fill(x: bx + pad + barPx / 2, y: barY + 1, width: barPx - barPx / 2 - 1, height: barH - 2, RGBA(255, 255, 255))
        return metres
    }

    /// Draws an arrow to grid north (the direction of increasing CRS y, from the inverse transform, so rotated
    /// grids get a tilted arrow) with an "N" in the map's upper-right corner on a translucent white box.
    static func drawNorthArrow(on canvas: inout Canvas, transform: GeoTransform, mapX: Int, mapY: Int, mapWidth: Int,
                               font: TextRenderer, pad: Int) throws {
        guard let p0 = transform.invert(x: transform.originX, y: transform.originY),
              let p1 = transform.invert(x: transform.originX, y: transform.originY + abs(transform.pixelHeight)) else { return }
        var ux = p1.column - p0.column, uy = p1.row - p0.row
        let len = (ux * ux + uy * uy).squareRoot()
        guard len > 0 else { return }
        ux /= len; uy /= len
        let size = Double(font.ascender) * 1.6
        let boxW = Int(size * 2) + pad, boxH = Int(size * 2) + font.ascender + pad
        let bx = mapX + mapWidth - pad - boxW, by = mapY + pad
        guard bx > mapX else { return }
        canvas.fill(x: bx, y: by, width: boxW, height: boxH, RGBA(255, 255, 255, 200))
        let cx = Double(bx) + Double(boxW) / 2, cy = Double(by + pad / 2) + size
        let tip = (cx + ux * size * 0.9, cy + uy * size * 0.9)
        let back = (cx - ux * size * 0.6, cy - uy * size * 0.6)
        let px = -uy, py = ux
        let left = (back.0 + px * size * 0.5, back.1 + py * size * 0.5)
        let right = (back.0 - px * size * 0.5, back.1 - py * size * 0.5)
        let notch = (cx - ux * size * 0.2, cy - uy * size * 0.2)
        canvas.fillTriangle(tip, left, notch, RGBA(0, 0, 0))
        canvas.fillTriangle(tip, notch, right, RGBA(90, 90, 90))
        let nW = try font.measure("N")
        try canvas.text("N", x: Int(cx) - nW / 2, baseline: by + boxH - pad / 2 - font.descender, font: font, color: RGBA(0, 0, 0))
    }
}
