#if canImport(Glibc)
import Glibc
#endif

/// Process-wide allocator settings for long batch runs.
public enum MemoryTuning {
    /// Fixes glibc's mmap threshold at `mmap` bytes and its trim threshold at `trim` bytes (`mallopt(M_MMAP_THRESHOLD)`
    /// and `mallopt(M_TRIM_THRESHOLD)`, looked up with `dlsym` because `<malloc.h>` is not part of Swift's Glibc module).
    ///
    /// By default glibc raises the mmap threshold after the first large `free`, so later tile-sized planes come from
    /// per-thread arenas that keep their pages; RSS then crept up with the number of whole tiles read. A fixed
    /// threshold keeps those planes (a 2048² Float32 plane is 16 MiB, a scene's far more) in their own mappings,
    /// returned to the system when freed, so peak RSS stays at `max_in_flight × tile working set`.
    ///
    /// The threshold sits above the buffers of one window (the default 512² window: 1 MiB per Float32 plane, 3 MiB
    /// of decoded 6-band UInt16 samples; 4 MiB planes for 1024² windows), and the trim threshold keeps freed arena
    /// memory for the next window: with a 1 MiB threshold every window plane was mapped, zero-filled page by page and
    /// unmapped again, 14 % of the NDVI job's CPU in page faults (docs/performance.md). What arenas keep is bounded by
    /// the windows in flight, not by the scene or the number of tiles. Returns false where unavailable (non-glibc).
    @discardableResult
    public static func fixThresholds(mmap: Int32 = 8 << 20, trim: Int32 = 64 << 20) -> Bool {
        #if canImport(Glibc)
        let M_TRIM_THRESHOLD: Int32 = -1, M_MMAP_THRESHOLD: Int32 = -3   // <malloc.h>
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(sym, to: Mallopt.self)
        return mallopt(M_MMAP_THRESHOLD, mmap) == 1 && mallopt(M_TRIM_THRESHOLD, trim) == 1
        #else
        return false
        #endif
    }
}
