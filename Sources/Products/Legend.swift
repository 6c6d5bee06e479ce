import Foundation
import RasterCore
import RasterIO

/// The legend panel of a quicklook: a title line (ramp title and unit), then either a gradient bar with
/// ticks and labels at "nice" values (linear ramps) or one swatch + name per class (stepped and class ramps),
/// laid out in as many columns as fit. When the map has masked pixels, a hatched swatch names them.
struct LegendLayout {
    /// The colours of masked (no valid data) pixels: a diagonal hatch of two greys, which no ramp uses.
    static let maskedLight = RGBA(214, 214, 214), maskedDark = RGBA(150, 150, 150)
    /// The legend label of masked pixels.
    static let maskedLabel = "masked / no valid data"
    /// The hatch colour of pixel (x, y) of a masked area.
    static func maskedColor(_ x: Int, _ y: Int) -> RGBA { (x + y) % 6 < 3 ? maskedDark : maskedLight }
    let ramp: ColorRamp
    let title: String
    let range: ClosedRange<Double>
    let width: Int
    let height: Int
    let lineHeight: Int
    let pad: Int
    let columnWidth: Int
    let columns: Int
    let entries: [(color: RGBA, label: String)]
    /// True when a masked-pixels entry is drawn.
    let masked: Bool

    init(ramp: ColorRamp, font: TextRenderer, unit: String, range: ClosedRange<Double>?, minWidth: Int, pad: Int,
         lineHeight: Int, note: String = "", masked: Bool = false) throws {
        self.ramp = ramp
        self.pad = pad
        self.lineHeight = lineHeight
        self.masked = masked
        title = (unit.isEmpty ? ramp.title : "\(ramp.title) [\(unit)]") + (note.isEmpty ? "" : " — \(note)")
        self.range = ramp.interpolation == .linear ? (range ?? ramp.domain) : ramp.domain
        switch ramp.interpolation {
        case .linear:
            entries = []
            columnWidth = 0
            columns = 0
            width = max(min(minWidth, 640), try font.measure(title))
            height = lineHeight * (masked ? 4 : 3) + 8
        case .stepped, .categorical:
            var list: [(RGBA, String)] = ramp.interpolation == .categorical
                ? ramp.stops.filter { Int($0.value) != ramp.nodataCode }.map { ($0.color, $0.label) }
                : ramp.stops.map { ($0.color, $0.label.isEmpty ? Self.format($0.value) : $0.label) }
            if masked { list.append((Self.maskedDark, Self.maskedLabel)) }
            entries = list.map { (color: $0.0, label: $0.1) }
            let swatch = lineHeight - 4
            let widest = try list.map { try font.measure($0.1) }.max() ?? 0
            columnWidth = swatch + 6 + widest + 2 * pad
            columns = max(1, min(list.count, minWidth / max(1, columnWidth)))
            width = max(minWidth, columns * columnWidth, try font.measure(title))
            let rows = (list.count + columns - 1) / columns
            height = lineHeight * (1 + rows) + 4
        }
    }

    /// A hatched masked-pixels swatch with its outline.
    static func hatch(on canvas: inout Canvas, x: Int, y: Int, size: Int) {
        for yy in 0..<size { for xx in 0..<size { canvas.set(x + xx, y + yy, maskedColor(x + xx, y + yy)) } }
        canvas.stroke(x: x, y: y, width: size, height: size, RGBA(90, 90, 90))
    }

    /// Tick values: multiples of a 1/2/5 × 10ⁿ step inside the range (about 5 ticks).
    var ticks: [Double] { Self.niceTicks(range) }

    /// Multiples of a 1/2/5 × 10ⁿ step (about range/4) inside `range`.
    static func niceTicks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / 4
        let mag = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var t = (range.lowerBound / step).rounded(.up) * step
        var out: [Double] = []
        while t <= range.upperBound + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    static func format(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    func draw(on canvas: inout Canvas, x: Int, y: Int, font: TextRenderer) throws {
        let ink = RGBA(20, 20, 20)
        try canvas.text(title, x: x, baseline: y + font.ascender, font: font, color: ink)
        let top = y + lineHeight
        switch ramp.interpolation {
        case .linear:
            let barH = max(8, lineHeight - 4)
            let barW = width
            let span = range.upperBound - range.lowerBound
            for i in 0..<barW {
                let t = barW == 1 ? 0 : Double(i) / Double(barW - 1)
                let rampValue = ramp.domain.lowerBound + t * (ramp.domain.upperBound - ramp.domain.lowerBound)
                canvas.fill(x: x + i, y: top, width: 1, height: barH, ramp.color(rampValue) ?? RGBA(0, 0, 0, 0))
            }
            canvas.stroke(x: x - 1, y: top - 1, width: barW + 2, height: barH + 2, RGBA(90, 90, 90))
            for v in ticks {
                let px = x + Int(((v - range.lowerBound) / (span > 0 ? span : 1) * Double(barW - 1)).rounded())
                canvas.fill(x: px, y: top + barH + 1, width: 1, height: 4, ink)
                let label = Self.format(v)
                let w = try font.measure(label)
                let lx = min(max(px - w / 2, x - pad / 2), x + barW + pad / 2 - w)
                try canvas.text(label, x: lx, baseline: top + barH + 5 + font.ascender, font: font, color: ink)
            }
            if masked {
                let swatch = lineHeight - 4, sy = top + 2 * lineHeight + 6
                Self.hatch(on: &canvas, x: x, y: sy, size: swatch)
                try canvas.text(Self.maskedLabel, x: x + swatch + 6, baseline: sy + swatch - 2, font: font, color: ink)
            }
        case .stepped, .categorical:
            let swatch = lineHeight - 4
            for (i, e) in entries.enumerated() {
                let col = i % columns, row = i / columns
                let sx = x + col * columnWidth, sy = top + row * lineHeight + 2
                if masked && i == entries.count - 1 { Self.hatch(on: &canvas, x: sx, y: sy, size: swatch) }
                else { canvas.fill(x: sx, y: sy, width: swatch, height: swatch, e.color) }
                canvas.stroke(x: sx, y: sy, width: swatch, height: swatch, RGBA(90, 90, 90))
                try canvas.text(e.label, x: sx + swatch + 6, baseline: sy + swatch - 2, font: font, color: ink)
            }
        }
    }
}
