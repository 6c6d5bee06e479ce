/// NDVI straight from integer digital numbers, with the arithmetic in Float32.
///
/// Formula: r = Float(red)·scale + offset, n = Float(nir)·scale + offset,
/// NDVI = (n − r) / (n + r). Edge cases: a pixel whose red or nir equals `nodata` is NaN; a zero
/// denominator is NaN. Every sample is converted to Float *before* any subtraction, so
/// `nir − red` never wraps (the uint16 overflow bug of many numpy scripts: 0 − 65535 is −65535
/// here, not 1). `out` must hold no more samples than either input.
@inlinable
public func ndvi(red: UnsafeBufferPointer<UInt16>, nir: UnsafeBufferPointer<UInt16>, nodata: UInt16?,
                 scale: Float = 1, offset: Float = 0, into out: UnsafeMutableBufferPointer<Float>) {
    integerNDVI(red: red, nir: nir, nodata: nodata, scale: scale, offset: offset, into: out)
}

/// NDVI from signed 16-bit integers (MODIS MOD13/MYD13 reflectance layers), same formula and
/// edge cases as the `UInt16` version.
@inlinable
public func ndvi(red: UnsafeBufferPointer<Int16>, nir: UnsafeBufferPointer<Int16>, nodata: Int16?,
                 scale: Float = 1, offset: Float = 0, into out: UnsafeMutableBufferPointer<Float>) {
    integerNDVI(red: red, nir: nir, nodata: nodata, scale: scale, offset: offset, into: out)
}

/// The shared loop, specialised per integer type at the call site.
@inlinable
func integerNDVI<T: FixedWidthInteger>(red: UnsafeBufferPointer<T>, nir: UnsafeBufferPointer<T>, nodata: T?,
                                      scale: Float, offset: Float, into out: UnsafeMutableBufferPointer<Float>) {
    precondition(red.count >= out.count && nir.count >= out.count, "ndvi: inputs shorter than the output")
    let n = out.count
    if let nv = nodata {
        if scale == 1 && offset == 0 {
            for i in 0..<n {
                let ri = red[i], ni = nir[i]
                let r = Float(ri), v = Float(ni), d = v + r
                let q = (v - r) / d
                out[i] = (ri == nv) || (ni == nv) || d == 0 ? .nan : q
            }
        } else {
            for i in 0..<n {
                let ri = red[i], ni = nir[i]
                let r = Float(ri) * scale + offset, v = Float(ni) * scale + offset, d = v + r
                let q = (v - r) / d
                out[i] = (ri == nv) || (ni == nv) || d == 0 ? .nan : q
            }
        }
    } else {
        if scale == 1 && offset == 0 {
            for i in 0..<n {
                let r = Float(red[i]), v = Float(nir[i]), d = v + r
                let q = (v - r) / d
                out[i] = d == 0 ? .nan : q
            }
        } else {
            for i in 0..<n {
                let r = Float(red[i]) * scale + offset, v = Float(nir[i]) * scale + offset, d = v + r
                let q = (v - r) / d
                out[i] = d == 0 ? .nan : q
            }
        }
    }
}

/// NDVI over Float32 reflectance (NaN = nodata): (n − r) / (n + r), NaN where either input is NaN
/// or n + r == 0. The single-index fast path, inlinable so callers compile it for their own target.
@inlinable
public func ndvi(red: UnsafeBufferPointer<Float>, nir: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
    precondition(red.count >= out.count && nir.count >= out.count, "ndvi: inputs shorter than the output")
    for i in 0..<out.count {
        let r = red[i], v = nir[i], d = v + r
        let q = (v - r) / d
        out[i] = d == 0 ? .nan : q
    }
}
